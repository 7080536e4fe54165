import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalizedText, RuleSet } from './types';
import { at, configReader, readConfigJson, RuleSetError } from './config-json';

/*
 * Evaluation scoring tables (考核验收评分表) as data, one per program under config/scoring/, like the rule
 * sets: which items there are, their points, and whether an item's points follow from a requirement's
 * figures or are a manual judgement of the evaluators. Pure: no Nest, no database.
 */

/**
 * How an item's points follow from one requirement's figures over the periods of the cycle:
 * - `all_periods`: full points when the requirement is met in every period, else none;
 * - `proportional`: full points when met in every period, otherwise points × Σ min(verified, minimum)
 *   ÷ Σ minimum (each period's shortfall costs its share; a surplus in one period does not make up for
 *   another), rounded down to the table's `step`.
 */
export const SCORING_RULES = ['all_periods', 'proportional'] as const;
export type ScoringRule = (typeof SCORING_RULES)[number];

export type ScoringBasis =
  { kind: 'manual' } | { kind: 'requirement'; requirement: string; rule: ScoringRule };

export interface ScoringItem {
  key: string;
  /** Group heading of the table (一级指标), e.g. 标准化精品展示. */
  group: LocalizedText;
  label: LocalizedText;
  /** What the evaluators look at (评分标准), shown beside the item. */
  criteria: LocalizedText;
  points: number;
  basis: ScoringBasis;
}

export interface ScoringTable {
  program: string;
  name: LocalizedText;
  /** The table is an example to adapt to the province's own, not an official one. */
  example: boolean;
  note?: string;
  /** Suggested scores are rounded down to a multiple of this (e.g. 0.5). */
  step: number;
  totalPoints: number;
  items: ScoringItem[];
}

/** One requirement's figures in one period (the unit's effective minimum: its target if it has one). */
export interface PeriodFigure {
  requirement: string;
  periodStart: string;
  verified: number;
  minimum: number;
}

export interface ItemScore {
  item: ScoringItem;
  /** Suggested points; null for manual items and for requirements the unit's rule set lacks. */
  suggested: number | null;
  /** Periods the figure was taken over, and of those, where the requirement is met. */
  periods: number;
  periodsMet: number;
  /** Σ min(verified, minimum) and Σ minimum over the periods (proportional items). */
  counted: number;
  required: number;
}

export interface TableScore {
  items: ItemScore[];
  /** Σ suggested points of the items that follow from figures. */
  suggestedTotal: number;
  /** Points that follow from figures (their maximum), and points left to the evaluators. */
  automaticPoints: number;
  manualPoints: number;
}

const ITEM_KEY = /^[a-z][a-z0-9_]*$/;
const PROGRAM_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** Points are kept in hundredths so sums of 0.5 steps stay exact. */
const CENT = 100;

const cents = (n: number) => Math.round(n * CENT);

/**
 * Validates a parsed scoring table strictly (unknown fields are errors), naming the file and the JSON
 * path of the problem. With rule sets, every requirement an item draws on must be one of the program's.
 */
export function parseScoringTable(
  json: unknown,
  source = 'scoring table',
  ruleSets?: RuleSet[],
): ScoringTable {
  const { fail, object, array, text, matching, oneOf, boolean, localized } = configReader(source);
  const positivePoints = (value: unknown, path: string): number => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 1000) {
      fail(path, `must be a number of points above 0 and at most 1000, got ${JSON.stringify(value)}`);
    }
    if (Math.abs(cents(value as number) - (value as number) * CENT) > 1e-6) {
      fail(path, `must have at most two decimals, got ${JSON.stringify(value)}`);
    }
    return value as number;
  };

  const root = object(json, '', ['program', 'name', 'example', 'step', 'totalPoints', 'items'], ['note']);
  const program = matching(root.program, 'program', PROGRAM_ID, 'lower-case words joined by hyphens');
  const step = positivePoints(root.step, 'step');
  const programSets = ruleSets?.filter((r) => r.program === program);
  if (ruleSets && !programSets?.length) {
    fail('program', `names no program of config/rule-sets, got ${JSON.stringify(program)}`);
  }
  const known = new Set(programSets?.flatMap((r) => r.requirements.map((q) => q.key)));

  const basis = (value: unknown, path: string): ScoringBasis => {
    if (value === 'manual') return { kind: 'manual' };
    const o = object(value, path, ['requirement', 'rule']);
    const requirement = text(o.requirement, at(path, 'requirement'));
    if (ruleSets && !known.has(requirement)) {
      fail(
        at(path, 'requirement'),
        `is not a requirement of program ${program} (known: ${[...known].join(', ')}), got ${JSON.stringify(requirement)}`,
      );
    }
    return { kind: 'requirement', requirement, rule: oneOf(o.rule, at(path, 'rule'), SCORING_RULES) };
  };

  const items = array(root.items, 'items', true).map((value, i): ScoringItem => {
    const path = `items[${i}]`;
    const o = object(value, path, ['key', 'group', 'label', 'criteria', 'points', 'basis']);
    const item: ScoringItem = {
      key: matching(o.key, at(path, 'key'), ITEM_KEY, 'lower_snake_case'),
      group: localized(o.group, at(path, 'group')),
      label: localized(o.label, at(path, 'label')),
      criteria: localized(o.criteria, at(path, 'criteria')),
      points: positivePoints(o.points, at(path, 'points')),
      basis: basis(o.basis, at(path, 'basis')),
    };
    if (cents(item.points) % cents(step) !== 0) {
      fail(at(path, 'points'), `must be a multiple of step ${step}, got ${item.points}`);
    }
    return item;
  });
  items.forEach((item, i) => {
    const first = items.findIndex((other) => other.key === item.key);
    if (first !== i) fail(`items[${i}].key`, `"${item.key}" repeats items[${first}].key`);
  });
  const totalPoints = positivePoints(root.totalPoints, 'totalPoints');
  const sum = items.reduce((s, item) => s + cents(item.points), 0);
  if (sum !== cents(totalPoints)) {
    fail('totalPoints', `must equal the sum of the items' points (${sum / CENT}), got ${totalPoints}`);
  }
  const table: ScoringTable = {
    program,
    name: localized(root.name, 'name'),
    example: boolean(root.example, 'example'),
    step,
    totalPoints,
    items,
  };
  if (root.note !== undefined) table.note = text(root.note, 'note');
  return table;
}

/** Parses every *.json file of `dir`, keyed by program. Any bad file, or two for one program, stops the load. */
export function loadScoringTablesFromDir(dir: string, ruleSets?: RuleSet[]): Map<string, ScoringTable> {
  const tables = new Map<string, ScoringTable>();
  const files = new Map<string, string>();
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const table = parseScoringTable(readConfigJson(join(dir, file), file), file, ruleSets);
    const clash = files.get(table.program);
    if (clash)
      throw new RuleSetError(file, 'program', `repeats ${table.program}, already scored by ${clash}`);
    tables.set(table.program, table);
    files.set(table.program, file);
  }
  return tables;
}

/**
 * Suggested points of every item from the unit's figures (one per requirement and period; a
 * requirement counted over the whole cycle has one). Manual items, and items whose requirement has no
 * figure (not in the unit's rule set), get null.
 */
export function scoreTable(table: ScoringTable, figures: readonly PeriodFigure[]): TableScore {
  const stepCents = cents(table.step);
  let suggested = 0;
  let automatic = 0;
  let manual = 0;
  const items = table.items.map((item): ItemScore => {
    const basis = item.basis;
    if (basis.kind === 'manual') {
      manual += cents(item.points);
      return { item, suggested: null, periods: 0, periodsMet: 0, counted: 0, required: 0 };
    }
    const own = figures.filter((f) => f.requirement === basis.requirement);
    if (!own.length) {
      manual += cents(item.points);
      return { item, suggested: null, periods: 0, periodsMet: 0, counted: 0, required: 0 };
    }
    const periodsMet = own.filter((f) => f.verified >= f.minimum).length;
    const counted = own.reduce((s, f) => s + Math.min(Math.max(f.verified, 0), f.minimum), 0);
    const required = own.reduce((s, f) => s + f.minimum, 0);
    const full = cents(item.points);
    let points: number;
    if (periodsMet === own.length) points = full;
    else if (basis.rule === 'all_periods') points = 0;
    else points = Math.floor((full * counted) / required / stepCents) * stepCents;
    automatic += full;
    suggested += points;
    return { item, suggested: points / CENT, periods: own.length, periodsMet, counted, required };
  });
  return {
    items,
    suggestedTotal: suggested / CENT,
    automaticPoints: automatic / CENT,
    manualPoints: manual / CENT,
  };
}
