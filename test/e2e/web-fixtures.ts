import { todayIn, withCheckChar } from '@app/compliance';
import { crc32, deflateSync } from 'node:zlib';
import request from 'supertest';
import { ADMIN, type TestApp } from '../support/test-app';

/*
 * A small world for the page tests, made through the public API like an administrator would:
 * two units in two provinces, a unit user, and a supervisor for each province.
 */

export const PASSWORD = 'page-test-password-1';

export interface WebWorld {
  adminToken: string;
  today: string;
  unitA: { id: number; name: string };
  unitB: { id: number; name: string };
  users: { unitA: string; supGd: string; supBj: string };
}

let serial = 0;

function creditCode(): string {
  serial++;
  const body = `91440300${String(process.pid % 100000).padStart(5, '0')}${String(serial).padStart(4, '0')}`;
  return withCheckChar(body.slice(0, 17));
}

export async function seedWorld(t: TestApp, names: { a?: string; b?: string } = {}): Promise<WebWorld> {
  const adminToken = await t.login(ADMIN.email, ADMIN.password);
  const auth = { authorization: `Bearer ${adminToken}` };
  const today = todayIn();
  const year = Number(today.slice(0, 4));
  const unit = async (name: string, province: string, industry: string) => {
    const res = await t.http
      .post('/api/v1/units')
      .set(auth)
      .send({
        name,
        creditCode: creditCode(),
        province,
        industry,
        kind: 'enterprise',
        cycleStart: `${year}-01-01`,
        cycleEnd: `${year + 1}-12-31`,
        contacts: [{ name: '联系人', email: `contact${serial}@unit.example.cn` }],
      });
    if (res.status !== 201) throw new Error(`unit ${name}: ${res.status} ${JSON.stringify(res.body)}`);
    return { id: res.body.id as number, name };
  };
  const unitA = await unit(names.a ?? '深圳市示范物流有限公司', '44', '现代物流');
  const unitB = await unit(names.b ?? '北京市示范养老服务中心', '11', '养老服务');
  const user = async (email: string, role: string, extra: object) => {
    const res = await t.http
      .post('/api/v1/users')
      .set(auth)
      .send({ email, name: email.split('@')[0], password: PASSWORD, role, ...extra });
    if (res.status !== 201) throw new Error(`user ${email}: ${res.status} ${JSON.stringify(res.body)}`);
    return email;
  };
  return {
    adminToken,
    today,
    unitA,
    unitB,
    users: {
      unitA: await user('staff@unit-a.example.cn', 'unit', { unitId: unitA.id }),
      supGd: await user('sup-gd@amr.example.gov.cn', 'supervisor', { provinces: ['44'] }),
      supBj: await user('sup-bj@amr.example.gov.cn', 'supervisor', { provinces: ['11'] }),
    },
  };
}

/** A one-page PDF small enough to write by hand (file-type recognises it by its header). */
export function tinyPdf(text = 'evidence'): Buffer {
  const content = `BT /F1 18 Tf 40 100 Td (${text}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** Pulls the hidden _csrf value (or the csrf <meta>) out of a page. */
export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html) ?? /name="csrf-token" content="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF token on the page');
  return m[1];
}

/** Signs in through the sign-in page like a browser; returns an agent that keeps the cookies. */
export async function pageLogin(t: TestApp, email: string, password: string) {
  const agent = request.agent(t.app.getHttpServer());
  const form = await agent.get('/login');
  const res = await agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrfOf(form.text), email, password, next: '/' });
  if (res.status !== 303) throw new Error(`page login ${email} failed: ${res.status}`);
  return agent;
}

/** A small valid PNG (a 4×4 blue square), recognised as an image by its bytes. */
export function tinyPng(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(4, 0);
  ihdr.writeUInt32BE(4, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const row = Buffer.from([0, ...Array.from({ length: 4 }, () => [0x15, 0x65, 0xc0]).flat()]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: 4 }, () => row)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', pixels),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
