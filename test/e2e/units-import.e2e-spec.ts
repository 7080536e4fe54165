import { AuditLog, Unit } from '@app/db';
import { ADMIN, createTestApp, type TestApp } from '../support/test-app';
import {
  auth,
  badCheckChar,
  counts,
  createUnit,
  createUser,
  creditCode,
  unitCsv,
  unitXlsx,
  ZH_HEADERS,
} from '../fixtures/units';

interface Report {
  dryRun: boolean;
  rows: number;
  valid: number;
  created: number;
  errors: { row: number; field: string; message: string; messageZh: string }[];
  ignoredColumns: string[];
}

describe('units: import from CSV and XLSX', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.login(ADMIN.email, ADMIN.password);
  });
  afterAll(() => t.close());

  const upload = (file: Buffer, filename: string, query: Record<string, string> = {}) =>
    t.http.post('/api/v1/units/import').query(query).set(auth(admin)).attach('file', file, filename);

  const codes = (n: number) => creditCode(500000 + n);

  /** Rows 2 and 4 are good; 3 has a wrong check character, 5 a bad e-mail and an unknown province,
   *  6 repeats row 2's code, 7 uses a code already in the database, 8 is blank, 9 is good. */
  async function sheet(offset: number, existingCode: string) {
    return [
      ZH_HEADERS,
      [
        '上海物流示范单位',
        codes(offset + 1),
        '上海市',
        '现代物流',
        '企事业单位',
        '2024-07-01',
        '2026-06-30',
        '王五',
        'wang@example.cn',
      ],
      [
        '坏校验位单位',
        badCheckChar(codes(offset + 2)),
        '31',
        '金融',
        'enterprise',
        '2024-07-01',
        '2026-06-30',
        '赵六',
        'zhao@example.cn',
      ],
      [
        '广东区域示范',
        codes(offset + 3),
        '广东',
        '旅游',
        '区域',
        '2025/1/1',
        '2026年12月31日',
        '钱七；孙八',
        'qian@example.cn;sun@example.cn',
      ],
      [
        '邮箱错误单位',
        codes(offset + 4),
        '火星',
        '餐饮',
        'enterprise',
        '2024-07-01',
        '2026-06-30',
        '周九',
        'not-an-email',
      ],
      ['重复单位', codes(offset + 1), '31', '现代物流', 'enterprise', '2024-07-01', '2026-06-30', '', ''],
      ['已存在单位', existingCode, '44', '现代物流', 'enterprise', '2024-07-01', '2026-06-30', '', ''],
      ['', '', '', '', '', '', '', '', ''],
      [
        'Zhejiang Demo Unit',
        codes(offset + 5),
        'Zhejiang',
        'e-commerce',
        'enterprise',
        '2024-01-01',
        '2025-12-31',
        'Li Lei',
        'li@example.cn',
      ],
    ];
  }

  function expectReport(r: Report, offset: number) {
    expect(r).toMatchObject({ rows: 7, valid: 3 });
    const byRow = (row: number) => r.errors.filter((e) => e.row === row);
    expect(byRow(2)).toEqual([]);
    expect(byRow(3)).toEqual([
      expect.objectContaining({
        field: 'creditCode',
        messageZh: expect.stringContaining('统一社会信用代码'),
      }),
    ]);
    expect(byRow(4)).toEqual([]);
    expect(
      byRow(5)
        .map((e) => e.field)
        .sort(),
    ).toEqual(['contacts.0.email', 'province']);
    expect(byRow(6)).toEqual([
      expect.objectContaining({ field: 'creditCode', messageZh: expect.stringContaining('第 2 行') }),
    ]);
    expect(byRow(7)).toEqual([
      expect.objectContaining({ field: 'creditCode', message: expect.stringContaining('already used') }),
    ]);
    expect(byRow(8)).toEqual([]);
    expect(byRow(9)).toEqual([]);
    expect(r.errors.every((e) => e.message && e.messageZh)).toBe(true);
    expect(codes(offset)).toBeDefined();
  }

  it('imports a UTF-8 CSV with BOM and Chinese headers: good rows created, bad rows reported', async () => {
    const existing = await createUnit(t, admin);
    const before = await counts(t);
    const res = await upload(unitCsv((await sheet(0, existing.creditCode)) as string[][]), '示范单位.csv');
    expect(res.status).toBe(200);
    const r = res.body as Report;
    expectReport(r, 0);
    expect(r).toMatchObject({ dryRun: false, created: 3 });
    const em = t.orm.em.fork();
    const created = await em.find(
      Unit,
      { creditCode: [codes(1), codes(3), codes(5)] },
      { orderBy: { id: 'asc' } },
    );
    expect(created.map((u) => [u.name, u.province, u.kind, u.cycleStart, u.cycleEnd])).toEqual([
      ['上海物流示范单位', '31', 'enterprise', '2024-07-01', '2026-06-30'],
      ['广东区域示范', '44', 'regional', '2025-01-01', '2026-12-31'],
      ['Zhejiang Demo Unit', '33', 'enterprise', '2024-01-01', '2025-12-31'],
    ]);
    expect(created[1].contacts).toEqual([
      { name: '钱七', email: 'qian@example.cn' },
      { name: '孙八', email: 'sun@example.cn' },
    ]);
    expect(created.every((u) => u.program === 'service-industry-demo' && u.ruleSetVersion === 2)).toBe(true);
    // Nothing half-created: exactly the good rows, each with its audit entry.
    expect(await counts(t)).toEqual({ units: before.units + 3, audit: before.audit + 3 });
    expect(await em.count(Unit, { creditCode: [codes(2), badCheckChar(codes(2)), codes(4)] })).toBe(0);
    expect(
      await em.count(AuditLog, {
        action: 'create',
        entity: 'unit',
        entityId: created.map((u) => String(u.id)),
      }),
    ).toBe(3);
  });

  it('reads a CSV without BOM and with English keys', async () => {
    const csv = unitCsv(
      [
        [
          'name',
          'creditCode',
          'province',
          'industry',
          'kind',
          'cycleStart',
          'cycleEnd',
          'contactName',
          'contactEmail',
          'note',
        ],
        [
          'English Unit',
          codes(50),
          '11',
          'finance',
          'enterprise',
          '2024-07-01',
          '2026-06-30',
          'Han Meimei',
          'han@example.cn',
          'ignored',
        ],
      ],
      false,
    );
    const res = await upload(csv, 'units.CSV');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ rows: 1, created: 1, errors: [], ignoredColumns: ['note'] });
  });

  it('imports an XLSX the same way, with real date cells and hyperlink e-mails', async () => {
    const existing = await createUnit(t, admin);
    const rows = await sheet(100, existing.creditCode);
    rows[3][5] = new Date(Date.UTC(2025, 0, 1)) as unknown as string;
    rows[1][8] = { text: 'wang@example.cn', hyperlink: 'mailto:wang@example.cn' } as unknown as string;
    const before = await counts(t);
    const res = await upload(await unitXlsx(rows), '名单.xlsx');
    expect(res.status).toBe(200);
    expectReport(res.body, 100);
    expect(res.body.created).toBe(3);
    expect(await counts(t)).toEqual({ units: before.units + 3, audit: before.audit + 3 });
    const em = t.orm.em.fork();
    const regional = await em.findOneOrFail(Unit, { creditCode: codes(103) });
    expect(regional.cycleStart).toBe('2025-01-01');
    const first = await em.findOneOrFail(Unit, { creditCode: codes(101) });
    expect(first.contacts).toEqual([{ name: '王五', email: 'wang@example.cn' }]);
  });

  it('dry run reports the same and creates nothing', async () => {
    const existing = await createUnit(t, admin);
    const before = await counts(t);
    const res = await upload(unitCsv((await sheet(200, existing.creditCode)) as string[][]), 'a.csv', {
      dryRun: 'true',
    });
    expect(res.status).toBe(200);
    expectReport(res.body, 200);
    expect(res.body).toMatchObject({ dryRun: true, created: 0 });
    expect(await counts(t)).toEqual(before);
  });

  it.each([
    ['a text file', Buffer.from('name\nx\n'), 'units.txt', 'fileType'],
    ['a file named .xlsx that is not one', Buffer.from('name,creditCode\nx,y\n'), 'units.xlsx', 'unreadable'],
    ['a CSV with a broken quote', Buffer.from('name,creditCode\n"x,y\n'), 'units.csv', 'unreadable'],
    ['a CSV with only headers', unitCsv([ZH_HEADERS]), 'units.csv', 'noRows'],
  ])('refuses %s with 400 and changes nothing', async (_label, buffer, name, rule) => {
    const before = await counts(t);
    const res = await upload(buffer, name);
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ field: 'file', rule });
    expect(await counts(t)).toEqual(before);
  });

  it('refuses a missing file and a bad dryRun value', async () => {
    const before = await counts(t);
    const none = await t.http.post('/api/v1/units/import').set(auth(admin)).field('x', '1');
    expect(none.status).toBe(400);
    const noFile = await t.http.post('/api/v1/units/import').set(auth(admin));
    expect(noFile.status).toBe(400);
    expect(noFile.body.errors[0]).toMatchObject({ field: 'file', rule: 'required' });
    const badFlag = await upload(unitCsv([ZH_HEADERS]), 'a.csv', { dryRun: 'maybe' });
    expect(badFlag.status).toBe(400);
    expect(badFlag.body.errors[0]).toMatchObject({ field: 'dryRun', rule: 'isIn' });
    expect(await counts(t)).toEqual(before);
  });

  it('is for admins only', async () => {
    const sup = await createUser(t, admin, {
      email: 'sup-import@example.cn',
      role: 'supervisor',
      provinces: ['31'],
    });
    const res = await t.http
      .post('/api/v1/units/import')
      .set(auth(sup))
      .attach(
        'file',
        unitCsv([ZH_HEADERS, ['x', codes(900), '31', 'x', 'enterprise', '2024-07-01', '2026-06-30', '', '']]),
        'a.csv',
      );
    expect(res.status).toBe(403);
    expect(await t.orm.em.fork().count(Unit, { creditCode: codes(900) })).toBe(0);
  });
});

describe('units: import size limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ UPLOAD_MAX_BYTES: '2048' });
  });
  afterAll(() => t.close());

  it('refuses a file over UPLOAD_MAX_BYTES (lower than the import limit) with 400 maxBytes, creating nothing', async () => {
    const admin = await t.login(ADMIN.email, ADMIN.password);
    const rows = [ZH_HEADERS];
    for (let i = 0; i < 40; i++) {
      rows.push([
        `单位${i}`,
        creditCode(700000 + i),
        '31',
        '现代物流',
        'enterprise',
        '2024-07-01',
        '2026-06-30',
        '王五',
        'w@example.cn',
      ]);
    }
    const file = unitCsv(rows);
    expect(file.length).toBeGreaterThan(2048);
    const before = await counts(t);
    const res = await t.http.post('/api/v1/units/import').set(auth(admin)).attach('file', file, 'big.csv');
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ field: 'file', rule: 'maxBytes' });
    expect(res.body.messageZh).toContain('2 KB');
    expect(await counts(t)).toEqual(before);
  });
});
