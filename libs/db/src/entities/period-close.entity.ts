import { CalendarDate } from './calendar-date.type';
import { Entity, ManyToOne, Property, type Rel, Unique } from '@mikro-orm/core';
import { BaseEntity } from './base.entity';
import { Unit } from './unit.entity';

/**
 * The year-end close of one annual period of a unit: once closed (closedAt set) its activities can no longer
 * change and its figures are the stored `snapshot` (the compliance view at closing), whatever later changes
 * to rule sets or targets. An administrator may reopen it with a reason; the row keeps the last close and
 * reopen, the audit log every one.
 */
@Entity({ tableName: 'period_closes' })
@Unique({ properties: ['unit', 'periodStart'] })
export class PeriodClose extends BaseEntity {
  @ManyToOne(() => Unit)
  unit!: Rel<Unit>;

  @Property({ type: CalendarDate })
  periodStart!: string;

  @Property({ type: CalendarDate })
  periodEnd!: string;

  /** Null while open (after a reopen). */
  @Property({ type: 'datetime', nullable: true })
  closedAt?: Date | null;

  @Property({ type: 'integer', nullable: true })
  closedById?: number | null;

  @Property({ type: 'string', length: 254, nullable: true })
  closedByEmail?: string | null;

  /** The unit's compliance view of the period at closing (what every view shows from then on). */
  @Property({ type: 'json', nullable: true })
  snapshot?: Record<string, unknown> | null;

  @Property({ type: 'datetime', nullable: true })
  reopenedAt?: Date | null;

  @Property({ type: 'string', length: 254, nullable: true })
  reopenedByEmail?: string | null;

  @Property({ type: 'text', nullable: true })
  reopenReason?: string | null;
}
