import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestApp, type TestApp } from '../support/test-app';

/*
 * Admission control: with MAX_ACTIVE_REQUESTS=1 and MAX_QUEUED_REQUESTS=1, a request whose body is still
 * arriving holds the one turn; the next request waits for it, the one after is answered 503 with
 * Retry-After at once, and /health/live answers throughout.
 */

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function send(
  port: number,
  method: string,
  path: string,
  body?: string,
): { req: http.ClientRequest; answer: Promise<Answer> } {
  const req = http.request({
    host: '127.0.0.1',
    port,
    method,
    path,
    headers:
      body === undefined
        ? {}
        : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  });
  const answer = new Promise<Answer>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
  });
  return { req, answer };
}

const settled = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

describe('admission control (MAX_ACTIVE_REQUESTS, MAX_QUEUED_REQUESTS)', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await createTestApp({ MAX_ACTIVE_REQUESTS: '1', MAX_QUEUED_REQUESTS: '1' });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(() => t.close());

  it('lets one request run, queues one, refuses the next with 503 and Retry-After, and keeps /health/live open', async () => {
    const body = JSON.stringify({ email: 'nobody@example.com', password: 'wrong-password-1' });
    // Holds the only turn: its body is only half sent.
    const slow = send(port, 'POST', '/api/v1/auth/login', body);
    slow.req.write(body.slice(0, 10));
    await new Promise((r) => setTimeout(r, 200));

    const queued = send(port, 'GET', '/api/v1/auth/me');
    queued.req.end();
    await new Promise((r) => setTimeout(r, 200));
    expect(await settled(queued.answer, 300)).toBe(false);

    const refused = send(port, 'GET', '/api/v1/auth/me');
    refused.req.end();
    const r = await refused.answer;
    expect({ status: r.status, retryAfter: r.headers['retry-after'] }).toEqual({
      status: 503,
      retryAfter: expect.stringMatching(/^[1-9]\d*$/),
    });
    expect(JSON.parse(r.body)).toEqual({
      statusCode: 503,
      error: 'ServiceBusy',
      message: expect.stringContaining('busy'),
      messageZh: expect.stringContaining('服务繁忙'),
    });

    const live = send(port, 'GET', '/health/live');
    live.req.end();
    expect((await live.answer).status).toBe(200);

    // An upload does not wait for a turn (it arrives at the client's pace; uploads have their own limit).
    const upload = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/api/v1/activities/1/evidence',
      headers: { 'content-type': 'multipart/form-data; boundary=x', 'content-length': 0 },
    });
    const uploaded = new Promise<number>((resolve, reject) => {
      upload.on('response', (res) => (res.resume(), resolve(res.statusCode!)));
      upload.on('error', reject);
    });
    upload.end();
    expect(await uploaded).toBe(401);

    // The rest of the body arrives: the first request is answered, then the queued one gets its turn.
    slow.req.end(body.slice(10));
    expect((await slow.answer).status).toBe(401);
    expect((await queued.answer).status).toBe(401);
    const after = send(port, 'GET', '/api/v1/auth/me');
    after.req.end();
    expect((await after.answer).status).toBe(401);
  });

  it('frees the turn of a client that left while its request ran', async () => {
    const body = JSON.stringify({ email: 'nobody@example.com', password: 'wrong-password-1' });
    const gone = send(port, 'POST', '/api/v1/auth/login', body);
    gone.answer.catch(() => undefined);
    gone.req.write(body.slice(0, 10));
    await new Promise((r) => setTimeout(r, 200));
    gone.req.destroy();
    await new Promise((r) => setTimeout(r, 200));
    const next = send(port, 'GET', '/api/v1/auth/me');
    next.req.end();
    expect((await next.answer).status).toBe(401);
  });
});
