import { addDays } from '@app/compliance';

/** Chinese status labels as the mails and pages print them. */
export const STATUS_ZH: Record<string, string> = {
  met: '已达标',
  on_track: '进度正常',
  at_risk: '有风险',
  shortfall: '进度落后',
  failed: '未达标',
};

/** What a still-needed line is made from: a requirement of the compliance API or a scope cell. */
export interface StillNeededFigures {
  remaining: number;
  remainingPending: number;
  daysLeft: number;
  status: string;
}

/**
 * The still-needed line of SPEC §3 v2 in Chinese, put together by the tests from the API's figures (not
 * by the app's formatter): "国家级刊物论文还需 1 篇（1 篇待审核），距 12 月 31 日还有 30 天".
 */
export function stillNeededZh(r: StillNeededFigures, label: string, unit: string, today: string): string {
  const pending = r.remainingPending > 0 ? `（${r.remainingPending} ${unit}待审核）` : '';
  if (r.status === 'failed') return `${label}未达标，缺 ${r.remaining} ${unit}${pending}`;
  const head = `${label}还需 ${r.remaining} ${unit}${pending}`;
  if (r.daysLeft === 0) return `${head}，今天截止`;
  const [y, m, d] = addDays(today, r.daysLeft).split('-').map(Number);
  const date = String(y) === today.slice(0, 4) ? `${m} 月 ${d} 日` : `${y}年${m}月${d}日`;
  return `${head}，距 ${date}还有 ${r.daysLeft} 天`;
}
