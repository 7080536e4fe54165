import { AuditLog, OutboxMessage, PasswordReset, Session, User } from '@app/db';
import { OutboxWorker } from '@app/mail';
import { ADMIN, createTestApp, type TestApp } from '../support/test-app';
import { startSmtp, type TestSmtpServer } from '../support/smtp';

const PUBLIC_URL = 'https://tracker.example.gov.cn';
const OLD = 'quartz-lantern-harbor-41';
const NEW = 'violet-meadow-compass-87';
const NEWER = 'amber-orchard-telescope-19';

/** Own password change, and "forgot password" by e-mail through the outbox and a real SMTP server. */
describe('account: password change and reset by e-mail', () => {
  let t: TestApp;
  let smtp: TestSmtpServer;
  let worker: OutboxWorker;
  let admin: string;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  async function createUser(email: string, locale: 'zh' | 'en' = 'zh', password = OLD) {
    const res = await t.http
      .post('/api/v1/users')
      .set(bearer(admin))
      .send({
        email,
        name: `User ${email.split('@')[0]}`,
        password,
        role: 'supervisor',
        provinces: ['11'],
        locale,
      });
    expect(res.status).toBe(201);
    return res.body.id as number;
  }

  /** Sends what the outbox holds and returns the reset link of the newest mail to `to`. */
  async function mailedLink(to: string): Promise<{ url: URL; text: string; subject: string }> {
    const before = smtp.received.length;
    await worker.processDue();
    await smtp.waitFor(before + 1);
    const mail = smtp.received.filter((m) => m.to.includes(to)).at(-1)!;
    const text = mail.parsed.text ?? '';
    const match = /https:\/\/tracker\.example\.gov\.cn\/reset-password\?token=[\w-]+/.exec(text);
    expect(match).not.toBeNull();
    expect(mail.parsed.html).toContain(match![0]);
    return { url: new URL(match![0]), text, subject: mail.parsed.subject ?? '' };
  }

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await createTestApp({ SMTP_URL: smtp.url, PUBLIC_URL }, { today: '2026-06-01' });
    worker = t.app.get(OutboxWorker);
    admin = await t.login(ADMIN.email, ADMIN.password);
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  describe('changing one’s own password', () => {
    const email = 'changer@test.gov.cn';
    beforeAll(() => createUser(email));

    it('refuses a wrong current password with 400 naming currentPassword, changing nothing', async () => {
      const token = await t.login(email, OLD);
      const res = await t.http
        .post('/api/v1/auth/password')
        .set(bearer(token))
        .send({ currentPassword: 'not-my-password', newPassword: NEW });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ errors: [{ field: 'currentPassword', rule: 'wrongPassword' }] });
      await t.login(email, OLD);
    });

    it('applies the password rule to newPassword', async () => {
      const token = await t.login(email, OLD);
      const weak = await t.http
        .post('/api/v1/auth/password')
        .set(bearer(token))
        .send({ currentPassword: OLD, newPassword: 'password12' });
      expect(weak.status).toBe(400);
      expect(weak.body).toMatchObject({ errors: [{ field: 'newPassword', rule: 'passwordStrength' }] });
      const same = await t.http
        .post('/api/v1/auth/password')
        .set(bearer(token))
        .send({ currentPassword: OLD, newPassword: OLD });
      expect(same.body).toMatchObject({ errors: [{ field: 'newPassword', rule: 'unchanged' }] });
      const missing = await t.http
        .post('/api/v1/auth/password')
        .set(bearer(token))
        .send({ currentPassword: OLD });
      expect(missing.status).toBe(400);
    });

    it('needs a session', async () => {
      const res = await t.http.post('/api/v1/auth/password').send({ currentPassword: OLD, newPassword: NEW });
      expect(res.status).toBe(401);
    });

    it('changes it, ends every other session but keeps the current one, and the old password stops working', async () => {
      const other1 = await t.login(email, OLD);
      const other2 = await t.login(email, OLD);
      const current = await t.login(email, OLD);
      const adminBefore = await t.http.get('/api/v1/auth/me').set(bearer(admin));
      const res = await t.http
        .post('/api/v1/auth/password')
        .set(bearer(current))
        .send({ currentPassword: OLD, newPassword: NEW });
      expect(res.status).toBe(204);
      expect((await t.http.get('/api/v1/auth/me').set(bearer(current))).status).toBe(200);
      expect((await t.http.get('/api/v1/auth/me').set(bearer(other1))).status).toBe(401);
      expect((await t.http.get('/api/v1/auth/me').set(bearer(other2))).status).toBe(401);
      // Other users' sessions are untouched.
      expect(adminBefore.status).toBe(200);
      expect((await t.http.get('/api/v1/auth/me').set(bearer(admin))).status).toBe(200);
      const user = await t.orm.em.fork().findOneOrFail(User, { email });
      expect(await t.orm.em.fork().count(Session, { user: user.id })).toBe(1);
      const old = await t.http.post('/api/v1/auth/login').send({ email, password: OLD });
      expect(old.status).toBe(401);
      await t.login(email, NEW);
    });

    it('audits the change without the passwords', async () => {
      const user = await t.orm.em.fork().findOneOrFail(User, { email });
      const rows = await t.orm.em.fork().find(AuditLog, { entity: 'user', entityId: String(user.id) });
      expect(rows.map((r) => r.action)).toEqual(expect.arrayContaining(['password_changed', 'login_failed']));
      const all = JSON.stringify(await t.orm.em.fork().find(AuditLog, {}));
      for (const secret of [OLD, NEW, 'not-my-password']) expect(all).not.toContain(secret);
    });
  });

  describe('forgotten password by e-mail', () => {
    const email = 'forgetful@test.gov.cn';
    let userId: number;
    beforeAll(async () => {
      userId = await createUser(email, 'en');
    });

    it('answers an unknown address exactly like a known one and queues no mail for it', async () => {
      const queued = await t.orm.em.fork().count(OutboxMessage, {});
      const unknown = await t.http.post('/api/v1/auth/password-reset').send({ email: 'nobody@test.gov.cn' });
      expect(unknown.status).toBe(202);
      expect(await t.orm.em.fork().count(OutboxMessage, {})).toBe(queued);
      expect(await t.orm.em.fork().count(PasswordReset, {})).toBe(0);
      const known = await t.http.post('/api/v1/auth/password-reset').send({ email: email.toUpperCase() });
      expect(known.status).toBe(202);
      expect(known.body).toEqual(unknown.body);
      expect(await t.orm.em.fork().count(OutboxMessage, { kind: 'password_reset', recipient: email })).toBe(
        1,
      );
      await t.orm.em.fork().nativeDelete(PasswordReset, {});
      await t.orm.em.fork().nativeDelete(OutboxMessage, { kind: 'password_reset' });
    });

    it('refuses a malformed address with 400 naming email', async () => {
      const res = await t.http.post('/api/v1/auth/password-reset').send({ email: 'not an address' });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toContain('email');
    });

    it('mails a single-use link (stored only hashed) that sets the password and ends every session', async () => {
      const session = await t.login(email, OLD);
      expect((await t.http.post('/api/v1/auth/password-reset').send({ email })).status).toBe(202);
      const { url, text, subject } = await mailedLink(email);
      expect(subject).toBe('Reset your password');
      expect(text).toContain('within 60 minutes');
      const token = url.searchParams.get('token')!;
      const rows = await t.orm.em.fork().find(PasswordReset, { user: userId });
      expect(rows).toHaveLength(1);
      expect(rows[0].tokenHash).not.toContain(token);
      expect(rows[0].tokenHash).toMatch(/^[0-9a-f]{64}$/);

      const weak = await t.http
        .post('/api/v1/auth/password-reset/confirm')
        .send({ token, newPassword: 'abc' });
      expect(weak.status).toBe(400);
      expect(weak.body).toMatchObject({ errors: [{ field: 'newPassword', rule: 'minLength' }] });

      const res = await t.http.post('/api/v1/auth/password-reset/confirm').send({ token, newPassword: NEW });
      expect(res.status).toBe(204);
      expect((await t.http.get('/api/v1/auth/me').set(bearer(session))).status).toBe(401);
      expect((await t.http.post('/api/v1/auth/login').send({ email, password: OLD })).status).toBe(401);
      await t.login(email, NEW);

      const again = await t.http
        .post('/api/v1/auth/password-reset/confirm')
        .send({ token, newPassword: NEWER });
      expect(again.status).toBe(400);
      expect(again.body).toMatchObject({ errors: [{ field: 'token', rule: 'used' }] });
      await t.login(email, NEW);
    });

    it('refuses an expired link (one hour) and an unknown one, naming token', async () => {
      expect((await t.http.post('/api/v1/auth/password-reset').send({ email })).status).toBe(202);
      const token = (await mailedLink(email)).url.searchParams.get('token')!;
      t.clock!.offsetMs += 61 * 60_000;
      try {
        const res = await t.http
          .post('/api/v1/auth/password-reset/confirm')
          .send({ token, newPassword: NEWER });
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ errors: [{ field: 'token', rule: 'expired' }] });
      } finally {
        t.clock!.offsetMs -= 61 * 60_000;
      }
      // Expiry lives in the database too: a row whose expiry has passed is refused at today's time.
      expect((await t.http.post('/api/v1/auth/password-reset').send({ email })).status).toBe(202);
      const second = (await mailedLink(email)).url.searchParams.get('token')!;
      await t.orm.em
        .fork()
        .nativeUpdate(
          PasswordReset,
          { usedAt: null },
          { expiresAt: new Date(t.clock!.now().getTime() - 1000) },
        );
      const expired = await t.http
        .post('/api/v1/auth/password-reset/confirm')
        .send({ token: second, newPassword: NEWER });
      expect(expired.body).toMatchObject({ errors: [{ field: 'token', rule: 'expired' }] });

      const unknown = await t.http
        .post('/api/v1/auth/password-reset/confirm')
        .send({ token: 'x'.repeat(43), newPassword: NEWER });
      expect(unknown.status).toBe(400);
      expect(unknown.body).toMatchObject({ errors: [{ field: 'token', rule: 'unknown' }] });
      await t.login(email, NEW);
    });

    it('mails at most 3 links per account an hour, answering the same', async () => {
      await t.orm.em.fork().nativeDelete(PasswordReset, {});
      const queued = () => t.orm.em.fork().count(OutboxMessage, { kind: 'password_reset', status: 'queued' });
      const before = await queued();
      const answers = [];
      for (let i = 0; i < 5; i++)
        answers.push(await t.http.post('/api/v1/auth/password-reset').send({ email }));
      expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
      expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
      expect((await queued()) - before).toBe(3);
      t.clock!.offsetMs += 61 * 60_000;
      try {
        await t.http.post('/api/v1/auth/password-reset').send({ email });
        expect((await queued()) - before).toBe(4);
      } finally {
        t.clock!.offsetMs -= 61 * 60_000;
      }
      await worker.processDue();
    });

    it('sends no link to a disabled account', async () => {
      await t.orm.em.fork().nativeDelete(PasswordReset, {});
      await t.http.patch(`/api/v1/users/${userId}`).set(bearer(admin)).send({ active: false });
      const before = await t.orm.em.fork().count(OutboxMessage, {});
      expect((await t.http.post('/api/v1/auth/password-reset').send({ email })).status).toBe(202);
      expect(await t.orm.em.fork().count(OutboxMessage, {})).toBe(before);
      await t.http.patch(`/api/v1/users/${userId}`).set(bearer(admin)).send({ active: true });
    });

    it('audits requests and resets, never the token', async () => {
      const em = t.orm.em.fork();
      const actions = (await em.find(AuditLog, { action: { $like: 'password_reset%' } })).map(
        (r) => r.action,
      );
      expect(actions).toEqual(
        expect.arrayContaining(['password_reset_requested', 'password_reset', 'password_reset_throttled']),
      );
      const tokens = (await em.find(OutboxMessage, { kind: 'password_reset' })).map(
        (m) => /token=([\w-]+)/.exec(m.text ?? '')![1],
      );
      expect(tokens.length).toBeGreaterThan(0);
      const audit = JSON.stringify(await em.find(AuditLog, {}));
      for (const token of tokens) expect(audit).not.toContain(token);
      expect(audit).not.toContain(NEW);
    });
  });
});
