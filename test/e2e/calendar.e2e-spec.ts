import request from 'supertest';
import ICAL from 'ical.js';
import type { Unit } from '@app/db';
import { ADMIN, createTestApp, type TestApp } from '../support/test-app';
import { bearer, makeUnit, makeUser, meetEverything, PASSWORD, recount } from './compliance.fixtures';

const TODAY = '2026-10-15';
const CYCLE = { cycleStart: '2025-01-01', cycleEnd: '2027-12-31' };
const PUBLIC_URL = 'https://tracker.example.gov.cn';

interface FeedEvent {
  uid: string;
  summary: string;
  description: string;
  start: string;
  allDay: boolean;
}

/** The events of a feed, parsed by ical.js (which throws on anything that is not iCalendar). */
function parse(text: string): FeedEvent[] {
  const cal = new ICAL.Component(ICAL.parse(text));
  expect(cal.name).toBe('vcalendar');
  expect(cal.getFirstPropertyValue('version')).toBe('2.0');
  expect(cal.getFirstPropertyValue('prodid')).toBeTruthy();
  return cal.getAllSubcomponents('vevent').map((v) => {
    const e = new ICAL.Event(v);
    expect(v.getFirstPropertyValue('dtstamp')).toBeTruthy();
    return {
      uid: e.uid,
      summary: e.summary,
      description: e.description,
      start: e.startDate.toString(),
      allDay: e.startDate.isDate,
    };
  });
}

/** The path of a feed URL on the test server. */
const pathOf = (url: string) => new URL(url).pathname;

describe('calendar feeds', () => {
  let t: TestApp;
  let own: Unit;
  let other: Unit;
  let done: Unit;
  let unitToken: string;
  let supToken: string;
  let adminToken: string;

  beforeAll(async () => {
    t = await createTestApp({ PUBLIC_URL }, { today: TODAY });
    const em = t.orm.em.fork();
    own = makeUnit(em, { name: '本单位', province: '32', ...CYCLE });
    other = makeUnit(em, { name: '外省单位', province: '44', ...CYCLE });
    done = makeUnit(em, { name: '达标单位', province: '44', ...CYCLE });
    await em.flush();
    await meetEverything(t, done);
    em.persist(await makeUser(em, { email: 'cal-unit@example.cn', role: 'unit', unit: own }));
    em.persist(await makeUser(em, { email: 'cal-sup@example.cn', role: 'supervisor', provinces: ['44'] }));
    await em.flush();
    await recount(t);
    unitToken = await t.login('cal-unit@example.cn', PASSWORD);
    supToken = await t.login('cal-sup@example.cn', PASSWORD);
    adminToken = await t.login(ADMIN.email, ADMIN.password);
  });
  afterAll(() => t?.close());

  async function create(token: string): Promise<string> {
    const res = await request(t.app.getHttpServer())
      .post('/api/v1/me/calendar')
      .set(bearer(token))
      .expect(201);
    expect(res.body.url).toMatch(/^https:\/\/tracker\.example\.gov\.cn\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
    return res.body.url as string;
  }

  it('a unit user’s feed parses as iCalendar and lists only their unit’s period ends and reminder dates', async () => {
    const url = await create(unitToken);
    const res = await request(t.app.getHttpServer()).get(pathOf(url)).expect(200);
    expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
    const events = parse(res.text);
    expect(events.every((e) => e.allDay)).toBe(true);
    expect(events.map((e) => [e.uid, e.start]).sort()).toEqual(
      [
        [`period-end-${own.id}-2026-12-31@tracker.example.gov.cn`, '2026-12-31'],
        [`reminder-${own.id}-2026-12-31-60@tracker.example.gov.cn`, '2026-11-01'],
        [`reminder-${own.id}-2026-12-31-30@tracker.example.gov.cn`, '2026-12-01'],
        [`reminder-${own.id}-2026-12-31-7@tracker.example.gov.cn`, '2026-12-24'],
      ].sort(),
    );
    const end = events.find((e) => e.uid.startsWith('period-end'))!;
    expect(end.summary).toBe('本单位：考核期截止');
    expect(end.description).toContain('国家级刊物论文还需 1 篇，距 12 月 31 日还有 77 天');
    expect(end.description).toContain(`${PUBLIC_URL}/units/${own.id}`);
    expect(res.text).not.toContain('外省单位');

    // Stable UIDs: the same feed read again has the same events.
    const again = parse((await request(t.app.getHttpServer()).get(pathOf(url)).expect(200)).text);
    expect(again.map((e) => e.uid).sort()).toEqual(events.map((e) => e.uid).sort());
  });

  it('a supervisor’s feed covers every unit of their provinces; an admin’s only the units still needing something', async () => {
    const sup = parse(
      (
        await request(t.app.getHttpServer())
          .get(pathOf(await create(supToken)))
          .expect(200)
      ).text,
    );
    expect(new Set(sup.map((e) => e.summary.split('：')[0]))).toEqual(new Set(['外省单位', '达标单位']));
    const met = sup.find((e) => e.uid.startsWith(`period-end-${done.id}-`))!;
    expect(met.description).toContain('本考核期各项任务均已达标');
    // The administrator's national feed: only units with something still needed (not 达标单位).
    const admin = parse(
      (
        await request(t.app.getHttpServer())
          .get(pathOf(await create(adminToken)))
          .expect(200)
      ).text,
    );
    expect(new Set(admin.map((e) => /^(period-end|reminder)-\d+/.exec(e.uid)![0]))).toEqual(
      new Set([
        `period-end-${own.id}`,
        `period-end-${other.id}`,
        `reminder-${own.id}`,
        `reminder-${other.id}`,
      ]),
    );
  });

  it('follows the admin’s reminder days', async () => {
    await request(t.app.getHttpServer())
      .put('/api/v1/rule-sets/service-industry-demo/reminders')
      .set(bearer(adminToken))
      .send({ days: [14] })
      .expect(200);
    try {
      const url = await create(unitToken);
      const events = parse((await request(t.app.getHttpServer()).get(pathOf(url)).expect(200)).text);
      expect(events.filter((e) => e.uid.startsWith('reminder')).map((e) => e.start)).toEqual(['2026-12-17']);
    } finally {
      await request(t.app.getHttpServer())
        .put('/api/v1/rule-sets/service-industry-demo/reminders')
        .set(bearer(adminToken))
        .send({ days: null })
        .expect(200);
    }
  });

  it('a new link replaces the old one, and a revoked link answers 404', async () => {
    const first = await create(unitToken);
    const second = await create(unitToken);
    expect(second).not.toBe(first);
    await request(t.app.getHttpServer()).get(pathOf(first)).expect(404);
    await request(t.app.getHttpServer()).get(pathOf(second)).expect(200);
    await request(t.app.getHttpServer()).delete('/api/v1/me/calendar').set(bearer(unitToken)).expect(204);
    await request(t.app.getHttpServer()).get(pathOf(second)).expect(404);
  });

  it('needs a session to create or revoke, but none to read; junk tokens are 404', async () => {
    await request(t.app.getHttpServer()).post('/api/v1/me/calendar').expect(401);
    await request(t.app.getHttpServer()).delete('/api/v1/me/calendar').expect(401);
    await request(t.app.getHttpServer()).get('/calendar/nope.ics').expect(404);
    await request(t.app.getHttpServer())
      .get(`/calendar/${'a'.repeat(43)}.ics`)
      .expect(404);
    await request(t.app.getHttpServer())
      .get(`/calendar/${'a'.repeat(43)}`)
      .expect(404);
  });
});
