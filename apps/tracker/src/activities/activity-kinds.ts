import { ACTIVITY_CATEGORY_FIELDS } from '@app/db';
import type { RequirementKindView } from '../rule-sets/rule-sets.service';

/** Category-specific columns of an activity (SPEC §4); which ones a kind takes is in the kind catalogue. */
export const CATEGORY_FIELDS = ACTIVITY_CATEGORY_FIELDS;
export type CategoryField = (typeof CATEGORY_FIELDS)[number];
export type CategoryValues = Partial<Record<CategoryField, string | number | null>>;

export type KindProblem = {
  field: string;
  rule: 'notForRequirement' | 'required' | 'isIn';
  zh: string;
  en: string;
};

/**
 * Checks the category fields of a (merged) activity against its kind: fields of another kind are refused
 * rather than silently stored, the kind's required fields must be filled in, and choice fields hold one of
 * their values. `sent` are the fields the caller sent in this request (only those can be "of another kind").
 */
export function kindProblem(
  kind: RequirementKindView,
  values: CategoryValues,
  sent: Iterable<string>,
): KindProblem | null {
  const own = new Map(kind.fields.map((f) => [f.name, f]));
  const label = kind.shortLabel;
  for (const field of sent) {
    if (!(CATEGORY_FIELDS as readonly string[]).includes(field) || own.has(field)) continue;
    if (values[field as CategoryField] == null) continue;
    return {
      field,
      rule: 'notForRequirement',
      zh: `「${field}」不适用于「${label.zh}」类活动`,
      en: `${field} does not apply to ${kind.key} activities`,
    };
  }
  for (const f of kind.fields) {
    const v = values[f.name as CategoryField];
    if (v == null || v === '') {
      if (!f.required) continue;
      return {
        field: f.name,
        rule: 'required',
        zh: `「${label.zh}」类活动必须填写${f.label.zh}`,
        en: `${f.name} (${f.label.en.toLowerCase()}) is required for ${kind.key} activities`,
      };
    }
    const values_ = f.values?.map((x) => x.value);
    if (values_ && !values_.includes(String(v))) {
      return {
        field: f.name,
        rule: 'isIn',
        zh: `${f.label.zh}必须是以下之一：${values_.join('、')}`,
        en: `${f.name} must be one of the following values: ${values_.join(', ')}`,
      };
    }
  }
  return null;
}

/** Fields a record of `kind` must not keep (used when an edit changes the requirement). */
export function foreignFields(kind: RequirementKindView): CategoryField[] {
  const own = new Set(kind.fields.map((f) => f.name));
  return CATEGORY_FIELDS.filter((f) => !own.has(f));
}

/**
 * Same identity however it was typed (full-width digits from a Chinese IME, a lower-case x in an ID
 * number, stray spaces), so distinct-person counts agree with the engine.
 */
export function normalizePersonKey(value: string): string {
  return value.normalize('NFKC').trim().toUpperCase();
}
