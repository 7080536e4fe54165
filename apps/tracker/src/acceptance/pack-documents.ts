import {
  AlignmentType,
  Document,
  HeadingLevel,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from 'docx';
import { LABELS } from '@app/compliance';
import {
  type PackActivity,
  type PackData,
  type PackPeriod,
  type PackRequirement,
  shanghaiTime,
  TO_FILL,
} from './pack-model';

/*
 * The two Word drafts of the acceptance pack (自我评价报告, 工作总结), in Chinese, built in memory (a few
 * tens of KB). Figures are the compliance engine's; the parts only the unit can write are marked TO_FILL.
 */

const FONT = { ascii: 'Times New Roman', hAnsi: 'Times New Roman', cs: 'Times New Roman', eastAsia: '宋体' };

function document(title: string, subtitle: string, children: (Paragraph | Table)[]): Document {
  return new Document({
    creator: 'standards-demo-tracker',
    title: `${title} ${subtitle}`,
    styles: { default: { document: { run: { font: FONT, size: 24 } } } },
    sections: [
      {
        children: [
          new Paragraph({ heading: HeadingLevel.TITLE, alignment: AlignmentType.CENTER, text: title }),
          new Paragraph({ heading: HeadingLevel.HEADING_1, alignment: AlignmentType.CENTER, text: subtitle }),
          ...children,
        ],
      },
    ],
  });
}

const p = (text: string) => new Paragraph({ children: [new TextRun(text)] });
const h2 = (text: string) => new Paragraph({ heading: HeadingLevel.HEADING_2, text });
const h3 = (text: string) => new Paragraph({ heading: HeadingLevel.HEADING_3, text });
const bullet = (text: string) => new Paragraph({ bullet: { level: 0 }, children: [new TextRun(text)] });
const toFill = (what: string) =>
  new Paragraph({ children: [new TextRun({ text: `${TO_FILL}${what}`, bold: true, color: 'C00000' })] });

function table(header: string[], rows: string[][]): Table {
  const cell = (text: string, bold = false) =>
    new TableCell({ children: [new Paragraph({ children: [new TextRun({ text, bold })] })] });
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [
      new TableRow({ tableHeader: true, children: header.map((h) => cell(h, true)) }),
      ...rows.map((r) => new TableRow({ children: r.map((c) => cell(c)) })),
    ],
  });
}

const CHINESE_NUMBERS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
const ordinal = (i: number) => CHINESE_NUMBERS[i] ?? String(i + 1);

function periodTitle(period: PackPeriod, today: string): string {
  const so = period.running ? `，截至 ${today}` : '';
  return `${period.year} 年度（${period.start} 至 ${period.end}${so}）`;
}

function requirementMinimum(r: PackRequirement): string {
  const notes = [
    r.targeted ? `任务书目标，规则要求 ${r.ruleMinimum} ${r.unit}` : '',
    r.scope === 'cycle' ? '整个建设周期' : '',
  ]
    .filter(Boolean)
    .join('；');
  return `${r.minimum} ${r.unit}${notes ? `（${notes}）` : ''}`;
}

/** The figures of a period: requirement, minimum (or target), verified, pending, status. */
function figuresTable(period: PackPeriod): Table {
  return table(
    ['示范任务', '要求', '已核实', '待审核', '完成情况'],
    period.requirements.map((r) => [
      r.shortLabel,
      requirementMinimum(r),
      `${r.verified} ${r.unit}`,
      `${r.pending} ${r.unit}`,
      LABELS.requirementStatus[r.status].zh,
    ]),
  );
}

/** Per requirement, what was verified and every activity logged in the period, with its date and status. */
function activitiesOf(data: PackData, period: PackPeriod): Paragraph[] {
  const out: Paragraph[] = [];
  for (const r of period.requirements) {
    out.push(
      new Paragraph({
        children: [
          new TextRun({ text: `${r.shortLabel}：`, bold: true }),
          new TextRun(
            `已核实 ${r.verified} ${r.unit}，要求 ${r.minimum} ${r.unit}，${LABELS.requirementStatus[r.status].zh}。`,
          ),
        ],
      }),
    );
    const list = data.activities.filter(
      (a) => a.requirement === r.key && (r.scope === 'cycle' || a.period === period.index),
    );
    if (!list.length) out.push(bullet('（本期无登记的活动）'));
    for (const a of list) out.push(bullet(activityLine(a)));
  }
  return out;
}

function activityLine(a: PackActivity): string {
  const files = a.files.length ? `，证明材料 ${a.files.length} 个` : '';
  return `${a.date} ${a.title}（${LABELS.activityStatus[a.status].zh}${files}）`;
}

function unitTable(data: PackData): Table {
  const u = data.unit;
  return table(
    ['项目', '内容'],
    [
      ['单位名称', u.name],
      ['统一社会信用代码', u.creditCode],
      ['所在省份', u.provinceName],
      ['所属行业', u.industry],
      ['单位类型', u.kind],
      ['示范项目', `${data.ruleSet.name.zh}（规则第 ${data.ruleSet.version} 版）`],
      ['建设周期', `${data.cycle.start} 至 ${data.cycle.end}`],
      ['项目状态', u.status],
      ['联系人', u.contacts.map((c) => `${c.name} ${c.email}`).join('；') || TO_FILL],
    ],
  );
}

function intro(data: PackData): Paragraph {
  return p(
    `本草稿由系统根据截至 ${data.today} 的登记和审核数据生成（生成时间 ${shanghaiTime(data.createdAt)}）。` +
      `任务完成数以审核通过（已核实）且符合要求的活动为准；标注“${TO_FILL}”的部分请单位补充完善后再提交。`,
  );
}

/** 三、评分自评: the scoring table with the suggested points of the items that follow from the figures. */
function scoringSection(data: PackData): (Paragraph | Table)[] {
  if (!data.scoring) {
    return [
      p('本示范项目尚未配置考核验收评分表（config/scoring），请按评分表逐项自评。'),
      toFill('逐项自评得分'),
    ];
  }
  const { table: t, score } = data.scoring;
  const label = (key: string) => data.periods[0]?.requirements.find((r) => r.key === key)?.shortLabel ?? key;
  const rows = score.items.map((s) => {
    const basis =
      s.item.basis.kind === 'manual'
        ? '评审专家现场评价'
        : s.suggested === null
          ? '本单位规则中无此任务，请人工评价'
          : `登记数据：${label(s.item.basis.requirement)}，${s.periodsMet}/${s.periods} 个年度达到要求` +
            (s.item.basis.rule === 'proportional' ? `，完成 ${s.counted}/${s.required}` : '');
    return [
      s.item.group.zh,
      s.item.label.zh,
      String(s.item.points),
      s.item.criteria.zh,
      basis,
      s.suggested === null ? TO_FILL : String(s.suggested),
    ];
  });
  return [
    p(
      `评分表：${t.name.zh}。${t.example ? '本表为示例，请按本省印发的评分表调整后使用。' : ''}${t.note ?? ''}`,
    ),
    table(['类别', '评分项', '分值', '评分标准', '依据', '建议得分'], rows),
    new Paragraph({
      children: [
        new TextRun({
          text: `按登记数据计算的建议得分合计：${score.suggestedTotal} 分（这些项目满分 ${score.automaticPoints} 分）；`,
          bold: true,
        }),
        new TextRun(`其余 ${score.manualPoints} 分为人工评价项，`),
        new TextRun({ text: TO_FILL, bold: true, color: 'C00000' }),
        new TextRun(`。满分 ${t.totalPoints} 分。`),
      ],
    }),
  ];
}

export async function selfEvaluationDocx(data: PackData): Promise<Buffer> {
  const body: (Paragraph | Table)[] = [
    intro(data),
    h2('一、单位基本情况'),
    unitTable(data),
    h2('二、建设周期与示范任务完成情况'),
    p(`建设周期 ${data.cycle.start} 至 ${data.cycle.end}，共 ${data.periods.length} 个年度。`),
  ];
  data.periods.forEach((period, i) => {
    body.push(
      h3(`（${ordinal(i)}）${periodTitle(period, data.today)}`),
      figuresTable(period),
      ...activitiesOf(data, period),
    );
  });
  body.push(
    h2('三、考核验收评分自评（建议分）'),
    ...scoringSection(data),
    h2('四、主要工作成效与经验做法'),
    toFill('标准体系建设和实施、“四个基地”建设、示范带动和社会效益等'),
    h2('五、存在的问题与改进措施'),
    toFill('存在的问题及下一步改进措施'),
    h2('六、自我评价结论'),
    toFill('自我评价结论'),
  );
  return Packer.toBuffer(document(data.unit.name, `${data.ruleSet.name.zh}自我评价报告（草稿）`, body));
}

export async function workSummaryDocx(data: PackData): Promise<Buffer> {
  const body: (Paragraph | Table)[] = [intro(data)];
  data.periods.forEach((period, i) => {
    body.push(
      h2(`${ordinal(i)}、${periodTitle(period, data.today)}工作总结`),
      h3('（一）总体情况'),
      toFill('本年度示范项目建设的总体情况'),
      h3('（二）示范任务完成情况'),
      figuresTable(period),
      ...activitiesOf(data, period),
      h3('（三）特色做法与成效'),
      toFill('本年度的特色做法、取得的成效'),
      h3('（四）存在的问题与下一步工作计划'),
      toFill('存在的问题与下一步工作计划'),
    );
  });
  if (data.scoring) {
    const { table: t, score } = data.scoring;
    body.push(
      h2(`${ordinal(data.periods.length)}、考核验收评分建议`),
      p(
        `按${t.name.zh}，登记数据可计算项目的建议得分合计：${score.suggestedTotal} 分（这些项目满分 ` +
          `${score.automaticPoints} 分），其余 ${score.manualPoints} 分为人工评价项；逐项见自我评价报告。`,
      ),
    );
  }
  return Packer.toBuffer(document(data.unit.name, `${data.ruleSet.name.zh}工作总结（草稿）`, body));
}
