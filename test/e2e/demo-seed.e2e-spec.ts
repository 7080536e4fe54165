import { ModuleRef } from '@nestjs/core';
import { ConflictError, InvalidInputError } from '@app/common';
import { isValidCreditCode, type RequirementStatus } from '@app/compliance';
import { Activity, AuditLog, Unit, User } from '@app/db';
import { ADMIN, createTestApp, type TestApp } from '../support/test-app';
import { DemoSeedService } from '../../apps/tracker/src/demo/demo-seed.service';
import { DemoSeedCommand } from '../../apps/tracker/src/cli/demo-seed.command';

const TODAY = '2026-11-21';

describe('demo:seed', () => {
  let t: TestApp;
  let demo: DemoSeedService;
  let admin: string;

  beforeAll(async () => {
    t = await createTestApp({}, { today: TODAY });
    demo = await t.app.get(ModuleRef).create(DemoSeedService);
    admin = await t.login(ADMIN.email, ADMIN.password);
  });
  afterAll(() => t.close());

  const api = (token: string, path: string) => t.http.get(path).set('authorization', `Bearer ${token}`);

  it('writes everything in one transaction: a failure half-way leaves nothing behind', async () => {
    const boom = (done: number) => {
      if (done === 3) throw new Error('interrupted');
    };
    await expect(demo.seed({ province: '44' }, boom)).rejects.toThrow('interrupted');
    const em = t.orm.em.fork();
    expect(await em.count(Unit, {})).toBe(0);
    expect(await em.count(Activity, {})).toBe(0);
    expect(await em.count(User, { email: { $like: '%@demo.example.com' } })).toBe(0);
    expect(await em.count(AuditLog, { action: 'seed' })).toBe(0);
  });

  it('writes 20 units, their users, a supervisor and a year of activities, reporting progress per unit', async () => {
    const progress: number[] = [];
    const summary = await demo.seed({ province: '44', units: 20 }, (done) => progress.push(done));
    expect(progress).toEqual(Array.from({ length: 21 }, (_, i) => i));
    expect(summary).toMatchObject({ province: '44', year: 2026, today: TODAY, users: 21, removed: null });
    expect(summary.units).toHaveLength(20);

    const em = t.orm.em.fork();
    const units = await em.find(Unit, { province: '44' }, { orderBy: { id: 'asc' } });
    expect(units).toHaveLength(20);
    expect(await em.count(User, { role: 'unit', unit: { $in: units.map((u) => u.id) } })).toBe(20);
    const sup = await em.findOneOrFail(User, { email: 'supervisor-44@demo.example.com' });
    expect(sup).toMatchObject({ role: 'supervisor', provinces: ['44'], active: true });

    const activities = await em.find(Activity, {}, { populate: ['unit'] });
    expect(activities).toHaveLength(summary.activities.total);
    for (const s of ['draft', 'submitted', 'verified', 'rejected'] as const) {
      const n = activities.filter((a) => a.status === s).length;
      expect([s, n]).toEqual([s, summary.activities[s]]);
      expect(n).toBeGreaterThan(0);
    }
    expect(summary.activities.verified).toBeGreaterThan(summary.activities.total / 2);
    expect(activities.filter((a) => a.status === 'rejected').every((a) => a.rejectReason)).toBe(true);

    for (const u of units) {
      expect([u.creditCode, isValidCreditCode(u.creditCode)]).toEqual([u.creditCode, true]);
      expect(u.contacts.length).toBeGreaterThanOrEqual(1);
      expect(u.cycleStart <= TODAY && TODAY <= u.cycleEnd).toBe(true);
    }
    for (const a of activities) {
      const inCycle = a.date >= a.unit.cycleStart && a.date <= a.unit.cycleEnd;
      expect([a.id, a.date, inCycle, a.date <= TODAY]).toEqual([a.id, a.date, true, true]);
    }
    // Every unit logged all six kinds.
    for (const u of units) {
      const kinds = new Set(activities.filter((a) => a.unit.id === u.id).map((a) => a.requirement));
      expect(kinds.size).toBe(6);
    }

    const audit = await em.find(AuditLog, { action: 'seed' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ entity: 'demo', entityId: '44' });
    expect(audit[0].changes).toMatchObject({ units: 20, users: 21 });
    expect(JSON.stringify(audit[0].changes)).not.toContain('demo-password-1');
  });

  it('shows shortfalls, risks and met requirements through the compliance API, as planned', async () => {
    const planned = demo.plan({ province: '44', units: 20 });
    const units = await t.orm.em.fork().find(Unit, { province: '44' }, { orderBy: { id: 'asc' } });
    const overall: RequirementStatus[] = [];
    const requirementStatuses: RequirementStatus[] = [];
    for (const [i, u] of units.entries()) {
      const res = await api(admin, `/api/v1/units/${u.id}/compliance`);
      expect(res.status).toBe(200);
      expect(res.body.today).toBe(TODAY);
      expect(planned.units[i].name).toBe(u.name);
      for (const r of res.body.requirements as { key: string; status: RequirementStatus }[]) {
        expect([u.name, r.key, r.status]).toEqual([u.name, r.key, planned.units[i].planned[r.key]]);
        requirementStatuses.push(r.status);
      }
      overall.push(res.body.overall);
    }
    expect(overall.some((s) => s === 'shortfall' || s === 'at_risk')).toBe(true);
    expect(overall).toContain('shortfall');
    expect(overall).toContain('met');
    expect(requirementStatuses).toContain('met');
    expect(requirementStatuses).toContain('on_track');
  });

  it('lets the demo supervisor and a unit user sign in with the demo password and see their scope', async () => {
    const sup = await t.login('supervisor-44@demo.example.com', 'demo-password-1');
    const scope = await api(sup, '/api/v1/compliance?province=44');
    expect(scope.status).toBe(200);
    expect(scope.body.total).toBe(20);
    const unitUser = await t.login('unit-44-03@demo.example.com', 'demo-password-1');
    const own = await api(unitUser, '/api/v1/compliance');
    expect(own.status).toBe(200);
    expect(own.body.total).toBe(1);
  });

  it('refuses a second run and changes nothing', async () => {
    const em = t.orm.em.fork();
    const before = [await em.count(Unit, {}), await em.count(User, {}), await em.count(Activity, {})];
    await expect(demo.seed({ province: '44' })).rejects.toThrow(ConflictError);
    await expect(demo.seed({ province: '44', units: 3 })).rejects.toThrow(/already exists.*--reset-demo/);
    const after = [await em.count(Unit, {}), await em.count(User, {}), await em.count(Activity, {})];
    expect(after).toEqual(before);
    expect(await em.count(AuditLog, { action: 'seed' })).toBe(1);
  });

  it('refuses bad options with the field named, and changes nothing', async () => {
    const em = t.orm.em.fork();
    const before = await em.count(Unit, {});
    for (const [options, field] of [
      [{ province: '99' }, 'province'],
      [{ units: 0 }, 'units'],
      [{ units: 101 }, 'units'],
      [{ year: 2027 }, 'year'],
      [{ password: 'short' }, 'password'],
      [{ password: '1234567890' }, 'password'],
    ] as const) {
      const err = await demo.seed({ ...options, reset: true }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidInputError);
      expect((err as InvalidInputError).field).toBe(field);
    }
    expect(await em.count(Unit, {})).toBe(before);
  });

  it('rebuilds with --reset-demo, through the command, printing the sign-in e-mails and the password once', async () => {
    const out: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    try {
      await new DemoSeedCommand(demo).run([], { units: 5, resetDemo: true, password: 'another-pass-1' });
    } finally {
      spy.mockRestore();
    }
    const text = out.join('');
    expect(text).toContain('removed first: 20 units, 21 users');
    expect(text).toContain('supervisor-44@demo.example.com');
    expect(text).toContain('unit-44-05@demo.example.com');
    expect(text).not.toContain('unit-44-06@demo.example.com');
    expect(text.split('another-pass-1')).toHaveLength(2);

    const em = t.orm.em.fork();
    expect(await em.count(Unit, { province: '44' })).toBe(5);
    expect(await em.count(User, { email: { $like: '%@demo.example.com' } })).toBe(6);
    expect(await em.count(AuditLog, { action: 'seed' })).toBe(2);
    // The same identities come back: reruns are reproducible.
    const names = (await em.find(Unit, { province: '44' }, { orderBy: { id: 'asc' } })).map((u) => u.name);
    expect(names).toEqual(demo.plan({ units: 5 }).units.map((u) => u.name));
    await t.login('unit-44-01@demo.example.com', 'another-pass-1');
  });
});
