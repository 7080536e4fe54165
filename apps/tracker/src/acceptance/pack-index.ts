import ExcelJS from 'exceljs';
import { LABELS } from '@app/compliance';
import { type PackData, shanghaiTime } from './pack-model';

/**
 * 证明材料索引.xlsx: one row per evidence file of the pack (year, requirement, activity, status, review,
 * path inside the zip, size, SHA-256). Built in memory: one short row per file.
 */
export async function evidenceIndexXlsx(data: PackData): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'standards-demo-tracker';
  wb.created = data.createdAt;
  const ws = wb.addWorksheet('证明材料索引', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = [
    { header: '年度', key: 'year', width: 8 },
    { header: '示范任务', key: 'requirement', width: 28 },
    { header: '活动日期', key: 'date', width: 12 },
    { header: '活动标题', key: 'title', width: 40 },
    { header: '状态', key: 'status', width: 10 },
    { header: '审核人', key: 'reviewer', width: 14 },
    { header: '审核时间（北京时间）', key: 'reviewedAt', width: 20 },
    { header: '原文件名', key: 'originalName', width: 30 },
    { header: '包内路径', key: 'path', width: 70 },
    { header: '大小（字节）', key: 'size', width: 14 },
    { header: 'SHA-256', key: 'sha256', width: 66 },
  ];
  ws.getRow(1).font = { bold: true };
  for (const a of data.activities) {
    const year = data.periods[a.period]?.year ?? a.date.slice(0, 4);
    for (const f of a.files) {
      ws.addRow({
        year,
        requirement: a.requirementLabel,
        date: a.date,
        title: a.title,
        status: LABELS.activityStatus[a.status].zh,
        reviewer: a.reviewer ?? '',
        reviewedAt: shanghaiTime(a.reviewedAt),
        originalName: f.originalName,
        path: f.missing ? '（存储中缺少此文件，未放入材料包）' : f.path,
        size: f.size,
        sha256: f.sha256,
      });
    }
  }
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: ws.columns.length } };
  return Buffer.from(await wb.xlsx.writeBuffer());
}
