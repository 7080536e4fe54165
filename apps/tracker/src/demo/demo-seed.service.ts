import { Injectable } from '@nestjs/common';
import { type EntityManager, MikroORM } from '@mikro-orm/core';
import { type ActivityStatus, ACTIVITY_STATUSES, type IsoDate, PROVINCE_CODES } from '@app/compliance';
import { ConflictError, InvalidInputError } from '@app/common';
import {
  Activity,
  ActivityMonthCount,
  ComplianceCount,
  ClaimFingerprint,
  ClaimMatch,
  EvidenceFile,
  Session,
  Unit,
  UnitTarget,
  User,
} from '@app/db';
import { ComplianceCounts } from '../compliance/compliance-counts.service';
import { assertPasswordStrength, hashPassword } from '@app/auth';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { RuleSetsService } from '../rule-sets/rule-sets.service';
import {
  buildDemoData,
  DEMO_DEFAULT_PASSWORD,
  DEMO_MAX_UNITS,
  type DemoData,
  demoFootprint,
} from './demo-data';

export const DEMO_PROGRAM = 'service-industry-demo';

export interface DemoSeedOptions {
  /** Province code, default '44' (广东省). */
  province?: string;
  /** Number of units, 1..100, default 20. */
  units?: number;
  /** Demonstration year, default the current year; a past year is filled up to its 31 December. */
  year?: number;
  /** The one password of every demo user, default 'demo-password-1'. */
  password?: string;
  /** Remove this province's earlier demo data first instead of refusing. */
  reset?: boolean;
}

export interface DemoSeedSummary {
  province: string;
  year: number;
  today: IsoDate;
  units: { id: number; name: string; email: string }[];
  supervisor: { id: number; email: string };
  users: number;
  activities: Record<ActivityStatus, number> & { total: number };
  password: string;
  /** What --reset-demo removed first; null when nothing was reset. */
  removed: { units: number; users: number; activities: number } | null;
}

/**
 * Writes demonstration data for one province: units, a unit user each, a supervisor and a year of
 * activities (see demo-data.ts). All in one transaction, so a failure leaves nothing behind.
 */
@Injectable()
export class DemoSeedService {
  constructor(
    private readonly orm: MikroORM,
    private readonly ruleSets: RuleSetsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly counts: ComplianceCounts,
  ) {}

  /** Builds the data (pure) for these options, checking them first. */
  plan(options: DemoSeedOptions = {}): DemoData {
    const o = this.checked(options);
    return buildDemoData({
      province: o.province,
      units: o.units,
      year: o.year,
      today: o.today,
      now: new Date(),
      ruleSet: this.ruleSets.latest(DEMO_PROGRAM),
    });
  }

  /**
   * Seeds the province. Throws ConflictError when demo data of the province already exists (unless
   * `reset`), InvalidInputError for bad options. `onProgress` is called after each unit is written.
   */
  async seed(
    options: DemoSeedOptions = {},
    onProgress?: (done: number, total: number, unitName: string) => void,
  ): Promise<DemoSeedSummary> {
    const o = this.checked(options);
    const data = this.plan(options);
    const em = this.orm.em.fork();
    return em.transactional(async (tx) => {
      const removed = await this.clearOrRefuse(tx, o.province, o.reset);
      onProgress?.(0, data.units.length, '');
      const supervisor = tx.create(User, {
        email: data.supervisor.email,
        name: data.supervisor.name,
        passwordHash: await hashPassword(o.password),
        role: 'supervisor',
        provinces: data.supervisor.provinces,
        locale: 'zh',
        active: true,
      });
      const counts = Object.fromEntries(ACTIVITY_STATUSES.map((s) => [s, 0])) as Record<
        ActivityStatus,
        number
      >;
      const written: DemoSeedSummary['units'] = [];
      for (const [i, u] of data.units.entries()) {
        const unit = tx.create(Unit, {
          name: u.name,
          creditCode: u.creditCode,
          province: u.province,
          industry: u.industry,
          kind: u.kind,
          program: u.program,
          ruleSetVersion: u.ruleSetVersion,
          cycleStart: u.cycleStart,
          cycleEnd: u.cycleEnd,
          contacts: u.contacts,
          status: 'active',
        });
        const user = tx.create(User, {
          email: u.user.email,
          name: u.user.name,
          passwordHash: await hashPassword(o.password),
          role: 'unit',
          unit,
          provinces: [],
          locale: 'zh',
          active: true,
        });
        for (const a of u.activities) {
          const reviewed = a.status === 'verified' || a.status === 'rejected';
          tx.create(Activity, {
            ...a,
            unit,
            createdBy: user,
            updatedBy: reviewed ? supervisor : user,
            reviewedBy: reviewed ? supervisor : null,
          });
          counts[a.status]++;
        }
        await tx.flush();
        await this.counts.refresh(tx, unit.id);
        written.push({ id: unit.id, name: unit.name, email: user.email });
        onProgress?.(i + 1, data.units.length, u.name);
      }
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      const summary: DemoSeedSummary = {
        province: o.province,
        year: o.year,
        today: o.today,
        units: written,
        supervisor: { id: supervisor.id, email: supervisor.email },
        users: written.length + 1,
        activities: { ...counts, total },
        password: o.password,
        removed,
      };
      // The audit row runs in this transaction (the EntityManager resolves to it), never with the password.
      this.audit.record(null, 'seed', 'demo', o.province, {
        province: o.province,
        year: o.year,
        today: o.today,
        units: written.length,
        users: summary.users,
        activities: summary.activities,
        removed,
      });
      await tx.flush();
      return summary;
    });
  }

  /** Earlier demo units and users of the province, found by their fixed credit codes and e-mails. */
  async existing(em: EntityManager, province: string): Promise<{ units: Unit[]; users: User[] }> {
    const footprint = demoFootprint(province);
    const units = await em.find(Unit, { creditCode: { $in: footprint.creditCodes } }, { filters: false });
    const users = await em.find(
      User,
      { $or: [{ email: { $in: footprint.emails } }, { unit: { $in: units.map((u) => u.id) } }] },
      { filters: false },
    );
    return { units, users };
  }

  private async clearOrRefuse(tx: EntityManager, province: string, reset: boolean) {
    const { units, users } = await this.existing(tx, province);
    if (!units.length && !users.length) return null;
    if (!reset) {
      throw new ConflictError(
        `省份 ${province} 的演示数据已存在（${units.length} 个单位，${users.length} 个用户）；如需重建，请加 --reset-demo。`,
        `Demo data for province ${province} already exists (${units.length} units, ${users.length} users); add --reset-demo to rebuild it.`,
        { province, units: units.length, users: users.length },
      );
    }
    // Demo data only: removed outright (credit codes and e-mails are unique), and the seed's audit row says so.
    const unitIds = units.map((u) => u.id);
    const userIds = users.map((u) => u.id);
    const activityIds = (
      await tx.find(Activity, { unit: { $in: unitIds } }, { fields: ['id'], filters: false })
    ).map((a) => a.id);
    if (activityIds.length) {
      await tx.nativeDelete(EvidenceFile, { activity: { $in: activityIds } });
      // Duplicate claims of demo activities (fingerprinted by integrity:rebuild) go with them.
      await tx.nativeDelete(ClaimMatch, {
        $or: [{ activity: { $in: activityIds } }, { matchedActivity: { $in: activityIds } }],
      });
      await tx.nativeDelete(ClaimFingerprint, { activity: { $in: activityIds } });
    }
    if (userIds.length) {
      // Other units' records touched by a demo user keep their history without the link.
      await tx.nativeUpdate(EvidenceFile, { uploadedBy: { $in: userIds } }, { uploadedBy: null });
      for (const field of ['createdBy', 'updatedBy', 'reviewedBy'] as const) {
        await tx.nativeUpdate(Activity, { [field]: { $in: userIds } }, { [field]: null });
      }
    }
    const removedActivities = activityIds.length
      ? await tx.nativeDelete(Activity, { id: { $in: activityIds } })
      : 0;
    if (userIds.length) {
      await tx.nativeDelete(Session, { user: { $in: userIds } });
      await tx.nativeDelete(User, { id: { $in: userIds } });
    }
    if (unitIds.length) {
      // A demo unit may carry targets set on its page (SPEC §3 v2): they go with it.
      await tx.nativeDelete(UnitTarget, { unit: { $in: unitIds } });
      await tx.nativeDelete(ComplianceCount, { unit: { $in: unitIds } });
      await tx.nativeDelete(ActivityMonthCount, { unit: { $in: unitIds } });
      await tx.nativeDelete(Unit, { id: { $in: unitIds } });
    }
    tx.clear();
    return { units: unitIds.length, users: userIds.length, activities: removedActivities };
  }

  private checked(o: DemoSeedOptions) {
    const province = o.province ?? '44';
    if (!(PROVINCE_CODES as readonly string[]).includes(province)) {
      throw new InvalidInputError(
        'province',
        'isIn',
        `未知省份代码：${province}`,
        `Unknown province code: ${province}`,
      );
    }
    const units = o.units ?? 20;
    if (!Number.isInteger(units) || units < 1 || units > DEMO_MAX_UNITS) {
      throw new InvalidInputError(
        'units',
        'range',
        `单位数须为 1 到 ${DEMO_MAX_UNITS} 的整数`,
        `units must be a whole number from 1 to ${DEMO_MAX_UNITS}`,
      );
    }
    const realToday = this.clock.today();
    const currentYear = Number(realToday.slice(0, 4));
    const year = o.year ?? currentYear;
    if (!Number.isInteger(year) || year < 2000 || year > currentYear) {
      throw new InvalidInputError(
        'year',
        'range',
        `年份须在 2000 到 ${currentYear} 之间`,
        `year must be from 2000 to ${currentYear}`,
      );
    }
    const password = o.password ?? DEMO_DEFAULT_PASSWORD;
    // Shared by every demo user, so no one's e-mail or name is among the inputs.
    assertPasswordStrength(password);
    const today = year === currentYear ? realToday : `${year}-12-31`;
    return { province, units, year, password, today, reset: !!o.reset };
  }
}
