import { createHash } from 'node:crypto';

/** The domain part of a From setting such as '平台 <noreply@example.gov.cn>'; 'localhost' when absent. */
export function domainOf(from: string): string {
  const m = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from.trim());
  return m ? m[1].toLowerCase() : 'localhost';
}

/**
 * The Message-ID of the mail with this idempotency key: the same on every attempt, on every instance,
 * so if a mail is ever sent twice (crash after the server accepted it, before it was marked sent)
 * receiving servers and clients can recognise the repeat.
 */
export function messageIdFor(idempotencyKey: string, from: string): string {
  const hash = createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32);
  return `<${hash}@${domainOf(from)}>`;
}

/** A file name for the .eml of a mail: readable, bounded, and the same for the same key. */
export function fileNameFor(idempotencyKey: string): string {
  const hash = createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 12);
  const slug = idempotencyKey.replace(/[^A-Za-z0-9@._-]+/g, '_').slice(0, 150);
  return `${slug}.${hash}.eml`;
}
