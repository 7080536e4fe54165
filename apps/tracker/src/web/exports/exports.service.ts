import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import type { Principal } from '@app/auth';
import { type Locale, t } from '@app/reporting/i18n';
import { type ActivityView, ActivitiesService } from '../../activities/activities.service';
import { ActivityQuery } from '../../activities/dto/activity.dto';
import type { ScopeComplianceView, UnitComplianceView } from '../../compliance/compliance.types';
import { RuleSetsService } from '../../rule-sets/rule-sets.service';
import { UnitsService } from '../../units/units.service';
import { requirementLabel, shortfalls, stillNeededLines } from '../present';
import { formatDateTime } from '../views.service';
import { attachmentHeader, type Cell, type Sheet, toCsv, toXlsx } from './spreadsheet';

export type ExportFormat = 'xlsx' | 'csv';

const CONTENT_TYPES: Record<ExportFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
};

/** The overview table and a unit's activities as spreadsheets, with the numbers the pages show. */
@Injectable()
export class ExportsService {
  constructor(
    private readonly activities: ActivitiesService,
    private readonly units: UnitsService,
    private readonly ruleSets: RuleSetsService,
  ) {}

  /** Every activity matching the query (in the caller's scope), page by page. */
  async allActivities(p: Principal, q: ActivityQuery): Promise<ActivityView[]> {
    const out: ActivityView[] = [];
    for (let page = 1; ; page++) {
      const batch = await this.activities.list(
        p,
        Object.assign(new ActivityQuery(), q, { page, pageSize: 500 }),
      );
      out.push(...batch.items);
      if (out.length >= batch.total || batch.items.length === 0) return out;
    }
  }

  async unitActivities(
    p: Principal,
    unitId: number,
    q: ActivityQuery,
    locale: Locale,
    format: ExportFormat,
    res: Response,
    standing?: UnitComplianceView,
  ): Promise<void> {
    const unit = await this.units.get(p, unitId);
    const items = await this.allActivities(p, q);
    const sheet = activitiesSheet(items, locale, unit.name, this.ruleSets);
    // XLSX only (a CSV holds one table): a second sheet with the period's standing and what is still needed.
    const sheets = standing ? [sheet, standingSheet(standing, locale)] : [sheet];
    await send(res, format, sheets, `${unit.name}-${t(locale, 'web.export.activities')}`);
  }

  async overview(
    view: ScopeComplianceView,
    locale: Locale,
    format: ExportFormat,
    res: Response,
  ): Promise<void> {
    await send(res, format, [overviewSheet(view, locale)], `${t(locale, 'web.export.overview')}-${view.at}`);
  }
}

async function send(res: Response, format: ExportFormat, sheets: Sheet[], baseName: string): Promise<void> {
  const body = format === 'xlsx' ? await toXlsx(sheets) : toCsv(sheets[0]);
  res.setHeader('Content-Type', CONTENT_TYPES[format]);
  res.setHeader('Content-Disposition', attachmentHeader(`${baseName}.${format}`));
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', String(body.length));
  res.end(body);
}

/**
 * One row per unit: overall status, then verified / pending / minimum / status per requirement, then
 * what the unit still needs (SPEC §3 v2), one line per requirement not yet met, worst first.
 */
export function overviewSheet(view: ScopeComplianceView, locale: Locale): Sheet {
  const tr = (k: string, params?: Record<string, string>) => t(locale, k, params);
  const headers = [
    tr('web.col.unit'),
    tr('web.col.province'),
    tr('web.col.industry'),
    tr('web.col.cycle'),
    tr('web.col.period'),
    tr('web.col.overall'),
  ];
  for (const r of view.requirements) {
    const label = requirementLabel(locale, r);
    headers.push(
      tr('web.col.reqVerified', { label }),
      tr('web.col.reqPending', { label }),
      tr('web.col.reqMinimum', { label }),
      tr('web.col.reqStatus', { label }),
    );
  }
  headers.push(tr('stillNeeded.heading'));
  const rows: Cell[][] = view.rows.map((row) => {
    const cells: Cell[] = [
      row.unit.name,
      tr(`province.${row.unit.province}`),
      row.unit.industry,
      `${row.unit.cycleStart} – ${row.unit.cycleEnd}`,
      `${row.period.start} – ${row.period.end}`,
      tr(`status.${row.overall}`),
    ];
    for (const r of view.requirements) {
      const c = row.requirements[r.key];
      if (!c) cells.push(null, null, null, null);
      else cells.push(c.verified, c.pending, c.minimum, tr(`status.${c.status}`));
    }
    const needed = stillNeededLines(view, row, locale).map((l) => l.text);
    cells.push(needed.length ? needed.join('\n') : tr('stillNeeded.allMet'));
    return cells;
  });
  return {
    name: tr('web.export.overview'),
    headers,
    rows,
    widths: headers.map((_, i) => (i === 0 ? 36 : i < 6 ? 16 : i === headers.length - 1 ? 60 : 12)),
  };
}

/** Activities, one row each; the field columns are the kind catalogue's, labelled from the registry. */
/** A unit's standing in the period, per requirement, with what is still needed (SPEC §3 v2). */
export function standingSheet(view: UnitComplianceView, locale: Locale): Sheet {
  const tr = (k: string) => t(locale, k);
  const needed = new Map(shortfalls(view, locale).map((s) => [s.key, s.text]));
  return {
    name: tr('web.export.standing'),
    headers: [
      tr('web.col.requirement'),
      tr('common.verified'),
      tr('common.pending'),
      tr('common.minimum'),
      tr('common.pace'),
      tr('common.status'),
      tr('stillNeeded.heading'),
    ],
    rows: view.requirements.map((r) => [
      requirementLabel(locale, r),
      r.verified,
      r.pending,
      r.minimum,
      r.pace,
      tr(`status.${r.status}`),
      needed.get(r.key) ?? '',
    ]),
    widths: [30, 10, 10, 10, 10, 12, 60],
  };
}

export function activitiesSheet(
  items: ActivityView[],
  locale: Locale,
  name: string,
  registry: RuleSetsService,
): Sheet {
  const tr = (k: string) => t(locale, k);
  const fields = registry.fields();
  const headers = [
    tr('web.col.id'),
    tr('web.col.unit'),
    tr('web.col.requirement'),
    tr('web.col.date'),
    tr('web.col.title'),
    tr('web.col.status'),
    tr('web.col.rejectReason'),
    tr('web.col.description'),
    ...fields.map((f) => f.label[locale]),
    tr('web.col.submittedAt'),
    tr('web.col.reviewedAt'),
  ];
  const rows: Cell[][] = items.map((a) => [
    a.id,
    a.unitName,
    registry.requirementLabel(a.program, a.ruleSetVersion, a.requirement)[locale],
    a.date,
    a.title,
    tr(`activityStatus.${a.status}`),
    a.rejectReason,
    a.description,
    ...fields.map((f) => {
      const v = a[f.name as keyof ActivityView] as Cell;
      return f.values && typeof v === 'string' ? registry.valueLabel(f.name, v)[locale] : v;
    }),
    formatDateTime(a.submittedAt),
    formatDateTime(a.reviewedAt),
  ]);
  return {
    name: name || tr('web.export.activities'),
    headers,
    rows,
    widths: headers.map((_, i) => (i === 4 ? 40 : 14)),
  };
}
