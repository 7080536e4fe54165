import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: Buffer;
  parsed: ParsedMail;
}

/** What the server answers to a message's DATA: accept (250), refuse with a code, or never answer. */
export type SmtpAnswer = 'accept' | { code: number; message: string } | 'hang';

export interface SmtpOptions {
  /**
   * Called for every message (n counts from 1, accepted or not) before the server answers; the
   * default accepts everything.
   */
  answer?: (n: number, to: string[]) => SmtpAnswer | Promise<SmtpAnswer>;
  /** Called after a message was accepted and parsed. */
  onAccepted?: (mail: ReceivedMail) => void;
}

export interface TestSmtpServer {
  port: number;
  /** SMTP_URL for the service. */
  url: string;
  /** Messages the server accepted (answered 250), in order. */
  received: ReceivedMail[];
  /** Every DATA the server saw, accepted or not. */
  attempts: number;
  /** Resolves once `count` messages were accepted. */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** A real SMTP server in-process (plain, no auth, no STARTTLS) on a random local port. */
export async function startSmtp(opts: SmtpOptions = {}): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  let attempts = 0;
  const waiters: { count: number; resolve: () => void }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    banner: 'test smtp',
    closeTimeout: 100,
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const n = ++attempts;
        const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        void (async () => {
          const answer = opts.answer ? await opts.answer(n, to) : 'accept';
          if (answer === 'hang') return;
          if (answer !== 'accept') {
            const err = Object.assign(new Error(answer.message), { responseCode: answer.code });
            return callback(err);
          }
          const raw = Buffer.concat(chunks);
          const mail = { from, to, raw, parsed: await simpleParser(raw, { skipImageLinks: true }) };
          received.push(mail);
          callback(null);
          opts.onAccepted?.(mail);
          for (const w of waiters.filter((w) => received.length >= w.count)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve();
          }
        })();
      });
    },
  });
  // A client killed mid-conversation resets its socket; that is what some tests do, not a failure.
  server.on('error', (err: Error & { code?: string }) => {
    if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') throw err;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    get attempts() {
      return attempts;
    },
    waitFor(count, timeoutMs = 30_000) {
      if (received.length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`SMTP server got ${received.length} of ${count} mails in ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height of a PNG from its IHDR chunk; null when the bytes are not a PNG. */
export function pngSize(png: Buffer): { width: number; height: number } | null {
  if (png.length < 24 || !png.subarray(0, 8).equals(PNG_SIGNATURE)) return null;
  if (png.toString('ascii', 12, 16) !== 'IHDR') return null;
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
