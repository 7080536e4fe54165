import ExcelJS from 'exceljs';
import type { Response } from 'superagent';
import { Activity, type Unit } from '@app/db';
import { ADMIN, createTestApp, type TestApp } from '../support/test-app';
import {
  bearer,
  makeActivity,
  makeUnit,
  makeUser,
  meetEverything,
  PASSWORD,
  recount,
} from './compliance.fixtures';
import { pageLogin } from './web-fixtures';

/*
 * League tables: every figure of a group equals its units' own compliance figures (GET
 * /api/v1/units/:id/compliance) summed here by hand, and its review figures those of its activities;
 * supervisors see their provinces' groups and the rest only as aggregates, never a unit's name; the
 * exports carry the same numbers; bad input is a 400 naming the field.
 */

const TODAY = '2026-05-15';
const YEAR = 2026;

interface Figures {
  units: number;
  allMet: number;
  allMetShare: number | null;
  verified: number;
  verifiedPerUnit: number | null;
  reviewed: number;
  rejected: number;
  rejectedShare: number | null;
  medianReviewHours: number | null;
  requirements: Record<string, { met: number; of: number; share: number | null }>;
}
interface Row extends Figures {
  kind: 'group' | 'others' | 'national';
  key: string | null;
}
interface UnitView {
  overall: string;
  unit: { id: number; province: string; industry: string; cycleStart: string };
  requirements: { key: string; status: string; verified: number }[];
}

const H = 3_600_000;
const at = (iso: string) => new Date(`${iso}T10:00:00+08:00`);

describe('league tables', () => {
  let t: TestApp;
  let admin: string;
  let sup: string;
  let unitUser: string;
  const units: Unit[] = [];
  let excluded: Unit;

  beforeAll(async () => {
    t = await createTestApp({}, { today: TODAY });
    const em = t.orm.em.fork();
    const add = (name: string, province: string, industry: string, cycleStart: string, cycleEnd: string) => {
      const u = makeUnit(em, { name, province, industry, cycleStart, cycleEnd });
      units.push(u);
      return u;
    };
    const gd1 = add('广东甲物流', '44', '现代物流', '2025-01-01', '2027-12-31');
    const gd2 = add('广东乙软件', '44', '软件服务', '2026-01-01', '2028-12-31');
    const zj1 = add('浙江甲物流', '33', '现代物流', '2025-01-01', '2027-12-31');
    const zj2 = add('浙江乙软件', '33', '软件服务', '2026-01-01', '2028-12-31');
    const bj1 = add('北京甲物流', '11', '现代物流', '2026-01-01', '2028-12-31');
    // Cycle over before the year: not in the 2026 league (nor its reviews).
    excluded = makeUnit(em, {
      name: '已结束单位',
      province: '44',
      industry: '现代物流',
      cycleStart: '2021-01-01',
      cycleEnd: '2023-12-31',
    });
    await em.flush();
    await meetEverything(t, gd1);
    await meetEverything(t, zj1);
    // Reviewed activities with known review times (verified and rejected), and some outside the year.
    const reviewed = (u: Unit, status: 'verified' | 'rejected', submitted: string, hours: number) =>
      em.persist(
        Object.assign(makeActivity(em, u, 'work_updates', submitted, status), {
          submittedAt: at(submitted),
          reviewedAt: new Date(at(submitted).getTime() + hours * H),
        }),
      );
    reviewed(gd2, 'verified', '2026-02-02', 5);
    reviewed(gd2, 'verified', '2026-02-03', 30);
    reviewed(gd2, 'rejected', '2026-02-04', 2);
    reviewed(gd2, 'verified', '2026-02-05', 100);
    reviewed(zj2, 'rejected', '2026-03-02', 12);
    reviewed(zj2, 'verified', '2026-03-03', 48);
    reviewed(zj2, 'verified', '2026-03-04', 7);
    reviewed(bj1, 'verified', '2026-04-01', 1);
    reviewed(bj1, 'rejected', '2026-04-02', 3);
    reviewed(gd2, 'verified', '2025-06-01', 9); // reviewed in 2025
    reviewed(excluded, 'verified', '2026-04-03', 50); // a unit outside the year
    em.persist(makeActivity(em, gd2, 'exchange_events', '2026-03-01', 'submitted'));
    await em.flush();
    await recount(t);
    const uEm = t.orm.em.fork();
    uEm.persist(
      await makeUser(uEm, { email: 'league-sup@example.cn', role: 'supervisor', provinces: ['44'] }),
    );
    uEm.persist(
      await makeUser(uEm, {
        email: 'league-unit@example.cn',
        role: 'unit',
        unit: uEm.getReference('Unit', gd1.id) as Unit,
      }),
    );
    await uEm.flush();
    admin = await t.login(ADMIN.email, ADMIN.password);
    sup = await t.login('league-sup@example.cn', PASSWORD);
    unitUser = await t.login('league-unit@example.cn', PASSWORD);
  });
  afterAll(() => t?.close());

  const league = async (token: string, query: string) => {
    const res = await t.http.get(`/api/v1/compliance/league?${query}`).set(bearer(token));
    expect([query, res.status]).toEqual([query, 200]);
    return res.body as { at: string; year: number; rows: Row[]; requirements: { key: string }[] };
  };

  /** Each unit's own figures, from the per-unit endpoint at the league's date. */
  const perUnit = async (date: string): Promise<UnitView[]> =>
    Promise.all(
      units.map(
        async (u) =>
          (await t.http.get(`/api/v1/units/${u.id}/compliance?at=${date}`).set(bearer(admin)))
            .body as UnitView,
      ),
    );

  /** Review figures by hand: activities of the units whose latest review lies in the year. */
  const reviewsOf = async (ids: number[]) => {
    const list = await t.orm.em.fork().find(Activity, {
      unit: { $in: ids },
      status: { $in: ['verified', 'rejected'] },
      reviewedAt: { $gte: new Date('2026-01-01T00:00:00+08:00'), $lt: new Date('2027-01-01T00:00:00+08:00') },
    });
    const hours = list
      .filter((a) => a.submittedAt)
      .map((a) => (a.reviewedAt!.getTime() - a.submittedAt!.getTime()) / H)
      .sort((x, y) => x - y);
    const n = hours.length;
    const median = n ? (hours[Math.floor((n - 1) / 2)] + hours[Math.floor(n / 2)]) / 2 : null;
    const rejected = list.filter((a) => a.status === 'rejected').length;
    return { reviewed: list.length, rejected, median };
  };

  const byHand = async (views: UnitView[]): Promise<Figures> => {
    const requirements: Figures['requirements'] = {};
    let verified = 0;
    for (const v of views) {
      for (const r of v.requirements) {
        const m = (requirements[r.key] ??= { met: 0, of: 0, share: null });
        m.of++;
        if (r.status === 'met') m.met++;
        verified += r.verified;
      }
    }
    for (const m of Object.values(requirements)) m.share = m.of ? m.met / m.of : null;
    const allMet = views.filter((v) => v.overall === 'met').length;
    const r = await reviewsOf(views.map((v) => v.unit.id));
    return {
      units: views.length,
      allMet,
      allMetShare: views.length ? allMet / views.length : null,
      verified,
      verifiedPerUnit: views.length ? verified / views.length : null,
      reviewed: r.reviewed,
      rejected: r.rejected,
      rejectedShare: r.reviewed ? r.rejected / r.reviewed : null,
      medianReviewHours: r.median,
      requirements,
    };
  };

  const expectFigures = (row: Row | undefined, want: Figures, what: string) => {
    expect(row).toBeDefined();
    const { kind: _k, key: _g, medianReviewHours, ...rest } = row!;
    const { medianReviewHours: wantMedian, ...wantRest } = want;
    expect([what, rest]).toEqual([what, wantRest]);
    if (wantMedian === null) expect(medianReviewHours).toBeNull();
    else expect(medianReviewHours).toBeCloseTo(wantMedian, 6);
  };

  const keyOf = (by: string, v: UnitView) =>
    by === 'province' ? v.unit.province : by === 'industry' ? v.unit.industry : v.unit.cycleStart.slice(0, 4);

  it.each(['province', 'cohort', 'industry'])(
    'by=%s: every group equals its units’ own figures summed by hand (admin)',
    async (by) => {
      const body = await league(admin, `by=${by}&year=${YEAR}`);
      expect(body.at).toBe(TODAY); // the current year: each unit's period today
      const views = await perUnit(body.at);
      const groups = new Map<string, UnitView[]>();
      for (const v of views) groups.set(keyOf(by, v), [...(groups.get(keyOf(by, v)) ?? []), v]);
      const groupRows = body.rows.filter((r) => r.kind === 'group');
      expect(groupRows.map((r) => r.key).sort()).toEqual([...groups.keys()].sort());
      for (const [key, list] of groups) {
        expectFigures(
          groupRows.find((r) => r.key === key),
          await byHand(list),
          `${by} ${key}`,
        );
      }
      expect(body.rows.filter((r) => r.kind === 'others')).toEqual([]);
      expect(body.rows.at(-1)!.kind).toBe('national');
      expectFigures(body.rows.at(-1), await byHand(views), 'national');
      if (by === 'province') {
        // Pinned too: Guangdong's four reviews of 2026 (5, 30, 2 rejected, 100 hours), nine in all.
        expect(groupRows.find((r) => r.key === '44')).toMatchObject({
          reviewed: 4,
          rejected: 1,
          medianReviewHours: 17.5,
        });
        expect(body.rows.at(-1)).toMatchObject({
          units: 5,
          allMet: 2,
          reviewed: 9,
          rejected: 3,
          medianReviewHours: 7,
        });
      }
      // Not a placeholder: the figures differ between groups.
      expect(new Set(groupRows.map((r) => r.allMetShare)).size).toBeGreaterThan(1);
    },
  );

  it('sorts by the share meeting everything (default, descending) and by any sort field and order', async () => {
    const shares = (rows: Row[]) => rows.filter((r) => r.kind === 'group').map((r) => r.allMetShare!);
    const def = await league(admin, 'by=province');
    expect(shares(def.rows)).toEqual([...shares(def.rows)].sort((a, b) => b - a));
    const asc = await league(admin, 'by=province&sort=rejectedShare&order=asc');
    const rejected = asc.rows.filter((r) => r.kind === 'group').map((r) => r.rejectedShare);
    const known = rejected.filter((x): x is number => x !== null);
    expect(known).toEqual([...known].sort((a, b) => a - b));
    expect(rejected.slice(known.length).every((x) => x === null)).toBe(true);
    const group = await league(admin, 'by=province&sort=group');
    expect(group.rows.filter((r) => r.kind === 'group').map((r) => r.key)).toEqual(['11', '33', '44']);
  });

  it('another year takes each unit’s period holding 31 December, and that year’s reviews', async () => {
    const body = await league(admin, 'by=province&year=2025');
    expect(body.at).toBe('2025-12-31');
    const national = body.rows.at(-1)!;
    // Only the two units whose cycle began in 2025; the one review of 2025 (a unit of 2026) is not theirs.
    expect(national.units).toBe(2);
    expect(national.reviewed).toBe(0);
    expect(national.medianReviewHours).toBeNull();
  });

  it('a supervisor gets their provinces’ groups, the other provinces together and the national row, no unit names', async () => {
    const adminView = await league(admin, `by=cohort&year=${YEAR}`);
    for (const by of ['province', 'cohort', 'industry']) {
      const res = await t.http.get(`/api/v1/compliance/league?by=${by}`).set(bearer(sup));
      expect(res.status).toBe(200);
      const rows = res.body.rows as Row[];
      const views = await perUnit(res.body.at);
      const mine = views.filter((v) => v.unit.province === '44');
      const others = views.filter((v) => v.unit.province !== '44');
      expect(rows.map((r) => r.kind)).toEqual([
        ...rows.filter((r) => r.kind === 'group').map(() => 'group'),
        'others',
        'national',
      ]);
      const keys = new Set(mine.map((v) => keyOf(by, v)));
      expect(
        rows
          .filter((r) => r.kind === 'group')
          .map((r) => r.key)
          .sort(),
      ).toEqual([...keys].sort());
      for (const key of keys) {
        expectFigures(
          rows.find((r) => r.kind === 'group' && r.key === key),
          await byHand(mine.filter((v) => keyOf(by, v) === key)),
          `sup ${by} ${key}`,
        );
      }
      expectFigures(
        rows.find((r) => r.kind === 'others'),
        await byHand(others),
        `sup ${by} others`,
      );
      expectFigures(rows.at(-1), await byHand(views), `sup ${by} national`);
      if (by === 'province') expect(rows.some((r) => r.key === '33' || r.key === '11')).toBe(false);
      const text = JSON.stringify(res.body);
      for (const u of [...units, excluded]) expect(text).not.toContain(u.name);
    }
    // The national row is the admin's national row.
    const supCohort = await league(sup, `by=cohort&year=${YEAR}`);
    expect(supCohort.rows.at(-1)).toEqual(adminView.rows.at(-1));
  });

  it('refuses unit users with 403 (API and page)', async () => {
    const res = await t.http.get('/api/v1/compliance/league').set(bearer(unitUser));
    expect(res.status).toBe(403);
    expect(res.body.message).toBeTruthy();
    const page = await (await pageLogin(t, 'league-unit@example.cn', PASSWORD)).get('/overview/league');
    expect(page.status).toBe(403);
  });

  it('refuses bad input with 400 naming the field and the rule', async () => {
    const cases: [string, string, string][] = [
      ['by=unit', 'by', 'isIn'],
      ['by=', 'by', 'isIn'],
      ['year=1999', 'year', 'min'],
      ['year=2101', 'year', 'max'],
      ['year=20x6', 'year', 'isInt'],
      ['sort=name', 'sort', 'isIn'],
      ['order=up', 'order', 'isIn'],
      ['format=pdf', 'format', 'isIn'],
      ['unit=1', 'unit', 'whitelistValidation'],
    ];
    for (const [q, field, rule] of cases) {
      const res = await t.http.get(`/api/v1/compliance/league?${q}`).set(bearer(admin));
      expect([q, res.status]).toEqual([q, 400]);
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, rule })]));
    }
    const agent = await pageLogin(t, ADMIN.email, ADMIN.password);
    for (const q of ['by=unit', 'year=1999', 'sort=name']) {
      expect([q, (await agent.get(`/overview/league?${q}`)).status]).toEqual([q, 400]);
    }
  });

  const binary = (res: Response, cb: (err: Error | null, body: Buffer) => void) => {
    const chunks: Buffer[] = [];
    res.on('data', (d: Buffer) => chunks.push(d));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  };

  it('exports the same numbers as XLSX and CSV (API and page), with no unit names', async () => {
    const body = await league(sup, 'by=province&sort=group');
    const agent = await pageLogin(t, 'league-sup@example.cn', PASSWORD);
    const files = [
      await t.http
        .get('/api/v1/compliance/league?by=province&sort=group&format=xlsx&lang=en')
        .set(bearer(sup))
        .buffer(true)
        .parse(binary),
      await agent.get('/overview/league.xlsx?by=province&sort=group&lang=en').buffer(true).parse(binary),
    ];
    for (const res of files) {
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toContain('spreadsheetml');
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(res.body as ArrayBuffer);
      const ws = wb.worksheets[0];
      const headers = (ws.getRow(1).values as unknown[]).slice(1).map(String);
      const col = (h: string) => headers.indexOf(h) + 1;
      expect(headers.slice(0, 4)).toEqual(['Province', 'Units', 'Units meeting all', 'Meeting all']);
      const names = [...Array(ws.rowCount - 1).keys()].map((i) => String(ws.getRow(i + 2).getCell(1).value));
      expect(names).toEqual(['Guangdong', 'Other provinces (together)', 'National']);
      body.rows.forEach((row, i) => {
        const r = ws.getRow(i + 2);
        expect(r.getCell(col('Units')).value).toBe(row.units);
        expect(r.getCell(col('Units meeting all')).value).toBe(row.allMet);
        expect(r.getCell(col('Meeting all')).value).toBe(Math.round(row.allMetShare! * 1000) / 10);
        expect(r.getCell(col('Activities reviewed')).value).toBe(row.reviewed);
        expect(r.getCell(col('Activities rejected')).value).toBe(row.rejected);
        const median = r.getCell(col('Median review time (hours)')).value;
        expect(median === null || median === '' ? null : median).toEqual(
          row.medianReviewHours === null ? null : Math.round(row.medianReviewHours * 10) / 10,
        );
      });
      const all = JSON.stringify(ws.getSheetValues());
      for (const u of units) expect(all).not.toContain(u.name);
    }
    const csv = await agent.get('/overview/league.csv?by=province&sort=group');
    expect(csv.status).toBe(200);
    const lines = csv.text
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n')
      .map((l) => l.split(','));
    expect(lines[0].slice(0, 2)).toEqual(['省份', '单位数']);
    expect(lines.slice(1).map((l) => [l[0], Number(l[1]), Number(l[2])])).toEqual(
      body.rows.map((r, i) => [['广东省', '其他省份（合计）', '全国'][i], r.units, r.allMet]),
    );
    for (const u of units) expect(csv.text).not.toContain(u.name);
  });

  it('renders the league page in both languages: table, switch, sort links, exports, chart', async () => {
    const agent = await pageLogin(t, ADMIN.email, ADMIN.password);
    const overview = await agent.get('/overview');
    expect(overview.text).toContain('href="/overview/league"');
    const body = await league(admin, 'by=industry');
    for (const [lang, heading, national] of [
      ['zh', '排行榜', '全国'],
      ['en', 'League tables', 'National'],
    ]) {
      const res = await agent.get(`/overview/league?by=industry&lang=${lang}`);
      expect(res.status).toBe(200);
      expect(res.text).toContain(`<h1>${heading}</h1>`);
      expect(res.text).toMatch(/<div class="table-wrap">\s*<table data-testid="league-table">/);
      expect(res.text).toContain(`<th scope="row">${national}</th>`);
      for (const r of body.rows.filter((x) => x.kind === 'group')) {
        expect(res.text).toContain(`<th scope="row">${r.key}</th>`);
        expect(res.text).toContain(`data-key="${r.key}"`);
      }
      expect(res.text).toContain('data-testid="export-league-xlsx"');
      expect(res.text).toContain('href="/overview/league.csv?by=industry');
      expect(res.text).toContain('data-testid="chart-league"');
      expect(res.text).toContain('data-by="cohort"');
      expect(res.text).toContain('data-sort-link="medianReviewHours"');
      for (const u of units) expect(res.text).not.toContain(u.name);
    }
  });
});
