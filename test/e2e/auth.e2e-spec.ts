import { ADMIN, createTestApp, type TestApp } from '../support/test-app';
import { AuditLog, Session, User } from '@app/db';

describe('auth: login, sessions, CSRF, users', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('answers /health without signing in', async () => {
    const res = await t.http.get('/health');
    expect(res.status).toBe(200);
    expect(res.body.info.database.status).toBe('up');
  });

  it('created the first admin with an argon2id hash', async () => {
    const em = t.orm.em.fork();
    const admin = await em.findOneOrFail(User, { email: ADMIN.email }, { populate: ['passwordHash'] });
    expect(admin.role).toBe('admin');
    expect(admin.passwordHash.startsWith('$argon2id$')).toBe(true);
  });

  it('refuses a wrong password with 401 and records the attempt', async () => {
    const res = await t.http
      .post('/api/v1/auth/login')
      .send({ email: ADMIN.email, password: 'wrong-password' });
    expect(res.status).toBe(401);
    const em = t.orm.em.fork();
    expect(await em.count(AuditLog, { action: 'login_failed' })).toBeGreaterThan(0);
    expect(JSON.stringify(await em.find(AuditLog, {}))).not.toContain('wrong-password');
  });

  it('needs a session for the API', async () => {
    expect((await t.http.get('/api/v1/auth/me')).status).toBe(401);
    expect((await t.http.get('/api/v1/auth/me').set('authorization', 'Bearer nope')).status).toBe(401);
  });

  it('serves a bearer token and ends it on logout', async () => {
    const token = await t.login(ADMIN.email, ADMIN.password);
    const me = await t.http.get('/api/v1/auth/me').set('authorization', `Bearer ${token}`);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email: ADMIN.email, role: 'admin' });
    expect(me.body.tokenHash).toBeUndefined();
    expect((await t.http.post('/api/v1/auth/logout').set('authorization', `Bearer ${token}`)).status).toBe(
      204,
    );
    expect((await t.http.get('/api/v1/auth/me').set('authorization', `Bearer ${token}`)).status).toBe(401);
  });

  it('stores only a hash of the token, so sessions survive across instances but not leaks', async () => {
    const token = await t.login(ADMIN.email, ADMIN.password);
    const sessions = await t.orm.em.fork().find(Session, {});
    expect(sessions.some((s) => s.tokenHash === token)).toBe(false);
  });

  it('clears expired sessions when someone signs in', async () => {
    const token = await t.login(ADMIN.email, ADMIN.password);
    await t.orm.em.fork().nativeUpdate(Session, {}, { expiresAt: new Date(Date.now() - 1000) });
    expect((await t.http.get('/api/v1/auth/me').set('authorization', `Bearer ${token}`)).status).toBe(401);
    await t.login(ADMIN.email, ADMIN.password);
    expect(await t.orm.em.fork().count(Session, {})).toBe(1);
  });

  it('requires the CSRF token for state changes made with the cookie', async () => {
    const login = await t.http
      .post('/api/v1/auth/login')
      .send({ email: ADMIN.email, password: ADMIN.password });
    const cookie = login.headers['set-cookie'] as unknown as string[];
    expect(cookie.join(';')).toMatch(/sid=.*HttpOnly/i);
    const without = await t.http.patch('/api/v1/auth/me').set('Cookie', cookie).send({ locale: 'en' });
    expect(without.status).toBe(403);
    const withToken = await t.http
      .patch('/api/v1/auth/me')
      .set('Cookie', cookie)
      .set('x-csrf-token', login.body.csrfToken)
      .send({ locale: 'en' });
    expect(withToken.status).toBe(200);
    expect(withToken.body.locale).toBe('en');
  });

  it('lets the admin create a supervisor, refuses bad input and changes nothing', async () => {
    const token = await t.login(ADMIN.email, ADMIN.password);
    const before = await t.orm.em.fork().count(User, {});
    const bad = await t.http
      .post('/api/v1/users')
      .set('authorization', `Bearer ${token}`)
      .send({ email: 'not-an-email', name: 'x', password: 'short', role: 'supervisor', provinces: ['99'] });
    expect(bad.status).toBe(400);
    const fields = bad.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['email', 'password', 'provinces']));
    const noScope = await t.http
      .post('/api/v1/users')
      .set('authorization', `Bearer ${token}`)
      .send({ email: 'sup@x.cn', name: '监管', password: 'long-enough-1', role: 'supervisor' });
    expect(noScope.status).toBe(400);
    expect(noScope.body.errors[0]).toMatchObject({ field: 'provinces', rule: 'required' });
    expect(await t.orm.em.fork().count(User, {})).toBe(before);

    const ok = await t.http
      .post('/api/v1/users')
      .set('authorization', `Bearer ${token}`)
      .send({
        email: 'Sup@X.cn',
        name: '监管',
        password: 'long-enough-1',
        role: 'supervisor',
        provinces: ['44'],
      });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ email: 'sup@x.cn', role: 'supervisor', provinces: ['44'] });
    const dup = await t.http
      .post('/api/v1/users')
      .set('authorization', `Bearer ${token}`)
      .send({
        email: 'sup@x.cn',
        name: '监管',
        password: 'long-enough-1',
        role: 'supervisor',
        provinces: ['44'],
      });
    expect(dup.status).toBe(409);
    const supToken = await t.login('sup@x.cn', 'long-enough-1');
    expect((await t.http.get('/api/v1/users').set('authorization', `Bearer ${supToken}`)).status).toBe(403);
  });

  it.each([
    ['a common password', '1234567890'],
    ['ten spaces', ' '.repeat(10)],
    ['the own e-mail', 'zhao.lei@province.gov.cn'],
    ['the own e-mail in capitals', 'ZHAO.LEI@PROVINCE.GOV.CN'],
  ])(
    'refuses %s as a new user’s password: 400 naming password and passwordStrength',
    async (_what, password) => {
      const token = await t.login(ADMIN.email, ADMIN.password);
      const before = await t.orm.em.fork().count(User, {});
      const res = await t.http
        .post('/api/v1/users')
        .set('authorization', `Bearer ${token}`)
        .send({
          email: 'zhao.lei@province.gov.cn',
          name: '赵磊',
          password,
          role: 'supervisor',
          provinces: ['44'],
        });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([
        {
          field: 'password',
          rule: 'passwordStrength',
          message: expect.stringMatching(/^password is too easy to guess/),
        },
      ]);
      expect(res.body.messageZh).toContain('密码太容易被猜到');
      expect(await t.orm.em.fork().count(User, {})).toBe(before);
    },
  );

  it('refuses a weak new password when a user is updated, and keeps the old one', async () => {
    const token = await t.login(ADMIN.email, ADMIN.password);
    const created = await t.http
      .post('/api/v1/users')
      .set('authorization', `Bearer ${token}`)
      .send({
        email: 'qian.li@city.gov.cn',
        name: 'Qian Li',
        password: 'long-enough-1',
        role: 'supervisor',
        provinces: ['44'],
      });
    expect(created.status).toBe(201);
    for (const password of ['1234567890', 'qian.li@city.gov.cn', 'QianLi12345', 'Qian Li 1234']) {
      const res = await t.http
        .patch(`/api/v1/users/${created.body.id}`)
        .set('authorization', `Bearer ${token}`)
        .send({ password });
      expect(res.status).toBe(400);
      expect(res.body.errors[0]).toMatchObject({ field: 'password', rule: 'passwordStrength' });
    }
    await t.login('qian.li@city.gov.cn', 'long-enough-1');
    const ok = await t.http
      .patch(`/api/v1/users/${created.body.id}`)
      .set('authorization', `Bearer ${token}`)
      .send({ password: 'a-much-better-passphrase' });
    expect(ok.status).toBe(200);
    await t.login('qian.li@city.gov.cn', 'a-much-better-passphrase');
  });

  it("ends a user's sessions when the role or scope really changes, not when the same ones are sent again", async () => {
    const admin = await t.login(ADMIN.email, ADMIN.password);
    const created = await t.http
      .post('/api/v1/users')
      .set('authorization', `Bearer ${admin}`)
      .send({
        email: 'zhou.min@city.gov.cn',
        name: 'Zhou Min',
        password: 'long-enough-1',
        role: 'supervisor',
        provinces: ['44', '45'],
      });
    expect(created.status).toBe(201);
    const patch = (body: object) =>
      t.http.patch(`/api/v1/users/${created.body.id}`).set('authorization', `Bearer ${admin}`).send(body);
    const me = (token: string) => t.http.get('/api/v1/auth/me').set('authorization', `Bearer ${token}`);
    const token = await t.login('zhou.min@city.gov.cn', 'long-enough-1');
    expect((await patch({ name: '周敏', role: 'supervisor', provinces: ['45', '44'] })).status).toBe(200);
    expect((await me(token)).status).toBe(200);
    expect((await patch({ provinces: ['44'] })).status).toBe(200);
    expect((await me(token)).status).toBe(401);
  });
});
