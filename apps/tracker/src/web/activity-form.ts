import type { Locale } from '@app/reporting/i18n';
import { CATEGORY_FIELDS } from '../activities/activity-kinds';
import { CreateActivityDto, UpdateActivityDto } from '../activities/dto/activity.dto';
import type { RequirementKindView } from '../rule-sets/rule-sets.service';
import { type FieldErrors, validateForm } from './form-validation';

/** A requirement kind as the form shows it, labelled in one language (from the registry). */
export interface KindForm {
  kind: string;
  label: string;
  hint: string;
  fields: {
    name: string;
    label: string;
    type: 'text' | 'number' | 'url' | 'select';
    required: boolean;
    max?: number;
    options?: { value: string; label: string }[];
  }[];
}

/** The unit's kinds (RuleSetsService.kindsOf) as form fieldsets, in `locale`. */
export function kindForms(kinds: readonly RequirementKindView[], locale: Locale): KindForm[] {
  return kinds.map((k) => ({
    kind: k.key,
    label: k.shortLabel[locale],
    hint: k.hint?.[locale] ?? '',
    fields: k.fields.map((f) => ({
      name: f.name,
      label: f.label[locale],
      required: f.required,
      type: f.type === 'choice' ? 'select' : f.type === 'integer' ? 'number' : f.type,
      max: f.type === 'integer' ? f.max : f.maxLength,
      options: f.values?.map((v) => ({ value: v.value, label: v.label[locale] })),
    })),
  }));
}

export type FormValues = Record<string, string>;

/** The submitted form as strings, for showing it again; only known fields are kept. */
export function formValues(body: Record<string, unknown>): FormValues {
  const out: FormValues = {};
  for (const key of ['unitId', 'requirement', 'date', 'title', 'description', ...CATEGORY_FIELDS]) {
    const v = body[key];
    if (typeof v === 'string') out[key] = v;
  }
  return out;
}

/** A stored activity as the edit form's values (its text and number fields). */
export function activityFormValues(a: object): FormValues {
  const out: FormValues = {};
  for (const [k, v] of Object.entries(a)) {
    if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
  }
  return out;
}

/**
 * Turns the urlencoded form into the API's DTO, with the same validation. Only the chosen kind's fields
 * are taken (the others are hidden on the page); on an edit an emptied optional field is cleared.
 */
export function toActivityDto(
  values: FormValues,
  mode: 'create' | 'update',
  locale: Locale,
  kinds: readonly KindForm[],
): { dto?: CreateActivityDto | UpdateActivityDto; errors: FieldErrors } {
  const kind = kinds.find((k) => k.kind === values.requirement);
  const plain: Record<string, unknown> = {
    requirement: values.requirement,
    date: values.date,
    title: values.title,
    description: values.description?.trim() ? values.description : mode === 'update' ? null : undefined,
  };
  if (mode === 'create' && values.unitId)
    plain.unitId = /^\d+$/.test(values.unitId) ? Number(values.unitId) : values.unitId;
  if (kind) {
    const own = kind.fields.map((f) => f.name);
    for (const f of kind.fields) {
      const raw = values[f.name]?.trim() ?? '';
      if (raw === '') plain[f.name] = mode === 'update' ? null : undefined;
      else if (f.type === 'number') plain[f.name] = /^\d+$/.test(raw) ? Number(raw) : raw;
      else plain[f.name] = raw;
    }
    // Fields of the other kinds are cleared on an edit that changes the kind.
    if (mode === 'update') for (const f of CATEGORY_FIELDS) if (!own.includes(f)) plain[f] = undefined;
  }
  return mode === 'create'
    ? validateForm(CreateActivityDto, plain, locale)
    : validateForm(UpdateActivityDto, plain, locale);
}
