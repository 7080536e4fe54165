import { PROVINCES, UNIT_KINDS, UNIT_STATUSES } from '@app/compliance';
import { type Locale, t } from '@app/reporting/i18n';
import { CreateUnitDto, DEFAULT_PROGRAM, UpdateUnitDto } from '../units/dto/unit.dto';
import type { UnitView } from '../units/units.service';
import type { RuleSetsService } from '../rule-sets/rule-sets.service';
import { type FieldErrors, text, validateForm } from './form-validation';

/*
 * The administrator's unit form (one unit, new or edited): the urlencoded body becomes the API's
 * CreateUnitDto / UpdateUnitDto with the API's own rules, and a unit becomes the form's values again.
 */

export type UnitFormValues = Record<string, string>;

/** What a new unit's form starts with. */
export const NEW_UNIT_VALUES: UnitFormValues = {
  kind: 'enterprise',
  status: 'active',
  program: DEFAULT_PROGRAM,
};

/** "张三 <zhangsan@example.cn>", "张三, zhangsan@example.cn" or "张三 zhangsan@example.cn", one per line. */
export function parseContacts(textValue: string): {
  contacts: { name: string; email: string }[];
  bad: string[];
} {
  const contacts: { name: string; email: string }[] = [];
  const bad: string[] = [];
  for (const line of textValue
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)) {
    const m = /^(.*?)[\s,，;；]*<?([^\s<>,，;；]+@[^\s<>,，;；]+?)>?$/.exec(line);
    if (m && m[1].trim()) contacts.push({ name: m[1].trim(), email: m[2] });
    else bad.push(line);
  }
  return { contacts, bad };
}

/** The unit form's text fields; the contacts, one per line, are parsed separately. */
const UNIT_TEXT_FIELDS = [
  'name',
  'creditCode',
  'province',
  'industry',
  'kind',
  'program',
  'cycleStart',
  'cycleEnd',
  'status',
] as const;

function unitPlain(body: Record<string, unknown>, locale: Locale) {
  const values: UnitFormValues = {};
  for (const k of [...UNIT_TEXT_FIELDS, 'contacts']) {
    const v = body[k];
    if (typeof v === 'string') values[k] = v;
  }
  const plain: Record<string, unknown> = {};
  for (const k of UNIT_TEXT_FIELDS) plain[k] = text(body, k);
  // Only the edit form offers the rule-set version (a new unit takes its program's latest).
  if (typeof body.ruleSetVersion === 'string' && body.ruleSetVersion !== '') {
    values.ruleSetVersion = body.ruleSetVersion;
    plain.ruleSetVersion = /^\d+$/.test(body.ruleSetVersion)
      ? Number(body.ruleSetVersion)
      : body.ruleSetVersion;
  }
  const errors: FieldErrors = {};
  const { contacts, bad } = parseContacts(typeof body.contacts === 'string' ? body.contacts : '');
  plain.contacts = contacts;
  if (bad.length) {
    errors.contacts =
      locale === 'en'
        ? `Write each contact as "name <e-mail>": ${bad.join('; ')}`
        : `联系人请按“姓名 <邮箱>”填写：${bad.join('；')}`;
  }
  return { plain, values, errors };
}

/**
 * The submitted unit form as the API's DTO (create or update), checked with the API's rules; the
 * contacts are parsed here, and their errors refuse it too. `values` is the form as typed, to show again.
 */
export function toUnitDto(
  body: Record<string, unknown>,
  mode: 'create',
  locale: Locale,
): { values: UnitFormValues; checked: { dto?: CreateUnitDto; errors: FieldErrors } };
export function toUnitDto(
  body: Record<string, unknown>,
  mode: 'update',
  locale: Locale,
): { values: UnitFormValues; checked: { dto?: UpdateUnitDto; errors: FieldErrors } };
export function toUnitDto(body: Record<string, unknown>, mode: 'create' | 'update', locale: Locale) {
  const { plain, values, errors: parseErrors } = unitPlain(body, locale);
  const { dto, errors } =
    mode === 'create'
      ? validateForm(CreateUnitDto, plain, locale)
      : validateForm(UpdateUnitDto, plain, locale);
  const checked =
    dto && !Object.keys(parseErrors).length ? { dto, errors } : { errors: { ...errors, ...parseErrors } };
  return { values, checked };
}

/** A stored unit as the edit form's values. */
export function unitFormValues(u: UnitView): UnitFormValues {
  return {
    ...Object.fromEntries(UNIT_TEXT_FIELDS.map((k) => [k, String(u[k])])),
    ruleSetVersion: String(u.ruleSetVersion),
    contacts: u.contacts.map((c) => `${c.name} <${c.email}>`).join('\n'),
  };
}

/** The form's choices: provinces, kinds, statuses, the programs, and the edited unit's program versions. */
export function unitFormChoices(ruleSets: RuleSetsService, unit: UnitView | null) {
  const all = ruleSets.all();
  return {
    provinces: PROVINCES.map((x) => x.code),
    kinds: UNIT_KINDS,
    statuses: UNIT_STATUSES,
    programs: [...new Map(all.map((r) => [r.program, r])).values()],
    versions: unit ? all.filter((r) => r.program === unit.program) : [],
  };
}

/** The import report's field names in the page's language (contacts.N.name/email take {n}). */
const IMPORT_FIELDS = [
  'row',
  'file',
  ...UNIT_TEXT_FIELDS,
  'ruleSetVersion',
  'contacts',
  'contactName',
  'contactEmail',
  'contactNameN',
  'contactEmailN',
];
export function importFieldLabels(locale: Locale): Record<string, string> {
  return Object.fromEntries(IMPORT_FIELDS.map((f) => [f, t(locale, `code.unitField.${f}`)]));
}
