import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { QualificationAlternative, QualificationCondition, Requirement, RuleSet } from './types';
import { checkRuleSetKinds, type KindCatalogue } from './kinds';
import { at, configReader, readConfigJson, RuleSetError } from './config-json';

export { RuleSetError };

const PERIOD_MODES = ['calendar_year', 'project_year'] as const;
const REQUIREMENT_PERIODS = ['annual', 'cycle'] as const;
const PROGRAM_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const REQUIREMENT_KEY = /^[a-z][a-z0-9_]*$/;
/** Days before a period ends that a unit still short of a minimum is reminded (SPEC §3 "Still needed"). */
export const DEFAULT_REMINDER_DAYS: readonly number[] = [60, 30, 7];
export const MAX_REMINDER_DAYS = 5;
export const REMINDER_DAY_MAX = 365;

/**
 * The problem with a list of reminder days (integers 1–365, distinct, at most 5), or null when it is
 * fine. Shared by the rule-set files and the admin's per-program override.
 */
export function reminderDaysProblem(value: unknown): string | null {
  if (!Array.isArray(value)) return 'must be an array of whole days';
  if (value.length > MAX_REMINDER_DAYS) return `must list at most ${MAX_REMINDER_DAYS} days`;
  for (const d of value) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 1 || d > REMINDER_DAY_MAX) {
      return `must hold whole days from 1 to ${REMINDER_DAY_MAX}, got ${JSON.stringify(d)}`;
    }
  }
  if (new Set(value).size !== value.length) return 'must not repeat a day';
  return null;
}

/** Reminder days largest first (60, 30, 7): the order reminders fall in. */
export function sortedReminderDays(days: readonly number[]): number[] {
  return [...days].sort((a, b) => b - a);
}

/**
 * Validates a parsed JSON rule set strictly (unknown fields are errors too, so a misspelt
 * "minumum" cannot be silently ignored) and returns a clean copy. With a kind catalogue, also
 * checks the requirements against it (checkRuleSetKinds).
 */
export function parseRuleSet(json: unknown, source = 'rule set', catalogue?: KindCatalogue): RuleSet {
  const { fail, object, array, text, matching, oneOf, integer, boolean, localized } = configReader(source);
  const positiveInteger = (value: unknown, path: string) => integer(value, path, 1);

  const condition = (value: unknown, path: string): QualificationCondition => {
    const o = object(value, path, ['field', 'in']);
    const field = text(o.field, at(path, 'field'));
    const values = array(o.in, at(path, 'in'), true).map((v, i) => text(v, `${at(path, 'in')}[${i}]`));
    return { field, in: values };
  };

  const conditions = (value: unknown, path: string, nonEmpty: boolean): QualificationAlternative =>
    array(value, path, nonEmpty).map((c, i) => condition(c, `${path}[${i}]`));

  /**
   * `"qualifies": [conditions]`: one alternative, every condition must hold ([] lets everything count);
   * `"qualifies": {"anyOf": [[conditions], [conditions]]}`: any alternative whose conditions all hold.
   */
  const qualification = (value: unknown, path: string): QualificationAlternative[] => {
    if (Array.isArray(value)) return [conditions(value, path, false)];
    const o = object(value, path, ['anyOf']);
    return array(o.anyOf, at(path, 'anyOf'), true).map((alt, i) =>
      conditions(alt, `${at(path, 'anyOf')}[${i}]`, true),
    );
  };

  const requirement = (value: unknown, path: string): Requirement => {
    const o = object(
      value,
      path,
      ['key', 'label', 'unit', 'minimum', 'period', 'qualifies'],
      ['shortLabel', 'distinctBy', 'evidenceRequired'],
    );
    const label = localized(o.label, at(path, 'label'));
    const req: Requirement = {
      key: matching(o.key, at(path, 'key'), REQUIREMENT_KEY, 'lower_snake_case'),
      label,
      shortLabel: o.shortLabel === undefined ? label : localized(o.shortLabel, at(path, 'shortLabel')),
      unit: localized(o.unit, at(path, 'unit')),
      minimum: positiveInteger(o.minimum, at(path, 'minimum')),
      period: oneOf(o.period, at(path, 'period'), REQUIREMENT_PERIODS),
      qualifies: qualification(o.qualifies, at(path, 'qualifies')),
      evidenceRequired:
        o.evidenceRequired === undefined ? true : boolean(o.evidenceRequired, at(path, 'evidenceRequired')),
    };
    if (o.distinctBy !== undefined) req.distinctBy = text(o.distinctBy, at(path, 'distinctBy'));
    return req;
  };

  const root = object(
    json,
    '',
    ['program', 'version', 'name', 'periodMode', 'prorate', 'requirements'],
    ['note', 'reminderDays'],
  );
  const ruleSet: RuleSet = {
    program: matching(root.program, 'program', PROGRAM_ID, 'lower-case words joined by hyphens'),
    version: positiveInteger(root.version, 'version'),
    name: localized(root.name, 'name'),
    periodMode: oneOf(root.periodMode, 'periodMode', PERIOD_MODES),
    prorate: boolean(root.prorate, 'prorate'),
    requirements: array(root.requirements, 'requirements', true).map((r, i) =>
      requirement(r, `requirements[${i}]`),
    ),
    reminderDays: [...DEFAULT_REMINDER_DAYS],
  };
  if (root.reminderDays !== undefined) {
    const problem = reminderDaysProblem(root.reminderDays);
    if (problem) fail('reminderDays', problem);
    ruleSet.reminderDays = sortedReminderDays(root.reminderDays as number[]);
  }
  ruleSet.requirements.forEach((r, i, all) => {
    const first = all.findIndex((other) => other.key === r.key);
    if (first !== i) fail(`requirements[${i}].key`, `"${r.key}" repeats requirements[${first}].key`);
  });
  if (root.note !== undefined) ruleSet.note = text(root.note, 'note');
  if (catalogue) checkRuleSetKinds(ruleSet, catalogue, source);
  return ruleSet;
}

/** The key rule sets are stored under: `${program}@${version}`. */
export function ruleSetKey(ruleSet: Pick<RuleSet, 'program' | 'version'>): string {
  return `${ruleSet.program}@${ruleSet.version}`;
}

/** Parses every *.json file of `dir`, keyed by ruleSetKey(). Any bad file stops the load. */
export function loadRuleSetsFromDir(dir: string, catalogue?: KindCatalogue): Map<string, RuleSet> {
  const ruleSets = new Map<string, RuleSet>();
  const files = new Map<string, string>();
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const ruleSet = parseRuleSet(readConfigJson(join(dir, file), file), file, catalogue);
    const key = ruleSetKey(ruleSet);
    const clash = files.get(key);
    if (clash) throw new RuleSetError(file, 'version', `repeats ${key}, already defined in ${clash}`);
    ruleSets.set(key, ruleSet);
    files.set(key, file);
  }
  return ruleSets;
}

/** The highest version of `program`, or undefined. */
export function latestRuleSet(
  ruleSets: Iterable<RuleSet> | Map<string, RuleSet>,
  program: string,
): RuleSet | undefined {
  const list = ruleSets instanceof Map ? [...ruleSets.values()] : [...ruleSets];
  return list
    .filter((r) => r.program === program)
    .reduce<RuleSet | undefined>((best, r) => (!best || r.version > best.version ? r : best), undefined);
}
