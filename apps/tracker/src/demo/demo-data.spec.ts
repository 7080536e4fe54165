import { join } from 'node:path';
import {
  addDays,
  evaluate,
  isValidCreditCode,
  latestRuleSet,
  loadRuleSetsFromDir,
  type RuleSet,
} from '@app/compliance';
import {
  buildDemoData,
  DEMO_REQUIREMENTS,
  demoFacts,
  demoFootprint,
  type DemoData,
  type DemoOptions,
} from './demo-data';

const ruleSet = latestRuleSet(
  loadRuleSetsFromDir(join(__dirname, '../../../../config/rule-sets')),
  'service-industry-demo',
) as RuleSet;

function build(over: Partial<DemoOptions> = {}): DemoData {
  return buildDemoData({
    province: '44',
    units: 20,
    year: 2026,
    today: '2026-11-21',
    now: new Date('2026-11-21T12:00:00+08:00'),
    ruleSet,
    ...over,
  });
}

describe('demo data builder', () => {
  const data = build();

  it('is reproducible: the same inputs give the same data', () => {
    expect(JSON.stringify(build())).toBe(JSON.stringify(data));
  });

  it('makes 20 distinct units with valid credit codes, contacts at example domains and one user each', () => {
    expect(data.units).toHaveLength(20);
    expect(new Set(data.units.map((u) => u.name)).size).toBe(20);
    expect(new Set(data.units.map((u) => u.creditCode)).size).toBe(20);
    const footprint = demoFootprint('44');
    for (const u of data.units) {
      expect(isValidCreditCode(u.creditCode)).toBe(true);
      expect(footprint.creditCodes).toContain(u.creditCode);
      expect(u.contacts.length).toBeGreaterThanOrEqual(1);
      expect(u.contacts.length).toBeLessThanOrEqual(2);
      for (const c of u.contacts) expect(c.email).toMatch(/^[a-z.]+@unit44\d\d\.example\.com$/);
      expect(footprint.emails).toContain(u.user.email);
      expect(u.province).toBe('44');
    }
    expect(new Set(data.units.map((u) => u.user.email)).size).toBe(20);
    expect(data.supervisor).toMatchObject({ email: 'supervisor-44@demo.example.com', provinces: ['44'] });
    expect(data.units.some((u) => u.kind === 'regional')).toBe(true);
    expect(data.units.some((u) => u.kind === 'enterprise')).toBe(true);
  });

  it('mixes cycles, all containing today, and dates every activity inside its cycle, within a year, not after today', () => {
    expect(new Set(data.units.map((u) => u.cycleStart)).size).toBeGreaterThanOrEqual(3);
    expect(data.units.map((u) => u.cycleStart)).toEqual(expect.arrayContaining(['2025-07-01', '2026-01-01']));
    for (const u of data.units) {
      expect(u.cycleStart <= data.today && data.today <= u.cycleEnd).toBe(true);
      for (const a of u.activities) {
        expect(a.date >= u.cycleStart && a.date <= data.today).toBe(true);
        expect(a.date >= addDays(data.today, -364)).toBe(true);
        expect(a.title.length).toBeLessThanOrEqual(200);
      }
    }
  });

  it('logs all six kinds per unit with their own fields', () => {
    for (const u of data.units) {
      expect(new Set(u.activities.map((a) => a.requirement))).toEqual(new Set(DEMO_REQUIREMENTS));
    }
    const all = data.units.flatMap((u) => u.activities);
    const of = (k: string) => all.filter((a) => a.requirement === k);
    expect(of('exchange_events').every((a) => a.location && a.participants! > 0)).toBe(true);
    expect(of('standard_proposals').every((a) => a.standardLevel && a.standardKind)).toBe(true);
    expect(of('standard_proposals').some((a) => /^GB\/T \d{5}-\d{4}$/.test(a.standardNumber ?? ''))).toBe(
      true,
    );
    expect(of('national_papers').every((a) => /^\d{4}-\d{3}[\dX]$/.test(a.issn ?? '') && a.journal)).toBe(
      true,
    );
    expect(of('trained_personnel').every((a) => a.personName && a.personKey && a.certificate)).toBe(true);
    expect(of('work_updates').every((a) => a.recipient === '广东省市场监督管理局')).toBe(true);
    expect(of('media_reports').map((a) => a.outlet)).toEqual(
      expect.arrayContaining(['南方日报', '人民日报', '广州日报']),
    );
    // Recorded but not counted: a city newspaper, a provincial journal, a group standard.
    expect(of('media_reports').some((a) => a.outletLevel === 'municipal')).toBe(true);
    expect(of('national_papers').some((a) => a.journalLevel === 'provincial')).toBe(true);
    expect(of('standard_proposals').some((a) => a.standardLevel === 'group')).toBe(true);
    // The same person trained twice in one unit.
    expect(
      data.units.some((u) => {
        const keys = u.activities.filter((a) => a.personKey).map((a) => a.personKey);
        return new Set(keys).size < keys.length;
      }),
    ).toBe(true);
  });

  it('mixes statuses: mostly verified, some submitted, a few drafts and rejected ones with reasons', () => {
    const all = data.units.flatMap((u) => u.activities);
    const count = (s: string) => all.filter((a) => a.status === s).length;
    expect(count('verified')).toBeGreaterThan(all.length / 2);
    expect(count('submitted')).toBeGreaterThan(0);
    expect(count('draft')).toBeGreaterThan(0);
    expect(count('rejected')).toBeGreaterThan(0);
    const now = new Date('2026-11-21T12:00:00+08:00');
    for (const a of all) {
      expect(a.status === 'rejected').toBe(!!a.rejectReason);
      expect(a.submittedAt === null).toBe(a.status === 'draft');
      expect(a.reviewedAt !== null).toBe(a.status === 'verified' || a.status === 'rejected');
      if (a.submittedAt) expect(a.submittedAt.getTime()).toBeLessThanOrEqual(now.getTime());
      if (a.reviewedAt) expect(a.reviewedAt.getTime()).toBeGreaterThanOrEqual(a.submittedAt!.getTime());
      if (a.reviewedAt) expect(a.reviewedAt.getTime()).toBeLessThanOrEqual(now.getTime());
    }
  });

  it('gives the engine exactly the planned statuses: shortfalls, risks and units fully met', () => {
    const overall: string[] = [];
    for (const u of data.units) {
      const result = evaluate(ruleSet, { start: u.cycleStart, end: u.cycleEnd }, demoFacts(u), data.today);
      for (const r of result.requirements)
        expect([u.name, r.key, r.status]).toEqual([u.name, r.key, u.planned[r.key]]);
      overall.push(result.overall);
    }
    expect(overall).toContain('shortfall');
    expect(overall).toContain('at_risk');
    expect(overall.filter((s) => s === 'met').length).toBeGreaterThanOrEqual(2);
  });

  it.each([
    ['44', '2026-01-01'],
    ['44', '2026-03-20'],
    ['44', '2026-07-01'],
    ['44', '2026-12-31'],
    ['11', '2026-06-15'],
    ['66', '2025-09-30'],
  ])('holds its rules for province %s on %s', (province, today) => {
    const d = build({
      province,
      today,
      year: Number(today.slice(0, 4)),
      now: new Date(`${today}T23:00:00+08:00`),
    });
    expect(new Set(d.units.map((u) => u.creditCode)).size).toBe(20);
    for (const u of d.units) {
      expect(isValidCreditCode(u.creditCode)).toBe(true);
      expect(u.cycleStart <= today && today <= u.cycleEnd).toBe(true);
      const result = evaluate(ruleSet, { start: u.cycleStart, end: u.cycleEnd }, demoFacts(u), today);
      for (const r of result.requirements) expect(r.status).toBe(u.planned[r.key]);
      for (const a of u.activities) expect(a.date >= u.cycleStart && a.date <= today).toBe(true);
    }
  });

  it('keeps credit codes apart across provinces and refuses bad options', () => {
    const a = new Set(demoFootprint('44').creditCodes);
    expect(demoFootprint('45').creditCodes.some((c) => a.has(c))).toBe(false);
    expect(a.size).toBe(100);
    expect(() => build({ province: '99' })).toThrow(/province/);
    expect(() => build({ units: 0 })).toThrow(/units/);
    expect(() => build({ units: 101 })).toThrow(/units/);
    expect(() => build({ year: 2025 })).toThrow(/year/);
  });
});
