import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditLog, EvidenceFile } from '@app/db';
import { submitWithEvidence } from '../support/evidence';
import { createTestApp, type TestApp } from '../support/test-app';
import { activityPayload, auth, dbState, minimalPdf, sample, world } from '../fixtures/evidence/world';

const MAX = 8192;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Collects a response body as bytes whatever its content type. */
// supertest hands the raw Node response to custom parsers (typed loosely).
const binary = (res: any, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

describe('evidence: upload checked by content, scoped download, soft delete', () => {
  let t: TestApp;
  let w: Awaited<ReturnType<typeof world>>;
  let draftId: number;

  beforeAll(async () => {
    t = await createTestApp({ UPLOAD_MAX_BYTES: String(MAX) });
    w = await world(t);
    draftId = (
      await t.http.post('/api/v1/activities').set(auth(w.userGd1)).send(activityPayload('media_reports'))
    ).body.id;
  });
  afterAll(() => t.close());

  const evidenceDir = () => join(t.dataDir, 'evidence');
  const filesOnDisk = () => (existsSync(evidenceDir()) ? readdirSync(evidenceDir()).length : 0);
  /** Uploads are streamed here and moved into the store or removed: empty once a request is answered. */
  const incoming = () => readdirSync(join(evidenceDir(), '.incoming'));
  const upload = (token: string, id: number) =>
    t.http.post(`/api/v1/activities/${id}/evidence`).set(auth(token));

  /** A refused upload: status, field and rule named, database and disk unchanged. */
  async function refused(
    send: () => Promise<{
      status: number;
      body: { errors?: { field: string; rule: string }[]; message: string };
    }>,
    status: number,
    rule?: string,
  ) {
    const before = await dbState(t);
    const disk = filesOnDisk();
    const res = await send();
    expect(res.status).toBe(status);
    if (rule) expect(res.body.errors?.[0]).toMatchObject({ rule });
    expect(await dbState(t)).toBe(before);
    expect(filesOnDisk()).toBe(disk);
    expect(incoming()).toEqual([]);
    return res;
  }

  it('stores a real PDF and a PNG with their SHA-256, under random names, audited', async () => {
    const pdf = minimalPdf();
    const png = sample('sample.png');
    const res = await upload(w.userGd1, draftId)
      .attach('files', pdf, { filename: '南方日报报道截图.pdf', contentType: 'application/pdf' })
      .attach('files', png, { filename: 'photo.PNG', contentType: 'image/png' });
    expect(res.status).toBe(201);
    expect(res.body).toHaveLength(2);
    expect(res.body[0]).toMatchObject({
      originalName: '南方日报报道截图.pdf',
      mimeType: 'application/pdf',
      size: pdf.length,
      sha256: sha256(pdf),
      activityId: draftId,
    });
    expect(res.body[1]).toMatchObject({
      originalName: 'photo.PNG',
      mimeType: 'image/png',
      sha256: sha256(png),
    });

    const em = t.orm.em.fork();
    const rows = await em.find(EvidenceFile, { activity: draftId }, { orderBy: { id: 'asc' } });
    expect(rows.map((r) => r.sha256)).toEqual([sha256(pdf), sha256(png)]);
    for (const [i, r] of rows.entries()) {
      expect(r.storedName).toMatch(/^[0-9a-f]{32}$/);
      const onDisk = readFileSync(join(evidenceDir(), r.storedName));
      expect(sha256(onDisk)).toBe(r.sha256);
      expect(onDisk.equals(i === 0 ? pdf : png)).toBe(true);
    }
    expect(await em.count(AuditLog, { entity: 'evidence', action: 'create' })).toBe(2);
    expect(incoming()).toEqual([]);

    const detail = await t.http.get(`/api/v1/activities/${draftId}`).set(auth(w.userGd1));
    expect(detail.body.evidence.map((e: { originalName: string }) => e.originalName)).toEqual([
      '南方日报报道截图.pdf',
      'photo.PNG',
    ]);
  });

  it('accepts JPG, DOCX, XLSX and a legacy .doc (OLE compound file)', async () => {
    const res = await upload(w.userGd1, draftId)
      .attach('files', sample('sample.jpg'), 'scan.jpeg')
      .attach('files', sample('sample.docx'), '工作动态.docx')
      .attach('files', sample('sample.xlsx'), '签到表.xlsx')
      .attach('files', sample('sample.doc'), 'old.doc');
    expect(res.status).toBe(201);
    expect(res.body.map((e: { mimeType: string }) => e.mimeType)).toEqual([
      'image/jpeg',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/msword',
    ]);
  });

  it('refuses a .pdf that is really text, naming the file (400, nothing stored)', async () => {
    const res = await refused(
      () =>
        upload(w.userGd1, draftId).attach('files', Buffer.from('just some text, not a PDF\n'), 'fake.pdf'),
      400,
      'contentMismatch',
    );
    expect(res.body.errors?.[0].field).toBe('files');
    expect(res.body.message).toContain('fake.pdf');
  });

  it('refuses disallowed types and extensions that disagree with the content', async () => {
    await refused(
      () => upload(w.userGd1, draftId).attach('files', sample('sample.png'), 'photo.pdf'),
      400,
      'contentMismatch',
    );
    await refused(
      () => upload(w.userGd1, draftId).attach('files', sample('sample.docx'), 'doc.xlsx'),
      400,
      'contentMismatch',
    );
    await refused(() => upload(w.userGd1, draftId).attach('files', minimalPdf(), 'tool.exe'), 400, 'type');
    await refused(
      () => upload(w.userGd1, draftId).attach('files', minimalPdf(), 'no-extension'),
      400,
      'type',
    );
    await refused(
      () => upload(w.userGd1, draftId).attach('files', Buffer.from('<svg/>'), 'x.svg'),
      400,
      'type',
    );
    await refused(() => upload(w.userGd1, draftId).attach('files', Buffer.alloc(0), 'empty.pdf'), 400);
    // A zip signature with nothing valid after it (the content detector throws on it) is a mismatch too.
    const brokenZip = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(200)]);
    for (const name of ['broken.docx', 'broken.pdf']) {
      await refused(
        () => upload(w.userGd1, draftId).attach('files', brokenZip, name),
        400,
        'contentMismatch',
      );
    }
    // One bad file refuses the whole upload; the good one is not kept either.
    await refused(
      () =>
        upload(w.userGd1, draftId)
          .attach('files', minimalPdf(), 'good.pdf')
          .attach('files', Buffer.from('MZ'), 'bad.docx'),
      400,
      'contentMismatch',
    );
  });

  it('refuses a file over UPLOAD_MAX_BYTES with 413 naming the file, in both languages', async () => {
    const big = Buffer.concat([minimalPdf(), Buffer.alloc(MAX, 0x20)]);
    const res = await refused(
      () => upload(w.userGd1, draftId).attach('files', big, '太大的文件.pdf'),
      413,
      'maxSize',
    );
    expect(res.body.message).toContain('太大的文件.pdf');
    expect(res.body.message).toContain('8 KB');
    expect((res.body as unknown as { messageZh: string }).messageZh).toContain('太大的文件.pdf');
    // In a batch the message names the file that is too big, and the good one is not kept either.
    const second = await refused(
      () =>
        upload(w.userGd1, draftId)
          .attach('files', minimalPdf(), 'small.pdf')
          .attach('files', Buffer.concat([minimalPdf(), Buffer.alloc(1024 * 1024)]), 'second.pdf'),
      413,
      'maxSize',
    );
    expect(second.body.message).toContain('second.pdf');
    // Exactly at the limit is fine.
    const exact = Buffer.concat([minimalPdf(), Buffer.alloc(MAX - minimalPdf().length, 0x20)]);
    expect((await upload(w.userGd1, draftId).attach('files', exact, 'exact.pdf')).status).toBe(201);
  });

  it('refuses malformed uploads: no file, wrong field, extra fields, too many files', async () => {
    await refused(() => upload(w.userGd1, draftId).send({}), 400, 'required');
    await refused(
      () => upload(w.userGd1, draftId).attach('other', minimalPdf(), 'a.pdf'),
      400,
      'unexpectedField',
    );
    await refused(
      () => upload(w.userGd1, draftId).field('note', 'hi').attach('files', minimalPdf(), 'a.pdf'),
      400,
      'whitelistValidation',
    );
    for (const [type, body] of [
      ['multipart/form-data', '--x\r\n'],
      [
        'multipart/form-data; boundary=x',
        '--x\r\nContent-Disposition: form-data; name="files"; filename="a.pdf"\r\n\r\n%PDF',
      ],
      ['multipart/form-data; boundary=x', 'garbage'],
    ]) {
      const res = await refused(() => upload(w.userGd1, draftId).set('content-type', type).send(body), 400);
      expect(res.body.message).toBeTruthy();
    }
    let eleven = upload(w.userGd1, draftId);
    for (let i = 0; i < 11; i++) eleven = eleven.attach('files', minimalPdf(), `f${i}.pdf`);
    await refused(() => eleven, 400, 'maxCount');
  });

  it('refuses uploads by supervisors (403), out of scope (404), and once reviewed (409)', async () => {
    await refused(() => upload(w.supGd, draftId).attach('files', minimalPdf(), 'a.pdf'), 403);
    await refused(() => upload(w.userGd2, draftId).attach('files', minimalPdf(), 'a.pdf'), 404);
    const other = await t.http
      .post('/api/v1/activities')
      .set(auth(w.userGd1))
      .send(activityPayload('work_updates'));
    expect((await submitWithEvidence(t.http, other.body.id, auth(w.userGd1))).status).toBe(200);
    // Waiting for review, a forgotten file can still be added.
    expect((await upload(w.userGd1, other.body.id).attach('files', minimalPdf(), 'later.pdf')).status).toBe(
      201,
    );
    const files = await t.http.get(`/api/v1/activities/${other.body.id}/evidence`).set(auth(w.supGd));
    expect(files.body.map((f: { originalName: string }) => f.originalName).sort()).toEqual([
      'later.pdf',
      '证明材料.pdf',
    ]);
    await t.http.post(`/api/v1/activities/${other.body.id}/verify`).set(auth(w.supGd)).expect(200);
    const res = await refused(
      () => upload(w.userGd1, other.body.id).attach('files', minimalPdf(), 'a.pdf'),
      409,
    );
    expect(res.body.message).toMatch(/until the activity is reviewed/);
  });

  it('submitting needs evidence (400 naming evidence and evidenceRequired), and changes nothing', async () => {
    const a = await t.http
      .post('/api/v1/activities')
      .set(auth(w.userGd1))
      .send(activityPayload('exchange_events'));
    const before = await dbState(t);
    const res = await t.http.post(`/api/v1/activities/${a.body.id}/submit`).set(auth(w.userGd1));
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      expect.objectContaining({ field: 'evidence', rule: 'evidenceRequired' }),
    ]);
    expect(res.body.messageZh).toContain('证明材料');
    expect(await dbState(t)).toBe(before);
    expect((await submitWithEvidence(t.http, a.body.id, auth(w.userGd1))).body.status).toBe('submitted');
  });

  describe('download', () => {
    let pdfId: number;
    let docxId: number;
    let pdf: Buffer;
    beforeAll(async () => {
      const rows = await t.orm.em
        .fork()
        .find(EvidenceFile, { activity: draftId }, { orderBy: { id: 'asc' } });
      pdfId = rows.find((r) => r.originalName === '南方日报报道截图.pdf')!.id;
      docxId = rows.find((r) => r.originalName === '工作动态.docx')!.id;
      pdf = minimalPdf();
    });

    it('the unit user downloads the exact bytes as an attachment with the UTF-8 name', async () => {
      const res = await t.http
        .get(`/api/v1/evidence/${pdfId}`)
        .set(auth(w.userGd1))
        .buffer(true)
        .parse(binary);
      expect(res.status).toBe(200);
      expect((res.body as Buffer).equals(pdf)).toBe(true);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-disposition']).toBe(
        `attachment; filename="${'_'.repeat(8)}.pdf"; filename*=UTF-8''${encodeURIComponent('南方日报报道截图.pdf')}`,
      );
    });

    it('a supervisor in scope may view a PDF inline; Office files are always attachments', async () => {
      const res = await t.http
        .get(`/api/v1/evidence/${pdfId}?inline=1`)
        .set(auth(w.supGd))
        .buffer(true)
        .parse(binary);
      expect(res.status).toBe(200);
      expect(res.headers['content-disposition']).toMatch(/^inline; /);
      expect(sha256(res.body as Buffer)).toBe(sha256(pdf));
      const docx = await t.http
        .get(`/api/v1/evidence/${docxId}?inline=1`)
        .set(auth(w.admin))
        .buffer(true)
        .parse(binary);
      expect(docx.status).toBe(200);
      expect(docx.headers['content-disposition']).toMatch(/^attachment; /);
      expect((docx.body as Buffer).equals(sample('sample.docx'))).toBe(true);
    });

    it('another province, another unit and bad ids get 404/400', async () => {
      expect((await t.http.get(`/api/v1/evidence/${pdfId}`).set(auth(w.supZj))).status).toBe(404);
      expect((await t.http.get(`/api/v1/evidence/${pdfId}`).set(auth(w.userGd2))).status).toBe(404);
      expect((await t.http.get(`/api/v1/evidence/${pdfId}`).set(auth(w.userZj1))).status).toBe(404);
      expect((await t.http.get(`/api/v1/activities/${draftId}/evidence`).set(auth(w.supZj))).status).toBe(
        404,
      );
      expect((await t.http.get('/api/v1/evidence/999999').set(auth(w.admin))).status).toBe(404);
      expect((await t.http.get('/api/v1/evidence/12abc').set(auth(w.admin))).status).toBe(400);
      expect((await t.http.get(`/api/v1/evidence/${pdfId}?inline=yes`).set(auth(w.admin))).status).toBe(400);
      expect((await t.http.get(`/api/v1/evidence/${pdfId}`)).status).toBe(401);
    });

    it('deleting is soft: hidden from downloads and lists, bytes kept, audited', async () => {
      const before = await dbState(t);
      expect((await t.http.delete(`/api/v1/evidence/${docxId}`).set(auth(w.supGd))).status).toBe(403);
      expect((await t.http.delete(`/api/v1/evidence/${docxId}`).set(auth(w.userGd2))).status).toBe(404);
      expect(await dbState(t)).toBe(before);

      expect((await t.http.delete(`/api/v1/evidence/${docxId}`).set(auth(w.userGd1))).status).toBe(204);
      expect((await t.http.get(`/api/v1/evidence/${docxId}`).set(auth(w.userGd1))).status).toBe(404);
      const list = await t.http.get(`/api/v1/activities/${draftId}/evidence`).set(auth(w.userGd1));
      expect(list.body.some((e: { id: number }) => e.id === docxId)).toBe(false);
      const row = await t.orm.em.fork().findOneOrFail(EvidenceFile, docxId);
      expect(row.deletedAt).toBeInstanceOf(Date);
      expect(existsSync(join(evidenceDir(), row.storedName))).toBe(true);
      const audit = await t.orm.em.fork().findOneOrFail(AuditLog, { entity: 'evidence', action: 'delete' });
      expect(audit.changes).toMatchObject({ originalName: '工作动态.docx', activityId: draftId });
    });

    it('once the activity is submitted the unit can no longer remove evidence (409)', async () => {
      expect((await t.http.post(`/api/v1/activities/${draftId}/submit`).set(auth(w.userGd1))).status).toBe(
        200,
      );
      const before = await dbState(t);
      expect((await t.http.delete(`/api/v1/evidence/${pdfId}`).set(auth(w.userGd1))).status).toBe(409);
      expect(await dbState(t)).toBe(before);
      // The reviewer still reads it.
      expect((await t.http.get(`/api/v1/evidence/${pdfId}`).set(auth(w.supGd))).status).toBe(200);
    });
  });
});
