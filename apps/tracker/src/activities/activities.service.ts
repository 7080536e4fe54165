import { Injectable } from '@nestjs/common';
import { EntityManager, type FilterQuery } from '@mikro-orm/core';
import type { AbstractSqlConnection, SqlEntityManager } from '@mikro-orm/knex';
import { type ActivityStatus, type IsoDate, LABELS } from '@app/compliance';
import { ConflictError, DomainError, InvalidInputError, NotFoundError } from '@app/common';
import { Activity, ActivityComment, EvidenceFile, Unit, User } from '@app/db';
import { Access, type Principal, ScopePolicy } from '@app/auth';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { type Page, pageOptions } from '../common/pagination';
import { type EvidenceView, evidenceView } from '../evidence/evidence.view';
import {
  CATEGORY_FIELDS,
  type CategoryField,
  type CategoryValues,
  foreignFields,
  kindProblem,
} from './activity-kinds';
import { ComplianceCounts } from '../compliance/compliance-counts.service';
import { PeriodLocks } from '../compliance/period-locks';
import { IntegrityService } from '../integrity/integrity.service';
import { NoticesService } from '../notices/notices.service';
import { type RequirementKindView, RuleSetsService } from '../rule-sets/rule-sets.service';
import { type ActivityQuery, CreateActivityDto, UpdateActivityDto } from './dto/activity.dto';
import type { BulkReviewDto, ReviewQueueQuery } from './dto/review.dto';

export interface ActivityView {
  id: number;
  unitId: number;
  unitName: string;
  province: string;
  /** The unit's program and rule-set version: which requirements and labels apply. */
  program: string;
  ruleSetVersion: number;
  requirement: string;
  date: string;
  title: string;
  description: string | null;
  status: ActivityStatus;
  rejectReason: string | null;
  submittedAt: Date | null;
  reviewedAt: Date | null;
  reviewedById: number | null;
  createdById: number | null;
  updatedById: number | null;
  createdAt: Date;
  updatedAt: Date;
  location: string | null;
  participants: number | null;
  standardLevel: string | null;
  standardKind: string | null;
  standardNumber: string | null;
  journal: string | null;
  journalLevel: string | null;
  issn: string | null;
  authors: string | null;
  personName: string | null;
  personKey: string | null;
  certificate: string | null;
  recipient: string | null;
  outlet: string | null;
  outletLevel: string | null;
  url: string | null;
}

export type ActivityDetail = ActivityView & { evidence: EvidenceView[] };

/**
 * A review queue entry: the activity, how many comments its conversation has and how many open duplicate
 * claims it is part of (IntegrityService).
 */
export type ReviewQueueItem = ActivityView & { commentCount: number; duplicateCount: number };

export interface BulkReviewResult {
  id: number;
  ok: boolean;
  /** The activity's status after the review (when ok). */
  status?: ActivityStatus;
  /** Why this one was not reviewed (when not ok): HTTP-like status and bilingual message. */
  statusCode?: number;
  message?: string;
  messageZh?: string;
}

/** Statuses a unit may still change (edit, add evidence, submit, delete). */
export const EDITABLE_STATUSES: readonly ActivityStatus[] = ['draft', 'rejected'];

@Injectable()
export class ActivitiesService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly ruleSets: RuleSetsService,
    private readonly counts: ComplianceCounts,
    private readonly notices: NoticesService,
    private readonly locks: PeriodLocks,
    private readonly integrity: IntegrityService,
  ) {}

  /** Keeps the compliance read model in step, inside the change's transaction. */
  private async recount(em: EntityManager, unitId: number): Promise<void> {
    await em.flush();
    await this.counts.refresh(em, unitId);
  }

  static view(a: Activity): ActivityView {
    const v = {
      id: a.id,
      unitId: a.unit.id,
      unitName: a.unit.name,
      province: a.unit.province,
      program: a.unit.program,
      ruleSetVersion: a.unit.ruleSetVersion,
      requirement: a.requirement,
      date: a.date,
      title: a.title,
      description: a.description ?? null,
      status: a.status,
      rejectReason: a.rejectReason ?? null,
      submittedAt: a.submittedAt ?? null,
      reviewedAt: a.reviewedAt ?? null,
      reviewedById: a.reviewedBy?.id ?? null,
      createdById: a.createdBy?.id ?? null,
      updatedById: a.updatedBy?.id ?? null,
      createdAt: a.createdAt,
      updatedAt: a.updatedAt,
    } as ActivityView;
    for (const f of CATEGORY_FIELDS) (v as unknown as Record<string, unknown>)[f] = a[f] ?? null;
    return v;
  }

  /** Activities in the caller's scope, newest date first. */
  async list(p: Principal, q: ActivityQuery): Promise<Page<ActivityView>> {
    const where: FilterQuery<Activity>[] = [ScopePolicy.activities(p)];
    if (q.unitId) where.push({ unit: q.unitId });
    if (q.province) where.push({ unit: { province: q.province } });
    if (q.requirement) where.push({ requirement: q.requirement });
    if (q.status) where.push({ status: q.status });
    if (q.from) where.push({ date: { $gte: q.from } });
    if (q.to) where.push({ date: { $lte: q.to } });
    if (q.q) {
      const like = { [this.caseInsensitiveLike()]: `%${q.q}%` };
      where.push({ $or: [{ title: like }, { description: like }] });
    }
    const [items, total] = await this.em.findAndCount(
      Activity,
      { $and: where },
      { populate: ['unit'], orderBy: { date: 'desc', id: 'desc' }, ...pageOptions(q) },
    );
    return { items: items.map(ActivitiesService.view), total, page: q.page, pageSize: q.pageSize };
  }

  /** One activity with its evidence files; outside the caller's scope it does not exist (404). */
  async get(p: Principal, id: number): Promise<ActivityDetail> {
    const a = await this.load(p, id);
    const files = await this.em.find(
      EvidenceFile,
      { activity: a.id, deletedAt: null },
      { orderBy: { id: 'asc' } },
    );
    return { ...ActivitiesService.view(a), evidence: files.map(evidenceView) };
  }

  /** Records a draft. Unit users record for their own unit, administrators for the unit they name. */
  async create(p: Principal, dto: CreateActivityDto): Promise<ActivityView> {
    Access.assert(p, 'activities:record');
    const values = categoryValues(dto);
    return this.em.transactional(async (em) => {
      const unit = await this.unitFor(p, dto.unitId);
      checkDate(unit, dto.date, this.clock.today());
      await this.locks.assertOpen(em, unit, dto.date);
      this.checkKind(this.kindOf(unit, dto.requirement), values, sentKeys(dto));
      const me = em.getReference(User, p.id);
      const a = em.create(Activity, {
        unit,
        requirement: dto.requirement,
        date: dto.date,
        title: dto.title,
        description: dto.description || null,
        status: 'draft',
        createdBy: me,
        updatedBy: me,
        ...(values as Partial<Activity>),
      });
      await em.flush();
      const created = Object.fromEntries(Object.entries(snapshot(a)).filter(([, v]) => v != null));
      this.audit.record(p, 'create', 'activity', a.id, created);
      await this.recount(em, unit.id);
      await this.integrity.refresh(em, a.id);
      return ActivitiesService.view(a);
    });
  }

  /**
   * Records an activity and submits it at once. A new activity has no files yet, so one whose requirement
   * needs evidence stays a draft (`submitted: false`); any other refusal of the submit propagates.
   */
  async createAndSubmit(
    p: Principal,
    dto: CreateActivityDto,
  ): Promise<{ activity: ActivityView; submitted: boolean }> {
    const created = await this.create(p, dto);
    try {
      return { activity: await this.submit(p, created.id), submitted: true };
    } catch (e) {
      if (e instanceof InvalidInputError && e.field === 'evidence')
        return { activity: created, submitted: false };
      throw e;
    }
  }

  /** Edits a draft or a rejected activity (the unit's users or an administrator). */
  async update(p: Principal, id: number, dto: UpdateActivityDto): Promise<ActivityView> {
    Access.assert(p, 'activities:record');
    return this.em.transactional(async (em) => {
      const a = await this.load(p, id);
      assertEditable(a, 'edit');
      const before = snapshot(a);
      const requirement = dto.requirement ?? a.requirement;
      if (dto.date !== undefined) checkDate(a.unit, dto.date, this.clock.today());
      await this.locks.assertOpen(em, a.unit, a.date);
      if (dto.date !== undefined) await this.locks.assertOpen(em, a.unit, dto.date);

      // Start from what is stored; a changed requirement drops the old kind's fields.
      const merged: CategoryValues = {};
      for (const f of CATEGORY_FIELDS) merged[f] = a[f] ?? null;
      const kind = this.kindOf(a.unit, requirement);
      if (requirement !== a.requirement) for (const f of foreignFields(kind)) merged[f] = null;
      const sent = sentKeys(dto);
      for (const f of CATEGORY_FIELDS) if (sent.includes(f)) merged[f] = dto[f] ?? null;
      this.checkKind(kind, merged, sent);

      a.requirement = requirement;
      if (dto.date !== undefined) a.date = dto.date;
      if (dto.title !== undefined) a.title = dto.title;
      if (dto.description !== undefined) a.description = dto.description || null;
      Object.assign(a, merged);
      const changes = AuditService.diff(before, snapshot(a));
      if (!Object.keys(changes).length) return ActivitiesService.view(a);
      await this.claim(a.id, EDITABLE_STATUSES);
      a.updatedBy = em.getReference(User, p.id);
      this.audit.record(p, 'update', 'activity', a.id, changes);
      await this.recount(em, a.unit.id);
      await this.integrity.refresh(em, a.id);
      return ActivitiesService.view(a);
    });
  }

  /** Saves the edit, then submits it (the resubmission after a rejection too). */
  async updateAndSubmit(p: Principal, id: number, dto: UpdateActivityDto): Promise<ActivityView> {
    await this.update(p, id, dto);
    return this.submit(p, id);
  }

  /** Draft or rejected → submitted for review; a previous reject reason is cleared. */
  async submit(p: Principal, id: number): Promise<ActivityView> {
    Access.assert(p, 'activities:record');
    return this.em.transactional(async (em) => {
      const a = await this.load(p, id);
      assertEditable(a, 'submit');
      await this.locks.assertOpen(em, a.unit, a.date);
      await this.assertEvidenceIfRequired(em, a);
      await this.claim(a.id, EDITABLE_STATUSES);
      const before = snapshot(a);
      a.status = 'submitted';
      a.submittedAt = new Date();
      a.rejectReason = null;
      a.reviewedAt = null;
      a.reviewedBy = null;
      a.updatedBy = em.getReference(User, p.id);
      this.audit.record(p, 'submit', 'activity', a.id, AuditService.diff(before, snapshot(a)));
      await this.recount(em, a.unit.id);
      // Duplicate claims are looked for in the submission's own transaction.
      await this.integrity.check(em, a.id);
      return ActivitiesService.view(a);
    });
  }

  /** Submitted → verified: from now on it counts. Supervisors in scope and administrators only. */
  verify(p: Principal, id: number): Promise<ActivityView> {
    return this.review(p, id, 'verified', null);
  }

  /** Submitted → rejected with a reason the unit sees; the unit may correct and resubmit. */
  reject(p: Principal, id: number, reason: string): Promise<ActivityView> {
    return this.review(p, id, 'rejected', reason);
  }

  /**
   * "Request changes": submitted → rejected with `comment` as the reason (so the unit may edit and
   * resubmit, and the counts move as for a rejection), the comment also opening or continuing the
   * activity's conversation. The unit hears of it through the rejection notice, which quotes it.
   */
  requestChanges(p: Principal, id: number, comment: string): Promise<ActivityView> {
    Access.assert(p, 'activities:requestChanges');
    return this.review(p, id, 'rejected', comment, true);
  }

  /** Verifies or rejects up to 200 activities; each succeeds or fails on its own. */
  async bulkReview(p: Principal, dto: BulkReviewDto): Promise<{ results: BulkReviewResult[] }> {
    Access.assert(p, 'activities:review');
    if (dto.action === 'reject' && !dto.reason) {
      throw new InvalidInputError('reason', 'required', '退回时必须填写原因', 'reason is required to reject');
    }
    const results: BulkReviewResult[] = [];
    for (const id of dto.ids) {
      try {
        const v =
          dto.action === 'verify' ? await this.verify(p, id) : await this.reject(p, id, dto.reason as string);
        results.push({ id, ok: true, status: v.status });
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        results.push({ id, ok: false, statusCode: e.status, message: e.en, messageZh: e.zh });
      }
    }
    return { results };
  }

  /** Soft delete. Unit users may delete drafts and rejected ones; administrators any. */
  async remove(p: Principal, id: number): Promise<void> {
    Access.assert(p, 'activities:record');
    await this.em.transactional(async (em) => {
      const a = await this.load(p, id);
      if (p.role !== 'admin') assertEditable(a, 'delete');
      await this.locks.assertOpen(em, a.unit, a.date);
      a.deletedAt = new Date();
      a.updatedBy = em.getReference(User, p.id);
      this.audit.record(p, 'delete', 'activity', a.id, {
        unitId: a.unit.id,
        requirement: a.requirement,
        date: a.date,
        title: a.title,
        status: a.status,
      });
      await this.recount(em, a.unit.id);
      await this.integrity.refresh(em, a.id);
    });
  }

  /** Submitted activities in the reviewer's scope, oldest submission first, with their comment counts. */
  async reviewQueue(p: Principal, q: ReviewQueueQuery): Promise<Page<ReviewQueueItem>> {
    Access.assert(p, 'activities:review');
    const where: FilterQuery<Activity>[] = [ScopePolicy.activities(p), { status: 'submitted' }];
    if (q.unitId) where.push({ unit: q.unitId });
    if (q.province) where.push({ unit: { province: q.province } });
    if (q.requirement) where.push({ requirement: q.requirement });
    const [items, total] = await this.em.findAndCount(
      Activity,
      { $and: where },
      { populate: ['unit'], orderBy: { submittedAt: 'asc', id: 'asc' }, ...pageOptions(q) },
    );
    const counts = await this.commentCounts(items.map((a) => a.id));
    const duplicates = Access.can(p, 'integrity:review')
      ? await this.integrity.openCounts(items.map((a) => a.id))
      : new Map<number, number>();
    return {
      items: items.map((a) => ({
        ...ActivitiesService.view(a),
        commentCount: counts.get(a.id) ?? 0,
        duplicateCount: duplicates.get(a.id) ?? 0,
      })),
      total,
      page: q.page,
      pageSize: q.pageSize,
    };
  }

  /** Comments per activity of a page, in one grouped query. */
  async commentCounts(ids: number[]): Promise<Map<number, number>> {
    if (!ids.length) return new Map();
    const knex = (this.em.getConnection() as AbstractSqlConnection).getKnex();
    const rows = (await (this.em as SqlEntityManager).execute(
      knex('activity_comments')
        .select('activity_id')
        .count({ n: '*' })
        .whereIn('activity_id', ids)
        .groupBy('activity_id'),
    )) as { activity_id: number; n: number | string }[];
    return new Map(rows.map((r) => [Number(r.activity_id), Number(r.n)]));
  }

  /** Rejected activities of a unit awaiting correction (for the unit's monthly report). No scope check. */
  async rejectedForUnit(unitId: number): Promise<ActivityView[]> {
    const items = await this.em.find(
      Activity,
      { unit: { id: unitId, deletedAt: null }, status: 'rejected', deletedAt: null },
      { populate: ['unit'], orderBy: { reviewedAt: 'asc', id: 'asc' } },
    );
    return items.map(ActivitiesService.view);
  }

  /** Submitted activities of these units, oldest first (for the supervisor digest). No scope check. */
  async awaitingReview(unitIds: number[]): Promise<ActivityView[]> {
    if (!unitIds.length) return [];
    const items = await this.em.find(
      Activity,
      { unit: { id: { $in: unitIds }, deletedAt: null }, status: 'submitted', deletedAt: null },
      { populate: ['unit'], orderBy: { submittedAt: 'asc', id: 'asc' } },
    );
    return items.map(ActivitiesService.view);
  }

  private async review(
    p: Principal,
    id: number,
    to: 'verified' | 'rejected',
    reason: string | null,
    asComment = false,
  ): Promise<ActivityView> {
    Access.assert(p, 'activities:review');
    return this.em.transactional(async (em) => {
      const a = await this.load(p, id);
      if (a.status !== 'submitted') {
        const s = LABELS.activityStatus[a.status as ActivityStatus];
        throw new ConflictError(
          `只能审核待审核的活动，此活动状态为「${s.zh}」`,
          `Only submitted activities can be reviewed; this one is ${a.status}`,
          { status: a.status },
        );
      }
      await this.locks.assertOpen(em, a.unit, a.date);
      await this.claim(a.id, ['submitted']);
      const before = snapshot(a);
      a.status = to;
      a.rejectReason = reason;
      a.reviewedAt = new Date();
      a.reviewedBy = em.getReference(User, p.id);
      a.updatedBy = a.reviewedBy;
      const action = asComment ? 'request_changes' : to === 'verified' ? 'verify' : 'reject';
      this.audit.record(p, action, 'activity', a.id, AuditService.diff(before, snapshot(a)));
      if (asComment && reason) {
        const c = em.create(ActivityComment, {
          activity: a,
          author: a.reviewedBy,
          authorName: p.name,
          authorRole: p.role,
          kind: 'changes',
          body: reason,
        });
        await em.flush();
        this.audit.record(p, 'comment.create', 'activity', a.id, {
          commentId: c.id,
          kind: c.kind,
          body: c.body,
        });
      }
      await this.recount(em, a.unit.id);
      // Queued with the change: the rejection and its notice commit (or roll back) together.
      if (to === 'rejected') await this.notices.rejected(em, a);
      return ActivitiesService.view(a);
    });
  }

  /** The unit's rule set may ask for evidence before review (every shipped requirement does). */
  private async assertEvidenceIfRequired(em: EntityManager, a: Activity) {
    const ruleSet = this.ruleSets.get(a.unit.program, a.unit.ruleSetVersion);
    const requirement = ruleSet.requirements.find((r) => r.key === a.requirement);
    if (!requirement?.evidenceRequired) return;
    if ((await em.count(EvidenceFile, { activity: a.id, deletedAt: null })) > 0) return;
    throw new InvalidInputError(
      'evidence',
      'evidenceRequired',
      `「${requirement.shortLabel.zh}」的活动须先上传证明材料才能提交审核`,
      `Upload evidence before submitting: "${requirement.shortLabel.en}" activities need at least one file`,
    );
  }

  private async load(p: Principal, id: number): Promise<Activity> {
    const a = await this.em.findOne(
      Activity,
      { $and: [{ id }, ScopePolicy.activities(p)] },
      { populate: ['unit'] },
    );
    if (!a) throw new NotFoundError(`activity ${id}`);
    return a;
  }

  private async unitFor(p: Principal, unitId: number | undefined): Promise<Unit> {
    if (p.role === 'unit') {
      if (unitId !== undefined && unitId !== p.unitId) {
        throw new InvalidInputError(
          'unitId',
          'ownUnit',
          '单位用户只能为本单位登记活动',
          'Unit users record activities for their own unit only',
        );
      }
      const own = await this.em.findOne(Unit, { $and: [{ id: p.unitId ?? -1 }, ScopePolicy.units(p)] });
      if (!own) throw new NotFoundError(`unit ${p.unitId}`);
      return own;
    }
    if (unitId === undefined) {
      throw new InvalidInputError('unitId', 'required', '请指定单位', 'unitId is required');
    }
    const unit = await this.em.findOne(Unit, { $and: [{ id: unitId }, ScopePolicy.units(p)] });
    if (!unit) {
      throw new InvalidInputError('unitId', 'exists', `单位不存在：${unitId}`, `No such unit: ${unitId}`);
    }
    return unit;
  }

  /**
   * Moves the row out of `from` at the database, so two concurrent requests (two reviewers, an edit
   * racing a submit) cannot both pass the status check: the second one finds nothing to update.
   */
  private async claim(id: number, from: readonly ActivityStatus[]): Promise<void> {
    const n = await this.em.nativeUpdate(
      Activity,
      { id, status: { $in: [...from] }, deletedAt: null },
      { updatedAt: new Date() },
    );
    if (n === 0) {
      throw new ConflictError(
        '该活动刚被他人修改，请刷新后重试',
        'The activity was changed by someone else just now; reload and try again',
      );
    }
  }

  /** The unit's own kind of `requirement` (SPEC §3: only its rule set's kinds), or a 400 naming it. */
  private kindOf(unit: Unit, requirement: string) {
    const ruleSet = this.ruleSets.get(unit.program, unit.ruleSetVersion);
    this.ruleSets.assertLoggable(ruleSet, requirement);
    return this.ruleSets.kindsOf(ruleSet).find((k) => k.key === requirement)!;
  }

  private checkKind(kind: RequirementKindView, values: CategoryValues, sent: string[]) {
    const problem = kindProblem(kind, values, sent);
    if (problem) throw new InvalidInputError(problem.field, problem.rule, problem.zh, problem.en);
  }

  /** PostgreSQL's LIKE is case-sensitive, SQLite's is not (and SQLite has no ILIKE). */
  private caseInsensitiveLike(): '$ilike' | '$like' {
    return this.em.getPlatform().constructor.name.toLowerCase().includes('postgre') ? '$ilike' : '$like';
  }
}

function assertEditable(a: Activity, verb: 'edit' | 'submit' | 'delete') {
  if (EDITABLE_STATUSES.includes(a.status)) return;
  const s = LABELS.activityStatus[a.status as ActivityStatus];
  const zh = { edit: '修改', submit: '提交', delete: '删除' }[verb];
  throw new ConflictError(
    `只有草稿或已退回的活动可以${zh}，此活动状态为「${s.zh}」`,
    `Only draft or rejected activities can be ${verb === 'submit' ? 'submitted' : verb === 'edit' ? 'edited' : 'deleted'}; this one is ${a.status}`,
    { status: a.status },
  );
}

/** Activity dates are Asia/Shanghai calendar dates; `today` comes from the app's Clock. */
function checkDate(unit: Unit, date: string, today: IsoDate) {
  if (date > today) {
    throw new InvalidInputError(
      'date',
      'notFuture',
      `活动日期不能晚于今天（${today}）`,
      `date must not be after today (${today}, Asia/Shanghai)`,
    );
  }
  if (date < unit.cycleStart || date > unit.cycleEnd) {
    throw new InvalidInputError(
      'date',
      'inCycle',
      `活动日期必须在建设周期内（${unit.cycleStart} 至 ${unit.cycleEnd}）`,
      `date must lie inside the unit's construction cycle (${unit.cycleStart}..${unit.cycleEnd})`,
    );
  }
}

function sentKeys(dto: object): string[] {
  return Object.entries(dto)
    .filter(([, v]) => v !== undefined)
    .map(([k]) => k);
}

function categoryValues(dto: Partial<Record<CategoryField, unknown>>): CategoryValues {
  const out: CategoryValues = {};
  for (const f of CATEGORY_FIELDS) {
    const v = dto[f];
    if (v !== undefined && v !== null) out[f] = v as string | number;
  }
  return out;
}

function snapshot(a: Activity): Record<string, unknown> {
  const s: Record<string, unknown> = {
    unitId: a.unit.id,
    requirement: a.requirement,
    date: a.date,
    title: a.title,
    description: a.description ?? null,
    status: a.status,
    rejectReason: a.rejectReason ?? null,
  };
  for (const f of CATEGORY_FIELDS) s[f] = a[f] ?? null;
  return s;
}
