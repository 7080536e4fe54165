import { SetMetadata } from '@nestjs/common';
import type { Role, Unit } from '@app/db';
import { ForbiddenError } from '@app/common';
import { ROLES } from './decorators';
import type { Principal } from './principal';

/**
 * Every "may this caller do X (to this unit)" decision, for the API, the pages, the CLI and the reports.
 * The role half is this table; the unit half is the caller's scope (as ScopePolicy filters it: admins every unit,
 * supervisors their provinces' units, unit users their own unit). ScopePolicy's filters stay the query
 * half: which rows a caller sees at all.
 */
const RULES = {
  /** Record a unit's work: create, edit, submit and delete activities, add and remove evidence. */
  'activities:record': {
    roles: ['unit', 'admin'],
    zh: '监管用户只能审核，不能登记、修改或删除单位的活动和证明材料',
    en: "Supervisors review activities; they cannot record, edit or delete a unit's activities or evidence",
  },
  /** Verify or reject submitted activities; the review queue. */
  'activities:review': {
    roles: ['supervisor', 'admin'],
    zh: '只有监管用户或管理员可以审核活动',
    en: 'Only supervisors and administrators review activities',
  },
  /**
   * Write in the conversation on a submitted or rejected activity: its unit's users and its reviewers
   * (the unit half: the activity must be in scope). Reading the thread is seeing the activity.
   */
  'activities:comment': {
    roles: ['unit', 'supervisor', 'admin'],
    zh: '无权在此活动下留言',
    en: 'Your role may not comment on activities',
  },
  /** Send a submitted activity back to its unit with a comment ("request changes"). */
  'activities:requestChanges': {
    roles: ['supervisor', 'admin'],
    zh: '只有监管用户或管理员可以要求修改',
    en: 'Only supervisors and administrators request changes',
  },
  /**
   * See duplicate claims (the same evidence, URL, paper, standard, person or event claimed twice): the
   * review queue's marker, the activity page's list, GET /api/v1/integrity/duplicates. Only matches with
   * a side in the caller's scope; the other side's unit is named as `canNameClaimant` decides.
   */
  'integrity:review': {
    roles: ['supervisor', 'admin'],
    zh: '只有监管用户或管理员可以查看重复申报',
    en: 'Only supervisors and administrators see duplicate claims',
  },
  /** Mark a duplicate claim explained, with a note (a reviewer of either side). */
  'integrity:explain': {
    roles: ['supervisor', 'admin'],
    zh: '只有监管用户或管理员可以说明重复申报',
    en: 'Only supervisors and administrators explain duplicate claims',
  },
  /** Set a unit's own targets (SPEC §3 v2). */
  'units:setTargets': {
    roles: ['supervisor', 'admin'],
    zh: '无权设定任务书目标',
    en: 'Only administrators and supervisors set unit targets',
  },
  /**
   * Download a unit's acceptance pack (self-evaluation and work-summary drafts, evidence index, every
   * evidence file): the unit's own users, supervisors in scope, administrators.
   */
  'units:acceptancePack': {
    roles: ['unit', 'supervisor', 'admin'],
    zh: '无权下载验收材料包',
    en: 'Not allowed to download the acceptance pack',
  },
  /** Close a unit's ended annual period (year-end close), one unit or a province's units at once. */
  'periods:close': {
    roles: ['supervisor', 'admin'],
    zh: '只有监管用户或管理员可以关闭年度',
    en: 'Only supervisors and administrators close periods',
  },
  /** Reopen a closed period, with a reason. */
  'periods:reopen': {
    roles: ['admin'],
    zh: '只有管理员可以重新开放已关闭的年度',
    en: 'Only administrators reopen a closed period',
  },
  /** Move a unit along its lifecycle (under evaluation, accepted, not accepted, revoked). */
  'units:setStatus': {
    roles: ['supervisor', 'admin'],
    zh: '只有监管用户或管理员可以变更单位状态',
    en: "Only supervisors and administrators change a unit's status",
  },
  /** The province year report (every unit in scope, per requirement, grouped by cohort). */
  'reports:provinceYear': {
    roles: ['supervisor', 'admin'],
    zh: '只有监管用户或管理员可以查看年度汇总',
    en: 'Only supervisors and administrators see the year report',
  },
  /** Create, edit, delete and import units. */
  'units:manage': { roles: ['admin'], zh: '只有管理员可以管理单位', en: 'Only administrators manage units' },
  /** The all-units overview and its exports. */
  'compliance:overview': {
    roles: ['supervisor', 'admin'],
    zh: '单位用户只能查看本单位',
    en: 'Unit users see their own unit only',
  },
  /**
   * The league tables (groups of units by province, cohort or industry; never a unit's name). Unit users
   * are refused: their scope is their own unit, and a league of other provinces' or cohorts' figures is a
   * supervisors' tool; their own standing against the minimums is on their unit page.
   */
  'compliance:league': {
    roles: ['supervisor', 'admin'],
    zh: '单位用户只能查看本单位，不能查看排行榜',
    en: 'Unit users see their own unit only, not the league tables',
  },
  /** Supervisors' digests (preview, charts, workbook). */
  'reports:digest': {
    roles: ['supervisor', 'admin'],
    zh: '只有监管用户或管理员可以查看汇总报告',
    en: 'Only supervisors and administrators see digests',
  },
  /** Queue a monthly run; list runs. */
  'reports:run': { roles: ['admin'], zh: '只有管理员可以发起月报', en: 'Only administrators run reports' },
  'outbox:manage': {
    roles: ['admin'],
    zh: '只有管理员可以管理发件箱',
    en: 'Only administrators manage the outbox',
  },
  /** WeCom and DingTalk group robots of the provinces and units in scope. */
  'robots:manage': {
    roles: ['supervisor', 'admin'],
    zh: '只有监管用户或管理员可以设置群机器人',
    en: 'Only supervisors and administrators set up group robots',
  },
  'users:manage': { roles: ['admin'], zh: '只有管理员可以管理用户', en: 'Only administrators manage users' },
  'audit:read': {
    roles: ['admin'],
    zh: '只有管理员可以查看审计日志',
    en: 'Only administrators read the audit log',
  },
  /** Per-program settings over the rule-set files (reminder days). */
  'rule-sets:manage': {
    roles: ['admin'],
    zh: '只有管理员可以修改项目设置',
    en: 'Only administrators change program settings',
  },
  /** The administration pages (units, users, rule sets, outbox, audit). */
  'admin:pages': { roles: ['admin'], zh: '只有管理员可以访问', en: 'Administrators only' },
} as const satisfies Record<string, { roles: readonly Role[]; zh: string; en: string }>;

export type Action = keyof typeof RULES;
export const ACTIONS = Object.keys(RULES) as Action[];

type UnitRef = Pick<Unit, 'id' | 'province'> & { deletedAt?: Date | null };

export const Access = {
  /** The roles that may ever do `action` (on some unit). */
  roles(action: Action): readonly Role[] {
    return RULES[action].roles;
  },

  /** Whether `p` may do `action`; with a unit, to that unit (which must be in the caller's scope). */
  can(p: Principal, action: Action, unit?: UnitRef): boolean {
    if (!(RULES[action].roles as readonly Role[]).includes(p.role)) return false;
    return unit === undefined || Access.canSee(p, unit);
  },

  /** Whether the unit is in the caller's scope (seeing it: its page, figures, activities, evidence). */
  canSee(p: Principal, unit: UnitRef): boolean {
    if (unit.deletedAt) return false;
    if (p.role === 'admin') return true;
    if (p.role === 'supervisor') return p.provinces.includes(unit.province);
    return p.unitId === unit.id;
  },

  /**
   * Whether a duplicate claim may name the other claimant's unit: administrators always, others only when
   * that unit is in their own scope. Otherwise only that a match exists and where (province, date) shows.
   */
  canNameClaimant(p: Principal, unit: UnitRef): boolean {
    return Access.can(p, 'integrity:review') && (p.role === 'admin' || Access.canSee(p, unit));
  },

  /** Whether `p` may explain a match between activities of these two units: a reviewer of either side. */
  canExplainMatch(p: Principal, a: UnitRef, b: UnitRef): boolean {
    return Access.can(p, 'integrity:explain') && (Access.canSee(p, a) || Access.canSee(p, b));
  },

  /** Whose digest the caller may see: an admin anyone's, a supervisor only their own. */
  canSeeDigestOf(p: Principal, userId: number): boolean {
    return Access.can(p, 'reports:digest') && (p.role === 'admin' || p.id === userId);
  },

  /**
   * The provinces whose groups the league tables show one by one to the caller (null: every group). A
   * supervisor's other provinces count only inside aggregate rows (the other provinces together, and
   * the national row), so their groups' figures are never shown apart. Throws 403 for unit users.
   */
  leagueProvinces(p: Principal): string[] | null {
    Access.assert(p, 'compliance:league');
    return p.role === 'admin' ? null : [...p.provinces];
  },

  /**
   * Throws 403 naming what the role may not do. The unit half is the caller's to check by loading the
   * unit through a scoped query: out of scope is a 404, so existence does not leak.
   */
  assert(p: Principal, action: Action): void {
    if (Access.can(p, action)) return;
    throw new ForbiddenError(RULES[action].zh, RULES[action].en);
  },
};

/** Route open only to the roles that may do `action` (others get 403 before the handler runs). */
export const Allow = (action: Action) => SetMetadata(ROLES, Access.roles(action));
