import type { ActivityStatus, LocalizedText, RequirementStatus } from './types';

/*
 * Fixed lists shared by validation, the engine, views and mails. Requirement kinds, their fields and the
 * levels of those fields are data: config/requirement-kinds.json (see kinds.ts).
 */

export const ACTIVITY_STATUSES = [
  'draft',
  'submitted',
  'verified',
  'rejected',
] as const satisfies readonly ActivityStatus[];

export const UNIT_KINDS = ['enterprise', 'regional'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

export const UNIT_STATUSES = ['active', 'under_evaluation', 'accepted', 'not_accepted', 'revoked'] as const;
export type UnitStatus = (typeof UNIT_STATUSES)[number];

/** Worst first: a unit's overall status is the earliest of its requirements' statuses in this list. */
export const REQUIREMENT_STATUSES = [
  'failed',
  'shortfall',
  'at_risk',
  'on_track',
  'met',
] as const satisfies readonly RequirementStatus[];

/** zh/en labels of every list value, for views and mails. */
export const LABELS = {
  activityStatus: {
    draft: { zh: '草稿', en: 'Draft' },
    submitted: { zh: '待审核', en: 'Submitted' },
    verified: { zh: '已核实', en: 'Verified' },
    rejected: { zh: '已退回', en: 'Rejected' },
  },
  unitKind: {
    enterprise: { zh: '企事业单位', en: 'Enterprise or institution' },
    regional: { zh: '区域', en: 'Region' },
  },
  unitStatus: {
    active: { zh: '建设中', en: 'Active' },
    under_evaluation: { zh: '评估中', en: 'Under evaluation' },
    accepted: { zh: '评估合格', en: 'Accepted' },
    not_accepted: { zh: '评估不合格', en: 'Not accepted' },
    revoked: { zh: '已撤销', en: 'Revoked' },
  },
  requirementStatus: {
    met: { zh: '已达标', en: 'Met' },
    on_track: { zh: '进度正常', en: 'On track' },
    at_risk: { zh: '有风险', en: 'At risk' },
    shortfall: { zh: '进度落后', en: 'Shortfall' },
    failed: { zh: '未达标', en: 'Failed' },
  },
} as const satisfies Record<string, Record<string, LocalizedText>>;

/** Provincial-level divisions of mainland China (GB/T 2260 codes) plus the XPCC (兵团, '66'). */
export const PROVINCES = [
  { code: '11', zh: '北京市', en: 'Beijing' },
  { code: '12', zh: '天津市', en: 'Tianjin' },
  { code: '13', zh: '河北省', en: 'Hebei' },
  { code: '14', zh: '山西省', en: 'Shanxi' },
  { code: '15', zh: '内蒙古自治区', en: 'Inner Mongolia' },
  { code: '21', zh: '辽宁省', en: 'Liaoning' },
  { code: '22', zh: '吉林省', en: 'Jilin' },
  { code: '23', zh: '黑龙江省', en: 'Heilongjiang' },
  { code: '31', zh: '上海市', en: 'Shanghai' },
  { code: '32', zh: '江苏省', en: 'Jiangsu' },
  { code: '33', zh: '浙江省', en: 'Zhejiang' },
  { code: '34', zh: '安徽省', en: 'Anhui' },
  { code: '35', zh: '福建省', en: 'Fujian' },
  { code: '36', zh: '江西省', en: 'Jiangxi' },
  { code: '37', zh: '山东省', en: 'Shandong' },
  { code: '41', zh: '河南省', en: 'Henan' },
  { code: '42', zh: '湖北省', en: 'Hubei' },
  { code: '43', zh: '湖南省', en: 'Hunan' },
  { code: '44', zh: '广东省', en: 'Guangdong' },
  { code: '45', zh: '广西壮族自治区', en: 'Guangxi' },
  { code: '46', zh: '海南省', en: 'Hainan' },
  { code: '50', zh: '重庆市', en: 'Chongqing' },
  { code: '51', zh: '四川省', en: 'Sichuan' },
  { code: '52', zh: '贵州省', en: 'Guizhou' },
  { code: '53', zh: '云南省', en: 'Yunnan' },
  { code: '54', zh: '西藏自治区', en: 'Xizang' },
  { code: '61', zh: '陕西省', en: 'Shaanxi' },
  { code: '62', zh: '甘肃省', en: 'Gansu' },
  { code: '63', zh: '青海省', en: 'Qinghai' },
  { code: '64', zh: '宁夏回族自治区', en: 'Ningxia' },
  { code: '65', zh: '新疆维吾尔自治区', en: 'Xinjiang' },
  { code: '66', zh: '新疆生产建设兵团', en: 'Xinjiang Production and Construction Corps' },
] as const;
export type ProvinceCode = (typeof PROVINCES)[number]['code'];

export const PROVINCE_CODES = PROVINCES.map((p) => p.code) as readonly ProvinceCode[];

export function provinceByCode(code: string): (typeof PROVINCES)[number] | undefined {
  return PROVINCES.find((p) => p.code === code);
}
