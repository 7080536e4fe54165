import { fileTypeFromBuffer } from 'file-type/core';
// The Node entry point reads only the bytes detection needs from a file on disk.
import { fileTypeFromFile } from 'file-type/node';

/** At most this many files per request (multer's `files` limit and the interceptor's maxCount). */
export const MAX_FILES_PER_UPLOAD = 10;
/** And at most this many live files per activity, so one record cannot fill the disk. */
export const MAX_FILES_PER_ACTIVITY = 50;

interface AllowedType {
  mime: string;
  /** What file-type must detect from the content (legacy .doc and .xls are both OLE compound files). */
  detected: string[];
  /** Browsers can show it themselves (PDF viewer, images), so `?inline=1` is honoured. */
  inline: boolean;
}

/** The allowlist, by lower-case extension. Content and extension must agree. */
export const ALLOWED_TYPES: Readonly<Record<string, AllowedType>> = {
  pdf: { mime: 'application/pdf', detected: ['pdf'], inline: true },
  jpg: { mime: 'image/jpeg', detected: ['jpg'], inline: true },
  jpeg: { mime: 'image/jpeg', detected: ['jpg'], inline: true },
  png: { mime: 'image/png', detected: ['png'], inline: true },
  doc: { mime: 'application/msword', detected: ['cfb'], inline: false },
  xls: { mime: 'application/vnd.ms-excel', detected: ['cfb'], inline: false },
  docx: {
    mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    detected: ['docx'],
    inline: false,
  },
  xlsx: {
    mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    detected: ['xlsx'],
    inline: false,
  },
};

export const ALLOWED_LIST = 'PDF, JPG, PNG, DOC, DOCX, XLS, XLSX';

export type TypeCheck =
  | { ok: true; ext: string; mime: string; inline: boolean }
  | { ok: false; rule: 'type' | 'contentMismatch'; detected: string | null };

/**
 * Decides by the bytes (file-type; of a file on disk when given a path), and requires the name's
 * extension to say the same.
 */
export async function checkEvidenceType(content: Uint8Array | string, name: string): Promise<TypeCheck> {
  const ext = extensionOf(name);
  const allowed = Object.hasOwn(ALLOWED_TYPES, ext) ? ALLOWED_TYPES[ext] : undefined;
  if (!allowed) return { ok: false, rule: 'type', detected: null };
  // A damaged container (a zip header with nothing valid after it) makes the detector throw: that is
  // content that is not what its name says, not a server error.
  const found = await (
    typeof content === 'string' ? fileTypeFromFile(content) : fileTypeFromBuffer(content)
  ).catch(() => undefined);
  if (!found || !allowed.detected.includes(found.ext)) {
    return { ok: false, rule: 'contentMismatch', detected: found?.ext ?? null };
  }
  return { ok: true, ext, mime: allowed.mime, inline: allowed.inline };
}

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

// Control characters, and bidi overrides that can disguise an extension ("invoice\u202Efdp.exe").
// oxlint-disable-next-line no-control-regex -- matching control characters is the point here
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * The client's file name made safe to store and show: no path, no control or bidi characters, no
 * leading dots, at most 200 characters (keeping the extension). Never used as a path on disk.
 */
export function sanitizeFileName(raw: string): string {
  let name = (raw ?? '').normalize('NFC').replace(UNSAFE, '');
  name = name.split(/[\\/]/).pop() ?? '';
  name = name.trim().replace(/^\.+/, '').trim();
  if (name.length > 200) {
    const ext = extensionOf(name);
    const keep = ext && ext.length < 20 ? `.${ext}` : '';
    name = name.slice(0, 200 - keep.length) + keep;
  }
  return name || 'file';
}

/**
 * Content-Disposition with an ASCII fallback and the exact UTF-8 name per RFC 6266 / RFC 5987
 * (filename*), so Chinese names survive in every browser.
 */
export function contentDisposition(type: 'inline' | 'attachment', name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** 20971520 → "20 MB"; used in messages about the size limit. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / (1024 * 1024)).toFixed(1)} MB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KB`;
  return `${n} B`;
}
