import { CalendarDate } from './calendar-date.type';
import { Entity, Index, ManyToOne, PrimaryKey, PrimaryKeyProp, Property, type Rel } from '@mikro-orm/core';
import { Unit } from './unit.entity';

/**
 * Read model (kept on write, see ComplianceCounts): what the engine counts of one requirement of a unit in
 * one of its periods: verified, and pending (submitted; for distinctBy requirements distinct identities not
 * already verified). Rewritten for the unit in the same transaction as every change that can move a count,
 * so scope views read these rows instead of scanning activities. No row means zero.
 */
@Entity({ tableName: 'compliance_counts' })
@Index({ properties: ['periodStart', 'periodEnd'] })
export class ComplianceCount {
  [PrimaryKeyProp]?: ['unit', 'requirement', 'periodStart'];

  @ManyToOne(() => Unit, { primary: true })
  unit!: Rel<Unit>;

  @PrimaryKey({ type: 'string', length: 40 })
  requirement!: string;

  /** The period (annual, or the whole cycle for cycle requirements), YYYY-MM-DD like activities.date. */
  @PrimaryKey({ type: CalendarDate })
  periodStart!: string;

  @Property({ type: CalendarDate })
  periodEnd!: string;

  @Property({ type: 'integer' })
  verified!: number;

  @Property({ type: 'integer' })
  pending!: number;
}

/**
 * Read model of the supervisors' monthly trend: non-deleted activities per unit, month of their date,
 * requirement and status (verified or submitted), kept with ComplianceCount.
 */
@Entity({ tableName: 'activity_month_counts' })
@Index({ properties: ['month'] })
export class ActivityMonthCount {
  [PrimaryKeyProp]?: ['unit', 'month', 'requirement', 'status'];

  @ManyToOne(() => Unit, { primary: true })
  unit!: Rel<Unit>;

  /** 'YYYY-MM' */
  @PrimaryKey({ type: 'string', length: 7 })
  month!: string;

  @PrimaryKey({ type: 'string', length: 40 })
  requirement!: string;

  @PrimaryKey({ type: 'string', length: 10 })
  status!: string;

  @Property({ type: 'integer' })
  n!: number;
}

/**
 * A counter per province, raised in the same transaction as every change to what the compliance views of
 * that province show (stored counts, units, targets). Instances compare it to know whether the scope
 * views they keep in memory are still current, without any message between them.
 */
@Entity({ tableName: 'compliance_versions' })
export class ComplianceVersion {
  @PrimaryKey({ type: 'string', length: 2 })
  province!: string;

  @Property({ type: 'integer' })
  version!: number;
}
