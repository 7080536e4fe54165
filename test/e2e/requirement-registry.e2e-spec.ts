import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withCheckChar } from '@app/compliance';
import { Activity, AuditLog } from '@app/db';
import { submitWithEvidence } from '../support/evidence';
import { createTestApp, type TestApp } from '../support/test-app';
import { activityPayload, auth, daysAgo, dbState, makeUnit, makeUser } from '../fixtures/evidence/world';
import { ADMIN } from '../support/test-app';
import { pageLogin } from './web-fixtures';

/*
 * The requirement registry (config/requirement-kinds.json + rule sets): a unit logs only its own rule
 * set's kinds, and a new kind that reuses existing fields needs nothing but config/.
 */

const CONFIG = join(__dirname, '../../config');

/** config/ plus a seventh kind, "training_courses" (reusing location and participants), in a test-only program. */
function configWithSeventhKind(): string {
  const dir = mkdtempSync(join(tmpdir(), 'config-seven-'));
  cpSync(CONFIG, dir, { recursive: true });
  const kindsFile = join(dir, 'requirement-kinds.json');
  const kinds = JSON.parse(readFileSync(kindsFile, 'utf8'));
  kinds.kinds.training_courses = {
    label: { zh: '标准化培训课程', en: 'Standardization training courses' },
    hint: { zh: '面向本行业举办的标准化培训课程。', en: 'A standardization course held for the industry.' },
    required: ['location'],
    optional: ['participants'],
  };
  writeFileSync(kindsFile, JSON.stringify(kinds));
  const base = JSON.parse(readFileSync(join(dir, 'rule-sets/service-industry-demo.v2.json'), 'utf8'));
  const seven = {
    ...base,
    program: 'seven-kinds-test',
    version: 1,
    name: { zh: '七类任务测试项目', en: 'Seven-kind test program' },
    requirements: [
      ...base.requirements,
      {
        key: 'training_courses',
        label: { zh: '举办标准化培训课程', en: 'Standardization training courses held' },
        shortLabel: { zh: '标准化培训课程', en: 'Training courses' },
        unit: { zh: '期', en: 'courses' },
        minimum: 2,
        period: 'annual',
        qualifies: [],
      },
    ],
  };
  writeFileSync(join(dir, 'rule-sets/seven-kinds-test.v1.json'), JSON.stringify(seven));
  return dir;
}

describe('a unit logs only the kinds of its own rule set', () => {
  let t: TestApp;
  let admin: string;
  let unitUser: string;
  let unitId: number;
  const email = 'social-unit@example.cn';

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.login(ADMIN.email, ADMIN.password);
    const unit = await makeUnit(t, { program: 'social-management-pilot', ruleSetVersion: 1 });
    unitId = unit.id;
    unitUser = await makeUser(t, admin, { email, role: 'unit', unitId });
  });
  afterAll(() => t.close());

  it('refuses national_papers for a social-management unit with a 400 naming requirement and the key', async () => {
    const before = await dbState(t);
    const res = await t.http
      .post('/api/v1/activities')
      .set(auth(unitUser))
      .send(activityPayload('national_papers'));
    expect(res.status).toBe(400);
    expect(res.body.field ?? res.body.errors?.[0]?.field).toBe('requirement');
    expect(JSON.stringify(res.body)).toContain('national_papers');
    expect(await dbState(t)).toBe(before);

    // An admin logging it for that unit is refused the same way; an edit to that kind too.
    const byAdmin = await t.http
      .post('/api/v1/activities')
      .set(auth(admin))
      .send(activityPayload('national_papers', { unitId }));
    expect(byAdmin.status).toBe(400);
    const ok = await t.http
      .post('/api/v1/activities')
      .set(auth(unitUser))
      .send(activityPayload('work_updates'));
    expect(ok.status).toBe(201);
    const edit = await t.http
      .patch(`/api/v1/activities/${ok.body.id}`)
      .set(auth(unitUser))
      .send({ requirement: 'national_papers', journal: '中国标准化', journalLevel: 'national' });
    expect(edit.status).toBe(400);
    expect(JSON.stringify(edit.body)).toContain('national_papers');
    expect(await t.orm.em.fork().count(Activity, { unit: unitId, requirement: 'national_papers' })).toBe(0);
  });

  it('offers only its rule set’s kinds on the form, labelled by that rule set', async () => {
    const agent = await pageLogin(t, email, 'long-enough-password-1');
    const page = await agent.get('/activities/new');
    expect(page.status).toBe(200);
    const offered = [...page.text.matchAll(/<option value="([a-z_]+)"[^>]*>([^<]+)<\/option>/g)]
      .filter(([, v]) => /_/.test(v) && !/implementation_report/.test(v))
      .map(([, v, label]) => [v, label]);
    expect(offered.map(([v]) => v)).toEqual([
      'exchange_events',
      'work_updates',
      'standard_proposals',
      'trained_personnel',
    ]);
    expect(offered[0][1]).toBe('宣传培训活动');
    expect(page.text).not.toContain('value="national_papers"');
  });
});

describe('a seventh requirement kind added in config/ alone', () => {
  let t: TestApp;
  let admin: string;
  let unitUser: string;
  let unitId: number;
  const email = 'seven-unit@example.cn';

  beforeAll(async () => {
    t = await createTestApp({ CONFIG_DIR: configWithSeventhKind() });
    admin = await t.login(ADMIN.email, ADMIN.password);
    const created = await t.http
      .post('/api/v1/units')
      .set(auth(admin))
      .send({
        name: '七类任务示范单位',
        creditCode: withCheckChar('91440000700000007'),
        province: '44',
        industry: '现代物流',
        kind: 'enterprise',
        program: 'seven-kinds-test',
        cycleStart: daysAgo(400),
        cycleEnd: daysAgo(-300),
        contacts: [],
      });
    if (created.status !== 201) throw new Error(JSON.stringify(created.body));
    unitId = created.body.id;
    unitUser = await makeUser(t, admin, { email, role: 'unit', unitId });
  });
  afterAll(() => t.close());

  it('is logged, reviewed, counted and exported end to end', async () => {
    const payload = {
      requirement: 'training_courses',
      date: daysAgo(3),
      title: '物流标准化培训班',
      location: '广州市',
    };
    const missing = await t.http
      .post('/api/v1/activities')
      .set(auth(unitUser))
      .send({ ...payload, location: undefined });
    expect(missing.status).toBe(400);
    expect(missing.body.field ?? missing.body.errors?.[0]?.field).toBe('location');
    const foreign = await t.http
      .post('/api/v1/activities')
      .set(auth(unitUser))
      .send({ ...payload, journal: '中国标准化' });
    expect(foreign.status).toBe(400);

    const created = await t.http
      .post('/api/v1/activities')
      .set(auth(unitUser))
      .send({ ...payload, participants: 40 });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect((await submitWithEvidence(t.http, id, auth(unitUser))).status).toBe(200);

    const queue = await t.http.get('/api/v1/reviews/queue').set(auth(admin));
    expect(queue.body.items.map((a: { id: number }) => a.id)).toContain(id);
    const pending = await t.http.get(`/api/v1/units/${unitId}/compliance`).set(auth(unitUser));
    expect(
      pending.body.requirements.find((r: { key: string }) => r.key === 'training_courses'),
    ).toMatchObject({
      verified: 0,
      pending: 1,
      minimum: 2,
      remaining: 2,
      remainingPending: 1,
      shortLabel: { zh: '标准化培训课程', en: 'Training courses' },
    });

    expect((await t.http.post(`/api/v1/activities/${id}/verify`).set(auth(admin))).status).toBe(200);
    const counted = await t.http.get(`/api/v1/units/${unitId}/compliance`).set(auth(unitUser));
    expect(counted.body.requirements.map((r: { key: string }) => r.key)).toHaveLength(7);
    expect(
      counted.body.requirements.find((r: { key: string }) => r.key === 'training_courses'),
    ).toMatchObject({
      verified: 1,
      pending: 0,
      remaining: 1,
    });
    const scope = await t.http.get('/api/v1/compliance').set(auth(admin));
    expect(scope.body.rows[0].requirements.training_courses).toMatchObject({ verified: 1, minimum: 2 });

    // Pages: the form offers it, the activity page shows its fields with the catalogue's labels, the
    // unit's export carries it under the rule set's label.
    const agent = await pageLogin(t, email, 'long-enough-password-1');
    const form = await agent.get('/activities/new');
    expect(form.text).toContain('<option value="training_courses"');
    expect(form.text).toContain('面向本行业举办的标准化培训课程。');
    const shown = await agent.get(`/activities/${id}`);
    expect(shown.text).toContain('标准化培训课程');
    expect(shown.text).toMatch(/参加人数<\/dt><dd>40/);
    const csv = await agent.get(`/units/${unitId}/activities.csv`);
    expect(csv.status).toBe(200);
    const line = csv.text.split('\n').find((l) => l.includes('物流标准化培训班'));
    expect(line).toContain('标准化培训课程');
    expect(line).toContain('广州市');
  });
});

describe('an admin moves a unit to the new rule-set version', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.login(ADMIN.email, ADMIN.password);
  });
  afterAll(() => t.close());

  it('counts implementation reports by the version the unit is on, audited when it moves', async () => {
    const unit = await makeUnit(t, { ruleSetVersion: 1 });
    const report = await t.http
      .post('/api/v1/activities')
      .set(auth(admin))
      .send(
        activityPayload('standard_proposals', {
          unitId: unit.id,
          standardKind: 'implementation_report',
          standardLevel: 'local',
        }),
      );
    expect(report.status).toBe(201);
    await submitWithEvidence(t.http, report.body.id, auth(admin));
    await t.http.post(`/api/v1/activities/${report.body.id}/verify`).set(auth(admin));
    const proposals = async () =>
      (await t.http.get(`/api/v1/units/${unit.id}/compliance`).set(auth(admin))).body.requirements.find(
        (r: { key: string }) => r.key === 'standard_proposals',
      ).verified;
    // v1: either kind at the four levels counts; v2: an implementation report only on a national standard.
    expect(await proposals()).toBe(1);

    const bad = await t.http.patch(`/api/v1/units/${unit.id}`).set(auth(admin)).send({ ruleSetVersion: 9 });
    expect(bad.status).toBe(400);
    expect(bad.body.field ?? bad.body.errors?.[0]?.field).toBe('ruleSetVersion');

    const moved = await t.http.patch(`/api/v1/units/${unit.id}`).set(auth(admin)).send({ ruleSetVersion: 2 });
    expect(moved.status).toBe(200);
    expect(moved.body.ruleSetVersion).toBe(2);
    expect(await proposals()).toBe(0);
    const audit = await t.orm.em
      .fork()
      .findOne(AuditLog, { entity: 'unit', entityId: String(unit.id), action: 'update' });
    expect(audit?.changes).toMatchObject({ ruleSetVersion: [1, 2] });

    // The rule-set page shows both versions, v2 with its two alternatives.
    const page = await (await pageLogin(t, ADMIN.email, ADMIN.password)).get('/admin/rule-sets');
    expect(page.text).toContain('data-rule-set="service-industry-demo@1"');
    expect(page.text).toContain('data-rule-set="service-industry-demo@2"');
    const v2 = page.text.slice(page.text.indexOf('data-rule-set="service-industry-demo@2"'));
    expect(v2.slice(0, v2.indexOf('</section>'))).toMatch(/<strong>或<\/strong>[\s\S]*国家标准实施情况报告/);
  });
});
