import { CalendarDate } from './calendar-date.type';
import { Entity, ManyToOne, Property, type Rel, Unique } from '@mikro-orm/core';
import { BaseEntity } from './base.entity';
import { Unit } from './unit.entity';

/**
 * SPEC §3 v2 "Unit targets": a minimum from the unit's approved task book (任务书) replacing its rule
 * set's (pro-rated) minimum of one requirement in the period starting on `periodStart`. Set by an
 * administrator or the unit's supervisor, with a reason; every change is audited.
 */
@Entity({ tableName: 'unit_targets' })
@Unique({ properties: ['unit', 'requirement', 'periodStart'] })
export class UnitTarget extends BaseEntity {
  @ManyToOne(() => Unit)
  unit!: Rel<Unit>;

  /** A requirement key of the unit's own rule set. */
  @Property({ type: 'string', length: 64 })
  requirement!: string;

  /** First day of the period (YYYY-MM-DD, Asia/Shanghai), like the other calendar dates of the schema. */
  @Property({ type: CalendarDate })
  periodStart!: string;

  @Property({ type: 'integer' })
  minimum!: number;

  @Property({ type: 'text' })
  reason!: string;
}
