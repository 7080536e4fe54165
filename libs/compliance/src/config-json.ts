import { readFileSync } from 'node:fs';
import type { LocalizedText } from './types';

/** A file under config/ is wrong. The message names the file and the JSON path of the bad field. */
export class RuleSetError extends Error {
  constructor(
    readonly source: string,
    readonly path: string,
    problem: string,
  ) {
    super(`${source}: ${path || 'rule set'} ${problem}`);
    this.name = 'RuleSetError';
  }
}

/** The parsed JSON of a config file; a file that is not JSON is a RuleSetError naming `source`. */
export function readConfigJson(file: string, source: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new RuleSetError(source, '', `is not valid JSON: ${(error as Error).message}`);
  }
}

/** `, got <value>`, the end of every problem that quotes what the file holds. */
export function got(value: unknown): string {
  return `, got ${JSON.stringify(value) ?? String(value)}`;
}

/** `path.field`, or `field` at the root. */
export function at(path: string, field: string): string {
  return path ? `${path}.${field}` : field;
}

/**
 * Strict readers for the JSON files under config/ (rule sets, the kind catalogue): each value is checked
 * where it is read, unknown fields are errors (a misspelt "minumum" is never silently ignored), and every
 * error names `source` and the JSON path.
 */
export function configReader(source: string) {
  const fail = (path: string, problem: string): never => {
    throw new RuleSetError(source, path, problem);
  };

  const object = (value: unknown, path: string, required: string[], optional: string[] = []) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return fail(path, 'must be an object' + got(value));
    }
    const record = value as Record<string, unknown>;
    for (const field of required) {
      if (!(field in record)) fail(at(path, field), 'is required');
    }
    const known = [...required, ...optional];
    for (const field of Object.keys(record)) {
      if (!known.includes(field)) {
        fail(at(path, field), `is not a known field (known: ${known.join(', ')})`);
      }
    }
    return record;
  };
  /** An object whose keys are names (fields, kinds), in file order. */
  const entries = (value: unknown, path: string): [string, unknown][] =>
    Object.entries(object(value, path, [], Object.keys(value ?? {})));
  const array = (value: unknown, path: string, nonEmpty: boolean): unknown[] => {
    if (!Array.isArray(value)) return fail(path, 'must be an array' + got(value));
    if (nonEmpty && value.length === 0) fail(path, 'must not be empty');
    return value;
  };
  const text = (value: unknown, path: string): string => {
    if (typeof value !== 'string' || value.trim() === '') {
      return fail(path, 'must be a non-empty string' + got(value));
    }
    return value;
  };
  const matching = (value: unknown, path: string, pattern: RegExp, what: string): string => {
    const s = text(value, path);
    if (!pattern.test(s)) fail(path, `must be ${what}` + got(value));
    return s;
  };
  const oneOf = <T extends string>(value: unknown, path: string, allowed: readonly T[]): T => {
    if (!allowed.includes(value as T)) fail(path, `must be one of ${allowed.join(', ')}` + got(value));
    return value as T;
  };
  const integer = (value: unknown, path: string, min: number): number => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
      fail(path, (min === 1 ? 'must be a positive integer' : `must be an integer ≥ ${min}`) + got(value));
    }
    return value as number;
  };
  const boolean = (value: unknown, path: string): boolean => {
    if (typeof value !== 'boolean') fail(path, 'must be true or false' + got(value));
    return value as boolean;
  };
  const localized = (value: unknown, path: string): LocalizedText => {
    const o = object(value, path, ['zh', 'en']);
    return { zh: text(o.zh, at(path, 'zh')), en: text(o.en, at(path, 'en')) };
  };
  return { fail, object, entries, array, text, matching, oneOf, integer, boolean, localized };
}
