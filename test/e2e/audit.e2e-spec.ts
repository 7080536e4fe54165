import { AuditLog, User } from '@app/db';
import { todayIn } from '@app/compliance';
import { ADMIN, createTestApp, type TestApp } from '../support/test-app';
import { auth, counts, createUnit, scopeWorld } from '../fixtures/units';

interface Entry {
  id: number;
  at: string;
  actorId: number | null;
  actorEmail: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  changes: Record<string, unknown> | null;
}

describe('audit log API', () => {
  let t: TestApp;
  let w: Awaited<ReturnType<typeof scopeWorld>>;
  let adminId: number;
  beforeAll(async () => {
    t = await createTestApp();
    w = await scopeWorld(t);
    adminId = (await t.orm.em.fork().findOneOrFail(User, { email: ADMIN.email })).id;
  });
  afterAll(() => t.close());

  const list = (query: Record<string, unknown>, token = w.admin) =>
    t.http.get('/api/v1/audit').query(query).set(auth(token));

  it("shows a unit's create, update and delete with their diffs, newest first", async () => {
    const u = await createUnit(t, w.admin, { name: '审计示范单位', industry: '旅游' });
    await t.http.patch(`/api/v1/units/${u.id}`).set(auth(w.admin)).send({ name: '审计示范单位（更名）' });
    await t.http.delete(`/api/v1/units/${u.id}`).set(auth(w.admin));

    const res = await list({ entity: 'unit', entityId: String(u.id) });
    expect(res.status).toBe(200);
    const items = res.body.items as Entry[];
    expect(res.body.total).toBe(3);
    expect(items.map((e) => e.action)).toEqual(['delete', 'update', 'create']);
    expect(items.every((e) => e.actorId === adminId && e.actorEmail === ADMIN.email)).toBe(true);
    expect(items[2].changes).toMatchObject({ name: [null, '审计示范单位'], industry: [null, '旅游'] });
    expect(items[1].changes).toEqual({ name: ['审计示范单位', '审计示范单位（更名）'] });
    expect(items[0].changes).toMatchObject({
      creditCode: u.creditCode,
      deletedAt: [null, expect.any(String)],
    });
    expect(new Date(items[0].at).getTime()).toBeGreaterThanOrEqual(new Date(items[2].at).getTime());
  });

  it('filters by action, actor and day (Asia/Shanghai), and pages', async () => {
    const creates = await list({ action: 'create', entity: 'unit' });
    expect(creates.body.items.length).toBeGreaterThanOrEqual(4);
    expect(creates.body.items.every((e: Entry) => e.action === 'create' && e.entity === 'unit')).toBe(true);

    const supId = (await t.orm.em.fork().findOneOrFail(User, { email: 'sup-a@example.cn' })).id;
    const bySup = await list({ actorId: supId });
    expect(bySup.body.items.length).toBeGreaterThan(0);
    expect(bySup.body.items.every((e: Entry) => e.actorId === supId && e.action === 'login')).toBe(true);

    const today = todayIn();
    const all = await list({ pageSize: 500 });
    expect((await list({ from: today, to: today, pageSize: 500 })).body.total).toBe(all.body.total);
    expect((await list({ to: '2020-01-01' })).body.total).toBe(0);
    expect((await list({ from: '2999-01-01' })).body.total).toBe(0);

    const page1 = await list({ pageSize: 2, page: 1 });
    const page2 = await list({ pageSize: 2, page: 2 });
    expect(page1.body.items).toHaveLength(2);
    const ids = [...page1.body.items, ...page2.body.items].map((e: Entry) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(all.body.items.map((e: Entry) => e.id)).toEqual(
      all.body.items.map((e: Entry) => e.id).sort((a: number, b: number) => b - a),
    );
  });

  it.each([
    [{ from: '2024-13-01' }, 'from'],
    [{ to: 'yesterday' }, 'to'],
    [{ from: '2025-02-01', to: '2025-01-01' }, 'to'],
    [{ actorId: 'me' }, 'actorId'],
    [{ action: 'x'.repeat(41) }, 'action'],
    [{ sort: 'at' }, 'sort'],
  ])('refuses %j with 400 naming %s', async (query, field) => {
    const before = await counts(t);
    const res = await list(query);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(await counts(t)).toEqual(before);
  });

  it('is for admins only', async () => {
    expect((await list({}, w.supervisor)).status).toBe(403);
    expect((await list({}, w.unitUser)).status).toBe(403);
    expect((await t.http.get('/api/v1/audit')).status).toBe(401);
    expect(await t.orm.em.fork().count(AuditLog, {})).toBeGreaterThan(0);
  });
});
