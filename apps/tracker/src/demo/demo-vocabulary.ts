/*
 * The demo data's vocabulary: industries, brand names, people's names, journals, media, standard topics,
 * title templates, venues, certificates and reject reasons (places are in demo-places.ts). Plain data;
 * demo-data.ts draws from these lists in their order, so changing one changes the generated data.
 */

export const INDUSTRIES: { industry: string; short: string; suffix: string; prefix: string }[] = [
  { industry: '物业服务', short: '物业', suffix: '物业服务有限公司', prefix: 'SB/T' },
  { industry: '现代物流', short: '物流', suffix: '供应链管理有限公司', prefix: 'WB/T' },
  { industry: '养老服务', short: '养老', suffix: '养老服务有限公司', prefix: 'MZ/T' },
  { industry: '家政服务', short: '家政', suffix: '家政服务有限公司', prefix: 'SB/T' },
  { industry: '餐饮服务', short: '餐饮', suffix: '餐饮管理有限公司', prefix: 'SB/T' },
  { industry: '旅游服务', short: '旅游', suffix: '国际旅行社有限公司', prefix: 'LB/T' },
  { industry: '酒店住宿', short: '酒店', suffix: '酒店管理有限公司', prefix: 'LB/T' },
  { industry: '健康管理服务', short: '健康', suffix: '健康管理有限公司', prefix: 'WS/T' },
  { industry: '电子商务', short: '电商', suffix: '电子商务有限公司', prefix: 'SB/T' },
  { industry: '会展服务', short: '会展', suffix: '会展服务有限公司', prefix: 'SB/T' },
  { industry: '检验检测', short: '检测', suffix: '检测技术有限公司', prefix: 'RB/T' },
  { industry: '人力资源服务', short: '人力资源', suffix: '人力资源服务有限公司', prefix: 'LD/T' },
  { industry: '商贸流通', short: '商贸', suffix: '商贸有限公司', prefix: 'SB/T' },
  { industry: '汽车后市场服务', short: '汽车服务', suffix: '汽车服务有限公司', prefix: 'SB/T' },
  { industry: '公共交通', short: '公交', suffix: '公共交通有限公司', prefix: 'JT/T' },
  { industry: '科技服务', short: '科技服务', suffix: '科技服务有限公司', prefix: 'SB/T' },
  { industry: '文化创意服务', short: '文创', suffix: '文化传播有限公司', prefix: 'WH/T' },
];

export const REGIONAL_INDUSTRIES = ['社区居家养老服务', '全域旅游服务', '商贸流通服务', '公共服务'];

export const BRANDS = [
  '华信',
  '恒丰',
  '德润',
  '康宁',
  '汇通',
  '嘉禾',
  '信达',
  '悦居',
  '万邦',
  '合众',
  '瑞丰',
  '明珠',
  '博雅',
  '天润',
  '锦程',
  '乐活',
  '远航',
  '和美',
  '安泰',
  '弘业',
  '正源',
  '宏图',
  '永安',
  '海晖',
  '金桥',
  '顺安',
  '鼎新',
  '惠民',
  '星河',
  '聚贤',
];

export const SURNAMES: [string, string][] = [
  ['张', 'zhang'],
  ['王', 'wang'],
  ['李', 'li'],
  ['刘', 'liu'],
  ['陈', 'chen'],
  ['杨', 'yang'],
  ['黄', 'huang'],
  ['赵', 'zhao'],
  ['周', 'zhou'],
  ['吴', 'wu'],
  ['徐', 'xu'],
  ['孙', 'sun'],
  ['马', 'ma'],
  ['朱', 'zhu'],
  ['胡', 'hu'],
  ['郭', 'guo'],
  ['何', 'he'],
  ['林', 'lin'],
  ['罗', 'luo'],
  ['梁', 'liang'],
  ['郑', 'zheng'],
  ['谢', 'xie'],
  ['冯', 'feng'],
  ['邓', 'deng'],
];

export const GIVEN: [string, string][] = [
  ['伟', 'wei'],
  ['芳', 'fang'],
  ['娜', 'na'],
  ['敏', 'min'],
  ['静', 'jing'],
  ['磊', 'lei'],
  ['洋', 'yang'],
  ['婷', 'ting'],
  ['杰', 'jie'],
  ['强', 'qiang'],
  ['晓燕', 'xiaoyan'],
  ['志明', 'zhiming'],
  ['海涛', 'haitao'],
  ['建华', 'jianhua'],
  ['文静', 'wenjing'],
  ['佳琪', 'jiaqi'],
  ['子豪', 'zihao'],
  ['雨欣', 'yuxin'],
  ['国栋', 'guodong'],
  ['秀英', 'xiuying'],
  ['立新', 'lixin'],
  ['慧敏', 'huimin'],
  ['嘉欣', 'jiaxin'],
  ['振华', 'zhenhua'],
];

/** Journals: national ones count for national_papers, provincial ones are recorded but do not. */
export const NATIONAL_JOURNALS = [
  { name: '中国标准化', issn: '1002-5944' },
  { name: '标准科学', issn: '1674-5698' },
  { name: '大众标准化', issn: '1007-1350' },
];

export const NATIONAL_MEDIA = ['人民日报', '经济日报', '中国质量报', '中国市场监管报'];

export const STANDARD_TOPICS = [
  '服务质量评价规范',
  '服务提供规范',
  '从业人员职业能力要求',
  '顾客满意度测评指南',
  '服务安全管理规范',
  '服务设施配置要求',
  '智慧服务平台建设指南',
  '服务合同管理规范',
  '投诉处理规范',
  '绿色服务评价指南',
];

/**
 * Titles of papers and of exchange events: `{industry}`, `{short}` (the industry's short name) and
 * `{province}` (the province's short name) are filled in; `{industry}服务…` does not repeat 服务
 * ('养老服务' + '服务规范' → '养老服务规范').
 */
export const PAPER_TITLES = [
  '{industry}标准化实践与思考',
  '基于标准化的{industry}质量提升路径研究',
  '{industry}标准体系构建与实施成效分析',
  '服务业标准化示范项目建设经验探析',
  '{industry}服务标准实施效果评价方法研究',
];

export const EVENT_TITLES = [
  '{industry}标准化经验交流会',
  '{short}服务标准化示范现场观摩会',
  '标准化开放日：走进{short}',
  '{province}{industry}标准化示范项目交流研讨会',
  '{industry}服务规范宣贯暨经验交流会',
];

export const VENUES = [
  '国际会议中心',
  '市民服务中心',
  '示范基地多功能厅',
  '会展中心',
  '标准化服务中心报告厅',
];

export const CERTIFICATES = ['标准化工程师（中级）', '标准化专业人才培训结业证书', '服务业标准化内审员证书'];

export const REJECT_REASONS = [
  '证明材料不完整，请补充活动签到表和现场照片。',
  '活动日期与证明材料不一致，请核实后重新提交。',
  '缺少培训结业证书扫描件。',
  '报道链接无法打开，请上传报道截图。',
  '所附材料与填报内容不符，请修改后重新提交。',
];

/** Names of regional units and of the province's supervisor. */
export const NAME_TEXT = {
  regionalUnit: '{city}{district}人民政府',
  supervisor: '{person}（{province}市场监督管理局）',
};

/** What the standard levels are called in a proposal's title. */
export const STANDARD_LEVEL_NAMES = {
  national: '国家标准',
  industry: '行业标准',
  local: '地方标准',
  international: '国际标准',
};

/**
 * Titles and descriptions of demo activities per requirement; `{…}` is filled in (unit: the unit's name,
 * short: its short name).
 */
export const ACTIVITY_TEXT = {
  exchangeEvent: {
    description:
      '{unit}承办，邀请同行业单位、行业协会和市场监管部门代表参加，交流标准化建设经验，约 {participants} 人参加。',
    location: '{city}{venue}',
  },
  groupStandard: {
    title: '牵头起草团体标准《{topic}》',
    description: '团体标准，记录备查（不计入标准制修订项目需求）。',
  },
  implementationReport: {
    title: '《{number} {topic}》实施情况报告',
    description: '总结该国家标准在本单位的实施情况、存在问题和修订建议，报送标准化主管部门。',
  },
  standardProposal: {
    title: '提出{level}《{topic}》制定项目需求',
    description: '结合示范项目实践，提出{level}制修订项目需求，已报送相关标准化技术组织。',
  },
  paper: {
    description: '发表于《{journal}》{year}年第{issue}期。',
    /** A provincial journal: recorded, not counted. */
    provincialJournal: '{province}质量与标准化',
  },
  trainee: {
    title: '培养标准化专业人才：{person}，取得{certificate}',
    description: '{person}完成标准化专业培训并取得{certificate}。',
  },
  traineeAgain: {
    title: '{person}参加标准化高级研修班',
    description: '{person}再次参加培训（同一人员，按一人计）。',
    certificate: '标准化高级研修班结业证书',
  },
  workUpdate: {
    /** Numbered in date order once all of the unit's activities exist. */
    title: '{short}示范项目工作动态',
    numberedTitle: '{short}示范项目工作动态（{year}年第{issue}期）',
    description: '报告本期标准体系运行、标准实施检查和示范推广工作进展。',
    recipient: '{province}市场监督管理局',
  },
  mediaReport: {
    title: '{outlet}：{short}以标准化提升服务质量',
    description: '{outlet}报道{unit}开展服务业标准化示范建设的做法和成效。',
  },
};
