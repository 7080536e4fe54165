import { formatMonth, t } from '../i18n';
import { notYetMet, stillNeededText } from '../i18n/still-needed';
import type { MailContent, UnitReportModel, UnitReportRequirement } from './models';
import { renderTemplateMail } from './render';

/**
 * What the "still to deliver" section lists (SPEC §3 v2): every requirement not yet met, whatever its
 * status, worst first; on track is not done.
 */
export function stillNeededOf(m: Pick<UnitReportModel, 'requirements'>): UnitReportRequirement[] {
  return notYetMet(m.requirements);
}

export function unitReportSubject(m: UnitReportModel): string {
  return t(m.locale, 'mail.unit.subject', { unit: m.unit.name, month: formatMonth(m.locale, m.period) });
}

/** The unit's monthly report (templates/unit-report.*.njk): subject, HTML (charts as cid: images), text. */
export function renderUnitReport(m: UnitReportModel): MailContent {
  const needed = stillNeededOf(m).map((r) => ({
    status: r.status,
    text: stillNeededText(m.locale, r, m.asOf) ?? '',
  }));
  return { subject: unitReportSubject(m), ...renderTemplateMail('unit-report', { ...m, needed }) };
}
