import { withCheckChar } from '@app/compliance';
import { submitWithEvidence } from '../support/evidence';
import { ADMIN, createTestApp, type TestApp } from '../support/test-app';

/*
 * The acceptance walkthrough, over HTTP only, as new users would do it: the administrator sets up a
 * supervisor, a unit and its user; the unit logs a year's activities (some of them not qualifying);
 * the supervisor reviews them; everyone reads the same compliance numbers. Every expected number
 * below is worked out by hand from SPEC §3, not by calling the engine.
 *
 * Today is pinned to 2026-09-30 (Asia/Shanghai). The unit's cycle is 2025-07-01..2027-06-30, so with
 * calendar-year periods it has 2025-07-01..2025-12-31, 2026 and 2027-01-01..2027-06-30.
 *
 * Current period 2026-01-01..2026-12-31: 12 months, so the minimums are not pro-rated: 3, 5, 1, 2, 4, 2.
 * Elapsed: days from 2026-01-01 through 2026-09-30 inclusive = 31+28+31+30+31+30+31+31+30 = 273 of 365.
 * Pace (SPEC §3 v2) = minimum × 273 / 365 rounded half up, i.e. (2 × minimum × 273 + 365) div 730:
 *   exchange_events    2.24 → 2
 *   standard_proposals 3.74 → 4
 *   national_papers    0.75 → 1
 *   trained_personnel  1.496 → 1 (just under the half)
 *   work_updates       2.99 → 3
 *   media_reports      1.496 → 1
 * The unit is created through the API, so it is on the latest rule set, service-industry-demo v2; its
 * standards are proposals and one implementation report on a national standard (S2), which v1 and v2
 * count alike.
 */
const TODAY = '2026-09-30';
const CYCLE = { cycleStart: '2025-07-01', cycleEnd: '2027-06-30' };
const PERSON = 'GDBZH2025-0017';

type Body = Record<string, unknown>;

/** What the unit logs: key → [activity, what happens to it in review]. */
const ACTIVITIES: Record<string, [Body, 'verify' | 'reject' | 'pending' | 'draft' | 'reject-resubmit']> = {
  // 2025 (first period)
  E0: [
    {
      requirement: 'exchange_events',
      date: '2025-09-15',
      title: '养老服务标准化经验交流会',
      location: '广州市天河区长者服务中心',
      participants: 80,
    },
    'verify',
  ],
  T0: [
    {
      requirement: 'trained_personnel',
      date: '2025-10-10',
      title: '培养标准化专业人才：陈晓燕',
      personName: '陈晓燕',
      personKey: PERSON,
      certificate: '标准化工程师（初级）',
    },
    'verify',
  ],
  W0: [
    {
      requirement: 'work_updates',
      date: '2025-11-20',
      title: '示范项目工作动态（2025年第1期）',
      recipient: '广东省市场监督管理局',
    },
    'verify',
  ],
  M0: [
    {
      requirement: 'media_reports',
      date: '2025-12-10',
      title: '南方日报：社区养老服务有了“标准尺子”',
      outlet: '南方日报',
      outletLevel: 'provincial',
      url: 'https://news.example.com/2025/12/10/1.html',
    },
    'pending',
  ],
  // 2026 (current period)
  E1: [
    {
      requirement: 'exchange_events',
      date: '2026-03-18',
      title: '社区居家养老服务标准化现场观摩会',
      location: '广州市天河区',
      participants: 120,
    },
    'verify',
  ],
  E2: [
    {
      requirement: 'exchange_events',
      date: '2026-06-20',
      title: '标准化开放日',
      location: '广州市天河区长者服务中心',
    },
    'verify',
  ],
  E3: [
    {
      requirement: 'exchange_events',
      date: '2026-09-10',
      title: '粤港澳大湾区养老服务标准化交流研讨会',
      location: '广州国际会议中心',
      participants: 200,
    },
    'pending',
  ],
  S1: [
    {
      requirement: 'standard_proposals',
      date: '2026-02-10',
      title: '提出国家标准《养老机构服务质量评价规范》制定项目需求',
      standardLevel: 'national',
      standardKind: 'proposal',
    },
    'verify',
  ],
  S2: [
    {
      requirement: 'standard_proposals',
      date: '2026-04-22',
      title: '《GB/T 35796-2017 养老机构服务质量基本规范》实施情况报告',
      standardLevel: 'national',
      standardKind: 'implementation_report',
      standardNumber: 'GB/T 35796-2017',
    },
    'verify',
  ],
  S3: [
    {
      requirement: 'standard_proposals',
      date: '2026-05-05',
      title: '牵头起草团体标准《社区助餐服务规范》',
      standardLevel: 'group',
      standardKind: 'proposal',
      standardNumber: 'T/CAS 812-2026',
    },
    'verify',
  ],
  S4: [
    {
      requirement: 'standard_proposals',
      date: '2026-08-15',
      title: '提出地方标准《社区居家养老服务规范》制定项目需求',
      standardLevel: 'local',
      standardKind: 'proposal',
      standardNumber: 'DB44/T 2468-2026',
    },
    'pending',
  ],
  S5: [
    {
      requirement: 'standard_proposals',
      date: '2026-09-01',
      title: '提出行业标准《居家养老上门服务规范》修订项目需求',
      standardLevel: 'industry',
      standardKind: 'proposal',
      standardNumber: 'MZ/T 12345-2026',
    },
    'reject-resubmit',
  ],
  P1: [
    {
      requirement: 'national_papers',
      date: '2026-05-30',
      title: '社区居家养老服务标准体系构建与实施成效',
      journal: '中国标准化',
      journalLevel: 'national',
      issn: '1002-5944',
      authors: '李娜，王伟',
    },
    'verify',
  ],
  P2: [
    {
      requirement: 'national_papers',
      date: '2026-07-12',
      title: '基层养老服务标准化实践探析',
      journal: '广东质量与标准化',
      journalLevel: 'provincial',
      issn: '1234-5679',
    },
    'verify',
  ],
  T1: [
    {
      requirement: 'trained_personnel',
      date: '2026-03-05',
      title: '培养标准化专业人才：陈晓燕（中级）',
      personName: '陈晓燕',
      personKey: PERSON,
      certificate: '标准化工程师（中级）',
    },
    'verify',
  ],
  T2: [
    {
      requirement: 'trained_personnel',
      date: '2026-06-08',
      title: '陈晓燕参加标准化高级研修班',
      personName: '陈晓燕',
      personKey: PERSON,
      certificate: '标准化高级研修班结业证书',
    },
    'verify',
  ],
  T3: [
    {
      requirement: 'trained_personnel',
      date: '2026-09-20',
      title: '培养标准化专业人才：黄志明',
      personName: '黄志明',
      personKey: 'GDBZH2026-0102',
    },
    'pending',
  ],
  W1: [
    {
      requirement: 'work_updates',
      date: '2026-03-31',
      title: '示范项目工作动态（2026年第1期）',
      recipient: '广东省市场监督管理局',
    },
    'verify',
  ],
  W2: [
    {
      requirement: 'work_updates',
      date: '2026-06-30',
      title: '示范项目工作动态（2026年第2期）',
      recipient: '广东省市场监督管理局',
    },
    'reject',
  ],
  W3: [
    {
      requirement: 'work_updates',
      date: '2026-09-28',
      title: '示范项目工作动态（2026年第3期）',
      recipient: '广东省市场监督管理局',
    },
    'draft',
  ],
  M1: [
    {
      requirement: 'media_reports',
      date: '2026-04-02',
      title: '人民日报：社区养老“标准化”让老人更安心',
      outlet: '人民日报',
      outletLevel: 'national',
    },
    'verify',
  ],
  M2: [
    {
      requirement: 'media_reports',
      date: '2026-05-16',
      title: '广州日报：天河区推进养老服务标准化',
      outlet: '广州日报',
      outletLevel: 'municipal',
    },
    'verify',
  ],
  M3: [
    {
      requirement: 'media_reports',
      date: '2026-09-05',
      title: '南方日报：养老服务标准化示范见成效',
      outlet: '南方日报',
      outletLevel: 'provincial',
    },
    'pending',
  ],
};

/*
 * Expected figures for 2026 (today 2026-09-30), status = the first that applies of met (verified ≥ min),
 * failed (period ended), on_track (verified ≥ pace), at_risk (verified + pending ≥ pace), shortfall:
 *   exchange_events    verified E1,E2 = 2; pending E3 = 1; min 3, pace 2: 2 ≥ 2 → on_track; remaining 1
 *   standard_proposals verified S1,S2 = 2 (S3 is a group standard: not counted); pending S4 and the
 *                      corrected, resubmitted S5 = 2; min 5, pace 4: 2 < 4, 2+2 = 4 ≥ 4 → at_risk; remaining 3
 *   national_papers    verified P1 = 1 (P2 is in a provincial journal: not counted); min 1 → met; remaining 0
 *   trained_personnel  T1 and T2 are the same person → 1 distinct verified; T3 (another person) pending 1;
 *                      min 2, pace 1: 1 ≥ 1 → on_track; remaining 1
 *   work_updates       verified W1 = 1 (W2 rejected, W3 a draft: neither counts); pending 0; min 4, pace 3:
 *                      1 < 3 and 1+0 < 3 → shortfall; remaining 3
 *   media_reports      verified M1 = 1 (M2 is a city paper: not counted); pending M3 = 1; min 2, pace 1:
 *                      1 ≥ 1 → on_track; remaining 1
 *   overall: the worst of {on_track, at_risk, met, on_track, shortfall, on_track} = shortfall
 */
const EXPECTED_2026: Record<string, [number, number, number, number, number, string]> = {
  //                   verified pending minimum pace remaining status
  exchange_events: [2, 1, 3, 2, 1, 'on_track'],
  standard_proposals: [2, 2, 5, 4, 3, 'at_risk'],
  national_papers: [1, 0, 1, 1, 0, 'met'],
  trained_personnel: [1, 1, 2, 1, 1, 'on_track'],
  work_updates: [1, 0, 4, 3, 3, 'shortfall'],
  media_reports: [1, 1, 2, 1, 1, 'on_track'],
};

/*
 * The first period 2025-07-01..2025-12-31 (asked for with at=2025-12-01): it touches 6 months, so each
 * minimum is pro-rated: ceil(min × 6 / 12): 3 → 2, 5 → 3, 1 → 1, 2 → 1, 4 → 2, 2 → 1. It ended before
 * today, so pace = the minimum and anything short of it has failed.
 *   exchange_events    E0 verified 1 < 2 → failed
 *   standard_proposals 0 < 3 → failed
 *   national_papers    0 < 1 → failed
 *   trained_personnel  T0 verified: 1 person ≥ 1 → met (the same person counts again in 2026: once per period)
 *   work_updates       W0 verified 1 < 2 → failed
 *   media_reports      M0 still pending: verified 0 < 1 → failed (pending 1 does not help after the end)
 *   overall failed
 */
const EXPECTED_2025: Record<string, [number, number, number, number, number, string]> = {
  exchange_events: [1, 0, 2, 2, 1, 'failed'],
  standard_proposals: [0, 0, 3, 3, 3, 'failed'],
  national_papers: [0, 0, 1, 1, 1, 'failed'],
  trained_personnel: [1, 0, 1, 1, 0, 'met'],
  work_updates: [1, 0, 2, 2, 1, 'failed'],
  media_reports: [0, 1, 1, 1, 1, 'failed'],
};

interface RequirementRow {
  key: string;
  verified: number;
  pending: number;
  minimum: number;
  pace: number;
  remaining: number;
  status: string;
}

function figures(requirements: RequirementRow[]) {
  return Object.fromEntries(
    requirements.map((r) => [r.key, [r.verified, r.pending, r.minimum, r.pace, r.remaining, r.status]]),
  );
}

describe('walkthrough: a province, a unit, a year of activities, a review, the compliance figures', () => {
  let t: TestApp;
  let admin: string;
  let supervisor: string;
  let unitUser: string;
  let unitId: number;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    t = await createTestApp({}, { today: TODAY });
  });
  afterAll(() => t.close());

  const as = (token: string) => ({
    get: (path: string) => t.http.get(path).set('authorization', `Bearer ${token}`),
    post: (path: string, body: Body = {}) =>
      t.http.post(path).set('authorization', `Bearer ${token}`).send(body),
    patch: (path: string, body: Body) =>
      t.http.patch(path).set('authorization', `Bearer ${token}`).send(body),
  });

  it('the administrator signs in and creates a supervisor for Guangdong (44)', async () => {
    admin = await t.login(ADMIN.email, ADMIN.password);
    const res = await as(admin).post('/api/v1/users', {
      email: 'chen.li@gdamr.example.com',
      name: '陈立（广东省市场监督管理局）',
      password: 'supervisor-pass-1',
      role: 'supervisor',
      provinces: ['44'],
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ role: 'supervisor', provinces: ['44'] });
    supervisor = await t.login('chen.li@gdamr.example.com', 'supervisor-pass-1');
  });

  it('the administrator creates the unit and its user', async () => {
    // 11 = an organ of government, 440106 = 天河区; the 18th character is the GB 32100 check character.
    const creditCode = withCheckChar('11440106MB2C3D4E5');
    const wrongCheck = creditCode.slice(0, 17) + (creditCode[17] === '0' ? '1' : '0');
    const bad = await as(admin).post('/api/v1/units', {
      name: '广州市天河区人民政府',
      creditCode: wrongCheck,
      province: '44',
      industry: '社区居家养老服务',
      kind: 'regional',
      ...CYCLE,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toContain('creditCode');

    const res = await as(admin).post('/api/v1/units', {
      name: '广州市天河区人民政府',
      creditCode,
      province: '44',
      industry: '社区居家养老服务',
      kind: 'regional',
      ...CYCLE,
      contacts: [{ name: '李娜', email: 'li.na@tianhe.example.com' }],
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ province: '44', ...CYCLE, program: 'service-industry-demo' });
    unitId = res.body.id;

    const user = await as(admin).post('/api/v1/users', {
      email: 'li.na@tianhe.example.com',
      name: '李娜',
      password: 'unit-password-1',
      role: 'unit',
      unitId,
    });
    expect(user.status).toBe(201);
    expect(user.body).toMatchObject({ role: 'unit', unitId });
    unitUser = await t.login('li.na@tianhe.example.com', 'unit-password-1');
  });

  it('the unit user logs activities of all six kinds as drafts; dates outside the cycle or in the future are refused', async () => {
    for (const [key, [body]] of Object.entries(ACTIVITIES)) {
      const res = await as(unitUser).post('/api/v1/activities', body);
      expect([key, res.status, res.body.status]).toEqual([key, 201, 'draft']);
      expect(res.body).toMatchObject({ ...body, unitId });
      ids[key] = res.body.id;
    }
    const tomorrow = await as(unitUser).post('/api/v1/activities', {
      ...ACTIVITIES.W3[0],
      date: '2026-10-01',
    });
    expect(tomorrow.status).toBe(400);
    expect(tomorrow.body.errors[0]).toMatchObject({ field: 'date', rule: 'notFuture' });
    const beforeCycle = await as(unitUser).post('/api/v1/activities', {
      ...ACTIVITIES.W0[0],
      date: '2025-06-30',
    });
    expect(beforeCycle.status).toBe(400);
    expect(beforeCycle.body.errors[0]).toMatchObject({ field: 'date', rule: 'inCycle' });
    // A supervisor reviews; it does not log activities for units.
    expect((await as(supervisor).post('/api/v1/activities', { ...ACTIVITIES.W0[0], unitId })).status).toBe(
      403,
    );
    const listed = await as(unitUser).get('/api/v1/activities?pageSize=100');
    expect(listed.status).toBe(200);
    expect(listed.body.total).toBe(Object.keys(ACTIVITIES).length);
  });

  it('the unit submits all but one draft; the unit sees them pending ("verified 0, pending 3, need 3")', async () => {
    for (const [key, [, fate]] of Object.entries(ACTIVITIES)) {
      if (fate === 'draft') continue;
      const res = await submitWithEvidence(t.http, ids[key], { authorization: `Bearer ${unitUser}` });
      expect([key, res.status, res.body.status]).toEqual([key, 200, 'submitted']);
    }
    // Not its own reviewer.
    expect((await as(unitUser).post(`/api/v1/activities/${ids.E1}/verify`)).status).toBe(403);

    // Before review, 2026 exchange_events: verified 0, pending E1,E2,E3 = 3, min 3, pace 2:
    // 0 < 2 but 0+3 ≥ 2 → at_risk.
    const res = await as(unitUser).get(`/api/v1/units/${unitId}/compliance`);
    expect(res.status).toBe(200);
    expect(figures(res.body.requirements).exchange_events).toEqual([0, 3, 3, 2, 3, 'at_risk']);
    // Nothing verified yet: work_updates 0 verified, W1,W2 pending = 2 < pace 3 → shortfall (v1's
    // rounded-down pace of 2 would have called it at_risk); national_papers: min 1, pace 1, P1 pending
    // → at_risk. So nothing is met and the worst is shortfall.
    expect(figures(res.body.requirements).work_updates).toEqual([0, 2, 4, 3, 4, 'shortfall']);
    expect(figures(res.body.requirements).national_papers).toEqual([0, 1, 1, 1, 1, 'at_risk']);
    expect(res.body.overall).toBe('shortfall');
  });

  it('the supervisor verifies most, rejects two with reasons; a draft cannot be reviewed', async () => {
    for (const [key, [, fate]] of Object.entries(ACTIVITIES)) {
      if (fate === 'verify') {
        const res = await as(supervisor).post(`/api/v1/activities/${ids[key]}/verify`);
        expect([key, res.status, res.body.status]).toEqual([key, 200, 'verified']);
      } else if (fate === 'reject' || fate === 'reject-resubmit') {
        const empty = await as(supervisor).post(`/api/v1/activities/${ids[key]}/reject`, { reason: ' ' });
        expect(empty.status).toBe(400);
        const res = await as(supervisor).post(`/api/v1/activities/${ids[key]}/reject`, {
          reason: '证明材料不完整，请补充报送回执。',
        });
        expect([key, res.status, res.body.status]).toEqual([key, 200, 'rejected']);
        expect(res.body.rejectReason).toBe('证明材料不完整，请补充报送回执。');
      }
    }
    expect((await as(supervisor).post(`/api/v1/activities/${ids.W3}/verify`)).status).toBe(409);
    expect((await as(supervisor).post(`/api/v1/activities/${ids.E1}/verify`)).status).toBe(409);
  });

  it('the unit sees the reason, corrects one rejected activity and resubmits it', async () => {
    const seen = await as(unitUser).get(`/api/v1/activities/${ids.S5}`);
    expect(seen.body).toMatchObject({ status: 'rejected', rejectReason: '证明材料不完整，请补充报送回执。' });
    const fixed = await as(unitUser).patch(`/api/v1/activities/${ids.S5}`, {
      description: '已补充项目需求表及报送回执。',
    });
    expect(fixed.status).toBe(200);
    const again = await as(unitUser).post(`/api/v1/activities/${ids.S5}/submit`);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'submitted', rejectReason: null });
  });

  it("everyone reads the same hand-computed figures for the unit's current period", async () => {
    for (const token of [unitUser, supervisor, admin]) {
      const res = await as(token).get(`/api/v1/units/${unitId}/compliance`);
      expect(res.status).toBe(200);
      expect(res.body.today).toBe(TODAY);
      expect(res.body.period).toMatchObject({ start: '2026-01-01', end: '2026-12-31', months: 12 });
      expect(figures(res.body.requirements)).toEqual(EXPECTED_2026);
      expect(res.body.overall).toBe('shortfall');
    }
  });

  it('the first, pro-rated and ended period reads as hand-computed', async () => {
    const res = await as(unitUser).get(`/api/v1/units/${unitId}/compliance?at=2025-12-01`);
    expect(res.status).toBe(200);
    expect(res.body.period).toMatchObject({ start: '2025-07-01', end: '2025-12-31', months: 6 });
    expect(figures(res.body.requirements)).toEqual(EXPECTED_2025);
    expect(res.body.overall).toBe('failed');
  });

  it("the province's view shows the unit with the same figures", async () => {
    for (const token of [supervisor, admin]) {
      const res = await as(token).get('/api/v1/compliance?province=44');
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(1);
      const [row] = res.body.rows;
      expect(row.unit).toMatchObject({ id: unitId, province: '44' });
      expect(row.overall).toBe('shortfall');
      expect(row.period).toMatchObject({ start: '2026-01-01', end: '2026-12-31' });
      const cells = Object.fromEntries(
        Object.entries(row.requirements as Record<string, Omit<RequirementRow, 'key'>>).map(([key, c]) => [
          key,
          [c.verified, c.pending, c.minimum, c.pace, c.remaining, c.status],
        ]),
      );
      expect(cells).toEqual(EXPECTED_2026);
      // One unit, overall shortfall; it meets only national_papers.
      expect(res.body.totals.units).toBe(1);
      expect(res.body.totals.byStatus).toMatchObject({
        shortfall: 1,
        at_risk: 0,
        on_track: 0,
        met: 0,
        failed: 0,
      });
      expect(res.body.totals.meeting.national_papers).toEqual({ met: 1, of: 1 });
      expect(res.body.totals.meeting.work_updates).toEqual({ met: 0, of: 1 });
    }
    // Another province is outside the supervisor's scope: it does not exist for them (404, scope does not leak).
    expect((await as(supervisor).get('/api/v1/compliance?province=45')).status).toBe(404);
    // The unit user's scope view is its own unit only, with the same figures.
    const own = await as(unitUser).get('/api/v1/compliance');
    expect(own.status).toBe(200);
    expect(own.body.total).toBe(1);
    expect(own.body.rows[0].overall).toBe('shortfall');
  });
});
