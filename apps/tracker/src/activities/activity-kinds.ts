import { LABELS, type RequirementKind } from '@app/compliance';
import { ACTIVITY_CATEGORY_FIELDS } from '@app/db';

/** Category-specific columns of an activity (SPEC §4). */
export const CATEGORY_FIELDS = ACTIVITY_CATEGORY_FIELDS;
export type CategoryField = (typeof CATEGORY_FIELDS)[number];
export type CategoryValues = Partial<Record<CategoryField, string | number | null>>;

/** Which category fields each requirement takes, and which of them must be filled in. */
export const KIND_FIELDS: Record<RequirementKind, { required: CategoryField[]; optional: CategoryField[] }> =
  {
    exchange_events: { required: ['location'], optional: ['participants'] },
    standard_proposals: { required: ['standardLevel', 'standardKind'], optional: ['standardNumber'] },
    national_papers: { required: ['journal', 'journalLevel'], optional: ['issn', 'authors'] },
    trained_personnel: { required: ['personName', 'personKey'], optional: ['certificate'] },
    work_updates: { required: ['recipient'], optional: [] },
    media_reports: { required: ['outlet', 'outletLevel'], optional: ['url'] },
  };

export const FIELD_LABELS: Record<CategoryField, { zh: string; en: string }> = {
  location: { zh: '地点', en: 'location' },
  participants: { zh: '参加人数', en: 'number of participants' },
  standardLevel: { zh: '标准层级', en: 'standard level' },
  standardKind: { zh: '类型（项目需求/实施情况报告）', en: 'kind (proposal or implementation report)' },
  standardNumber: { zh: '标准号或计划号', en: 'standard or plan number' },
  journal: { zh: '刊物名称', en: 'journal' },
  journalLevel: { zh: '刊物级别', en: 'journal level' },
  issn: { zh: 'ISSN/CN 刊号', en: 'ISSN/CN' },
  authors: { zh: '作者', en: 'authors' },
  personName: { zh: '人员姓名', en: 'person name' },
  personKey: { zh: '身份标识（证书号或证件号）', en: 'identity key (certificate or ID number)' },
  certificate: { zh: '证书', en: 'certificate' },
  recipient: { zh: '报送单位', en: 'recipient' },
  outlet: { zh: '媒体名称', en: 'outlet' },
  outletLevel: { zh: '媒体级别', en: 'outlet level' },
  url: { zh: '网址', en: 'URL' },
};

export type KindProblem = {
  field: CategoryField;
  rule: 'notForRequirement' | 'required';
  zh: string;
  en: string;
};

/**
 * Checks the category fields of a (merged) activity against its requirement: fields of another kind are
 * refused rather than silently stored, and the kind's own required fields must be filled in.
 * `sent` are the fields the caller sent in this request (only those can be "of another kind").
 */
export function kindProblem(
  requirement: RequirementKind,
  values: CategoryValues,
  sent: Iterable<string>,
): KindProblem | null {
  const spec = KIND_FIELDS[requirement];
  const own = new Set<string>([...spec.required, ...spec.optional]);
  const label = LABELS.requirement[requirement];
  for (const field of sent) {
    if (!(CATEGORY_FIELDS as readonly string[]).includes(field) || own.has(field)) continue;
    const f = field as CategoryField;
    if (values[f] == null) continue;
    return {
      field: f,
      rule: 'notForRequirement',
      zh: `「${FIELD_LABELS[f].zh}」不适用于「${label.zh}」类活动`,
      en: `${f} does not apply to ${requirement} activities`,
    };
  }
  for (const f of spec.required) {
    const v = values[f];
    if (v == null || v === '') {
      return {
        field: f,
        rule: 'required',
        zh: `「${label.zh}」类活动必须填写${FIELD_LABELS[f].zh}`,
        en: `${f} (${FIELD_LABELS[f].en}) is required for ${requirement} activities`,
      };
    }
  }
  return null;
}

/** Fields a record of `requirement` must not keep (used when an edit changes the requirement). */
export function foreignFields(requirement: RequirementKind): CategoryField[] {
  const spec = KIND_FIELDS[requirement];
  const own = new Set<CategoryField>([...spec.required, ...spec.optional]);
  return CATEGORY_FIELDS.filter((f) => !own.has(f));
}

/**
 * Same identity however it was typed (full-width digits from a Chinese IME, a lower-case x in an ID
 * number, stray spaces), so distinct-person counts agree with the engine.
 */
export function normalizePersonKey(value: string): string {
  return value.normalize('NFKC').trim().toUpperCase();
}
