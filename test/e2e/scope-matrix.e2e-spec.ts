import type { Response } from 'supertest';
import { Access, type Action } from '@app/auth';
import { Activity, AuditLog, ClaimMatch, OutboxMessage, Unit } from '@app/db';
import { addEvidence } from '../support/evidence';
import { ADMIN, createTestApp, type TestApp } from '../support/test-app';
import { listRoutes, routeName } from '../support/routes';
import { auth, createUnit, createUser, unitCsv, unitPayload, ZH_HEADERS } from '../fixtures/units';

/*
 * Who may call what, on whose data: every role (admin, supervisor of province A, user of unit A1) against
 * every endpoint under /api/v1, on a record of the caller's own unit (A1), of another unit in the same
 * province (A2) and of a unit in another province (B1). Out of scope is 404 (existence does not leak),
 * a role without the right is 403, and every refused request leaves the audit log (so every recorded
 * change) as it was.
 */

type Role = 'admin' | 'supervisor' | 'unit';
type Scope = 'own' | 'sibling' | 'other';
const SCOPES: Scope[] = ['own', 'sibling', 'other'];
const PASSWORD = 'long-enough-password-1';
const EMAILS: Record<Role, string> = {
  admin: ADMIN.email,
  supervisor: 'matrix-sup-a@example.cn',
  unit: 'matrix-user-a1@example.cn',
};
const TODAY = '2025-06-15';
const DAY = '2025-03-01';
/** 1×1 PNG, accepted as evidence by its content. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

let t: TestApp;
let tokens: Record<Role, string>;
let units: Record<Scope, { id: number; province: string }>;
/** Supervisors whose digests are asked for: the caller (A), another of province A, one of province B. */
let supervisors: Record<Scope, number>;
let emailSeq = 0;

const as = (role: Role) => auth(tokens[role]);

async function ok(res: Response, status: number, what: string): Promise<Response> {
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res;
}

/** A fresh activity of the unit in `scope`, created by the admin, in the given status. */
async function activity(scope: Scope, status: 'draft' | 'ready' | 'submitted' = 'draft'): Promise<number> {
  const res = await ok(
    await t.http.post('/api/v1/activities').set(as('admin')).send({
      unitId: units[scope].id,
      requirement: 'exchange_events',
      date: DAY,
      title: '标准化经验交流会',
      location: '会议中心',
    }),
    201,
    'create activity',
  );
  const id = res.body.id as number;
  // Submitting needs evidence: 'ready' is a draft that has it.
  if (status !== 'draft') await addEvidence(t.http, id, as('admin'));
  if (status === 'submitted') {
    await ok(await t.http.post(`/api/v1/activities/${id}/submit`).set(as('admin')), 200, 'submit');
  }
  return id;
}

async function evidence(scope: Scope): Promise<number> {
  const activityId = await activity(scope);
  const res = await ok(
    await t.http
      .post(`/api/v1/activities/${activityId}/evidence`)
      .set(as('admin'))
      .attach('files', PNG, '现场照片.png'),
    201,
    'upload evidence',
  );
  return res.body[0].id as number;
}

/** A duplicate claim between two fresh submitted activities of `scope` (same evidence file, same event). */
async function duplicate(scope: Scope): Promise<number> {
  const a = await activity(scope, 'submitted');
  const b = await activity(scope, 'submitted');
  const m = await t.orm.em
    .fork()
    .findOneOrFail(ClaimMatch, { activity: a, matchedActivity: b }, { orderBy: { id: 'asc' } });
  return m.id;
}

/** A comment with a PNG, by the admin, on a fresh submitted activity of `scope`: [activity, comment]. */
async function commentWithFile(scope: Scope): Promise<[number, number]> {
  const activityId = await activity(scope, 'submitted');
  const res = await ok(
    await t.http
      .post(`/api/v1/activities/${activityId}/comments`)
      .set(as('admin'))
      .field('body', '请看附件')
      .attach('file', PNG, '标注.png'),
    201,
    'comment with a file',
  );
  return [activityId, res.body.id as number];
}

/** An outbox message (a report run queues one per contact and supervisor), optionally marked failed. */
async function outboxMessage(failed = false): Promise<number> {
  await ok(
    await t.http.post('/api/v1/reports/runs').set(as('admin')).send({ period: '2025-05' }),
    201,
    'report run',
  );
  const em = t.orm.em.fork();
  const m = await em.findOneOrFail(
    OutboxMessage,
    { status: { $ne: 'sending' } },
    { orderBy: { id: 'desc' } },
  );
  if (failed) {
    await em.nativeUpdate(OutboxMessage, m.id, { status: 'failed', lastError: 'test: marked failed' });
  }
  return m.id;
}

interface Call {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  path: string;
  body?: object;
  file?: { field: string; buffer: Buffer; name: string };
  /** Sent instead of the role's token (e.g. a fresh session to end). */
  token?: string;
  /** Extra assertion on a successful answer. */
  check?: (res: Response) => void | Promise<void>;
}

/** Per role, the expected status for own / sibling / other scope, or one status when scope does not apply. */
type Expect = Record<Role, number | [number, number, number]>;

interface Endpoint {
  name: string;
  /** The Access action that gates the route by role; none when every signed-in role may call it. */
  action?: Action;
  expect: Expect;
  call: (scope: Scope, role: Role) => Promise<Call>;
}

const ALL_200: Expect = { admin: 200, supervisor: 200, unit: 200 };
const ADMIN_ONLY = (ok: number): Expect => ({ admin: ok, supervisor: 403, unit: 403 });
/** Reads: admins everything, supervisors their province, unit users their unit. */
const SCOPED_READ: Expect = { admin: [200, 200, 200], supervisor: [200, 200, 404], unit: [200, 404, 404] };

const ENDPOINTS: Endpoint[] = [
  // ---- auth (the caller's own session) ----
  {
    name: 'POST /api/v1/auth/login',
    expect: ALL_200,
    call: async (_s, role) => ({
      method: 'post',
      path: '/api/v1/auth/login',
      body: { email: EMAILS[role], password: role === 'admin' ? ADMIN.password : PASSWORD },
      token: '',
    }),
  },
  {
    name: 'GET /api/v1/auth/me',
    expect: ALL_200,
    call: async () => ({ method: 'get', path: '/api/v1/auth/me' }),
  },
  {
    name: 'PATCH /api/v1/auth/me',
    expect: ALL_200,
    call: async () => ({ method: 'patch', path: '/api/v1/auth/me', body: { locale: 'zh' } }),
  },
  {
    name: 'POST /api/v1/auth/logout',
    expect: { admin: 204, supervisor: 204, unit: 204 },
    call: async (_s, role) => ({
      method: 'post',
      path: '/api/v1/auth/logout',
      token: await t.login(EMAILS[role], role === 'admin' ? ADMIN.password : PASSWORD),
    }),
  },

  {
    // The own password: open to every role; the same password again is refused (400, nothing changes).
    name: 'POST /api/v1/auth/password',
    expect: { admin: 400, supervisor: 400, unit: 400 },
    call: async (_s, role) => {
      const password = role === 'admin' ? ADMIN.password : PASSWORD;
      return {
        method: 'post',
        path: '/api/v1/auth/password',
        body: { currentPassword: password, newPassword: password },
      };
    },
  },
  {
    name: 'POST /api/v1/auth/password-reset',
    expect: { admin: 202, supervisor: 202, unit: 202 },
    call: async (_s, role) => ({
      method: 'post',
      path: '/api/v1/auth/password-reset',
      body: { email: EMAILS[role] },
      token: '',
    }),
  },
  {
    name: 'POST /api/v1/auth/password-reset/confirm',
    expect: { admin: 400, supervisor: 400, unit: 400 },
    call: async () => ({
      method: 'post',
      path: '/api/v1/auth/password-reset/confirm',
      body: { token: 'not-a-reset-token', newPassword: 'violet-meadow-compass-87' },
      token: '',
    }),
  },

  // ---- the caller's own notice choices (no id: nobody reaches another's) ----
  {
    name: 'GET /api/v1/me/notices',
    expect: ALL_200,
    call: async () => ({ method: 'get', path: '/api/v1/me/notices' }),
  },
  {
    name: 'PUT /api/v1/me/notices',
    expect: ALL_200,
    call: async () => ({ method: 'put', path: '/api/v1/me/notices', body: { rejected: 'immediately' } }),
  },

  // ---- users, audit, rule sets ----
  {
    name: 'GET /api/v1/users',
    action: 'users:manage',
    expect: ADMIN_ONLY(200),
    call: async () => ({ method: 'get', path: '/api/v1/users' }),
  },
  {
    name: 'GET /api/v1/users/:id',
    action: 'users:manage',
    expect: ADMIN_ONLY(200),
    call: async () => ({ method: 'get', path: `/api/v1/users/${await userId(EMAILS.supervisor)}` }),
  },
  {
    name: 'POST /api/v1/users',
    action: 'users:manage',
    expect: { admin: [201, 201, 201], supervisor: [403, 403, 403], unit: [403, 403, 403] },
    call: async (scope) => ({
      method: 'post',
      path: '/api/v1/users',
      body: {
        email: `matrix-new-${++emailSeq}@example.cn`,
        name: '新用户',
        password: PASSWORD,
        role: 'unit',
        unitId: units[scope].id,
      },
    }),
  },
  {
    name: 'PATCH /api/v1/users/:id',
    action: 'users:manage',
    expect: ADMIN_ONLY(200),
    call: async () => {
      const email = `matrix-patch-${++emailSeq}@example.cn`;
      // A fresh user to rename, so the shared ones keep their names.
      const res = await t.http
        .post('/api/v1/users')
        .set(as('admin'))
        .send({ email, name: '待改名', password: PASSWORD, role: 'unit', unitId: units.own.id });
      await ok(res, 201, 'create user');
      return { method: 'patch', path: `/api/v1/users/${res.body.id}`, body: { name: '改名' } };
    },
  },
  {
    name: 'GET /api/v1/audit',
    action: 'audit:read',
    expect: ADMIN_ONLY(200),
    call: async () => ({ method: 'get', path: '/api/v1/audit' }),
  },
  {
    name: 'GET /api/v1/rule-sets',
    expect: ALL_200,
    call: async () => ({ method: 'get', path: '/api/v1/rule-sets' }),
  },
  {
    name: 'POST /api/v1/me/calendar',
    expect: { admin: 201, supervisor: 201, unit: 201 },
    call: async () => ({ method: 'post', path: '/api/v1/me/calendar' }),
  },
  {
    name: 'DELETE /api/v1/me/calendar',
    expect: { admin: 204, supervisor: 204, unit: 204 },
    call: async () => ({ method: 'delete', path: '/api/v1/me/calendar' }),
  },
  {
    name: 'GET /api/v1/rule-sets/:program/reminders',
    action: 'rule-sets:manage',
    expect: ADMIN_ONLY(200),
    call: async () => ({ method: 'get', path: '/api/v1/rule-sets/service-industry-demo/reminders' }),
  },
  {
    name: 'PUT /api/v1/rule-sets/:program/reminders',
    action: 'rule-sets:manage',
    expect: ADMIN_ONLY(200),
    call: async () => ({
      method: 'put',
      path: '/api/v1/rule-sets/service-industry-demo/reminders',
      body: { days: [45, 10] },
    }),
  },

  {
    name: 'GET /api/v1/rule-sets/:program/close-grace',
    action: 'rule-sets:manage',
    expect: ADMIN_ONLY(200),
    call: async () => ({ method: 'get', path: '/api/v1/rule-sets/service-industry-demo/close-grace' }),
  },
  {
    name: 'PUT /api/v1/rule-sets/:program/close-grace',
    action: 'rule-sets:manage',
    expect: ADMIN_ONLY(200),
    call: async () => ({
      method: 'put',
      path: '/api/v1/rule-sets/service-industry-demo/close-grace',
      body: { days: 31 },
    }),
  },

  // ---- year-end close and unit lifecycle (fresh units in the scope's province) ----
  {
    name: 'GET /api/v1/units/:id/periods',
    expect: SCOPED_READ,
    call: async (s) => ({
      method: 'get',
      path: `/api/v1/units/${units[s].id}/periods`,
      check: (res) => expect(res.body.periods).toEqual(expect.any(Array)),
    }),
  },
  {
    name: 'POST /api/v1/units/:id/periods/:period/close',
    action: 'periods:close',
    expect: { admin: [200, 200, 200], supervisor: [200, 200, 404], unit: [403, 403, 403] },
    call: async (s) => {
      const u = await createUnit(t, tokens.admin, { province: units[s].province });
      return {
        method: 'post',
        path: `/api/v1/units/${u.id}/periods/2024/close`,
        check: (res) => expect(res.body).toMatchObject({ start: '2024-07-01', closed: true }),
      };
    },
  },
  {
    name: 'POST /api/v1/units/:id/periods/:period/reopen',
    action: 'periods:reopen',
    expect: { admin: [200, 200, 200], supervisor: [403, 403, 403], unit: [403, 403, 403] },
    call: async (s) => {
      const u = await createUnit(t, tokens.admin, { province: units[s].province });
      await ok(
        await t.http.post(`/api/v1/units/${u.id}/periods/2024/close`).set(as('admin')),
        200,
        'close period',
      );
      return {
        method: 'post',
        path: `/api/v1/units/${u.id}/periods/2024/reopen`,
        body: { reason: '补审' },
        check: (res) => expect(res.body).toMatchObject({ closed: false }),
      };
    },
  },
  {
    // Dry run: the matrix's shared units keep their periods open.
    name: 'POST /api/v1/periods/close',
    action: 'periods:close',
    expect: { admin: [200, 200, 200], supervisor: [200, 200, 404], unit: [403, 403, 403] },
    call: async (s) => ({
      method: 'post',
      path: '/api/v1/periods/close',
      body: { province: units[s].province, dryRun: true },
      check: (res) => expect(res.body).toMatchObject({ dryRun: true }),
    }),
  },
  {
    name: 'GET /api/v1/units/:id/status',
    expect: SCOPED_READ,
    call: async (s) => ({
      method: 'get',
      path: `/api/v1/units/${units[s].id}/status`,
      check: (res) => expect(res.body.history).toEqual(expect.any(Array)),
    }),
  },
  {
    name: 'POST /api/v1/units/:id/status',
    action: 'units:setStatus',
    expect: { admin: [201, 201, 201], supervisor: [201, 201, 404], unit: [403, 403, 403] },
    call: async (s) => {
      const u = await createUnit(t, tokens.admin, { province: units[s].province });
      return {
        method: 'post',
        path: `/api/v1/units/${u.id}/status`,
        body: { status: 'under_evaluation', date: TODAY, reason: '启动评估' },
        check: (res) => expect(res.body).toMatchObject({ toStatus: 'under_evaluation' }),
      };
    },
  },
  {
    name: 'GET /api/v1/reports/province-year',
    action: 'reports:provinceYear',
    expect: { admin: [200, 200, 200], supervisor: [200, 200, 404], unit: [403, 403, 403] },
    call: async (s) => ({
      method: 'get',
      path: `/api/v1/reports/province-year?province=${units[s].province}&year=2025`,
      check: (res) => expect(res.body.cohorts).toEqual(expect.any(Array)),
    }),
  },

  // ---- units ----
  {
    name: 'GET /api/v1/units',
    expect: ALL_200,
    call: async () => ({ method: 'get', path: '/api/v1/units' }),
  },
  {
    name: 'GET /api/v1/units/:id',
    expect: SCOPED_READ,
    call: async (s) => ({ method: 'get', path: `/api/v1/units/${units[s].id}` }),
  },
  {
    name: 'POST /api/v1/units',
    action: 'units:manage',
    expect: { admin: [201, 201, 201], supervisor: [403, 403, 403], unit: [403, 403, 403] },
    call: async (s) => ({
      method: 'post',
      path: '/api/v1/units',
      body: unitPayload({ province: units[s].province }),
    }),
  },
  {
    name: 'POST /api/v1/units/import',
    action: 'units:manage',
    expect: ADMIN_ONLY(200),
    call: async () => {
      const p = unitPayload();
      const row = [
        p.name,
        p.creditCode,
        '广东省',
        '物流',
        '企事业单位',
        '2024-07-01',
        '2026-06-30',
        '张三',
        'z@example.cn',
      ];
      return {
        method: 'post',
        path: '/api/v1/units/import',
        file: { field: 'file', buffer: unitCsv([ZH_HEADERS, row as string[]]), name: 'units.csv' },
        check: (res) => expect(res.body).toMatchObject({ created: 1, errors: [] }),
      };
    },
  },
  {
    name: 'PATCH /api/v1/units/:id',
    action: 'units:manage',
    expect: { admin: [200, 200, 200], supervisor: [403, 403, 403], unit: [403, 403, 403] },
    call: async (s) => ({
      method: 'patch',
      path: `/api/v1/units/${units[s].id}`,
      body: { industry: '现代物流' },
    }),
  },
  {
    // The admin deletes a fresh unit of that province, so the shared ones stay for the other rows.
    name: 'DELETE /api/v1/units/:id',
    action: 'units:manage',
    expect: { admin: [204, 204, 204], supervisor: [403, 403, 403], unit: [403, 403, 403] },
    call: async (s, role) => {
      const id =
        role === 'admin'
          ? (await createUnit(t, tokens.admin, { province: units[s].province })).id
          : units[s].id;
      return { method: 'delete', path: `/api/v1/units/${id}` };
    },
  },
  {
    name: 'GET /api/v1/units/:id/compliance',
    expect: SCOPED_READ,
    call: async (s) => ({ method: 'get', path: `/api/v1/units/${units[s].id}/compliance` }),
  },
  {
    name: 'GET /api/v1/units/:id/acceptance-pack',
    action: 'units:acceptancePack',
    expect: SCOPED_READ,
    call: async (s) => ({
      method: 'get',
      path: `/api/v1/units/${units[s].id}/acceptance-pack`,
      check: (res) => expect(res.headers['content-type']).toBe('application/zip'),
    }),
  },
  {
    name: 'GET /api/v1/units/:id/targets',
    expect: SCOPED_READ,
    call: async (s) => ({
      method: 'get',
      path: `/api/v1/units/${units[s].id}/targets`,
      check: (res) => expect(res.body).toEqual({ targets: expect.any(Array) }),
    }),
  },
  {
    // Unit targets (SPEC §3 v2) are set by administrators and the unit's supervisors, never by the unit.
    name: 'PUT /api/v1/units/:id/targets',
    action: 'units:setTargets',
    expect: { admin: [200, 200, 200], supervisor: [200, 200, 404], unit: [403, 403, 403] },
    call: async (s, role) => {
      const target = {
        requirement: 'exchange_events',
        periodStart: '2025-01-01',
        minimum: 2,
        reason: `任务书（${role}）`,
      };
      return {
        method: 'put',
        path: `/api/v1/units/${units[s].id}/targets`,
        body: { targets: [target] },
        check: async (res) => {
          expect(res.body).toEqual({ targets: [target] });
          const got = await t.http.get(`/api/v1/units/${units[s].id}/targets`).set(as('admin'));
          expect(got.body).toEqual({ targets: [target] });
        },
      };
    },
  },

  // ---- compliance over the caller's scope ----
  {
    name: 'GET /api/v1/compliance',
    expect: ALL_200,
    call: async () => ({ method: 'get', path: '/api/v1/compliance' }),
  },
  {
    name: 'GET /api/v1/compliance?province=',
    expect: { admin: [200, 200, 200], supervisor: [200, 200, 404], unit: [200, 200, 200] },
    call: async (s) => ({
      method: 'get',
      path: `/api/v1/compliance?province=${units[s].province}`,
      check: (res) => {
        // A unit user naming any province still sees its own unit only.
        for (const row of res.body.rows) expect(visibleTo(row.unit)).toBe(true);
      },
    }),
  },
  {
    name: 'GET /api/v1/compliance/trend',
    expect: ALL_200,
    call: async () => ({ method: 'get', path: '/api/v1/compliance/trend' }),
  },
  {
    name: 'GET /api/v1/compliance/league',
    action: 'compliance:league',
    expect: { admin: [200, 200, 200], supervisor: [200, 200, 200], unit: [403, 403, 403] },
    call: async () => ({
      method: 'get',
      path: '/api/v1/compliance/league?by=province',
      check: (res) => {
        // Groups only; a supervisor of A sees province A apart, the rest only inside the aggregates.
        const keys = res.body.rows
          .filter((r: { kind: string }) => r.kind === 'group')
          .map((r: { key: string }) => r.key);
        if (res.body.provinces !== null)
          expect(keys.every((k: string) => res.body.provinces.includes(k))).toBe(true);
        expect(res.body.rows.at(-1).kind).toBe('national');
        expect(JSON.stringify(res.body)).not.toMatch(/"name"/);
      },
    }),
  },
  {
    name: 'GET /api/v1/compliance/trend?province=',
    expect: { admin: [200, 200, 200], supervisor: [200, 200, 404], unit: [200, 200, 200] },
    call: async (s) => ({ method: 'get', path: `/api/v1/compliance/trend?province=${units[s].province}` }),
  },

  // ---- activities ----
  {
    name: 'GET /api/v1/activities',
    expect: ALL_200,
    call: async () => ({ method: 'get', path: '/api/v1/activities' }),
  },
  {
    name: 'GET /api/v1/activities/:id',
    expect: SCOPED_READ,
    call: async (s) => ({ method: 'get', path: `/api/v1/activities/${await activity(s)}` }),
  },
  {
    // A unit user naming another unit is refused as bad input (400) before any lookup, so nothing leaks.
    name: 'POST /api/v1/activities',
    action: 'activities:record',
    expect: { admin: [201, 201, 201], supervisor: [403, 403, 403], unit: [201, 400, 400] },
    call: async (s) => ({
      method: 'post',
      path: '/api/v1/activities',
      body: {
        unitId: units[s].id,
        requirement: 'work_updates',
        date: DAY,
        title: '工作动态',
        recipient: '省市场监管局',
      },
    }),
  },
  {
    name: 'PATCH /api/v1/activities/:id',
    action: 'activities:record',
    expect: { admin: [200, 200, 200], supervisor: [403, 403, 403], unit: [200, 404, 404] },
    call: async (s) => ({
      method: 'patch',
      path: `/api/v1/activities/${await activity(s)}`,
      body: { title: '改过的标题' },
    }),
  },
  {
    name: 'DELETE /api/v1/activities/:id',
    action: 'activities:record',
    expect: { admin: [204, 204, 204], supervisor: [403, 403, 403], unit: [204, 404, 404] },
    call: async (s) => ({ method: 'delete', path: `/api/v1/activities/${await activity(s)}` }),
  },
  {
    name: 'POST /api/v1/activities/:id/submit',
    action: 'activities:record',
    expect: { admin: [200, 200, 200], supervisor: [403, 403, 403], unit: [200, 404, 404] },
    call: async (s) => ({ method: 'post', path: `/api/v1/activities/${await activity(s, 'ready')}/submit` }),
  },
  {
    name: 'POST /api/v1/activities/:id/verify',
    action: 'activities:review',
    expect: { admin: [200, 200, 200], supervisor: [200, 200, 404], unit: [403, 403, 403] },
    call: async (s) => ({
      method: 'post',
      path: `/api/v1/activities/${await activity(s, 'submitted')}/verify`,
      check: (res) => expect(res.body.status).toBe('verified'),
    }),
  },
  {
    name: 'POST /api/v1/activities/:id/reject',
    action: 'activities:review',
    expect: { admin: [200, 200, 200], supervisor: [200, 200, 404], unit: [403, 403, 403] },
    call: async (s) => ({
      method: 'post',
      path: `/api/v1/activities/${await activity(s, 'submitted')}/reject`,
      body: { reason: '证明材料不全' },
      check: (res) => expect(res.body.status).toBe('rejected'),
    }),
  },

  {
    name: 'POST /api/v1/activities/:id/request-changes',
    action: 'activities:requestChanges',
    expect: { admin: [200, 200, 200], supervisor: [200, 200, 404], unit: [403, 403, 403] },
    call: async (s) => ({
      method: 'post',
      path: `/api/v1/activities/${await activity(s, 'submitted')}/request-changes`,
      body: { comment: '请补充签到表' },
      check: (res) => expect(res.body).toMatchObject({ status: 'rejected', rejectReason: '请补充签到表' }),
    }),
  },

  // ---- comments ----
  {
    name: 'POST /api/v1/activities/:id/comments',
    action: 'activities:comment',
    expect: { admin: [201, 201, 201], supervisor: [201, 201, 404], unit: [201, 404, 404] },
    call: async (s) => ({
      method: 'post',
      path: `/api/v1/activities/${await activity(s, 'submitted')}/comments`,
      body: { body: '请说明参会人数' },
      check: (res) => expect(res.body.body).toBe('请说明参会人数'),
    }),
  },
  {
    name: 'GET /api/v1/activities/:id/comments',
    expect: SCOPED_READ,
    call: async (s) => ({
      method: 'get',
      path: `/api/v1/activities/${(await commentWithFile(s))[0]}/comments`,
      check: (res) => expect(res.body).toHaveLength(1),
    }),
  },
  {
    name: 'GET /api/v1/activities/:id/comments/:commentId/attachment',
    expect: SCOPED_READ,
    call: async (s) => {
      const [activityId, commentId] = await commentWithFile(s);
      return {
        method: 'get',
        path: `/api/v1/activities/${activityId}/comments/${commentId}/attachment`,
        check: (res) => expect(Buffer.compare(res.body as Buffer, PNG)).toBe(0),
      };
    },
  },

  // ---- evidence ----
  {
    name: 'POST /api/v1/activities/:id/evidence',
    action: 'activities:record',
    expect: { admin: [201, 201, 201], supervisor: [403, 403, 403], unit: [201, 404, 404] },
    call: async (s) => ({
      method: 'post',
      path: `/api/v1/activities/${await activity(s)}/evidence`,
      file: { field: 'files', buffer: PNG, name: 'photo.png' },
    }),
  },
  {
    name: 'GET /api/v1/activities/:id/evidence',
    expect: SCOPED_READ,
    call: async (s) => ({ method: 'get', path: `/api/v1/activities/${await activity(s)}/evidence` }),
  },
  {
    name: 'GET /api/v1/evidence/:id',
    expect: SCOPED_READ,
    call: async (s) => ({
      method: 'get',
      path: `/api/v1/evidence/${await evidence(s)}`,
      check: (res) => expect(Buffer.compare(res.body as Buffer, PNG)).toBe(0),
    }),
  },
  {
    name: 'DELETE /api/v1/evidence/:id',
    action: 'activities:record',
    expect: { admin: [204, 204, 204], supervisor: [403, 403, 403], unit: [204, 404, 404] },
    call: async (s) => ({ method: 'delete', path: `/api/v1/evidence/${await evidence(s)}` }),
  },

  // ---- duplicate claims ----
  {
    name: 'GET /api/v1/integrity/duplicates',
    action: 'integrity:review',
    expect: { admin: 200, supervisor: 200, unit: 403 },
    call: async () => ({ method: 'get', path: '/api/v1/integrity/duplicates' }),
  },
  {
    name: 'POST /api/v1/integrity/duplicates/:id/explain',
    action: 'integrity:explain',
    expect: { admin: [200, 200, 200], supervisor: [200, 200, 404], unit: [403, 403, 403] },
    call: async (s) => ({
      method: 'post',
      path: `/api/v1/integrity/duplicates/${await duplicate(s)}/explain`,
      body: { note: '联合举办' },
      check: (res) => expect(res.body.status).toBe('explained'),
    }),
  },

  // ---- reviews ----
  {
    name: 'GET /api/v1/reviews/queue',
    action: 'activities:review',
    expect: { admin: 200, supervisor: 200, unit: 403 },
    call: async () => ({ method: 'get', path: '/api/v1/reviews/queue' }),
  },
  {
    // Bulk review answers 200 with a result per id; an id out of scope is reported as 404 and left alone.
    name: 'POST /api/v1/reviews/bulk',
    action: 'activities:review',
    expect: { admin: [200, 200, 200], supervisor: [200, 200, 200], unit: [403, 403, 403] },
    call: async (s, role) => {
      const id = await activity(s, 'submitted');
      const inScope = role === 'admin' || s !== 'other';
      return {
        method: 'post',
        path: '/api/v1/reviews/bulk',
        body: { ids: [id], action: 'verify' },
        check: async (res) => {
          expect(res.body.results).toEqual([
            inScope
              ? expect.objectContaining({ id, ok: true, status: 'verified' })
              : expect.objectContaining({ id, ok: false, statusCode: 404 }),
          ]);
          const stored = await t.orm.em.fork().findOneOrFail(Activity, id);
          expect(stored.status).toBe(inScope ? 'verified' : 'submitted');
        },
      };
    },
  },

  // ---- report previews, runs and the outbox ----
  {
    name: 'GET /api/v1/reports/units/:id',
    expect: SCOPED_READ,
    call: async (s) => ({
      method: 'get',
      path: `/api/v1/reports/units/${units[s].id}`,
      check: (res) => expect(res.headers['content-type']).toMatch(/^text\/html/),
    }),
  },
  {
    name: 'GET /api/v1/reports/units/:id/charts/:chart',
    expect: SCOPED_READ,
    call: async (s) => ({
      method: 'get',
      path: `/api/v1/reports/units/${units[s].id}/charts/bars`,
      check: (res) => expect(res.headers['content-type']).toMatch(/^image\/png/),
    }),
  },
  {
    name: 'GET /api/v1/reports/digest',
    action: 'reports:digest',
    expect: { admin: 200, supervisor: 200, unit: 403 },
    call: async () => ({ method: 'get', path: '/api/v1/reports/digest' }),
  },
  {
    // Supervisors see only their own digest; admins anyone's.
    name: 'GET /api/v1/reports/digest?userId=',
    action: 'reports:digest',
    expect: { admin: [200, 200, 200], supervisor: [200, 404, 404], unit: [403, 403, 403] },
    call: async (s) => ({ method: 'get', path: `/api/v1/reports/digest?userId=${supervisors[s]}` }),
  },
  {
    name: 'GET /api/v1/reports/digest/charts/:chart',
    action: 'reports:digest',
    expect: { admin: 200, supervisor: 200, unit: 403 },
    call: async () => ({ method: 'get', path: '/api/v1/reports/digest/charts/status' }),
  },
  {
    name: 'GET /api/v1/reports/digest/workbook',
    action: 'reports:digest',
    expect: { admin: 200, supervisor: 200, unit: 403 },
    call: async () => ({ method: 'get', path: '/api/v1/reports/digest/workbook' }),
  },
  {
    name: 'POST /api/v1/reports/runs',
    action: 'reports:run',
    expect: ADMIN_ONLY(201),
    call: async () => ({ method: 'post', path: '/api/v1/reports/runs', body: { period: '2025-05' } }),
  },
  {
    name: 'GET /api/v1/reports/runs',
    action: 'reports:run',
    expect: ADMIN_ONLY(200),
    call: async () => ({ method: 'get', path: '/api/v1/reports/runs' }),
  },
  {
    name: 'GET /api/v1/outbox',
    action: 'outbox:manage',
    expect: ADMIN_ONLY(200),
    call: async () => ({ method: 'get', path: '/api/v1/outbox' }),
  },
  {
    name: 'GET /api/v1/outbox/:id',
    action: 'outbox:manage',
    expect: ADMIN_ONLY(200),
    call: async () => ({ method: 'get', path: `/api/v1/outbox/${await outboxMessage()}` }),
  },
  {
    name: 'POST /api/v1/outbox/:id/retry',
    action: 'outbox:manage',
    expect: ADMIN_ONLY(200),
    call: async () => ({
      method: 'post',
      path: `/api/v1/outbox/${await outboxMessage(true)}/retry`,
      check: (res) => expect(res.body.status).toBe('queued'),
    }),
  },
  {
    name: 'GET /api/v1/robots',
    action: 'robots:manage',
    expect: { admin: 200, supervisor: 200, unit: 403 },
    call: async () => {
      await robot('own');
      await robot('other');
      return {
        method: 'get',
        path: '/api/v1/robots',
        check: (res) => {
          expect(res.body.length).toBeGreaterThan(0);
          for (const r of res.body as { unitId: number; webhook: string }[]) {
            expect(visibleTo(unitById(r.unitId))).toBe(true);
            expect(r.webhook).not.toContain(ROBOT_KEY);
          }
        },
      };
    },
  },
  {
    // Supervisors set robots for the units of their provinces only.
    name: 'POST /api/v1/robots',
    action: 'robots:manage',
    expect: { admin: [201, 201, 201], supervisor: [201, 201, 404], unit: [403, 403, 403] },
    call: async (s) => ({
      method: 'post',
      path: '/api/v1/robots',
      body: { kind: 'wecom', name: '矩阵群', unitId: units[s].id, webhookUrl: WECOM_URL },
      check: (res) => expect(res.body.webhook).not.toContain(ROBOT_KEY),
    }),
  },
  {
    name: 'DELETE /api/v1/robots/:id',
    action: 'robots:manage',
    expect: { admin: [204, 204, 204], supervisor: [204, 204, 404], unit: [403, 403, 403] },
    call: async (s) => ({ method: 'delete', path: `/api/v1/robots/${await robot(s)}` }),
  },
];

const ROBOT_KEY = '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';
const WECOM_URL = `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${ROBOT_KEY}`;

/** A WeCom robot of the unit in `scope`, added by the admin. */
async function robot(scope: Scope): Promise<number> {
  const res = await ok(
    await t.http
      .post('/api/v1/robots')
      .set(as('admin'))
      .send({ kind: 'wecom', name: `群 ${scope}`, unitId: units[scope].id, webhookUrl: WECOM_URL }),
    201,
    'add robot',
  );
  return res.body.id as number;
}

function unitById(id: number): { id: number; province: string } {
  return Object.values(units).find((u) => u.id === id) as { id: number; province: string };
}

async function userId(email: string): Promise<number> {
  const res = await t.http.get('/api/v1/users').query({ q: email }).set(as('admin'));
  return res.body.items.find((u: { email: string }) => u.email === email).id;
}

/** Used by checks: may the current row's role see this unit? Set per test. */
let visibleTo: (unit: { id: number; province: string }) => boolean = () => true;

function visibility(role: Role) {
  return (u: { id: number; province: string }) =>
    role === 'admin' || (role === 'supervisor' ? u.province === units.own.province : u.id === units.own.id);
}

type Case = [name: string, role: Role, scope: Scope | '-', expected: number, endpoint: Endpoint];

const CASES: Case[] = ENDPOINTS.flatMap((e) =>
  (Object.keys(e.expect) as Role[]).flatMap((role): Case[] => {
    const exp = e.expect[role];
    return Array.isArray(exp)
      ? SCOPES.map((scope, i): Case => [e.name, role, scope, exp[i], e])
      : [[e.name, role, '-', exp, e]];
  }),
);

async function send(c: Call, role: Role): Promise<Response> {
  let req = t.http[c.method](c.path);
  const token = c.token ?? tokens[role];
  if (token) req = req.set(auth(token));
  if (c.file) return req.attach(c.file.field, c.file.buffer, c.file.name);
  if (c.body) return req.send(c.body);
  return req;
}

beforeAll(async () => {
  t = await createTestApp({}, { today: TODAY });
  const admin = await t.login(ADMIN.email, ADMIN.password);
  const a1 = await createUnit(t, admin, { name: '矩阵单位 A1', province: '44' });
  const a2 = await createUnit(t, admin, { name: '矩阵单位 A2', province: '44' });
  const b1 = await createUnit(t, admin, { name: '矩阵单位 B1', province: '33' });
  units = {
    own: { id: a1.id, province: '44' },
    sibling: { id: a2.id, province: '44' },
    other: { id: b1.id, province: '33' },
  };
  tokens = {
    admin,
    supervisor: await createUser(
      t,
      admin,
      { email: EMAILS.supervisor, role: 'supervisor', provinces: ['44'] },
      PASSWORD,
    ),
    unit: await createUser(t, admin, { email: EMAILS.unit, role: 'unit', unitId: a1.id }, PASSWORD),
  };
  const supervisorId = async (email: string, province: string) =>
    (
      await ok(
        await t.http
          .post('/api/v1/users')
          .set(auth(admin))
          .send({ email, name: '监管', password: PASSWORD, role: 'supervisor', provinces: [province] }),
        201,
        'create supervisor',
      )
    ).body.id as number;
  supervisors = {
    own: await userId(EMAILS.supervisor),
    sibling: await supervisorId('matrix-sup-a2@example.cn', '44'),
    other: await supervisorId('matrix-sup-b@example.cn', '33'),
  };
});
afterAll(() => t.close());

describe('scope matrix: role × endpoint × scope', () => {
  it('covers every endpoint under /api/v1', () => {
    const routes = listRoutes(t.app, (p) => p.startsWith('/api/v1/')).map(routeName);
    const covered = new Set(ENDPOINTS.map((e) => e.name.replace(/\?.*$/, '')));
    expect(routes.filter((r) => !covered.has(r))).toEqual([]);
  });

  it('refuses with 403 exactly the roles its Access action leaves out, and gates by role nothing else', () => {
    const refused = (e: Endpoint) =>
      (Object.keys(e.expect) as Role[]).filter((r) => [e.expect[r]].flat().every((s) => s === 403));
    const mismatches = ENDPOINTS.filter((e) => {
      const allowed: readonly string[] = e.action ? Access.roles(e.action) : ['admin', 'supervisor', 'unit'];
      const expected = (['admin', 'supervisor', 'unit'] as Role[]).filter((r) => !allowed.includes(r));
      return refused(e).join() !== expected.join();
    }).map((e) => e.name);
    expect(mismatches).toEqual([]);
  });

  it.each(CASES)('%s as %s, %s scope → %i', async (_name, role, scope, expected, endpoint) => {
    visibleTo = visibility(role);
    const call = await endpoint.call(scope === '-' ? 'own' : scope, role);
    const before = await t.orm.em.fork().count(AuditLog, {});
    const res = await send(call, role);
    expect({ status: res.status, body: res.status === expected ? undefined : res.body }).toEqual({
      status: expected,
      body: undefined,
    });
    if (expected >= 400) {
      expect(await t.orm.em.fork().count(AuditLog, {})).toBe(before);
      // Report previews label their JSON errors with the success type (text/html, image/png).
      expect(errorBody(res).messageZh).toEqual(expect.any(String));
    } else if (call.check) {
      await call.check(res);
    }
  });
});

describe('lists show only what is in scope, whatever the filter', () => {
  type ListCase = [string, Role, string, (body: any) => number[]];
  const unitIds = (items: { unitId: number }[]) => items.map((i) => i.unitId);
  const LISTS: ListCase[] = (['admin', 'supervisor', 'unit'] as Role[]).flatMap(
    (role) =>
      [
        ['units', role, '/api/v1/units?pageSize=500', (b) => b.items.map((u: { id: number }) => u.id)],
        [
          'units of province B',
          role,
          '/api/v1/units?pageSize=500&province=33',
          (b) => b.items.map((u: { id: number }) => u.id),
        ],
        ['activities', role, '/api/v1/activities?pageSize=500', (b) => unitIds(b.items)],
        ['activities of unit B1', role, '/api/v1/activities?pageSize=500&unitId=B1', (b) => unitIds(b.items)],
        [
          'activities of province B',
          role,
          '/api/v1/activities?pageSize=500&province=33',
          (b) => unitIds(b.items),
        ],
        [
          'compliance',
          role,
          '/api/v1/compliance?pageSize=500',
          (b) => b.rows.map((r: { unit: { id: number } }) => r.unit.id),
        ],
      ] as ListCase[],
  );

  it.each(LISTS)('%s as %s', async (_label, role, path, ids) => {
    const res = await t.http.get(path.replace('B1', String(units.other.id))).set(as(role));
    if (res.status === 404) {
      // Supervisors naming a province outside their scope may be told 404 instead of an empty list.
      expect(role).toBe('supervisor');
      return;
    }
    expect(res.status).toBe(200);
    const seen = new Set(ids(res.body));
    const allowed = visibility(role);
    const byId = new Map(Object.values(units).map((u) => [u.id, u]));
    for (const id of seen) {
      const u = byId.get(id);
      // Units created by the matrix rows are in province A or B; look them up when not one of the three.
      const province = u?.province ?? (await t.orm.em.fork().findOneOrFail(Unit, id)).province;
      expect(allowed({ id, province })).toBe(true);
    }
    if (!path.includes('33') && !path.includes('B1')) expect(seen.has(units.own.id)).toBe(true);
  });

  it('the review queue holds only submitted activities in scope', async () => {
    const mine = await activity('own', 'submitted');
    const theirs = await activity('other', 'submitted');
    const sup = await t.http.get('/api/v1/reviews/queue?pageSize=500').set(as('supervisor'));
    const ids = sup.body.items.map((a: { id: number }) => a.id);
    expect(ids).toContain(mine);
    expect(ids).not.toContain(theirs);
    expect(
      sup.body.items.every(
        (a: { province: string; status: string }) => a.province === '44' && a.status === 'submitted',
      ),
    ).toBe(true);
    const admin = await t.http.get('/api/v1/reviews/queue?pageSize=500').set(as('admin'));
    expect(admin.body.items.map((a: { id: number }) => a.id)).toEqual(expect.arrayContaining([mine, theirs]));
  });

  it('the trend counts only activities in scope', async () => {
    // A verified activity in province B: visible to the admin's trend, not to province A's.
    const id = await activity('other', 'submitted');
    await ok(await t.http.post(`/api/v1/activities/${id}/verify`).set(as('admin')), 200, 'verify');
    const march = async (role: Role) => {
      const res = await t.http.get('/api/v1/compliance/trend?year=2025').set(as(role));
      expect(res.status).toBe(200);
      return res.body.months.find((m: { month: string }) => m.month === '2025-03').verified as number;
    };
    const all = await march('admin');
    const sup = await march('supervisor');
    const own = await march('unit');
    const em = t.orm.em.fork();
    const verified = (where: object) =>
      em.count(Activity, { status: 'verified', deletedAt: null, date: DAY, ...where });
    expect(all).toBe(await verified({ unit: { deletedAt: null } }));
    expect(sup).toBe(await verified({ unit: { province: '44', deletedAt: null } }));
    expect(own).toBe(await verified({ unit: units.own.id }));
    expect(all).toBeGreaterThan(sup);
  });
});

/** The JSON error, however the response was labelled (a PNG-typed error arrives as a Buffer). */
function errorBody(res: Response): { messageZh?: unknown } {
  if (Buffer.isBuffer(res.body)) return JSON.parse(res.body.toString('utf8'));
  if (res.body && typeof res.body === 'object' && 'messageZh' in res.body) return res.body;
  return JSON.parse(res.text);
}
