import type { LocalizedText, RuleSet } from './types';
import { at as join, configReader, got, readConfigJson, RuleSetError } from './config-json';

/*
 * The catalogue of requirement kinds (config/requirement-kinds.json): the activity fields each kind
 * records, their types, fixed value lists and labels. A rule set's requirement key names a kind; the
 * rule set gives the labels shown for it. Validation, forms, pages and exports read fields from here,
 * so a new kind that reuses existing fields is a change to config/ alone.
 */

export const FIELD_TYPES = ['text', 'integer', 'choice', 'url'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface FieldSpec {
  name: string;
  type: FieldType;
  label: LocalizedText;
  /** text and url */
  maxLength?: number;
  /** integer */
  min?: number;
  max?: number;
  /** choice: the values in order, each with its label. */
  values?: { value: string; label: LocalizedText }[];
}

export interface KindSpec {
  key: string;
  /** The kind's own label (a rule set's requirement label is shown instead where there is one). */
  label: LocalizedText;
  /** One line on the form: what qualifies. */
  hint?: LocalizedText;
  required: string[];
  optional: string[];
}

export interface KindCatalogue {
  fields: ReadonlyMap<string, FieldSpec>;
  kinds: ReadonlyMap<string, KindSpec>;
}

const KIND_KEY = /^[a-z][a-z0-9_]*$/;

/**
 * Validates the catalogue strictly, like parseRuleSet (unknown fields are errors). `columns`: the
 * activity columns a field may name (every field is one); `integerColumns` those holding numbers.
 */
export function parseKindCatalogue(
  json: unknown,
  source: string,
  columns: readonly string[],
  integerColumns: readonly string[] = [],
): KindCatalogue {
  const { fail, object, entries, text, integer, localized } = configReader(source);

  const root = object(json, '', ['fields', 'kinds'], ['note']);
  const fields = new Map<string, FieldSpec>();
  for (const [name, value] of entries(root.fields, 'fields')) {
    const path = `fields.${name}`;
    if (!columns.includes(name)) fail(path, `is not an activity column (columns: ${columns.join(', ')})`);
    const o = object(value, path, ['type', 'label'], ['maxLength', 'min', 'max', 'values']);
    const type = o.type as FieldType;
    if (!FIELD_TYPES.includes(type))
      fail(join(path, 'type'), `must be one of ${FIELD_TYPES.join(', ')}` + got(o.type));
    if ((type === 'integer') !== integerColumns.includes(name)) {
      fail(
        join(path, 'type'),
        `does not fit the column (${integerColumns.includes(name) ? 'integer' : 'text'})`,
      );
    }
    const spec: FieldSpec = { name, type, label: localized(o.label, join(path, 'label')) };
    const allowed: Record<FieldType, string[]> = {
      text: ['maxLength'],
      url: ['maxLength'],
      integer: ['min', 'max'],
      choice: ['values'],
    };
    for (const extra of ['maxLength', 'min', 'max', 'values']) {
      if (o[extra] !== undefined && !allowed[type].includes(extra))
        fail(join(path, extra), `does not apply to ${type}`);
    }
    if (type === 'text' || type === 'url') spec.maxLength = integer(o.maxLength, join(path, 'maxLength'), 1);
    if (type === 'integer') {
      spec.min = integer(o.min, join(path, 'min'), 0);
      spec.max = integer(o.max, join(path, 'max'), spec.min);
    }
    if (type === 'choice') {
      const values = entries(o.values, join(path, 'values'));
      if (!values.length) fail(join(path, 'values'), 'must not be empty');
      spec.values = values.map(([v, label]) => {
        if (!KIND_KEY.test(v)) fail(join(path, `values.${v}`), 'must be lower_snake_case');
        return { value: v, label: localized(label, join(path, `values.${v}`)) };
      });
    }
    fields.set(name, spec);
  }

  const kinds = new Map<string, KindSpec>();
  for (const [key, value] of entries(root.kinds, 'kinds')) {
    const path = `kinds.${key}`;
    if (!KIND_KEY.test(key)) fail(path, 'must be lower_snake_case');
    const o = object(value, path, ['label', 'required', 'optional'], ['hint']);
    const list = (v: unknown, p: string): string[] => {
      if (!Array.isArray(v)) return fail(p, 'must be an array' + got(v));
      return v.map((f, i) => {
        const name = text(f, `${p}[${i}]`);
        if (!fields.has(name)) fail(`${p}[${i}]`, `names no field of the catalogue, got "${name}"`);
        return name;
      });
    };
    const required = list(o.required, join(path, 'required'));
    const optional = list(o.optional, join(path, 'optional'));
    const all = [...required, ...optional];
    all.forEach((f, i) => {
      if (all.indexOf(f) !== i) fail(path, `lists the field "${f}" twice`);
    });
    const kind: KindSpec = { key, label: localized(o.label, join(path, 'label')), required, optional };
    if (o.hint !== undefined) kind.hint = localized(o.hint, join(path, 'hint'));
    kinds.set(key, kind);
  }
  if (!kinds.size) fail('kinds', 'must not be empty');
  return { fields, kinds };
}

export function loadKindCatalogue(
  file: string,
  columns: readonly string[],
  integerColumns: readonly string[] = [],
): KindCatalogue {
  const source = file.split(/[\\/]/).pop() ?? file;
  return parseKindCatalogue(readConfigJson(file, source), source, columns, integerColumns);
}

/**
 * A rule set fits the catalogue: each requirement is a kind, its qualification conditions and
 * distinctBy name fields of that kind, and values of choice fields are among the field's values
 * (so a typo cannot silently make nothing count).
 */
export function checkRuleSetKinds(ruleSet: RuleSet, catalogue: KindCatalogue, source: string): void {
  ruleSet.requirements.forEach((req, r) => {
    const path = `requirements[${r}]`;
    const kind = catalogue.kinds.get(req.key);
    if (!kind) {
      throw new RuleSetError(
        source,
        `${path}.key`,
        `"${req.key}" is not a requirement kind of the catalogue (kinds: ${[...catalogue.kinds.keys()].join(', ')})`,
      );
    }
    const own = [...kind.required, ...kind.optional];
    const single = req.qualifies.length === 1;
    req.qualifies.forEach((alternative, a) => {
      alternative.forEach((c, i) => {
        const at = single ? `${path}.qualifies[${i}]` : `${path}.qualifies.anyOf[${a}][${i}]`;
        if (!own.includes(c.field)) {
          throw new RuleSetError(
            source,
            `${at}.field`,
            `"${c.field}" is not a field of ${req.key} (fields: ${own.join(', ')})`,
          );
        }
        const values = catalogue.fields.get(c.field)?.values?.map((v) => v.value);
        if (!values) return;
        c.in.forEach((v, j) => {
          if (!values.includes(v)) {
            throw new RuleSetError(
              source,
              `${at}.in[${j}]`,
              `must be one of ${values.join(', ')}, got "${v}"`,
            );
          }
        });
      });
    });
    if (req.distinctBy && !own.includes(req.distinctBy)) {
      throw new RuleSetError(
        source,
        `${path}.distinctBy`,
        `"${req.distinctBy}" is not a field of ${req.key} (fields: ${own.join(', ')})`,
      );
    }
  });
}
