import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ActivityComment, AuditLog, OutboxMessage } from '@app/db';
import { OutboxWorker } from '@app/mail';
import { NOTICE_COMMENT, NOTICE_REJECTED } from '../../apps/tracker/src/notices/notices.service';
import { submitWithEvidence } from '../support/evidence';
import { startSmtp, type TestSmtpServer } from '../support/smtp';
import { ADMIN, createTestApp, type TestApp } from '../support/test-app';
import { activityPayload, auth, makeUnit, makeUser, minimalPdf, sample } from '../fixtures/evidence/world';

const PUBLIC_URL = 'https://tracker.example.gov.cn';
const MAX = 8192;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
// supertest hands the raw Node response to custom parsers (typed loosely).
const binary = (res: any, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

describe('comments on activities: who may write, status rule, attachments, request changes, notices, queue count', () => {
  let smtp: TestSmtpServer;
  let t: TestApp;
  let worker: OutboxWorker;
  const tok: Record<string, string> = {};
  let gd1: number;
  let gd2: number;

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await createTestApp({ SMTP_URL: smtp.url, PUBLIC_URL, UPLOAD_MAX_BYTES: String(MAX) });
    worker = t.app.get(OutboxWorker);
    tok.admin = await t.login(ADMIN.email, ADMIN.password);
    gd1 = (
      await makeUnit(t, {
        name: '广东示范单位甲',
        province: '44',
        contacts: [{ name: '联系人甲', email: 'contact-gd1@example.cn' }],
      })
    ).id;
    gd2 = (await makeUnit(t, { name: '广东示范单位乙', province: '44' })).id;
    const zj = (await makeUnit(t, { name: '浙江示范单位丙', province: '33' })).id;
    const user = (email: string, role: 'unit' | 'supervisor', extra: object) =>
      makeUser(t, tok.admin, { email, role, ...extra });
    tok.unitA = await user('unit-a@example.cn', 'unit', { unitId: gd1 });
    tok.unitQuiet = await user('unit-quiet@example.cn', 'unit', { unitId: gd1 });
    tok.unitB = await user('unit-b@example.cn', 'unit', { unitId: gd2 });
    tok.unitZj = await user('unit-zj@example.cn', 'unit', { unitId: zj });
    tok.supGd = await user('sup-gd@example.cn', 'supervisor', { provinces: ['44'] });
    tok.supGdQuiet = await user('sup-gd-quiet@example.cn', 'supervisor', { provinces: ['44'] });
    tok.supZj = await user('sup-zj@example.cn', 'supervisor', { provinces: ['33'] });
    for (const k of ['unitQuiet', 'supGdQuiet']) {
      await t.http.put('/api/v1/me/notices').set(auth(tok[k])).send({ comments: 'off' }).expect(200);
    }
    await t.http.patch('/api/v1/auth/me').set(auth(tok.supGd)).send({ locale: 'en' }).expect(200);
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const create = async (token: string, title = '服务业标准化经验交流会') => {
    const res = await t.http
      .post('/api/v1/activities')
      .set(auth(token))
      .send(activityPayload('exchange_events', { title }));
    if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as number;
  };
  const submitted = async (token: string, title?: string) => {
    const id = await create(token, title);
    expect((await submitWithEvidence(t.http, id, auth(token))).status).toBe(200);
    return id;
  };
  const comment = (token: string, id: number) =>
    t.http.post(`/api/v1/activities/${id}/comments`).set(auth(token));
  const thread = async (token: string, id: number) =>
    (await t.http.get(`/api/v1/activities/${id}/comments`).set(auth(token)).expect(200)).body as {
      id: number;
      body: string;
      kind: string;
      authorName: string;
      authorRole: string;
      attachment: { name: string; mimeType: string; size: number; sha256: string; url: string } | null;
    }[];
  const storedComments = () => t.orm.em.fork().count(ActivityComment, {});
  const evidenceDir = () => join(t.dataDir, 'evidence');
  const filesOnDisk = () =>
    existsSync(evidenceDir()) ? readdirSync(evidenceDir()).filter((f) => f !== '.incoming').length : 0;
  const incoming = () => readdirSync(join(evidenceDir(), '.incoming'));
  const pendingEvents = async (token: string, unitId: number) =>
    (
      await t.http.get(`/api/v1/units/${unitId}/compliance`).set(auth(token)).expect(200)
    ).body.requirements.find((r: { key: string }) => r.key === 'exchange_events') as {
      verified: number;
      pending: number;
    };
  const mailsTo = (email: string) => smtp.received.filter((m) => m.to.includes(email));

  it('the unit and its reviewers write; others in and out of scope cannot (403 by role, 404 by scope)', async () => {
    const id = await submitted(tok.unitA);
    expect((await comment(tok.unitA, id).send({ body: '  已补充签到表  ' })).status).toBe(201);
    expect((await comment(tok.supGd, id).send({ body: '请说明参会单位' })).status).toBe(201);
    expect((await comment(tok.admin, id).send({ body: '管理员意见' })).status).toBe(201);
    const before = await storedComments();
    // Another unit of the same province and a supervisor of another province do not see it.
    for (const k of ['unitB', 'unitZj', 'supZj']) {
      expect((await comment(tok[k], id).send({ body: 'x' })).status).toBe(404);
      expect((await t.http.get(`/api/v1/activities/${id}/comments`).set(auth(tok[k]))).status).toBe(404);
    }
    expect((await t.http.get('/api/v1/activities/999999/comments').set(auth(tok.admin))).status).toBe(404);
    expect(await storedComments()).toBe(before);

    const list = await thread(tok.unitA, id);
    expect(list.map((c) => [c.body, c.authorRole, c.kind])).toEqual([
      ['已补充签到表', 'unit', 'comment'],
      ['请说明参会单位', 'supervisor', 'comment'],
      ['管理员意见', 'admin', 'comment'],
    ]);
    expect(list[0].authorName).toBe('unit-a');
    expect(list[1].authorName).toBe('sup-gd');
    expect(list.every((c) => c.attachment === null)).toBe(true);
    // Ids ascend: oldest first.
    expect(list.map((c) => c.id)).toEqual(list.map((c) => c.id).sort((a, b) => a - b));
  });

  it('only submitted or rejected activities take comments: a draft or a verified one is a 409 naming the status', async () => {
    const draft = await create(tok.unitA);
    const res = await comment(tok.unitA, draft).send({ body: '草稿留言' });
    expect(res.status).toBe(409);
    expect(res.body.errors[0]).toMatchObject({ field: 'status', rule: 'commentable' });
    expect(res.body.message).toContain('draft');
    expect(res.body.messageZh).toContain('草稿');
    expect((await comment(tok.supGd, draft).send({ body: '草稿留言' })).status).toBe(409);

    const verified = await submitted(tok.unitA);
    await t.http.post(`/api/v1/activities/${verified}/verify`).set(auth(tok.supGd)).expect(200);
    const v = await comment(tok.supGd, verified).send({ body: '已核实后留言' });
    expect(v.status).toBe(409);
    expect(v.body.message).toContain('verified');

    const rejected = await submitted(tok.unitA);
    await t.http
      .post(`/api/v1/activities/${rejected}/reject`)
      .set(auth(tok.supGd))
      .send({ reason: '缺少照片' })
      .expect(200);
    expect((await comment(tok.unitA, rejected).send({ body: '照片稍后补上' })).status).toBe(201);
  });

  it('the body is required, trimmed and at most 4000 characters; nothing else is accepted', async () => {
    const id = await submitted(tok.unitA);
    const before = await storedComments();
    for (const [body, rule] of [
      [{}, 'isString'],
      [{ body: '   ' }, 'minLength'],
      [{ body: '长'.repeat(4001) }, 'maxLength'],
      [{ body: 12 }, 'isString'],
    ] as const) {
      const res = await comment(tok.unitA, id).send(body);
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: 'body', rule })]),
      );
    }
    const extra = await comment(tok.unitA, id).send({ body: 'ok', kind: 'changes' });
    expect(extra.status).toBe(400);
    expect(extra.body.errors[0]).toMatchObject({ field: 'kind' });
    expect(await storedComments()).toBe(before);
    expect((await comment(tok.unitA, id).send({ body: '长'.repeat(4000) })).status).toBe(201);
  });

  it('an attachment is checked like evidence (a bad file is a 400 naming file) and downloaded only in scope', async () => {
    const id = await submitted(tok.unitA);
    const before = await storedComments();
    const disk = filesOnDisk();
    const refused = async (req: ReturnType<typeof comment>, status: number, rule: string) => {
      const res = await req;
      expect(res.status).toBe(status);
      expect(res.body.errors[0]).toMatchObject({ field: 'file', rule });
      expect(await storedComments()).toBe(before);
      expect(filesOnDisk()).toBe(disk);
      expect(incoming()).toEqual([]);
    };
    await refused(
      comment(tok.unitA, id).field('body', '截图').attach('file', sample('sample.png'), 'scan.pdf'),
      400,
      'contentMismatch',
    );
    await refused(
      comment(tok.unitA, id).field('body', '截图').attach('file', sample('sample.png'), 'scan.gif'),
      400,
      'type',
    );
    await refused(
      comment(tok.unitA, id).field('body', '截图').attach('file', Buffer.alloc(0), 'empty.pdf'),
      400,
      'notEmpty',
    );
    await refused(
      comment(tok.unitA, id)
        .field('body', '截图')
        .attach('file', Buffer.concat([minimalPdf(), Buffer.alloc(MAX)]), 'big.pdf'),
      413,
      'maxSize',
    );
    await refused(
      comment(tok.unitA, id)
        .field('body', '两个文件')
        .attach('file', minimalPdf(), 'a.pdf')
        .attach('file', minimalPdf(), 'b.pdf'),
      400,
      'maxCount',
    );
    // The body's rules hold in a multipart request too, and a refused body leaves no file behind.
    const noBody = await comment(tok.unitA, id).attach('file', minimalPdf(), 'a.pdf');
    expect(noBody.status).toBe(400);
    expect(noBody.body.errors[0]).toMatchObject({ field: 'body' });
    expect(incoming()).toEqual([]);
    expect(filesOnDisk()).toBe(disk);

    const png = sample('sample.png');
    const ok = await comment(tok.supGd, id)
      .field('body', '请看标注')
      .attach('file', png, { filename: '标注截图.PNG', contentType: 'application/octet-stream' });
    expect(ok.status).toBe(201);
    expect(ok.body.attachment).toMatchObject({
      name: '标注截图.PNG',
      mimeType: 'image/png',
      size: png.length,
      sha256: sha256(png),
      url: `/api/v1/activities/${id}/comments/${ok.body.id}/attachment`,
    });
    expect(filesOnDisk()).toBe(disk + 1);
    expect(incoming()).toEqual([]);
    const listed = (await thread(tok.unitA, id)).find((c) => c.id === ok.body.id)!;
    expect(listed.attachment?.url).toBe(ok.body.attachment.url);

    const got = await t.http.get(ok.body.attachment.url).set(auth(tok.unitA)).buffer(true).parse(binary);
    expect(got.status).toBe(200);
    expect(got.headers['content-type']).toBe('image/png');
    expect(got.headers['content-disposition']).toMatch(/^attachment;/);
    expect(sha256(got.body as Buffer)).toBe(sha256(png));
    const inline = await t.http.get(`${ok.body.attachment.url}?inline=1`).set(auth(tok.unitA));
    expect(inline.headers['content-disposition']).toMatch(/^inline;/);
    for (const k of ['unitB', 'supZj']) {
      expect((await t.http.get(ok.body.attachment.url).set(auth(tok[k]))).status).toBe(404);
    }
    // A comment without a file, or one of another activity, has no attachment to download.
    const plain = (await comment(tok.unitA, id).send({ body: '无附件' }).expect(201)).body;
    expect(
      (await t.http.get(`/api/v1/activities/${id}/comments/${plain.id}/attachment`).set(auth(tok.unitA)))
        .status,
    ).toBe(404);
    const other = await submitted(tok.unitA);
    expect(
      (await t.http.get(`/api/v1/activities/${other}/comments/${ok.body.id}/attachment`).set(auth(tok.unitA)))
        .status,
    ).toBe(404);
  });

  it('comments are audited as comment.create with the comment and its file', async () => {
    const id = await submitted(tok.unitA);
    const res = await comment(tok.unitA, id)
      .field('body', '附上签到表')
      .attach('file', sample('sample.xlsx'), '签到表.xlsx')
      .expect(201);
    const rows = await t.orm.em
      .fork()
      .find(AuditLog, { action: 'comment.create', entity: 'activity', entityId: String(id) });
    expect(rows).toHaveLength(1);
    expect(rows[0].actorEmail).toBe('unit-a@example.cn');
    expect(rows[0].changes).toMatchObject({
      commentId: res.body.id,
      kind: 'comment',
      body: '附上签到表',
      attachment: { name: '签到表.xlsx', sha256: sha256(sample('sample.xlsx')) },
    });
  });

  it('notices: a reviewer’s comment reaches the unit’s users and contacts, a unit’s the supervisors in scope; per choice, never the author', async () => {
    // Whatever earlier cases queued goes out first, so only this case's mails are looked at.
    await worker.processDue();
    smtp.received.length = 0;
    const id = await submitted(tok.unitA, '交流会<留言>');
    const fromSup = await comment(tok.supGd, id).send({ body: '请补充<b>照片</b>' }).expect(201);
    const rows = await t.orm.em.fork().find(OutboxMessage, {
      kind: NOTICE_COMMENT,
      idempotencyKey: { $like: `${NOTICE_COMMENT}:${fromSup.body.id}:%` },
    });
    // Queued with the comment: the unit user who wants them and the contact; not the quiet user.
    expect(rows.map((r) => r.recipient).sort()).toEqual(['contact-gd1@example.cn', 'unit-a@example.cn']);
    expect(rows.map((r) => r.idempotencyKey).sort()).toEqual([
      `${NOTICE_COMMENT}:${fromSup.body.id}:contact-gd1@example.cn`,
      `${NOTICE_COMMENT}:${fromSup.body.id}:unit-a@example.cn`,
    ]);

    const fromUnit = await comment(tok.unitA, id).send({ body: '照片已上传' }).expect(201);
    const unitRows = await t.orm.em
      .fork()
      .find(OutboxMessage, { idempotencyKey: { $like: `${NOTICE_COMMENT}:${fromUnit.body.id}:%` } });
    // The supervisor of the province; not the one who turned comments off, not Zhejiang's, not the admin
    // (who has not taken part), and not the author.
    expect(unitRows.map((r) => r.recipient)).toEqual(['sup-gd@example.cn']);

    // An administrator who wrote in the thread hears the unit's replies too.
    await comment(tok.admin, id).send({ body: '管理员也在关注' }).expect(201);
    const reply = await comment(tok.unitQuiet, id).send({ body: '收到' }).expect(201);
    const replyRows = await t.orm.em
      .fork()
      .find(OutboxMessage, { idempotencyKey: { $like: `${NOTICE_COMMENT}:${reply.body.id}:%` } });
    expect(replyRows.map((r) => r.recipient).sort()).toEqual([ADMIN.email, 'sup-gd@example.cn']);

    const summary = await worker.processDue();
    expect(summary.failed).toBe(0);
    expect(await worker.processDue()).toMatchObject({ claimed: 0 });

    const unitMail = mailsTo('unit-a@example.cn');
    // The supervisor's comment and the admin's: the unit user's own comment is not sent back to them.
    expect(unitMail.map((m) => m.parsed.subject)).toEqual([
      '【活动留言】交流会<留言>（sup-gd）',
      '【活动留言】交流会<留言>（管理员）',
    ]);
    const html = String(unitMail[0].parsed.html);
    expect(html).toContain('请补充&lt;b&gt;照片&lt;/b&gt;');
    expect(html).not.toContain('<b>照片</b>');
    expect(html).toContain(`href="${PUBLIC_URL}/activities/${id}"`);
    expect(unitMail[0].parsed.text).toContain('sup-gd（监管部门）在以下活动下留言：');
    expect(mailsTo('contact-gd1@example.cn')).toHaveLength(2);
    expect(mailsTo('unit-quiet@example.cn')).toHaveLength(0);
    expect(mailsTo('sup-gd-quiet@example.cn')).toHaveLength(0);
    expect(mailsTo('sup-zj@example.cn')).toHaveLength(0);
    // The supervisor reads English: the unit's two replies.
    const supMail = mailsTo('sup-gd@example.cn');
    expect(supMail.map((m) => m.parsed.subject)).toEqual([
      'New comment on 交流会<留言> (unit-a)',
      'New comment on 交流会<留言> (unit-quiet)',
    ]);
    expect(supMail[0].parsed.text).toContain('unit-a (demonstration unit) commented on this activity:');
    expect(supMail[0].parsed.text).toContain('"照片已上传"');
    expect(mailsTo(ADMIN.email).map((m) => m.parsed.subject)).toEqual([
      '【活动留言】交流会<留言>（unit-quiet）',
    ]);
  });

  it('request changes: back to the unit with the comment as reason, editable, counts move, audited, notified', async () => {
    const id = await submitted(tok.unitA, '待修改的交流会');
    const before = await pendingEvents(tok.admin, gd1);
    expect(before.pending).toBeGreaterThanOrEqual(1);

    // Only reviewers in scope, only submitted activities, a comment required.
    expect(
      (
        await t.http
          .post(`/api/v1/activities/${id}/request-changes`)
          .set(auth(tok.unitA))
          .send({ comment: 'x' })
      ).status,
    ).toBe(403);
    expect(
      (
        await t.http
          .post(`/api/v1/activities/${id}/request-changes`)
          .set(auth(tok.supZj))
          .send({ comment: 'x' })
      ).status,
    ).toBe(404);
    const empty = await t.http
      .post(`/api/v1/activities/${id}/request-changes`)
      .set(auth(tok.supGd))
      .send({ comment: '  ' });
    expect(empty.status).toBe(400);
    expect(empty.body.errors[0]).toMatchObject({ field: 'comment', rule: 'minLength' });
    const draft = await create(tok.unitA);
    const d = await t.http
      .post(`/api/v1/activities/${draft}/request-changes`)
      .set(auth(tok.supGd))
      .send({ comment: '请修改' });
    expect(d.status).toBe(409);
    expect(d.body.message).toContain('draft');

    const res = await t.http
      .post(`/api/v1/activities/${id}/request-changes`)
      .set(auth(tok.supGd))
      .send({ comment: ' 请补充参会名单和现场照片 ' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'rejected', rejectReason: '请补充参会名单和现场照片' });
    // The engine counts a rejected activity neither as verified nor as pending.
    const after = await pendingEvents(tok.admin, gd1);
    expect(after).toMatchObject({ verified: before.verified, pending: before.pending - 1 });

    const list = await thread(tok.unitA, id);
    expect(list.at(-1)).toMatchObject({
      kind: 'changes',
      body: '请补充参会名单和现场照片',
      authorRole: 'supervisor',
    });
    const audit = await t.orm.em
      .fork()
      .find(AuditLog, { entity: 'activity', entityId: String(id) }, { orderBy: { id: 'asc' } });
    expect(audit.map((a) => a.action)).toEqual(['create', 'submit', 'request_changes', 'comment.create']);
    expect(audit[2].changes).toMatchObject({ status: ['submitted', 'rejected'] });
    // The unit hears of it as a rejection quoting the comment (one mail, not two).
    const queued = await t.orm.em.fork().find(OutboxMessage, {
      idempotencyKey: { $like: `${NOTICE_REJECTED}:${id}:%` },
    });
    expect(queued.map((r) => r.recipient).sort()).toEqual([
      'contact-gd1@example.cn',
      'unit-a@example.cn',
      'unit-quiet@example.cn',
    ]);
    expect(
      await t.orm.em
        .fork()
        .count(OutboxMessage, { kind: NOTICE_COMMENT, unitId: gd1, subject: { $like: '%待修改%' } }),
    ).toBe(0);

    // Editable again by the unit, and resubmitted: pending again.
    await t.http
      .patch(`/api/v1/activities/${id}`)
      .set(auth(tok.unitA))
      .send({ participants: 120 })
      .expect(200);
    expect((await submitWithEvidence(t.http, id, auth(tok.unitA))).status).toBe(200);
    expect(await pendingEvents(tok.admin, gd1)).toMatchObject({ pending: before.pending });
    // A second request on the resubmitted activity works the same way.
    await t.http
      .post(`/api/v1/activities/${id}/request-changes`)
      .set(auth(tok.admin))
      .send({ comment: '还差照片' })
      .expect(200);
    expect((await thread(tok.unitA, id)).filter((c) => c.kind === 'changes')).toHaveLength(2);
  });

  it('the review queue carries each activity’s comment count from one grouped query', async () => {
    const a = await submitted(tok.unitB, '队列甲');
    const b = await submitted(tok.unitB, '队列乙');
    await comment(tok.supGd, a).send({ body: '一' }).expect(201);
    await comment(tok.unitB, a).send({ body: '二' }).expect(201);
    await submitted(tok.unitB, '队列丙');
    const conn = t.orm.em.getConnection();
    const spy = jest.spyOn(conn, 'execute');
    const res = await t.http.get(`/api/v1/reviews/queue?unitId=${gd2}`).set(auth(tok.supGd)).expect(200);
    const sql = spy.mock.calls.map((c) => String(c[0]));
    spy.mockRestore();
    expect(res.body.items.length).toBeGreaterThanOrEqual(3);
    expect(sql.filter((q) => q.includes('activity_comments'))).toHaveLength(1);
    const byId = new Map(
      res.body.items.map((i: { id: number; commentCount: number }) => [i.id, i.commentCount]),
    );
    expect(byId.get(a)).toBe(2);
    expect(byId.get(b)).toBe(0);
  });
});
