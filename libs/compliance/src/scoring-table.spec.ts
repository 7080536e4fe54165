import { join } from 'node:path';
import { loadRuleSetsFromDir } from './rule-set';
import { loadScoringTablesFromDir, type PeriodFigure, parseScoringTable, scoreTable } from './scoring';

const CONFIG = join(__dirname, '../../../config');
const ruleSets = [...loadRuleSetsFromDir(join(CONFIG, 'rule-sets')).values()];

/** A small valid table; `over` replaces fields of the root, `item` of the first item. */
function table(over: Record<string, unknown> = {}, item: Record<string, unknown> = {}) {
  return {
    program: 'service-industry-demo',
    name: { zh: '评分表', en: 'Scoring table' },
    example: true,
    step: 0.5,
    totalPoints: 30,
    items: [
      {
        key: 'events',
        group: { zh: '展示', en: 'Showcase' },
        label: { zh: '交流活动', en: 'Events' },
        criteria: { zh: '每年 3 次', en: '3 a year' },
        points: 10,
        basis: { requirement: 'exchange_events', rule: 'proportional' },
        ...item,
      },
      {
        key: 'papers',
        group: { zh: '研究', en: 'Research' },
        label: { zh: '论文', en: 'Papers' },
        criteria: { zh: '每年 1 篇', en: '1 a year' },
        points: 10,
        basis: { requirement: 'national_papers', rule: 'all_periods' },
      },
      {
        key: 'organisation',
        group: { zh: '保障', en: 'Organisation' },
        label: { zh: '组织保障', en: 'Organisation' },
        criteria: { zh: '查阅文件', en: 'Documents' },
        points: 10,
        basis: 'manual',
      },
    ],
    ...over,
  };
}

const fig = (requirement: string, periodStart: string, verified: number, minimum: number): PeriodFigure => ({
  requirement,
  periodStart,
  verified,
  minimum,
});

describe('scoring tables: parsing names the file and the field', () => {
  const parse = (json: unknown) => () => parseScoringTable(json, 'x.json', ruleSets);

  it('accepts a valid table', () => {
    const t = parseScoringTable(table(), 'x.json', ruleSets);
    expect(t.items.map((i) => [i.key, i.points, i.basis.kind])).toEqual([
      ['events', 10, 'requirement'],
      ['papers', 10, 'requirement'],
      ['organisation', 10, 'manual'],
    ]);
  });

  it('refuses a total that is not the sum of the items', () => {
    expect(parse(table({ totalPoints: 40 }))).toThrow(
      "x.json: totalPoints must equal the sum of the items' points (30), got 40",
    );
  });

  it('refuses a requirement the program does not have', () => {
    expect(parse(table({}, { basis: { requirement: 'moon_landings', rule: 'proportional' } }))).toThrow(
      /x\.json: items\[0\]\.basis\.requirement is not a requirement of program service-industry-demo/,
    );
  });

  it('refuses an unknown rule, an unknown field, a repeated key and points off the step', () => {
    expect(parse(table({}, { basis: { requirement: 'exchange_events', rule: 'generous' } }))).toThrow(
      'x.json: items[0].basis.rule must be one of all_periods, proportional, got "generous"',
    );
    expect(parse(table({}, { pionts: 3 }))).toThrow(/x\.json: items\[0\]\.pionts is not a known field/);
    expect(parse(table({}, { key: 'papers' }))).toThrow('x.json: items[1].key "papers" repeats items[0].key');
    expect(parse(table({ totalPoints: 30.25 }, { points: 10.25 }))).toThrow(
      'x.json: items[0].points must be a multiple of step 0.5, got 10.25',
    );
    expect(parse(table({}, { points: -1 }))).toThrow(/items\[0\]\.points must be a number of points above 0/);
  });

  it('refuses a program without rule sets', () => {
    expect(parse(table({ program: 'unknown-program' }))).toThrow(
      'x.json: program names no program of config/rule-sets, got "unknown-program"',
    );
  });

  it('loads the shipped table, marked as an example, summing to 100', () => {
    const tables = loadScoringTablesFromDir(join(CONFIG, 'scoring'), ruleSets);
    const t = tables.get('service-industry-demo');
    expect(t?.example).toBe(true);
    expect(t?.totalPoints).toBe(100);
    expect(t?.items.some((i) => i.basis.kind === 'manual')).toBe(true);
  });
});

describe('scoring tables: suggested points from the figures', () => {
  const t = parseScoringTable(table(), 'x.json', ruleSets);

  it('gives full points when every period is met, and leaves manual items blank', () => {
    const s = scoreTable(t, [
      fig('exchange_events', '2025-01-01', 4, 3),
      fig('exchange_events', '2026-01-01', 3, 3),
      fig('national_papers', '2025-01-01', 1, 1),
      fig('national_papers', '2026-01-01', 2, 1),
    ]);
    expect(s.items.map((i) => i.suggested)).toEqual([10, 10, null]);
    expect(s).toMatchObject({ suggestedTotal: 20, automaticPoints: 20, manualPoints: 10 });
  });

  it('is proportional to what was verified, a surplus not making up for a shortfall, rounded down to the step', () => {
    // 2025: 5 of 3 counts as 3; 2026: 1 of 3. (3 + 1) / 6 × 10 = 6.67 → 6.5
    const s = scoreTable(t, [
      fig('exchange_events', '2025-01-01', 5, 3),
      fig('exchange_events', '2026-01-01', 1, 3),
      fig('national_papers', '2025-01-01', 1, 1),
      fig('national_papers', '2026-01-01', 0, 1),
    ]);
    expect(s.items[0]).toMatchObject({ suggested: 6.5, periods: 2, periodsMet: 1, counted: 4, required: 6 });
    // all_periods: one year without a paper → nothing
    expect(s.items[1]).toMatchObject({ suggested: 0, periodsMet: 1 });
    expect(s.suggestedTotal).toBe(6.5);
  });

  it('uses the minimum given (a unit target), and a partial first year pro-rated', () => {
    const s = scoreTable(t, [
      fig('exchange_events', '2025-07-01', 2, 2),
      fig('exchange_events', '2026-01-01', 0, 1),
      fig('national_papers', '2025-07-01', 1, 1),
    ]);
    expect(s.items[0]).toMatchObject({ suggested: 6.5, counted: 2, required: 3 });
    expect(s.items[1]).toMatchObject({ suggested: 10 });
  });

  it('leaves an item blank when the unit has no figure for its requirement', () => {
    const s = scoreTable(t, [fig('exchange_events', '2025-01-01', 3, 3)]);
    expect(s.items.map((i) => i.suggested)).toEqual([10, null, null]);
    expect(s).toMatchObject({ suggestedTotal: 10, automaticPoints: 10, manualPoints: 20 });
  });
});
