import { Injectable, Logger } from '@nestjs/common';
import { EntityManager, type FilterQuery } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { periodContaining, requirementPeriod } from '@app/compliance';
import { NotFoundError } from '@app/common';
import {
  Activity,
  ClaimFingerprint,
  ClaimMatch,
  type ClaimReason,
  EvidenceFile,
  type MatchStatus,
  Unit,
  User,
} from '@app/db';
import { Access, type Principal, ScopePolicy } from '@app/auth';
import { AuditService } from '../audit/audit.service';
import { type Page, pageOptions } from '../common/pagination';
import { RuleSetsService } from '../rule-sets/rule-sets.service';
import {
  claimKey,
  normalizePersonKey,
  normalizeSerial,
  normalizeStandardNumber,
  normalizeTitle,
  normalizeUrl,
} from './claim-keys';
import type { DuplicatesQuery } from './dto/integrity.dto';

/** Events on the same date whose normalised titles are at least this similar (pg_trgm) are one event. */
export const EVENT_TITLE_SIMILARITY = 0.6;

/** At most this many other claims are matched per activity and reason (the most recent ones). */
export const MAX_MATCHES_PER_CLAIM = 50;

/** Activities per batch when fingerprints are rebuilt. */
const REBUILD_BATCH = 500;

export interface FingerprintRow {
  reason: ClaimReason;
  key: string;
  title: string | null;
  periodStart: string | null;
  periodEnd: string | null;
}

/** One side of a match as the caller may see it. */
export interface MatchSide {
  activityId: number;
  province: string;
  date: string;
  requirement: string;
  /** Null when the unit is outside the caller's scope (Access.canNameClaimant). */
  unit: { id: number; name: string } | null;
}

/** A match seen from the caller's side: `activityId` is in the caller's scope, `matchedActivityId` the other claim. */
export interface DuplicateView {
  id: number;
  reason: ClaimReason;
  status: MatchStatus;
  activityId: number;
  matchedActivityId: number;
  matchedUnit: { name: string } | null;
  matchedProvince: string;
  matchedDate: string;
  matchedRequirement: string;
  note: string | null;
  explainedAt: Date | null;
  explainedByName: string | null;
  createdAt: Date;
}

type Found = { self: number; other: number; reason: ClaimReason };

/**
 * Duplicate claims: what two activities both claim (the same evidence file, media URL, paper, standard,
 * trained person in another unit in the same period, or event). Fingerprints (claim_fingerprints) are kept
 * in the transaction of every change to an activity or its evidence; on submission the activity's
 * fingerprints are looked up by (reason, key) among every other live claim (submitted, verified or
 * rejected, any unit, any period) and each pair is stored once per reason in claim_matches.
 */
@Injectable()
export class IntegrityService {
  private readonly logger = new Logger('Integrity');

  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
    private readonly ruleSets: RuleSetsService,
  ) {}

  /** The things an activity claims (pure: the activity, its unit, its live evidence files' SHA-256). */
  fingerprintsOf(a: Activity, sha256s: readonly string[]): FingerprintRow[] {
    const rows: FingerprintRow[] = [];
    const add = (reason: ClaimReason, key: string, extra: Partial<FingerprintRow> = {}) =>
      rows.push({ reason, key, title: null, periodStart: null, periodEnd: null, ...extra });
    for (const sha of new Set(sha256s)) add('evidence', sha.toLowerCase());
    const url = a.url ? normalizeUrl(a.url) : null;
    if (url) add('url', claimKey(url));
    const title = normalizeTitle(a.title ?? '');
    if (a.issn && title) add('paper', claimKey(normalizeSerial(a.issn), title));
    if (a.standardNumber && a.standardKind) {
      add('standard', claimKey(normalizeStandardNumber(a.standardNumber), a.standardKind));
    }
    if (a.personKey) {
      const period = this.periodOf(a);
      add('person', claimKey(normalizePersonKey(a.personKey)), {
        periodStart: period.start,
        periodEnd: period.end,
      });
    }
    if (a.location != null && title) add('event', claimKey(a.date), { title: title.slice(0, 200) });
    return rows;
  }

  /**
   * Rewrites the activity's fingerprints from what is stored (`em` is the change's transaction, flushed
   * first). A deleted activity keeps none.
   */
  async refresh(em: EntityManager, activityId: number): Promise<void> {
    await em.flush();
    await em.nativeDelete(ClaimFingerprint, { activity: activityId });
    const a = await em.findOne(Activity, { id: activityId, deletedAt: null }, { populate: ['unit'] });
    if (!a) return;
    const files = await em.find(
      EvidenceFile,
      { activity: activityId, deletedAt: null },
      { fields: ['sha256'] },
    );
    await this.insert(em, [[a, files.map((f) => f.sha256)]]);
  }

  /**
   * The submission's check: refreshes the activity's fingerprints, looks up every other claim of the same
   * things and records the matches (an explained one stays explained). Open matches no longer found (the
   * unit corrected the activity) are dropped. Returns the matches now involving the activity.
   */
  async check(em: EntityManager, activityId: number): Promise<number> {
    await this.refresh(em, activityId);
    return (await this.detect(em, [activityId])).length;
  }

  /** Every activity's fingerprints and matches again (CLI integrity:rebuild, first start after upgrade). */
  async rebuild(
    progress?: (done: number, total: number) => void,
  ): Promise<{ activities: number; matches: number }> {
    const em = this.em.fork() as SqlEntityManager;
    const total = await em.count(Activity, { deletedAt: null });
    let done = 0;
    let lastId = 0;
    // Fingerprints first, for all, so every pair is seen from either side.
    await em.nativeDelete(ClaimFingerprint, { id: { $gt: 0 } });
    const ids: number[] = [];
    for (;;) {
      const batch = await em.find(
        Activity,
        { id: { $gt: lastId }, deletedAt: null },
        { populate: ['unit'], orderBy: { id: 'asc' }, limit: REBUILD_BATCH },
      );
      if (!batch.length) break;
      lastId = batch[batch.length - 1].id;
      const files = await em.find(
        EvidenceFile,
        { activity: { $in: batch.map((a) => a.id) }, deletedAt: null },
        { fields: ['sha256', 'activity'] },
      );
      const byActivity = new Map<number, string[]>();
      for (const f of files)
        byActivity.set(f.activity.id, [...(byActivity.get(f.activity.id) ?? []), f.sha256]);
      await em.transactional((tx) =>
        this.insert(
          tx,
          batch.map((a) => [a, byActivity.get(a.id) ?? []]),
        ),
      );
      for (const a of batch) if (a.status !== 'draft') ids.push(a.id);
      em.clear();
      progress?.((done += batch.length), total * 2);
    }
    let matches = 0;
    for (let i = 0; i < ids.length; i += REBUILD_BATCH) {
      const chunk = ids.slice(i, i + REBUILD_BATCH);
      matches += (await em.transactional((tx) => this.detect(tx, chunk))).length;
      em.clear();
      progress?.(total + i + chunk.length, total * 2);
    }
    progress?.(total * 2, total * 2);
    return { activities: total, matches: await em.count(ClaimMatch, {}) };
  }

  /** An installation upgraded to duplicate detection: evidence exists but no fingerprint at all. */
  async needsBackfill(): Promise<boolean> {
    const em = this.em.fork();
    if (await em.findOne(ClaimFingerprint, { id: { $gt: 0 } }, { fields: ['id'] })) return false;
    return !!(await em.findOne(EvidenceFile, { deletedAt: null }, { fields: ['id'] }));
  }

  /** Open matches per activity of a page (the review queue's marker), in one query. */
  async openCounts(ids: number[]): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    if (!ids.length) return out;
    const rows = await this.em.find(
      ClaimMatch,
      {
        status: 'open',
        activity: { deletedAt: null },
        matchedActivity: { deletedAt: null },
        $or: [{ activity: { $in: ids } }, { matchedActivity: { $in: ids } }],
      },
      { fields: ['activity', 'matchedActivity'] },
    );
    const wanted = new Set(ids);
    for (const m of rows) {
      for (const side of [m.activity.id, m.matchedActivity.id]) {
        if (wanted.has(side)) out.set(side, (out.get(side) ?? 0) + 1);
      }
    }
    return out;
  }

  /** Matches in the caller's scope (either side in scope), open ones unless `status` says otherwise. */
  async list(p: Principal, q: DuplicatesQuery): Promise<Page<DuplicateView>> {
    Access.assert(p, 'integrity:review');
    const scope = (extra: FilterQuery<Activity> = {}) =>
      ({ $and: [ScopePolicy.activities(p), extra] }) as FilterQuery<Activity>;
    const side = q.province ? { unit: { province: q.province } } : {};
    const where = {
      status: q.status ?? 'open',
      activity: { deletedAt: null },
      matchedActivity: { deletedAt: null },
      $or: [{ activity: scope(side) }, { matchedActivity: scope(side) }],
    } as FilterQuery<ClaimMatch>;
    const [items, total] = await this.em.findAndCount(ClaimMatch, where, {
      populate: ['activity.unit', 'matchedActivity.unit', 'explainedBy'],
      orderBy: { id: 'desc' },
      ...pageOptions(q),
    });
    return {
      items: items.map((m) => this.view(p, m, q.province)),
      total,
      page: q.page,
      pageSize: q.pageSize,
    };
  }

  /** The matches of one activity (its page); the activity must be in the caller's scope. */
  async forActivity(p: Principal, activityId: number): Promise<DuplicateView[]> {
    if (!Access.can(p, 'integrity:review')) return [];
    const items = await this.em.find(
      ClaimMatch,
      {
        activity: { deletedAt: null },
        matchedActivity: { deletedAt: null },
        $or: [{ activity: activityId }, { matchedActivity: activityId }],
      },
      { populate: ['activity.unit', 'matchedActivity.unit', 'explainedBy'], orderBy: { id: 'asc' } },
    );
    return items
      .filter((m) => Access.canSee(p, (m.activity.id === activityId ? m.activity : m.matchedActivity).unit))
      .map((m) => this.view(p, m, undefined, activityId));
  }

  /** A reviewer of either side explains a match (it stays explained); out of scope or unknown is a 404. */
  async explain(p: Principal, id: number, note: string): Promise<DuplicateView> {
    Access.assert(p, 'integrity:explain');
    return this.em.transactional(async (em) => {
      const m = await em.findOne(
        ClaimMatch,
        {
          id,
          activity: { deletedAt: null },
          matchedActivity: { deletedAt: null },
          $or: [{ activity: ScopePolicy.activities(p) }, { matchedActivity: ScopePolicy.activities(p) }],
        } as FilterQuery<ClaimMatch>,
        { populate: ['activity.unit', 'matchedActivity.unit', 'explainedBy'] },
      );
      if (!m || !Access.canExplainMatch(p, m.activity.unit, m.matchedActivity.unit)) {
        throw new NotFoundError(`duplicate ${id}`);
      }
      const before = { status: m.status, note: m.note ?? null };
      m.status = 'explained';
      m.note = note;
      m.explainedAt = new Date();
      m.explainedBy = em.getReference(User, p.id);
      await em.flush();
      this.audit.record(p, 'duplicate.explain', 'claim_match', m.id, {
        reason: m.reason,
        activityId: m.activity.id,
        matchedActivityId: m.matchedActivity.id,
        ...AuditService.diff(before, { status: m.status, note }),
      });
      return { ...this.view(p, m), explainedByName: p.name };
    });
  }

  private view(p: Principal, m: ClaimMatch, province?: string, own?: number): DuplicateView {
    // Seen from the caller's side: the first side in scope (and in the asked province) is "the activity".
    const inView = (a: Activity) =>
      Access.canSee(p, a.unit) && (province === undefined || a.unit.province === province);
    const flip =
      own !== undefined ? m.matchedActivity.id === own : !inView(m.activity) && inView(m.matchedActivity);
    const mine = flip ? m.matchedActivity : m.activity;
    const other = flip ? m.activity : m.matchedActivity;
    return {
      id: m.id,
      reason: m.reason,
      status: m.status,
      activityId: mine.id,
      matchedActivityId: other.id,
      matchedUnit: Access.canNameClaimant(p, other.unit) ? { name: other.unit.name } : null,
      matchedProvince: other.unit.province,
      matchedDate: other.date,
      matchedRequirement: other.requirement,
      note: m.note ?? null,
      explainedAt: m.explainedAt ?? null,
      explainedByName: m.explainedBy?.name ?? null,
      createdAt: m.createdAt,
    };
  }

  private async insert(em: EntityManager, list: [Activity, string[]][]): Promise<void> {
    const rows = list.flatMap(([a, files]) =>
      this.fingerprintsOf(a, files).map((f) => ({
        activity: a.id,
        unit: a.unit.id,
        ...f,
      })),
    );
    if (rows.length) await em.insertMany(ClaimFingerprint, rows);
  }

  /**
   * The matches of these activities (each a live claim: not a draft, not deleted) against every other
   * live claim, by index lookup on (reason, key); records new pairs, drops open pairs no longer found.
   */
  private async detect(em: EntityManager, ids: number[]): Promise<Found[]> {
    const found = await this.lookup(em, ids);
    const pairs = new Map<string, { activity: number; matchedActivity: number; reason: ClaimReason }>();
    for (const f of found) {
      const [lo, hi] = f.self < f.other ? [f.self, f.other] : [f.other, f.self];
      pairs.set(`${lo}|${hi}|${f.reason}`, { activity: lo, matchedActivity: hi, reason: f.reason });
    }
    const now = new Date();
    if (pairs.size) {
      await em.upsertMany(
        ClaimMatch,
        [...pairs.values()].map((r) => ({ ...r, status: 'open' as const, createdAt: now, updatedAt: now })),
        {
          onConflictFields: ['activity', 'matchedActivity', 'reason'],
          onConflictAction: 'ignore',
        },
      );
    }
    const stale = await em.find(
      ClaimMatch,
      { status: 'open', $or: [{ activity: { $in: ids } }, { matchedActivity: { $in: ids } }] },
      { fields: ['id', 'activity', 'matchedActivity', 'reason'] },
    );
    const gone = stale
      .filter((m) => !pairs.has(`${m.activity.id}|${m.matchedActivity.id}|${m.reason}`))
      .map((m) => m.id);
    if (gone.length) await em.nativeDelete(ClaimMatch, { id: { $in: gone } });
    return found;
  }

  /**
   * The lookup's SQL and parameters: the activities' fingerprints joined to the same (reason, key) of
   * other live claims (an index lookup on claim_fingerprints_reason_key_index per fingerprint).
   */
  static lookupQuery(ids: number[], pg: boolean): { sql: string; params: unknown[] } {
    const sameEvent = pg ? 'similarity(f2.title, f1.title) >= ?' : 'f2.title = f1.title';
    const sql = `select distinct f1.activity_id as self, f2.activity_id as other, f1.reason as reason
      from claim_fingerprints f1
      join activities a1 on a1.id = f1.activity_id and a1.deleted_at is null and a1.status <> 'draft'
      join claim_fingerprints f2 on f2.reason = f1.reason and f2.key = f1.key and f2.activity_id <> f1.activity_id
      join activities a2 on a2.id = f2.activity_id and a2.deleted_at is null and a2.status <> 'draft'
      where f1.activity_id in (${ids.map(() => '?').join(', ')})
        and (f1.reason <> 'person' or (f2.unit_id <> f1.unit_id
          and f2.period_start <= f1.period_end and f2.period_end >= f1.period_start))
        and (f1.reason <> 'event' or ${sameEvent})
      order by 1, 3, 2 desc`;
    return { sql, params: pg ? [...ids, EVENT_TITLE_SIMILARITY] : [...ids] };
  }

  /** The raw lookup, capped per activity and reason. */
  private async lookup(em: EntityManager, ids: number[]): Promise<Found[]> {
    if (!ids.length) return [];
    const { sql, params } = IntegrityService.lookupQuery(ids, isPostgres(em));
    const rows = (await (em as SqlEntityManager).execute(sql, params)) as {
      self: number | string;
      other: number | string;
      reason: ClaimReason;
    }[];
    // A file or link claimed very often (a shared template) is listed with its latest claims only.
    const per = new Map<string, number>();
    const out: Found[] = [];
    for (const r of rows) {
      const k = `${r.self}|${r.reason}`;
      const n = (per.get(k) ?? 0) + 1;
      per.set(k, n);
      if (n <= MAX_MATCHES_PER_CLAIM)
        out.push({ self: Number(r.self), other: Number(r.other), reason: r.reason });
    }
    return out;
  }

  private periodOf(a: Activity): { start: string; end: string } {
    const unit = a.unit as Unit;
    const cycle = { start: unit.cycleStart, end: unit.cycleEnd };
    try {
      const ruleSet = this.ruleSets.get(unit.program, unit.ruleSetVersion);
      const req = ruleSet.requirements.find((r) => r.key === a.requirement);
      return req ? requirementPeriod(req, ruleSet, cycle, a.date) : periodContaining(ruleSet, cycle, a.date);
    } catch (e) {
      this.logger.warn(`activity ${a.id}: no period (${String(e)}); the calendar year is used`);
      return { start: `${a.date.slice(0, 4)}-01-01`, end: `${a.date.slice(0, 4)}-12-31` };
    }
  }
}

export function isPostgres(em: EntityManager): boolean {
  return em.getPlatform().constructor.name.toLowerCase().includes('postgre');
}
