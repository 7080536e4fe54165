/** How a failed send is treated: try again later, or give up and keep the server's answer. */
export interface SendFailure {
  transient: boolean;
  /** What to store as last error: the server's answer when there is one. */
  message: string;
}

/** Network-level problems: the message itself was fine, the path to the server was not. */
const TRANSIENT_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ETLS',
  'EPROXY',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EMAXLIMIT',
]);

/**
 * SMTP 4xx answers, connection and timeout errors and rejected credentials are transient; 5xx answers
 * and envelope or message errors (bad address, nothing to send) are permanent, as are failures to render.
 */
export function classifySendError(err: unknown): SendFailure {
  const e = (err ?? {}) as { responseCode?: number; response?: string; code?: string; message?: string };
  const message = (e.response || e.message || String(err)).slice(0, 2000);
  // Rejected credentials are the service's configuration, not the mail's fault, whatever the code.
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH')
    return { transient: true, message: `${e.code}: ${message}` };
  if (typeof e.responseCode === 'number') {
    return { transient: e.responseCode >= 400 && e.responseCode < 500, message };
  }
  if (e.code && TRANSIENT_CODES.has(e.code)) return { transient: true, message: `${e.code}: ${message}` };
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') return { transient: false, message };
  // Unknown errors are retried; the attempt limit still ends them.
  return { transient: true, message: e.code ? `${e.code}: ${message}` : message };
}

const MAX_BACKOFF_SECONDS = 6 * 3600;

/** Seconds to wait after the given attempt number (1-based): base, 2×base, 4×base, … capped at 6 h. */
export function backoffSeconds(attempt: number, baseSeconds: number): number {
  const exp = Math.min(Math.max(attempt, 1) - 1, 30);
  return Math.min(baseSeconds * 2 ** exp, MAX_BACKOFF_SECONDS);
}
