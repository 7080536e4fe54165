import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { Env } from '@app/common';

export interface OutgoingAttachment {
  filename: string;
  contentType: string;
  /** Inline images: referenced as `cid:<cid>` from the HTML. */
  cid?: string;
  content: Buffer;
}

export interface OutgoingMail {
  to: string;
  toName?: string | null;
  subject: string;
  html: string;
  text: string;
  attachments: OutgoingAttachment[];
  /** '<…@domain>', the same on every attempt. */
  messageId: string;
  /** Base name of the .eml when mails are written to files. */
  fileName: string;
}

export interface SendResult {
  /** The SMTP server's answer, or the path of the written .eml. */
  response: string;
}

/**
 * The one place that talks to nodemailer. With SMTP_URL: a pooled SMTP transport. Without: every
 * mail is written as an .eml file under DATA_DIR/mail, which any mail client opens.
 */
@Injectable()
export class MailTransport implements OnApplicationShutdown {
  readonly kind: 'smtp' | 'file';
  readonly mailDir: string;
  private readonly transporter: Transporter;
  /** Set once DATA_DIR/mail exists, so each mail is one write and one rename. */
  private mailDirReady?: Promise<unknown>;

  constructor(private readonly env: Env) {
    this.mailDir = join(resolve(env.DATA_DIR), 'mail');
    if (env.SMTP_URL) {
      this.kind = 'smtp';
      this.transporter = nodemailer.createTransport({
        url: env.SMTP_URL,
        pool: true,
        maxConnections: 5,
        connectionTimeout: 30_000,
        greetingTimeout: 30_000,
        socketTimeout: 60_000,
      });
    } else {
      this.kind = 'file';
      this.transporter = nodemailer.createTransport({
        streamTransport: true,
        buffer: true,
        newline: 'windows',
      });
    }
  }

  async send(mail: OutgoingMail): Promise<SendResult> {
    const info = await this.transporter.sendMail({
      from: this.env.MAIL_FROM,
      replyTo: this.env.MAIL_REPLY_TO || undefined,
      to: mail.toName ? { name: mail.toName, address: mail.to } : mail.to,
      subject: mail.subject,
      html: mail.html,
      text: mail.text,
      // Base64 for the text parts: no scan of every character to choose an encoding, and no
      // quoted-printable of Chinese text (three bytes for each byte of it).
      textEncoding: 'base64',
      messageId: mail.messageId,
      attachments: mail.attachments.map((a) => ({
        filename: a.filename,
        contentType: a.contentType,
        content: a.content,
        ...(a.cid ? { cid: a.cid, contentDisposition: 'inline' as const } : {}),
      })),
    });
    if (this.kind === 'smtp') return { response: String((info as { response?: string }).response ?? '') };
    const message = (info as { message?: Buffer }).message;
    if (!Buffer.isBuffer(message)) throw new Error('file transport produced no message');
    const path = join(this.mailDir, mail.fileName);
    // Write then rename, so a reader never sees half a file and a repeat replaces the same one.
    const tmp = `${path}.${process.pid}.tmp`;
    await this.ensureMailDir();
    try {
      await writeFile(tmp, message);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      // The folder was removed meanwhile: make it again.
      await this.ensureMailDir(true);
      await writeFile(tmp, message);
    }
    await rename(tmp, path);
    return { response: `file:${path}` };
  }

  private ensureMailDir(again = false): Promise<unknown> {
    if (again || !this.mailDirReady) {
      this.mailDirReady = mkdir(this.mailDir, { recursive: true }).catch((e: unknown) => {
        this.mailDirReady = undefined;
        throw e;
      });
    }
    return this.mailDirReady;
  }

  onApplicationShutdown() {
    this.transporter.close();
  }
}
