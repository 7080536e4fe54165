import { CalendarDate } from './calendar-date.type';
import { Entity, Index, ManyToOne, Property, type Rel } from '@mikro-orm/core';
import { BaseEntity } from './base.entity';
import { Unit } from './unit.entity';

/**
 * One step of a unit's lifecycle (active → under evaluation → accepted | not accepted; accepted → revoked):
 * when it took effect, why, who made it and, for an evaluation's outcome, the evaluation result.
 */
@Entity({ tableName: 'unit_status_changes' })
@Index({ properties: ['unit', 'createdAt'] })
export class UnitStatusChange extends BaseEntity {
  @ManyToOne(() => Unit)
  unit!: Rel<Unit>;

  @Property({ type: 'string', length: 20 })
  fromStatus!: string;

  @Property({ type: 'string', length: 20 })
  toStatus!: string;

  /** The date the change took effect (YYYY-MM-DD, Asia/Shanghai). */
  @Property({ type: CalendarDate })
  date!: string;

  @Property({ type: 'text' })
  reason!: string;

  /** Evaluation result (accepted / not accepted): score 0–100, conclusion, evaluator. */
  @Property({ type: 'integer', nullable: true })
  score?: number | null;

  @Property({ type: 'text', nullable: true })
  conclusion?: string | null;

  @Property({ type: 'string', length: 200, nullable: true })
  evaluator?: string | null;

  @Property({ type: 'integer', nullable: true })
  actorId?: number | null;

  @Property({ type: 'string', length: 254, nullable: true })
  actorEmail?: string | null;
}
