import { createHash, randomBytes } from 'node:crypto';
import type { Response, Test } from 'supertest';
import { ClaimMatch, OutboxMessage, Session, User } from '@app/db';
import { addEvidence } from '../support/evidence';
import { ADMIN, createTestApp, type TestApp } from '../support/test-app';
import { listRoutes, routeInputs, routeName, type DtoField, type RouteInputs } from '../support/routes';
import { auth, createUnit, createUser, unitPayload } from '../fixtures/units';

/*
 * "Bad input gets a clear 4xx naming the field and the rule, and changes nothing. No input yields a 500."
 * Every route of the running app (API and pages), signed in as an administrator, gets hostile path
 * parameters, query strings, bodies and content types. Every answer must be below 500, API errors are
 * JSON with a statusCode, and a refused state-changing request leaves every table (but sessions) and
 * the recorded changes as they were.
 */

/** Every route, by "METHOD /path"; the first test proves the app has no other. */
const ROUTES = [
  'GET /',
  'GET /account/calendar',
  'POST /account/calendar',
  'POST /account/calendar/revoke',
  'POST /activities',
  'GET /activities/:id',
  'POST /activities/:id',
  'POST /activities/:id/delete',
  'POST /activities/:id/evidence/:fileId/delete',
  'GET /activities/new',
  'GET /admin/audit',
  'GET /admin/outbox',
  'GET /admin/outbox/:id',
  'GET /admin/outbox/:id/html',
  'POST /admin/outbox/:id/retry',
  'GET /admin/rule-sets',
  'POST /admin/rule-sets/:program/reminders',
  'GET /admin/units',
  'POST /admin/units',
  'POST /admin/units/:id',
  'GET /admin/units/:id/edit',
  'GET /admin/units/new',
  'GET /admin/users',
  'POST /admin/users',
  'POST /admin/users/:id',
  'GET /admin/users/:id/edit',
  'GET /admin/users/new',
  'GET /api/v1/activities',
  'POST /api/v1/activities',
  'DELETE /api/v1/activities/:id',
  'GET /api/v1/activities/:id',
  'PATCH /api/v1/activities/:id',
  'GET /api/v1/activities/:id/comments',
  'POST /api/v1/activities/:id/comments',
  'GET /api/v1/activities/:id/comments/:commentId/attachment',
  'GET /api/v1/activities/:id/evidence',
  'POST /api/v1/activities/:id/evidence',
  'POST /api/v1/activities/:id/reject',
  'POST /api/v1/activities/:id/request-changes',
  'POST /api/v1/activities/:id/submit',
  'POST /api/v1/activities/:id/verify',
  'GET /api/v1/audit',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/logout',
  'POST /api/v1/auth/password',
  'POST /api/v1/auth/password-reset',
  'POST /api/v1/auth/password-reset/confirm',
  'GET /api/v1/auth/me',
  'PATCH /api/v1/auth/me',
  'GET /api/v1/compliance',
  'GET /api/v1/compliance/trend',
  'GET /api/v1/compliance/league',
  'DELETE /api/v1/evidence/:id',
  'GET /api/v1/evidence/:id',
  'GET /api/v1/me/notices',
  'PUT /api/v1/me/notices',
  'GET /api/v1/outbox',
  'GET /api/v1/outbox/:id',
  'POST /api/v1/outbox/:id/retry',
  'GET /api/v1/reports/digest',
  'GET /api/v1/reports/digest/charts/:chart',
  'GET /api/v1/reports/digest/workbook',
  'GET /api/v1/reports/runs',
  'POST /api/v1/reports/runs',
  'GET /api/v1/reports/units/:id',
  'GET /api/v1/reports/units/:id/charts/:chart',
  'POST /api/v1/reviews/bulk',
  'GET /api/v1/reviews/queue',
  'GET /api/v1/integrity/duplicates',
  'POST /api/v1/integrity/duplicates/:id/explain',
  'POST /duplicates/:id/explain',
  'GET /api/v1/robots',
  'POST /api/v1/robots',
  'DELETE /api/v1/robots/:id',
  'GET /api/v1/rule-sets',
  'GET /api/v1/rule-sets/:program/reminders',
  'PUT /api/v1/rule-sets/:program/reminders',
  'POST /api/v1/me/calendar',
  'DELETE /api/v1/me/calendar',
  'GET /api/v1/units',
  'POST /api/v1/units',
  'DELETE /api/v1/units/:id',
  'GET /api/v1/units/:id',
  'PATCH /api/v1/units/:id',
  'GET /api/v1/units/:id/compliance',
  'GET /api/v1/units/:id/acceptance-pack',
  'GET /api/v1/units/:id/targets',
  'GET /api/v1/units/:id/periods',
  'POST /api/v1/units/:id/periods/:period/close',
  'POST /api/v1/units/:id/periods/:period/reopen',
  'POST /api/v1/periods/close',
  'GET /api/v1/rule-sets/:program/close-grace',
  'PUT /api/v1/rule-sets/:program/close-grace',
  'GET /api/v1/units/:id/status',
  'POST /api/v1/units/:id/status',
  'GET /api/v1/reports/province-year',
  'POST /units/:id/status',
  'POST /units/:id/periods/:period/close',
  'POST /units/:id/periods/:period/reopen',
  'GET /reports/province-year',
  'POST /reports/province-year/close',
  'PUT /api/v1/units/:id/targets',
  'POST /api/v1/units/import',
  'GET /api/v1/users',
  'POST /api/v1/users',
  'GET /api/v1/users/:id',
  'PATCH /api/v1/users/:id',
  'GET /assets/*path',
  'GET /auth/oidc/callback',
  'GET /auth/oidc/start',
  'GET /calendar/:file',
  'GET /forgot-password',
  'POST /forgot-password',
  'GET /health',
  'GET /health/live',
  'GET /health/ready',
  'GET /login',
  'POST /login',
  'POST /logout',
  'GET /metrics',
  'GET /overview',
  'GET /overview.csv',
  'GET /overview.xlsx',
  'GET /overview/league',
  'GET /overview/league.csv',
  'GET /overview/league.xlsx',
  'GET /review',
  'GET /robots',
  'POST /robots',
  'POST /robots/:id/delete',
  'POST /review/:id/reject',
  'POST /review/:id/request-changes',
  'POST /review/:id/verify',
  'POST /review/bulk',
  'GET /reset-password',
  'POST /reset-password',
  'POST /settings/locale',
  'GET /settings/notices',
  'POST /settings/notices',
  'GET /settings/password',
  'POST /settings/password',
  'GET /units/:id',
  'GET /units/:id/activities.csv',
  'GET /units/:id/activities.xlsx',
  'GET /units/:id/print',
  'POST /units/:id/targets',
  'POST /units/:id/targets/delete',
];
/** Not ours to harden: the catch-all 404 and the generated API documentation. */
const ignored = (path: string) => path === '/{*all}' || path.startsWith('/api/docs');

const PASSWORD = 'long-enough-password-1';
const DAY = '2025-03-01';
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

const HUGE = '99999999999999999999';
const PATH_VALUES = [
  'abc',
  '-1',
  '0',
  HUGE,
  '1e3',
  '1.5',
  encodeURIComponent('../../etc/passwd'),
  encodeURIComponent('单位'),
  '%00',
  '%E0%A4%A', // a broken percent-escape
];
const LONG_10K = 'x'.repeat(10_000);
const LONG_100K = '长'.repeat(35_000); // ~100 kB in UTF-8
const NUMERIC = new Set(['isInt', 'isNumber', 'min', 'max', 'isPositive']);

type Body =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'raw'; type: string; text: string | Buffer }
  | { kind: 'form'; fields: Record<string, string | string[]> }
  | { kind: 'multipart'; fields: Record<string, string> }
  /** A small PNG under the field name uploads use. */
  | { kind: 'file'; name: string; content?: Buffer; type?: string };

interface Probe {
  label: string;
  /** Path with query string, params already filled in. */
  url: string;
  body: Body;
}

let t: TestApp;
let admin: string;
let cookie: { sid: string; csrf: string };
let inputs: Map<string, RouteInputs>;
/** Records the GET routes read (left in place by every test). */
let world: {
  unit: number;
  user: number;
  activity: number;
  evidence: { activity: number; file: number };
  outbox: number;
  /** A unit of another province (Zhejiang), out of the supervisor's and unit user's scope. */
  other: number;
};
/** A unit user of world.unit and a supervisor of its province (Guangdong). */
let tokens: { unit: string; supervisor: string };

async function ok(res: Response, status: number, what: string): Promise<Response> {
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res;
}

async function activity(status: 'draft' | 'submitted' = 'draft', unitId = world.unit): Promise<number> {
  const res = await ok(
    await t.http.post('/api/v1/activities').set(auth(admin)).send({
      unitId,
      requirement: 'exchange_events',
      date: DAY,
      title: '标准化经验交流会',
      location: '会议中心',
    }),
    201,
    'create activity',
  );
  const id = res.body.id as number;
  if (status === 'submitted') {
    await addEvidence(t.http, id, auth(admin));
    await ok(await t.http.post(`/api/v1/activities/${id}/submit`).set(auth(admin)), 200, 'submit');
  }
  return id;
}

async function evidence(): Promise<{ activity: number; file: number }> {
  const a = await activity();
  const res = await ok(
    await t.http
      .post(`/api/v1/activities/${a}/evidence`)
      .set(auth(admin))
      .attach('files', PNG, '现场照片.png'),
    201,
    'upload evidence',
  );
  return { activity: a, file: res.body[0].id as number };
}

/** A duplicate claim: two submitted activities with the same evidence file. */
async function duplicate(): Promise<number> {
  const a = await activity('submitted');
  await activity('submitted');
  const m = await t.orm.em
    .fork()
    .findOneOrFail(
      ClaimMatch,
      { $or: [{ activity: a }, { matchedActivity: a }] },
      { orderBy: { id: 'desc' } },
    );
  return m.id;
}

/** A WeCom robot of world.unit, added by the admin. */
async function robot(): Promise<number> {
  const res = await ok(
    await t.http.post('/api/v1/robots').set(auth(admin)).send({
      kind: 'wecom',
      name: '加固测试群',
      unitId: world.unit,
      webhookUrl: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=0f3c1d2e-aaaa-bbbb',
    }),
    201,
    'add robot',
  );
  return res.body.id as number;
}

let emailSeq = 0;
async function user(): Promise<number> {
  const res = await ok(
    await t.http
      .post('/api/v1/users')
      .set(auth(admin))
      .send({
        email: `no500-${++emailSeq}@example.cn`,
        name: '用户',
        password: PASSWORD,
        role: 'unit',
        unitId: world.unit,
      }),
    201,
    'create user',
  );
  return res.body.id as number;
}

/** A session made directly (sign-in is rate limited): its cookie token and CSRF token. */
async function session(email = ADMIN.email): Promise<{ sid: string; csrf: string }> {
  const em = t.orm.em.fork();
  const sid = randomBytes(32).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  em.create(Session, {
    tokenHash: createHash('sha256').update(sid).digest('hex'),
    user: await em.findOneOrFail(User, { email }),
    csrfSecret: csrf,
    createdAt: new Date(),
    expiresAt: new Date(Date.now() + 3600_000),
  });
  await em.flush();
  return { sid, csrf };
}

/**
 * Valid values for a route's path parameters. State-changing routes get fresh records of their own, so
 * a hostile request that is (rightly) accepted cannot spoil the records other routes read.
 */
async function params(method: string, path: string): Promise<Record<string, string>> {
  const fresh = method !== 'GET';
  const out: Record<string, string> = {};
  if (path.includes(':commentId')) {
    const a = await activity('submitted');
    const res = await t.http
      .post(`/api/v1/activities/${a}/comments`)
      .set(auth(admin))
      .field('body', '附件')
      .attach('file', PNG, 'x.png');
    if (res.status !== 201) throw new Error(`comment: ${res.status} ${JSON.stringify(res.body)}`);
    return { id: String(a), commentId: String(res.body.id) };
  }
  if (path.includes(':fileId')) {
    const e = fresh ? await evidence() : world.evidence;
    return { id: String(e.activity), fileId: String(e.file) };
  }
  if (path.includes(':chart')) out.chart = path.includes('digest') ? 'share' : 'bars';
  if (path.includes('*path')) out.path = 'app.css';
  if (path.includes(':program')) out.program = 'service-industry-demo';
  if (path.includes(':file')) out.file = 'x.ics';
  if (path.includes(':period')) out.period = '2025';
  if (!path.includes(':id')) return out;
  const kind = /^\/(?:api\/v1\/|admin\/)?(?:reports\/)?([a-z]+)/.exec(path)![1];
  const id: Record<string, () => Promise<number>> = {
    units: async () => (fresh ? (await createUnit(t, admin)).id : world.unit),
    activities: async () =>
      fresh
        ? activity(/\/(verify|reject|request-changes|comments)$/.test(path) ? 'submitted' : 'draft')
        : world.activity,
    review: () => activity('submitted'),
    evidence: async () => (fresh ? (await evidence()).file : world.evidence.file),
    users: async () => (fresh ? user() : world.user),
    outbox: async () => world.outbox,
    robots: robot,
    integrity: duplicate,
    duplicates: duplicate,
  };
  if (!id[kind]) throw new Error(`no record for ${path}`);
  out.id = String(await id[kind]());
  return out;
}

const fill = (path: string, values: Record<string, string>) =>
  path.replace(/[:*]([A-Za-z]+)/g, (_m, name: string) => values[name]);

/** Hostile values for one field, chosen by the rules it is validated with. */
function fieldValues(f: DtoField, where: 'query' | 'body'): unknown[] {
  const numeric = f.rules.some((r) => NUMERIC.has(r));
  const dateLike = f.rules.includes('isISO8601') || /date|start|end|from|to$|period|month/i.test(f.name);
  if (where === 'query') {
    return [
      ...(numeric ? ['abc', '-1', '1e3', HUGE] : []),
      ...(dateLike ? ['2026-02-30', '2026-13'] : []),
      '',
      LONG_10K,
      ['1', '2'],
      { $ne: 'x' },
      ...(numeric ? [] : ['a\u0000b', '%_\'"; drop table units; --']),
    ];
  }
  return [
    ...(numeric ? ['12', -1, 1e308, HUGE] : [123, 'a\u0000b', '   ', '\ud800', '😀'.repeat(300)]),
    ...(dateLike ? ['2026-02-30', '2026-02-29T25:00'] : []),
    null,
    { $ne: 'x', nested: { deeper: ['a'] } },
    [{ a: 1 }],
    LONG_100K,
  ];
}

function queryString(key: string, value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => `${key}=${encodeURIComponent(String(v))}`).join('&');
  if (value && typeof value === 'object')
    return Object.entries(value)
      .map(([k, v]) => `${key}[${encodeURIComponent(k)}]=${encodeURIComponent(String(v))}`)
      .join('&');
  return `${key}=${encodeURIComponent(String(value))}`;
}

const GENERIC_QUERIES = [
  'page=1&page=2',
  'x[]=1',
  'status[$ne]=x',
  'unitId=abc&pageSize=-1',
  `q=${LONG_10K}`,
  'from=2026-02-30&to=2026-13-01&date=2026-02-30&period=2026-00&year=1e3',
  '=&&=x&page=',
  '__proto__[admin]=1&constructor[prototype][x]=1',
  'lang=xx',
];

/** Broken or disguised files: [name, content, declared type]. */
const HOSTILE_FILES: [string, Buffer, string][] = [
  ['empty.csv', Buffer.alloc(0), 'text/csv'],
  ['png.xlsx', PNG, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  [
    'broken-zip.xlsx',
    Buffer.concat([Buffer.from('PK\u0003\u0004', 'latin1'), randomBytes(2000)]),
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ],
  ['quotes.csv', Buffer.from('名称,统一社会信用代码\n"unterminated,1\n'), 'text/csv'],
  ['wide.csv', Buffer.from(Array.from({ length: 5000 }, (_, i) => `c${i}`).join(',') + '\n'), 'text/csv'],
  ['gbk.csv', Buffer.from([0xc3, 0xfb, 0xb3, 0xc6, 0x2c, 0x0a, 0xff, 0xfe, 0x00]), 'text/csv'],
  ['truncated.pdf', Buffer.from('%PDF-1.4\n1 0 obj'), 'application/pdf'],
  ['script.png', Buffer.from('<html><script>alert(1)</script></html>'), 'image/png'],
  ['random.bin', randomBytes(4096), 'application/octet-stream'],
];

/** A valid body for the main create routes (fresh e-mail and credit code each time). */
const BASES: Record<string, () => object> = {
  'POST /api/v1/units': () => unitPayload(),
  'POST /api/v1/users': () => ({
    email: `no500-base-${++emailSeq}@example.cn`,
    name: '用户',
    password: PASSWORD,
    role: 'unit',
    unitId: world.unit,
  }),
  'POST /api/v1/activities': () => ({
    unitId: world.unit,
    requirement: 'exchange_events',
    date: DAY,
    title: '交流会',
    location: '会议中心',
  }),
  'POST /api/v1/reviews/bulk': () => ({ ids: [world.activity], action: 'reject', reason: '材料不全' }),
  'POST /api/v1/reports/runs': () => ({ period: '2025-05' }),
  'POST /api/v1/integrity/duplicates/:id/explain': () => ({ note: '联合举办' }),
  // A fresh unit's cycle (2024-07-01..2026-06-30) starts its first period on 2024-07-01.
  'PUT /api/v1/units/:id/targets': () => ({
    targets: [{ requirement: 'exchange_events', periodStart: '2024-07-01', minimum: 2, reason: '任务书' }],
  }),
};

/** Fields a page form may read from its (un-typed) body: most of what the API DTOs take. */
let PAGE_FIELDS: DtoField[] = [];

function probes(method: string, path: string, valid: Record<string, string>, route: RouteInputs): Probe[] {
  const url = fill(path, valid);
  const out: Probe[] = [];
  const none: Body = { kind: 'none' };
  // Path parameters, one at a time, the others valid.
  for (const name of Object.keys(valid))
    for (const v of PATH_VALUES)
      out.push({ label: `${name}=${v}`, url: fill(path, { ...valid, [name]: v }), body: none });
  if (path.includes('*path')) out.push({ label: 'traversal', url: '/assets/../../etc/passwd', body: none });
  if (path.includes('*path'))
    out.push({ label: 'encoded traversal', url: '/assets/..%2F..%2Fpackage.json', body: none });
  // Query strings: generic shapes, then each declared field with values of the wrong kind.
  for (const q of GENERIC_QUERIES) out.push({ label: `?${q.slice(0, 60)}`, url: `${url}?${q}`, body: none });
  for (const f of route.query ?? [])
    for (const v of fieldValues(f, 'query')) {
      const q = queryString(f.name, v);
      out.push({ label: `?${q.slice(0, 60)}`, url: `${url}?${q}`, body: none });
    }
  if (method === 'GET') return out;
  // Bodies.
  const raw = (label: string, type: string, text: string | Buffer) =>
    out.push({ label, url, body: { kind: 'raw', type, text } });
  raw('malformed JSON', 'application/json', '{"title": "a",');
  raw('JSON with a BOM and garbage', 'application/json', '\uFEFF{]');
  raw('__proto__ key', 'application/json', '{"__proto__": {"role": "admin", "isAdmin": true}, "title": "x"}');
  raw('constructor key', 'application/json', '{"constructor": {"prototype": {"role": "admin"}}}');
  raw('text/plain', 'text/plain', 'hello');
  raw('unknown content type', 'application/x-weird', 'a=1');
  raw('JSON charset latin1', 'application/json; charset=latin1', '{}');
  raw('JSON charset bogus', 'application/json; charset=utf-99', '{}');
  raw(
    'urlencoded for JSON',
    'application/x-www-form-urlencoded',
    'title=1&title=2&unitId[$ne]=1&__proto__=x',
  );
  raw('oversized JSON', 'application/json', JSON.stringify({ title: 'x'.repeat(1_100_000) }));
  raw('oversized form', 'application/x-www-form-urlencoded', `title=${'x'.repeat(1_100_000)}`);
  raw('deeply nested JSON', 'application/json', '['.repeat(5000) + ']'.repeat(5000));
  for (const value of [[], null, 42, 'text', true, [{ title: 'x' }], {}, { unknownField: 1 }])
    out.push({ label: `JSON ${JSON.stringify(value)}`, url, body: { kind: 'json', value } });
  out.push({ label: 'multipart without a file', url, body: { kind: 'multipart', fields: { title: 'x' } } });
  // Uploads (and the page forms that may carry them) get files with hostile names.
  if (/evidence$|import$|comments$|^\/activities/.test(path))
    for (const name of ['a\u0000b.png', '../../etc/passwd', '长'.repeat(300) + '.png', ''])
      out.push({
        label: `file named ${JSON.stringify(name).slice(0, 30)}`,
        url,
        body: { kind: 'file', name },
      });
  // Files whose content is not what their name and type say, or is broken.
  if (/evidence$|import$|comments$/.test(path))
    for (const [name, content, type] of HOSTILE_FILES)
      out.push({ label: `file ${name}`, url, body: { kind: 'file', name, content, type } });
  // Declared fields one at a time; an un-typed page form gets them all at once below.
  const fields = route.body ?? (path.startsWith('/api/') ? [] : PAGE_FIELDS);
  // Each declared field wrong in turn; where a valid body is known, the rest of it is valid, so what
  // passes validation reaches the service.
  const base = BASES[`${method} ${path}`] ?? (() => ({}));
  for (const f of route.body ?? [])
    for (const v of fieldValues(f, 'body'))
      out.push({
        label: `${f.name}=${JSON.stringify(v)?.slice(0, 40)}`,
        url,
        body: { kind: 'json', value: () => ({ ...base(), [f.name]: v }) },
      });
  if (!path.startsWith('/api/')) {
    // Forms as a browser sends them, with every field at once: repeated, bracketed, long.
    const form = (label: string, value: (name: string) => string | string[]) =>
      out.push({
        label,
        url,
        body: { kind: 'form', fields: Object.fromEntries(fields.map((f) => [f.name, value(f.name)])) },
      });
    form('form: repeated fields', () => ['1', '2']);
    form('form: wrong types', (n) => (/date|start|end/i.test(n) ? '2026-02-30' : 'abc'));
    form('form: long values', () => LONG_10K);
    form('form: empty values', () => '');
    out.push({
      label: 'form: bracket keys',
      url,
      body: { kind: 'form', fields: { 'ids[]': '1', 'a[b]': 'c' } },
    });
  }
  return out;
}

function send(method: string, p: Probe, api: boolean, who = { bearer: admin, cookie }): Test {
  const m = method.toLowerCase() as 'get' | 'post' | 'patch' | 'delete' | 'put';
  let req = t.http[m](p.url);
  if (api) req = req.set(auth(who.bearer));
  else req = req.set('Cookie', `sid=${who.cookie.sid}`).set('x-csrf-token', who.cookie.csrf);
  const b = p.body;
  if (b.kind === 'json') {
    const value: unknown = typeof b.value === 'function' ? (b.value as () => unknown)() : b.value;
    return req.set('Content-Type', 'application/json').send(JSON.stringify(value));
  }
  if (b.kind === 'raw') return req.set('Content-Type', b.type).send(b.text);
  if (b.kind === 'form') {
    const fields = { ...b.fields, _csrf: who.cookie.csrf };
    const text = Object.entries(fields)
      .flatMap(([k, v]) => [v].flat().map((x) => `${encodeURIComponent(k)}=${encodeURIComponent(x)}`))
      .join('&');
    return req.set('Content-Type', 'application/x-www-form-urlencoded').send(text);
  }
  if (b.kind === 'file') {
    const field = p.url.includes('/import') || /\/comments(\?|$)/.test(p.url) ? 'file' : 'files';
    return req
      .field('_csrf', who.cookie.csrf)
      .attach(field, b.content ?? PNG, { filename: b.name, contentType: b.type ?? 'image/png' });
  }
  if (b.kind === 'multipart') {
    for (const [k, v] of Object.entries({ ...b.fields, _csrf: who.cookie.csrf })) req = req.field(k, v);
    return req;
  }
  return req;
}

/**
 * Row counts of every table but sessions, and the recorded changes (failed sign-ins, and the wrong
 * current passwords the throttle counts like them, are not changes; soft deletes and updates show here,
 * not in the counts), in one query.
 */
async function snapshot(): Promise<Record<string, number>> {
  const tables = Object.values(t.orm.getMetadata().getAll())
    .map((m) => m.tableName)
    .filter((name) => name && !['sessions', 'audit_log', 'login_failures'].includes(name));
  const sql = [
    ...tables.map((name) => `select '${name}' as t, count(*) as n from "${name}"`),
    `select 'changes' as t, count(*) as n from "audit_log" where "action" <> 'login_failed'`,
  ].join(' union all ');
  const rows = (await t.orm.em.fork().getConnection().execute(sql)) as { t: string; n: number | string }[];
  return Object.fromEntries(rows.map((r) => [r.t, Number(r.n)]));
}

function problem(method: string, p: Probe, res: Response, api: boolean): string | undefined {
  const where = `${method} ${p.url.slice(0, 120)} [${p.label}]`;
  if (res.status >= 500) return `${where} → ${res.status} ${res.text.slice(0, 200)}`;
  if (api && res.status >= 400) {
    const json = /json/.test(String(res.headers['content-type']));
    let body: { statusCode?: unknown } | undefined;
    try {
      body = JSON.parse(res.text || (Buffer.isBuffer(res.body) ? res.body.toString('utf8') : ''));
    } catch {
      body = undefined;
    }
    if (!json || typeof body?.statusCode !== 'number')
      return `${where} → ${res.status} not a JSON error (${res.headers['content-type']}): ${res.text?.slice(0, 120)}`;
  }
  return undefined;
}

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login(ADMIN.email, ADMIN.password);
  cookie = await session();
  inputs = routeInputs(t.app);
  const names = new Map<string, DtoField>();
  for (const [name, r] of inputs)
    if (name.includes('/api/v1/')) for (const f of r.body ?? []) names.set(f.name, f);
  PAGE_FIELDS = [...names.values()];
  const unit = (await createUnit(t, admin, { name: '加固测试单位', province: '44' })).id;
  const other = (await createUnit(t, admin, { name: '省外单位', province: '33' })).id;
  world = { unit, user: 0, activity: 0, evidence: { activity: 0, file: 0 }, outbox: 0, other };
  world.user = await user();
  world.activity = await activity();
  world.evidence = await evidence();
  await ok(
    await t.http.post('/api/v1/reports/runs').set(auth(admin)).send({ period: '2025-05' }),
    201,
    'run',
  );
  tokens = {
    unit: await createUser(
      t,
      admin,
      { email: 'no500-unit@example.cn', role: 'unit', unitId: unit },
      PASSWORD,
    ),
    supervisor: await createUser(
      t,
      admin,
      { email: 'no500-sup@example.cn', role: 'supervisor', provinces: ['44'] },
      PASSWORD,
    ),
  };
  world.outbox = (
    await t.orm.em.fork().findOneOrFail(OutboxMessage, { id: { $gt: 0 } }, { orderBy: { id: 'asc' } })
  ).id;
});
afterAll(() => t.close());

describe('no input yields a 500', () => {
  it('knows every route of the app', () => {
    const routes = listRoutes(t.app, (p) => !ignored(p)).map(routeName);
    expect(routes.filter((r) => !ROUTES.includes(r))).toEqual([]);
    expect(ROUTES.filter((r) => !routes.includes(r))).toEqual([]);
  });

  it.each(ROUTES)('%s', async (name) => {
    const [method, path] = name.split(' ');
    const api = path.startsWith('/api/') || path.startsWith('/health');
    let who = { bearer: admin, cookie };
    const list = probes(method, path, await params(method, path), inputs.get(name) ?? {});
    const problems: string[] = [];
    const changing = method !== 'GET';
    let before = changing ? await snapshot() : {};
    for (const p of list) {
      // Signing out ends the session it is sent with, so each attempt brings its own.
      if (name.endsWith('/logout')) {
        const s = await session();
        who = { bearer: s.sid, cookie: s };
      }
      const res = await send(method, p, api, who);
      const bad = problem(method, p, res, api);
      if (bad) problems.push(bad);
      if (!changing) continue;
      // A refused request must leave everything as it was; an accepted one sets the new baseline.
      const after = await snapshot();
      if (res.status >= 400 && JSON.stringify(after) !== JSON.stringify(before))
        problems.push(
          `${method} ${p.url} [${p.label}] → ${res.status} but changed ${JSON.stringify({ before, after })}`,
        );
      before = after;
    }
    expect(problems).toEqual([]);
  });
});

describe('unit users and supervisors sending bad or out-of-bounds changes', () => {
  type Role = keyof typeof tokens;
  interface Case {
    role: Role;
    method: 'post' | 'patch' | 'put' | 'delete';
    /** The path, given a fresh draft and a fresh submitted activity of `unit` (own or other province). */
    path: (a: { draft: number; submitted: number }) => string;
    /** The JSON sent, or a function making it once the records exist. */
    body?: unknown;
    unit?: 'own' | 'other';
    status: number;
    /** The field a 400 must name. */
    field?: string;
  }
  const activityBody = { requirement: 'exchange_events', date: DAY, title: '交流会', location: '会议中心' };
  const CASES: [string, Case][] = [
    [
      'unit user creates an activity with an object for a title',
      {
        role: 'unit',
        method: 'post',
        path: () => '/api/v1/activities',
        body: { ...activityBody, title: { $ne: 1 } },
        status: 400,
        field: 'title',
      },
    ],
    [
      'unit user creates an activity for a negative unit id',
      {
        role: 'unit',
        method: 'post',
        path: () => '/api/v1/activities',
        body: { ...activityBody, unitId: -1 },
        status: 400,
        field: 'unitId',
      },
    ],
    [
      'unit user creates an activity for a unit of another province',
      {
        role: 'unit',
        method: 'post',
        path: () => '/api/v1/activities',
        body: () => ({ ...activityBody, unitId: world.other }),
        // Unit users name no unit but their own; the rule says so rather than hiding the other one.
        status: 400,
        field: 'unitId',
      },
    ],
    [
      'unit user marks its own activity verified through an update',
      {
        role: 'unit',
        method: 'patch',
        path: (a) => `/api/v1/activities/${a.draft}`,
        body: { status: 'verified' },
        status: 400,
        field: 'status',
      },
    ],
    [
      'unit user sends an impossible date',
      {
        role: 'unit',
        method: 'patch',
        path: (a) => `/api/v1/activities/${a.draft}`,
        body: { date: '2026-02-30' },
        status: 400,
        field: 'date',
      },
    ],
    [
      'unit user verifies its own submission',
      { role: 'unit', method: 'post', path: (a) => `/api/v1/activities/${a.submitted}/verify`, status: 403 },
    ],
    [
      'unit user bulk-verifies',
      {
        role: 'unit',
        method: 'post',
        path: () => '/api/v1/reviews/bulk',
        body: { ids: [1], action: 'verify' },
        status: 403,
      },
    ],
    [
      'unit user makes itself an administrator',
      {
        role: 'unit',
        method: 'patch',
        path: () => '/api/v1/auth/me',
        body: { locale: 'en', role: 'admin' },
        status: 400,
        field: 'role',
      },
    ],
    [
      'unit user clears its language',
      {
        role: 'unit',
        method: 'patch',
        path: () => '/api/v1/auth/me',
        body: { locale: null },
        status: 400,
        field: 'locale',
      },
    ],
    [
      'unit user asks for rejections hourly',
      {
        role: 'unit',
        method: 'put',
        path: () => '/api/v1/me/notices',
        body: { rejected: 'hourly' },
        status: 400,
        field: 'rejected',
      },
    ],
    [
      'unit user clears a notice choice',
      {
        role: 'unit',
        method: 'put',
        path: () => '/api/v1/me/notices',
        body: { verified: null },
        status: 400,
        field: 'verified',
      },
    ],
    [
      'unit user renames its unit',
      {
        role: 'unit',
        method: 'patch',
        path: () => `/api/v1/units/${world.unit}`,
        body: { name: '新名称' },
        status: 403,
      },
    ],
    [
      'unit user deletes an activity of another province',
      {
        role: 'unit',
        method: 'delete',
        path: (a) => `/api/v1/activities/${a.draft}`,
        unit: 'other',
        status: 404,
      },
    ],
    [
      'supervisor rejects with a number for a reason',
      {
        role: 'supervisor',
        method: 'post',
        path: (a) => `/api/v1/activities/${a.submitted}/reject`,
        body: { reason: 42 },
        status: 400,
        field: 'reason',
      },
    ],
    [
      'supervisor rejects with a 100 kB reason',
      {
        role: 'supervisor',
        method: 'post',
        path: (a) => `/api/v1/activities/${a.submitted}/reject`,
        body: { reason: LONG_100K },
        status: 400,
        field: 'reason',
      },
    ],
    [
      'supervisor verifies outside the province',
      {
        role: 'supervisor',
        method: 'post',
        path: (a) => `/api/v1/activities/${a.submitted}/verify`,
        unit: 'other',
        status: 404,
      },
    ],
    [
      'supervisor bulk-reviews with ids of the wrong kind',
      {
        role: 'supervisor',
        method: 'post',
        path: () => '/api/v1/reviews/bulk',
        body: { ids: ['1', { $gt: 0 }, HUGE], action: 'verify' },
        status: 400,
        field: 'ids',
      },
    ],
    [
      'supervisor bulk-reviews 10,000 ids',
      {
        role: 'supervisor',
        method: 'post',
        path: () => '/api/v1/reviews/bulk',
        body: { ids: Array.from({ length: 10_000 }, (_, i) => i + 1), action: 'verify' },
        status: 400,
        field: 'ids',
      },
    ],
    [
      'supervisor bulk-rejects without a reason',
      {
        role: 'supervisor',
        method: 'post',
        path: () => '/api/v1/reviews/bulk',
        body: { ids: [1], action: 'reject', reason: null },
        status: 400,
        field: 'reason',
      },
    ],
    [
      'supervisor moves a unit to another province',
      {
        role: 'supervisor',
        method: 'patch',
        path: () => `/api/v1/units/${world.unit}`,
        body: { province: '33' },
        status: 403,
      },
    ],
    [
      'supervisor creates an administrator',
      {
        role: 'supervisor',
        method: 'post',
        path: () => '/api/v1/users',
        body: { email: 'x@example.cn', name: 'x', password: PASSWORD, role: 'admin' },
        status: 403,
      },
    ],
  ];

  it.each(CASES)('%s', async (_label, c) => {
    const unitId = c.unit === 'other' ? world.other : world.unit;
    const a = { draft: await activity('draft', unitId), submitted: await activity('submitted', unitId) };
    const before = await snapshot();
    let req = t.http[c.method](c.path(a)).set(auth(tokens[c.role]));
    const body: unknown = typeof c.body === 'function' ? (c.body as () => unknown)() : c.body;
    if (body !== undefined) req = req.set('Content-Type', 'application/json').send(JSON.stringify(body));
    const res = await req;
    expect({ status: res.status, body: res.status === c.status ? undefined : res.body }).toEqual({
      status: c.status,
      body: undefined,
    });
    expect(res.headers['content-type']).toMatch(/json/);
    expect(res.body.statusCode).toBe(c.status);
    expect(res.body.messageZh).toEqual(expect.any(String));
    if (c.field)
      expect(res.body.errors).toContainEqual(
        expect.objectContaining({ field: c.field, rule: expect.any(String) }),
      );
    expect(await snapshot()).toEqual(before);
  });
});

describe('what refused bodies are told', () => {
  it('JSON nested deeper than 32 levels is refused, naming the rule', async () => {
    const res = await t.http
      .post('/api/v1/units')
      .set(auth(admin))
      .set('Content-Type', 'application/json')
      .send('{"name":' + '['.repeat(40) + ']'.repeat(40) + '}');
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'body', rule: 'maxDepth' })]);
  });

  it('a body of 60,000 unknown keys is refused before validation, with one short error, signed in or not', async () => {
    const body = JSON.stringify(Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`k${i}`, i])));
    expect(body.length).toBeLessThan(1024 * 1024);
    for (const req of [
      t.http.post('/api/v1/auth/login'),
      t.http.post('/api/v1/activities').set(auth(admin)),
    ]) {
      const res = await req.set('Content-Type', 'application/json').send(body);
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'body', rule: 'maxKeys' })]);
      // Refused before validation: one error, not one per key.
      expect(res.text.length).toBeLessThan(1000);
    }
    // Up to the limit a body still reaches the rules, which name the fields they miss.
    const wide = Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`k${i}`, i]));
    const res = await t.http.post('/api/v1/activities').set(auth(admin)).send(wide);
    expect(res.status).toBe(400);
    expect(res.body.errors).toContainEqual(expect.objectContaining({ field: 'requirement' }));
    expect(res.body.errors).not.toContainEqual(expect.objectContaining({ rule: 'maxKeys' }));
  });

  it.each([
    ['a NUL character', { name: 'a\u0000b' }, 'name', 'noNul'],
    ['half a surrogate pair', { contacts: [{ name: '\ud800' }] }, 'contacts.0.name', 'wellFormed'],
  ])('text with %s is refused before it reaches the database', async (_label, body, field, rule) => {
    const res = await t.http.patch(`/api/v1/units/${world.unit}`).set(auth(admin)).send(body);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field, rule })]);
    const query = await t.http.get('/api/v1/units?q=a%00b').set(auth(admin));
    expect(query.status).toBe(400);
    expect(query.body.errors).toEqual([expect.objectContaining({ field: 'q', rule: 'noNul' })]);
  });

  it('a body no parser reads counts as empty, so the rules name the missing fields', async () => {
    const res = await t.http
      .post('/api/v1/units')
      .set(auth(admin))
      .set('Content-Type', 'text/plain')
      .send('x');
    expect(res.status).toBe(400);
    expect(res.body.errors).toContainEqual(expect.objectContaining({ field: 'name', rule: 'isString' }));
  });

  it('null for a field that may only be left out is refused by its rules', async () => {
    const res = await t.http
      .patch(`/api/v1/units/${world.unit}`)
      .set(auth(admin))
      .send({ name: null, contacts: null });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'name', rule: 'isString' }),
        expect.objectContaining({ field: 'contacts', rule: 'isArray' }),
      ]),
    );
  });
});

describe('hostile headers', () => {
  const HEADERS: [string, Record<string, string>][] = [
    ['a 10 kB bearer token', { authorization: `Bearer ${LONG_10K}` }],
    ['a non-bearer scheme', { authorization: 'Basic YWRtaW46YWRtaW4=' }],
    ['an empty bearer token', { authorization: 'Bearer ' }],
    ['a bearer token with a NUL', { authorization: 'Bearer a%00b' }],
    ['a broken session cookie', { cookie: 'sid=%E0%A4%A; lang=%' }],
    ['a session cookie of 10 kB', { cookie: `sid=${LONG_10K}` }],
    ['a language cookie with markup', { cookie: 'lang=<script>alert(1)</script>' }],
    ['a garbage Accept-Language', { 'accept-language': ';;;q=x,*;q=-1,' + 'zz-'.repeat(1000) }],
    ['a garbage Accept', { accept: 'text/html;q=abc, application/json;;' }],
  ];
  const PATHS = ['/api/v1/auth/me', '/api/v1/units?page=1', '/', '/overview', '/login'];
  it.each(HEADERS)('%s', async (_label, headers) => {
    for (const path of PATHS) {
      const res = await t.http.get(path).set(headers);
      expect({ path, status: res.status < 500 }).toEqual({ path, status: true });
      if (path.startsWith('/api/')) expect(res.status).toBe(401);
    }
    const post = await t.http
      .post('/api/v1/activities')
      .set({ ...headers, 'x-csrf-token': 'x'.repeat(1000) })
      .send({ title: 'x' });
    expect(post.status).toBe(401);
  });
});
