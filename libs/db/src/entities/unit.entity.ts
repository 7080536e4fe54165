import { CalendarDate } from './calendar-date.type';
import { Entity, Index, type Opt, Property, Unique } from '@mikro-orm/core';
import { BaseEntity } from './base.entity';

export interface UnitContact {
  name: string;
  email: string;
  locale?: 'zh' | 'en';
}

/** A demonstration unit (示范项目承担单位). */
@Entity({ tableName: 'units' })
@Index({ properties: ['province'] })
export class Unit extends BaseEntity {
  @Property({ type: 'string', length: 200 })
  name!: string;

  /** 统一社会信用代码, validated with its GB 32100-2015 check character. */
  @Unique()
  @Property({ type: 'string', length: 18 })
  creditCode!: string;

  /** Two-digit code from the fixed province list. */
  @Property({ type: 'string', length: 2 })
  province!: string;

  @Property({ type: 'string', length: 100 })
  industry!: string;

  @Property({ type: 'string', length: 20 })
  kind!: 'enterprise' | 'regional';

  @Property({ type: 'string', length: 100 })
  program!: string;

  /** Rule-set version the unit started with; kept when newer versions appear. */
  @Property({ type: 'integer' })
  ruleSetVersion!: number;

  /** ISO dates (YYYY-MM-DD); strings keep SQLite and PostgreSQL identical and sort correctly. */
  @Property({ type: CalendarDate })
  cycleStart!: string;

  @Property({ type: CalendarDate })
  cycleEnd!: string;

  @Property({ type: 'json' })
  contacts: Opt<UnitContact[]> = [];

  @Property({ type: 'string', length: 20 })
  status: Opt<'active' | 'under_evaluation' | 'accepted' | 'not_accepted' | 'revoked'> = 'active';

  @Property({ type: 'datetime', nullable: true })
  deletedAt?: Date | null;
}
