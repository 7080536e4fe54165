import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { request as httpRequest, type ClientRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { EvidenceFile } from '@app/db';
import { MAX_UPLOADS_PER_USER } from '../../apps/tracker/src/common/uploads';
import { createTestApp, type TestApp } from '../support/test-app';
import { activityPayload, auth, minimalPdf, world } from '../fixtures/evidence/world';

const MB = 1024 * 1024;
const BOUNDARY = 'evidence-streaming-test';

interface Held {
  req: ClientRequest;
  /** Sends the rest of the body and waits for the answer. */
  finish(): Promise<{ status: number; body: string }>;
  /** Settles with the answer or the socket error once the request is over. */
  done: Promise<unknown>;
}

/** A file of `total` bytes that is a real PDF. */
function pdfOf(total: number): Buffer {
  const pdf = minimalPdf();
  return Buffer.concat([pdf, Buffer.alloc(total - pdf.length, 0x20)]);
}

describe('evidence: uploads streamed to disk, at most 2 in progress per user', () => {
  let t: TestApp;
  let w: Awaited<ReturnType<typeof world>>;
  let draftId: number;
  let port: number;

  beforeAll(async () => {
    t = await createTestApp({ UPLOAD_MAX_BYTES: String(4 * MB) });
    w = await world(t);
    draftId = (
      await t.http.post('/api/v1/activities').set(auth(w.userGd1)).send(activityPayload('media_reports'))
    ).body.id;
    const server = t.app.getHttpServer() as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  // Held requests a failed test left open would keep the server from closing.
  const opened: ClientRequest[] = [];
  afterAll(async () => {
    for (const req of opened) req.destroy();
    await t.close();
  });

  const incomingDir = () => join(t.dataDir, 'evidence', '.incoming');
  const incoming = () => readdirSync(incomingDir());
  const incomingBytes = () => incoming().reduce((n, f) => n + statSync(join(incomingDir(), f)).size, 0);

  async function until(what: string, check: () => boolean, ms = 10_000) {
    const end = Date.now() + ms;
    while (!check()) {
      if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Starts an upload of `file` and sends only the first `sent` bytes of it, keeping the request open. */
  function hold(token: string, file: Buffer, sent: number): Held {
    const head = Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="big.pdf"\r\n` +
        'Content-Type: application/pdf\r\n\r\n',
    );
    const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
    let answer: (v: { status: number; body: string }) => void = () => {};
    const answered = new Promise<{ status: number; body: string }>((resolve) => (answer = resolve));
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: `/api/v1/activities/${draftId}/evidence`,
      headers: {
        ...auth(token),
        'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
        'content-length': String(head.length + file.length + tail.length),
      },
    });
    opened.push(req);
    const done = new Promise((resolve) => {
      req.on('error', resolve);
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          answer({ status: res.statusCode ?? 0, body });
          resolve(body);
        });
      });
    });
    req.write(Buffer.concat([head, file.subarray(0, sent)]));
    return {
      req,
      done,
      finish() {
        req.end(Buffer.concat([file.subarray(sent), tail]));
        return answered;
      },
    };
  }

  it('writes the file to DATA_DIR/evidence/.incoming while it arrives, then moves it into the store', async () => {
    const file = pdfOf(3 * MB);
    const upload = hold(w.userGd1, file, MB);
    // Part of the body is on disk before the rest was even sent: multer does not buffer it.
    await until('the partial file is on disk', () => incomingBytes() >= MB / 2);
    expect(incoming()).toHaveLength(1);
    expect(incomingBytes()).toBeLessThan(file.length);
    const res = await upload.finish();
    expect(res.status).toBe(201);
    const [view] = JSON.parse(res.body) as { id: number; sha256: string; size: number }[];
    expect(view.size).toBe(file.length);
    expect(view.sha256).toBe(createHash('sha256').update(file).digest('hex'));
    const row = await t.orm.em.fork().findOneOrFail(EvidenceFile, view.id);
    expect(readFileSync(join(t.dataDir, 'evidence', row.storedName)).equals(file)).toBe(true);
    expect(incoming()).toEqual([]);
  });

  it(`answers a user's third parallel upload 429 with Retry-After; aborted uploads leave nothing`, async () => {
    expect(MAX_UPLOADS_PER_USER).toBe(2);
    const file = pdfOf(3 * MB);
    const held = [hold(w.userGd1, file, MB), hold(w.userGd1, file, MB)];
    await until('both partial files are on disk', () => incoming().length === 2);

    const third = await t.http
      .post(`/api/v1/activities/${draftId}/evidence`)
      .set(auth(w.userGd1))
      .attach('files', minimalPdf(), 'third.pdf');
    expect(third.status).toBe(429);
    expect(third.headers['retry-after']).toBe('10');
    expect(third.body.errors[0]).toMatchObject({ field: 'files', rule: 'maxConcurrentUploads' });
    expect(third.body.message).toContain('2 uploads in progress');
    expect(third.body.messageZh).toContain('2 个上传正在进行');
    // Refused before its body was stored: still only the two partial files.
    expect(incoming()).toHaveLength(2);

    // The limit is per user: the admin uploads meanwhile.
    const admin = await t.http
      .post(`/api/v1/activities/${draftId}/evidence`)
      .set(auth(w.admin))
      .attach('files', minimalPdf(), 'admin.pdf');
    expect(admin.status).toBe(201);

    // The client gives up mid-upload: the partial files go, and so do the slots.
    for (const h of held) h.req.destroy();
    await Promise.all(held.map((h) => h.done));
    await until('the partial files are removed', () => incoming().length === 0);
    // The slots are released just after the clean-up.
    let again = { status: 0 };
    for (let i = 0; i < 50 && again.status !== 201; i++) {
      again = await t.http
        .post(`/api/v1/activities/${draftId}/evidence`)
        .set(auth(w.userGd1))
        .attach('files', minimalPdf(), 'again.pdf');
      if (again.status === 429) await new Promise((r) => setTimeout(r, 50));
    }
    expect(again.status).toBe(201);
    expect(incoming()).toEqual([]);
  });

  it('removes the temporary file of an upload refused by content or size', async () => {
    const fake = Buffer.concat([Buffer.from('not a pdf'), Buffer.alloc(2 * MB, 0x20)]);
    const mismatch = await t.http
      .post(`/api/v1/activities/${draftId}/evidence`)
      .set(auth(w.userGd1))
      .attach('files', fake, 'fake.pdf');
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.errors[0].rule).toBe('contentMismatch');
    expect(incoming()).toEqual([]);
    const tooBig = await t.http
      .post(`/api/v1/activities/${draftId}/evidence`)
      .set(auth(w.userGd1))
      .attach('files', minimalPdf(), 'ok.pdf')
      .attach('files', pdfOf(4 * MB + 1), 'big.pdf');
    expect(tooBig.status).toBe(413);
    expect(incoming()).toEqual([]);
  });
});
