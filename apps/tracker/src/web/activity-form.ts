import {
  JOURNAL_LEVELS,
  MEDIA_LEVELS,
  REQUIREMENT_KINDS,
  type RequirementKind,
  STANDARD_KINDS,
  STANDARD_LEVELS,
} from '@app/compliance';
import type { Locale } from '@app/reporting/i18n';
import { CATEGORY_FIELDS, type CategoryField, KIND_FIELDS } from '../activities/activity-kinds';
import { CreateActivityDto, UpdateActivityDto } from '../activities/dto/activity.dto';
import { type FieldErrors, validateForm } from './form-validation';

/** How each category field is asked for on the form. */
export interface FieldSpec {
  name: CategoryField;
  type: 'text' | 'number' | 'url' | 'select';
  max?: number;
  options?: readonly string[];
  /** Catalog prefix of the option labels. */
  labels?: string;
}

const SPECS: Record<CategoryField, Omit<FieldSpec, 'name'>> = {
  location: { type: 'text', max: 200 },
  participants: { type: 'number', max: 100_000 },
  standardLevel: { type: 'select', options: STANDARD_LEVELS, labels: 'standardLevel' },
  standardKind: { type: 'select', options: STANDARD_KINDS, labels: 'standardKind' },
  standardNumber: { type: 'text', max: 100 },
  journal: { type: 'text', max: 200 },
  journalLevel: { type: 'select', options: JOURNAL_LEVELS, labels: 'journalLevel' },
  issn: { type: 'text', max: 50 },
  authors: { type: 'text', max: 500 },
  personName: { type: 'text', max: 100 },
  personKey: { type: 'text', max: 100 },
  certificate: { type: 'text', max: 200 },
  recipient: { type: 'text', max: 200 },
  outlet: { type: 'text', max: 200 },
  outletLevel: { type: 'select', options: MEDIA_LEVELS, labels: 'mediaLevel' },
  url: { type: 'url', max: 1000 },
};

/** Per requirement kind: its fields in form order, each marked required or not. */
export const KIND_FORMS = REQUIREMENT_KINDS.map((kind) => ({
  kind,
  fields: [
    ...KIND_FIELDS[kind].required.map((name) => ({ name, ...SPECS[name], required: true })),
    ...KIND_FIELDS[kind].optional.map((name) => ({ name, ...SPECS[name], required: false })),
  ],
}));

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

/**
 * Turns the urlencoded form into the API's DTO, with the same validation. Only the chosen kind's fields
 * are taken (the others are hidden on the page); on an edit an emptied optional field is cleared.
 */
export function toActivityDto(
  values: FormValues,
  mode: 'create' | 'update',
  locale: Locale,
): { dto?: CreateActivityDto | UpdateActivityDto; errors: FieldErrors } {
  const requirement = values.requirement as RequirementKind;
  const plain: Record<string, unknown> = {
    requirement: values.requirement,
    date: values.date,
    title: values.title,
    description: values.description?.trim() ? values.description : mode === 'update' ? null : undefined,
  };
  if (mode === 'create' && values.unitId)
    plain.unitId = /^\d+$/.test(values.unitId) ? Number(values.unitId) : values.unitId;
  if ((REQUIREMENT_KINDS as readonly string[]).includes(requirement)) {
    const own = [...KIND_FIELDS[requirement].required, ...KIND_FIELDS[requirement].optional];
    for (const f of own) {
      const raw = values[f]?.trim() ?? '';
      if (raw === '') plain[f] = mode === 'update' ? null : undefined;
      else if (f === 'participants') plain[f] = /^\d+$/.test(raw) ? Number(raw) : raw;
      else plain[f] = raw;
    }
    // Fields of the other kinds are cleared on an edit that changes the kind.
    if (mode === 'update') for (const f of CATEGORY_FIELDS) if (!own.includes(f)) plain[f] = undefined;
  }
  return mode === 'create'
    ? validateForm(CreateActivityDto, plain, locale)
    : validateForm(UpdateActivityDto, plain, locale);
}
