import type { AbstractSqlConnection } from '@mikro-orm/knex';
import { Session, User } from '@app/db';
import { ADMIN, createTestApp, type TestApp } from '../support/test-app';
import { auth, createUnit, createUser } from '../fixtures/units';

/*
 * The caller of every request is found with one read (session joined to its user, as a plain row) and
 * nothing is written: the principal carries the same fields as before, expired sessions and inactive
 * users are refused, and using a session does not extend it.
 */

describe('session lookup per request', () => {
  let t: TestApp;
  let admin: string;
  let unitId: number;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.login(ADMIN.email, ADMIN.password);
    unitId = (await createUnit(t, admin, { province: '44' })).id;
  });
  afterAll(() => t.close());

  async function statements(fn: () => Promise<unknown>): Promise<string[]> {
    const sql: string[] = [];
    const knex = (t.orm.em.getConnection() as AbstractSqlConnection).getKnex();
    const record = (q: { sql: string }) => sql.push(q.sql);
    knex.on('query', record);
    try {
      await fn();
    } finally {
      knex.off('query', record);
    }
    return sql;
  }

  it('gives each role its fields: unit, provinces, locale', async () => {
    const unitToken = await createUser(t, admin, {
      email: 'lookup-unit@example.cn',
      role: 'unit',
      unitId,
    });
    const supToken = await createUser(t, admin, {
      email: 'lookup-sup@example.cn',
      role: 'supervisor',
      provinces: ['44', '33'],
    });
    const me = async (token: string) => (await t.http.get('/api/v1/auth/me').set(auth(token))).body;
    expect(await me(unitToken)).toMatchObject({
      email: 'lookup-unit@example.cn',
      role: 'unit',
      unitId,
      provinces: [],
      locale: 'zh',
    });
    expect(await me(supToken)).toMatchObject({
      role: 'supervisor',
      unitId: null,
      provinces: ['44', '33'],
    });
    expect(await me(admin)).toMatchObject({ email: ADMIN.email, role: 'admin', unitId: null });
  });

  it('reads once and writes nothing per request; the session is not extended by use', async () => {
    const before = await t.orm.em.fork().find(Session, {}, { orderBy: { tokenHash: 'asc' } });
    const sql = await statements(() => t.http.get('/api/v1/auth/me').set(auth(admin)));
    expect(sql).toHaveLength(1);
    expect(sql[0]).toMatch(/^select /i);
    await t.http.get('/api/v1/units').set(auth(admin));
    const after = await t.orm.em.fork().find(Session, {}, { orderBy: { tokenHash: 'asc' } });
    expect(after.map((s) => [s.tokenHash, s.expiresAt.getTime()])).toEqual(
      before.map((s) => [s.tokenHash, s.expiresAt.getTime()]),
    );
  });

  it('refuses the sessions of a deactivated user, and expired sessions', async () => {
    const token = await createUser(t, admin, {
      email: 'lookup-gone@example.cn',
      role: 'supervisor',
      provinces: ['44'],
    });
    expect((await t.http.get('/api/v1/auth/me').set(auth(token))).status).toBe(200);
    await t.orm.em.fork().nativeUpdate(User, { email: 'lookup-gone@example.cn' }, { active: false });
    expect((await t.http.get('/api/v1/auth/me').set(auth(token))).status).toBe(401);
    await t.orm.em.fork().nativeUpdate(User, { email: 'lookup-gone@example.cn' }, { active: true });
    expect((await t.http.get('/api/v1/auth/me').set(auth(token))).status).toBe(200);

    const user = await t.orm.em.fork().findOneOrFail(User, { email: 'lookup-gone@example.cn' });
    await t.orm.em
      .fork()
      .nativeUpdate(Session, { user: user.id }, { expiresAt: new Date(Date.now() - 1000) });
    expect((await t.http.get('/api/v1/auth/me').set(auth(token))).status).toBe(401);
  });
});
