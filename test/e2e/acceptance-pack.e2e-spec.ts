import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync, renameSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import mammoth from 'mammoth';
import yauzl from 'yauzl';
import { AuditLog, EvidenceFile } from '@app/db';
import { startServer } from '../support/browser';
import { createTestApp, type TestApp } from '../support/test-app';
import { activityPayload, auth, makeUnit, makeUser, sample, world } from '../fixtures/evidence/world';
import { tinyPdf, tinyPng } from './web-fixtures';

/*
 * The acceptance pack of a unit with two years of activities and evidence uploaded through the API:
 * the zip opens, every entry's SHA-256 equals the manifest's, the index lists every evidence file, the
 * evidence bytes are the uploaded ones, names are flagged UTF-8, both Word drafts carry the figures and
 * the suggested score; and only those who may see the unit get it.
 */

const TODAY = '2026-06-15';
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** UTF-8 names (general purpose bit 11). */
const UTF8_FLAG = 0x800;

// supertest hands the raw Node response to custom parsers (typed loosely).
const binary = (res: any, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

interface Entry {
  name: string;
  flags: number;
  data: Buffer;
}

function unzip(zip: Buffer): Promise<Entry[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true, decodeStrings: true }, (err, file) => {
      if (err || !file) return reject(err ?? new Error('no zip'));
      const out: Entry[] = [];
      file.on('error', reject);
      file.on('end', () => resolve(out));
      file.on('entry', (entry: yauzl.Entry) => {
        file.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.push({
              name: entry.fileName,
              flags: entry.generalPurposeBitFlag,
              data: Buffer.concat(chunks),
            });
            file.readEntry();
          });
        });
      });
      file.readEntry();
    });
  });
}

describe('acceptance pack: documents, index, evidence and manifest in one streamed zip', () => {
  let t: TestApp;
  let w: Awaited<ReturnType<typeof world>>;
  let unitId: number;
  let unitUser: string;
  let supJs: string;
  /** What was uploaded: activity id, name sent, bytes. */
  const uploads: { activity: number; name: string; bytes: Buffer; verified: boolean }[] = [];
  let zip: Buffer;
  let entries: Entry[];
  let headers: Record<string, string>;

  const create = async (token: string, body: object) => {
    const res = await t.http.post('/api/v1/activities').set(auth(token)).send(body);
    if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as number;
  };
  const upload = async (activity: number, files: [string, Buffer][], verified: boolean) => {
    let req = t.http.post(`/api/v1/activities/${activity}/evidence`).set(auth(unitUser));
    for (const [name, bytes] of files) req = req.attach('files', bytes, name);
    const res = await req;
    if (res.status !== 201) throw new Error(`upload: ${res.status} ${JSON.stringify(res.body)}`);
    for (const [name, bytes] of files) uploads.push({ activity, name, bytes, verified });
  };
  const act = async (token: string, id: number, verb: 'submit' | 'verify') => {
    const res = await t.http.post(`/api/v1/activities/${id}/${verb}`).set(auth(token)).send({});
    if (res.status !== 200 && res.status !== 201)
      throw new Error(`${verb}: ${res.status} ${JSON.stringify(res.body)}`);
  };
  const download = (token?: string) => {
    const req = t.http.get(`/api/v1/units/${unitId}/acceptance-pack`);
    if (token) req.set(auth(token));
    return req.buffer(true).parse(binary);
  };

  beforeAll(async () => {
    t = await createTestApp({}, { today: TODAY });
    w = await world(t);
    const unit = await makeUnit(t, {
      name: '南通市示范服务有限公司',
      province: '32',
      cycleStart: '2025-01-01',
      cycleEnd: '2026-12-31',
    });
    unitId = unit.id;
    unitUser = await makeUser(t, w.admin, { email: 'staff@nantong.example.cn', role: 'unit', unitId });
    supJs = await makeUser(t, w.admin, {
      email: 'sup-js@amr.example.cn',
      role: 'supervisor',
      provinces: ['32'],
    });

    // 2025: three exchange events and a national paper, verified; a media report only submitted.
    const events2025 = [];
    for (const date of ['2025-03-10', '2025-06-20', '2025-06-20']) {
      events2025.push(
        await create(unitUser, activityPayload('exchange_events', { date, title: '经验交流会/观摩' })),
      );
    }
    await upload(
      events2025[0],
      [
        ['签到表.pdf', tinyPdf('sign-in 1')],
        ['现场照片.png', tinyPng()],
      ],
      true,
    );
    // Same date and title as the next: its own folder, numbered.
    await upload(events2025[1], [['签到表.pdf', tinyPdf('sign-in 2')]], true);
    await upload(
      events2025[2],
      [
        ['签到表.pdf', tinyPdf('sign-in 3')],
        ['签到表.PDF', tinyPdf('twice')],
      ],
      true,
    );
    const paper = await create(unitUser, activityPayload('national_papers', { date: '2025-09-01' }));
    await upload(paper, [['论文.pdf', tinyPdf('paper')]], true);
    const media = await create(unitUser, activityPayload('media_reports', { date: '2025-11-11' }));
    await upload(media, [['报道截图.png', sample('sample.png')]], false);
    // 2026 so far: one exchange event verified, a standard proposal still a draft.
    const event2026 = await create(unitUser, activityPayload('exchange_events', { date: '2026-04-01' }));
    await upload(event2026, [['2026 交流会.pdf', tinyPdf('2026')]], true);
    const draft = await create(unitUser, activityPayload('standard_proposals', { date: '2026-05-05' }));
    await upload(draft, [['..\\需求书.pdf', tinyPdf('draft')]], false);

    for (const id of [...events2025, paper, event2026]) {
      await act(unitUser, id, 'submit');
      await act(supJs, id, 'verify');
    }
    await act(unitUser, media, 'submit');
    // The task book asks for two events in 2026 instead of the program's three.
    const target = await t.http
      .put(`/api/v1/units/${unitId}/targets`)
      .set(auth(supJs))
      .send({
        targets: [
          {
            requirement: 'exchange_events',
            periodStart: '2026-01-01',
            minimum: 2,
            reason: '任务书第 3.1 条',
          },
        ],
      });
    expect(target.status).toBe(200);

    const res = await download(unitUser);
    expect(res.status).toBe(200);
    zip = res.body as Buffer;
    headers = res.headers as Record<string, string>;
    entries = await unzip(zip);
  });
  afterAll(() => t.close());

  it('answers a zip with a UTF-8 file name and its exact length', () => {
    expect(headers['content-type']).toBe('application/zip');
    expect(headers['content-disposition']).toContain(
      `filename*=UTF-8''${encodeURIComponent(`验收材料包-南通市示范服务有限公司-${TODAY}.zip`)}`,
    );
    expect(Number(headers['content-length'])).toBe(zip.length);
  });

  it('holds the two drafts, the index, the evidence and the manifest last, every name flagged UTF-8', () => {
    const names = entries.map((e) => e.name);
    expect(names.slice(0, 3)).toEqual(['自我评价报告.docx', '工作总结.docx', '证明材料索引.xlsx']);
    expect(names.at(-1)).toBe('manifest.json');
    for (const e of entries) expect(e.flags & UTF8_FLAG).toBe(UTF8_FLAG);
    expect(names.filter((n) => n.startsWith('证明材料/'))).toHaveLength(uploads.length);
    for (const n of names) {
      expect(n.split('/').every((s) => s !== '..' && s !== '.' && s.length > 0 && !s.includes('\\'))).toBe(
        true,
      );
    }
  });

  it('lists every other file in the manifest with the SHA-256 and size of its bytes', () => {
    const manifest = JSON.parse(entries.at(-1)!.data.toString('utf8'));
    expect(manifest).toMatchObject({
      unit: { id: unitId, name: '南通市示范服务有限公司' },
      cycle: { start: '2025-01-01', end: '2026-12-31' },
      generator: expect.any(String),
    });
    expect(new Date(manifest.createdAt).toISOString()).toBe(manifest.createdAt);
    const rest = entries.slice(0, -1);
    expect(manifest.files.map((f: { path: string }) => f.path)).toEqual(rest.map((e) => e.name));
    for (const [i, e] of rest.entries()) {
      expect(manifest.files[i]).toEqual({ path: e.name, sha256: sha256(e.data), size: e.data.length });
    }
  });

  it('puts each upload, byte for byte, under year, requirement and activity; unverified ones apart', () => {
    const evidence = entries.filter((e) => e.name.startsWith('证明材料/'));
    for (const u of uploads) {
      const found = evidence.filter((e) => e.data.equals(u.bytes));
      expect(found).toHaveLength(1);
      expect(found[0].name.startsWith('证明材料/未核实/')).toBe(!u.verified);
    }
    const names = evidence.map((e) => e.name);
    expect(names).toEqual(
      expect.arrayContaining([
        '证明材料/2025/经验交流、观摩活动/2025-03-10-经验交流会_观摩/签到表.pdf',
        '证明材料/2025/经验交流、观摩活动/2025-03-10-经验交流会_观摩/现场照片.png',
        '证明材料/2025/经验交流、观摩活动/2025-06-20-经验交流会_观摩/签到表.pdf',
        '证明材料/2025/经验交流、观摩活动/2025-06-20-经验交流会_观摩 (2)/签到表.pdf',
        '证明材料/2025/经验交流、观摩活动/2025-06-20-经验交流会_观摩 (2)/签到表 (2).PDF',
        '证明材料/2026/经验交流、观摩活动/2026-04-01-服务业标准化经验交流会/2026 交流会.pdf',
      ]),
    );
    expect(names.some((n) => n.startsWith('证明材料/未核实/2025/') && n.endsWith('/报道截图.png'))).toBe(
      true,
    );
    expect(names.some((n) => n.startsWith('证明材料/未核实/2026/') && n.endsWith('/需求书.pdf'))).toBe(true);
  });

  it('indexes every evidence file: activity, status, reviewer and review time in Asia/Shanghai', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(entries.find((e) => e.name === '证明材料索引.xlsx')!.data as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual([
      '年度',
      '示范任务',
      '活动日期',
      '活动标题',
      '状态',
      '审核人',
      '审核时间（北京时间）',
      '原文件名',
      '包内路径',
      '大小（字节）',
      'SHA-256',
    ]);
    const rows: Record<string, unknown>[] = [];
    ws.eachRow((row, n) => {
      if (n === 1) return;
      rows.push(Object.fromEntries(header.map((h, i) => [h, row.getCell(i + 1).value])));
    });
    expect(rows).toHaveLength(uploads.length);
    const byPath = new Map(entries.map((e) => [e.name, e]));
    for (const r of rows) {
      const e = byPath.get(String(r['包内路径']));
      expect(e).toBeDefined();
      expect(r['SHA-256']).toBe(sha256(e!.data));
      expect(r['大小（字节）']).toBe(e!.data.length);
    }
    const paper = rows.find((r) => r['原文件名'] === '论文.pdf')!;
    expect(paper).toMatchObject({ 年度: '2025', 活动日期: '2025-09-01', 状态: '已核实', 审核人: 'sup-js' });
    const em = t.orm.em.fork();
    const [row] = await em
      .getConnection()
      .execute(`select reviewed_at from activities where title = ? and date = ?`, [
        '物流标准化实践研究',
        '2025-09-01',
      ]);
    const reviewedAt = new Date(row.reviewed_at);
    const shanghai = new Date(reviewedAt.getTime() + 8 * 3600_000)
      .toISOString()
      .slice(0, 19)
      .replace('T', ' ');
    expect(paper['审核时间（北京时间）']).toBe(shanghai);
    const media = rows.find((r) => r['原文件名'] === '报道截图.png')!;
    expect(media).toMatchObject({ 状态: '待审核', 审核人: '', '审核时间（北京时间）': '' });
  });

  it('drafts a self-evaluation with the verified counts, the suggested score and room for the unit', async () => {
    const doc = entries.find((e) => e.name === '自我评价报告.docx')!;
    const { value: text } = await mammoth.extractRawText({ buffer: doc.data });
    expect(text).toContain('南通市示范服务有限公司');
    expect(text).toContain('2025-01-01 至 2026-12-31');
    // 2025: three events verified, the paper; 2026 so far: one event of the task book's two.
    expect(text).toContain('经验交流、观摩活动：已核实 3 次，要求 3 次，已达标。');
    expect(text).toContain('经验交流、观摩活动：已核实 1 次，要求 2 次');
    expect(text).toContain('2 次（任务书目标，规则要求 3 次）');
    expect(text).toContain('国家级刊物论文：已核实 1 篇，要求 1 篇，已达标。');
    expect(text).toContain('2025-09-01 物流标准化实践研究（已核实，证明材料 1 个）');
    expect(text).toContain('2025-11-11 南方日报报道示范项目（待审核，证明材料 1 个）');
    // Events: (3 + 1) of (3 + 2) × 10 = 8; papers all years or nothing: 0; the rest 0.
    expect(text).toContain('登记数据：经验交流、观摩活动，1/2 个年度达到要求，完成 4/5');
    expect(text).toContain('按登记数据计算的建议得分合计：8 分（这些项目满分 55 分）');
    expect(text).toContain('其余 45 分为人工评价项');
    expect(text).toContain('本表为示例，请按本省印发的评分表调整后使用。');
    expect(text).toContain('【请单位填写】');
  });

  it('drafts a work summary per year with the same figures', async () => {
    const doc = entries.find((e) => e.name === '工作总结.docx')!;
    const { value: text } = await mammoth.extractRawText({ buffer: doc.data });
    expect(text).toContain('2025 年度（2025-01-01 至 2025-12-31）工作总结');
    expect(text).toContain(`2026 年度（2026-01-01 至 2026-12-31，截至 ${TODAY}）工作总结`);
    expect(text).toContain('经验交流、观摩活动：已核实 3 次');
    expect(text).toContain('2026-05-05 物流服务质量评价国家标准制定需求（草稿，证明材料 1 个）');
    expect(text).toContain('三、考核验收评分建议');
    expect(text).toContain('登记数据可计算项目的建议得分合计：8 分（这些项目满分 55 分）');
    expect(text).toContain('【请单位填写】');
  });

  it('is for the unit, its supervisors and admins only: 404 for others, 401 without a session', async () => {
    expect((await download(w.admin)).status).toBe(200);
    expect((await download(supJs)).status).toBe(200);
    expect((await download(w.userGd1)).status).toBe(404);
    expect((await download(w.supGd)).status).toBe(404);
    expect((await download()).status).toBe(401);
    expect((await t.http.get('/api/v1/units/abc/acceptance-pack').set(auth(w.admin))).status).toBe(400);
    expect((await t.http.get('/api/v1/units/999999/acceptance-pack').set(auth(w.admin))).status).toBe(404);
  });

  it('is audited: who took the pack of which unit, with how many files and bytes', async () => {
    const rows = await t.orm.em
      .fork()
      .find(
        AuditLog,
        { action: 'export', entity: 'unit', entityId: String(unitId) },
        { orderBy: { id: 'asc' } },
      );
    // The first download (unit user), the admin's and the supervisor's; refused ones leave no row.
    expect(rows).toHaveLength(3);
    expect(rows[0].changes).toEqual({
      kind: 'acceptancePack',
      evidenceFiles: uploads.length,
      evidenceBytes: uploads.reduce((n, u) => n + u.bytes.length, 0),
      missing: 0,
    });
  });

  const storedPath = async (originalName: string) => {
    const f = await t.orm.em.fork().findOneOrFail(EvidenceFile, { originalName });
    return join(t.dataDir, 'evidence', f.storedName);
  };

  it('aborts the download when a stored file no longer has its recorded SHA-256', async () => {
    const path = await storedPath('论文.pdf');
    const original = readFileSync(path);
    const changed = Buffer.from(original);
    changed[changed.length - 2] ^= 0xff;
    writeFileSync(path, changed);
    try {
      const outcome = await download(unitUser).then(
        (res) => (res.body as Buffer).length === Number(res.headers['content-length']),
        () => false,
      );
      expect(outcome).toBe(false);
    } finally {
      writeFileSync(path, original);
    }
    expect((await download(unitUser)).status).toBe(200);
  });

  it('lists a file missing from the store in the manifest and the index, and leaves it out', async () => {
    const path = await storedPath('论文.pdf');
    renameSync(path, `${path}.away`);
    try {
      const res = await download(unitUser);
      expect(res.status).toBe(200);
      const got = await unzip(res.body as Buffer);
      expect(got.filter((e) => e.name.startsWith('证明材料/'))).toHaveLength(uploads.length - 1);
      expect(got.some((e) => e.name.endsWith('/论文.pdf'))).toBe(false);
      const manifest = JSON.parse(got.at(-1)!.data.toString('utf8'));
      expect(manifest.missing).toEqual([expect.objectContaining({ originalName: '论文.pdf' })]);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(got.find((e) => e.name === '证明材料索引.xlsx')!.data as unknown as ArrayBuffer);
      const paths: string[] = [];
      wb.worksheets[0].eachRow((row, n) => {
        if (n > 1) paths.push(String(row.getCell(9).value));
      });
      expect(paths).toHaveLength(uploads.length);
      expect(paths).toContain('（存储中缺少此文件，未放入材料包）');
    } finally {
      renameSync(`${path}.away`, path);
    }
  });
});

describe('acceptance pack: a client that goes away mid-download', () => {
  let s: TestApp & { baseUrl: string };

  beforeAll(async () => {
    s = await startServer({}, { today: TODAY });
  });
  afterAll(() => s.close());

  /** Descriptors this process holds open on files of the evidence store. */
  const openEvidence = () =>
    readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`).startsWith(join(s.dataDir, 'evidence') + '/');
      } catch {
        return false;
      }
    }).length;

  it('stops reading the store and leaves no file open; the next pack is whole', async () => {
    const w = await world(s);
    const unit = await makeUnit(s, { province: '44', cycleStart: '2025-01-01', cycleEnd: '2026-12-31' });
    const token = await makeUser(s, w.admin, {
      email: 'abort@unit.example.cn',
      role: 'unit',
      unitId: unit.id,
    });
    // Three "PDFs" of 4 MB each (file-type reads the header), far more than a socket buffers.
    const big = () => Buffer.concat([tinyPdf('big'), randomBytes(4 * 1024 * 1024)]);
    for (const date of ['2025-05-01', '2025-06-01', '2025-07-01']) {
      const id = (
        await s.http
          .post('/api/v1/activities')
          .set(auth(token))
          .send(activityPayload('exchange_events', { date }))
      ).body.id as number;
      const up = await s.http
        .post(`/api/v1/activities/${id}/evidence`)
        .set(auth(token))
        .attach('files', big(), 'scan.pdf');
      expect(up.status).toBe(201);
    }
    const { port } = new URL(s.baseUrl);
    const received = await new Promise<number>((resolve, reject) => {
      const req = httpGet(
        { host: '127.0.0.1', port, path: `/api/v1/units/${unit.id}/acceptance-pack`, headers: auth(token) },
        (res) => {
          expect(res.statusCode).toBe(200);
          let n = 0;
          res.on('data', (c: Buffer) => {
            n += c.length;
            // Gone after the first bytes.
            if (n > 64 * 1024) req.destroy();
          });
          res.on('close', () => resolve(n));
        },
      );
      req.on('error', () => undefined);
      setTimeout(() => reject(new Error('no answer')), 20_000).unref();
    });
    expect(received).toBeLessThan(12 * 1024 * 1024);
    for (let i = 0; i < 50 && openEvidence() > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(openEvidence()).toBe(0);
    const again = await s.http
      .get(`/api/v1/units/${unit.id}/acceptance-pack`)
      .set(auth(token))
      .buffer(true)
      .parse(binary);
    expect(again.status).toBe(200);
    expect((again.body as Buffer).length).toBe(Number(again.headers['content-length']));
    expect((await unzip(again.body as Buffer)).filter((e) => e.name.endsWith('scan.pdf'))).toHaveLength(3);
  });
});
