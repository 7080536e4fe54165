import { SUPERVISOR_DIGEST, UNIT_REPORT } from '../reports/report-mails.service';

/* How the outbox pages preview a stored mail: the report endpoints that render it again, its charts. */

export interface MailRef {
  channel: string;
  kind: string;
  period: string;
  locale: string;
  unitId: number | null;
  userId: number | null;
}

/** The report preview endpoint that renders this mail again (used while it is not yet rendered). */
export function previewUrl(m: MailRef): string | null {
  // A robot's markdown is shown as its text; the mail previews are not what it got.
  if (m.channel !== 'mail') return null;
  const q = `period=${m.period}&locale=${m.locale}`;
  if (m.kind === UNIT_REPORT && m.unitId) return `/api/v1/reports/units/${m.unitId}?${q}`;
  if (m.kind === SUPERVISOR_DIGEST && m.userId) return `/api/v1/reports/digest?${q}&userId=${m.userId}`;
  return null;
}

function chartUrl(m: MailRef, name: string): string | null {
  const q = `period=${m.period}&locale=${m.locale}`;
  if (m.kind === UNIT_REPORT && m.unitId) return `/api/v1/reports/units/${m.unitId}/charts/${name}?${q}`;
  if (m.kind === SUPERVISOR_DIGEST && m.userId)
    return `/api/v1/reports/digest/charts/${name}?${q}&userId=${m.userId}`;
  return null;
}

/** The stored HTML of a mail with its cid: pictures taken from the chart endpoints (others left blank). */
export function previewHtml(m: MailRef & { html: string | null }): string {
  return (m.html ?? '').replace(/src="cid:([a-z]+)@report"/g, (_all, name: string) => {
    const url = chartUrl(m, name);
    return url ? `src="${url.replace(/&/g, '&amp;')}"` : 'src=""';
  });
}
