/*
 * Names inside the acceptance pack. Every segment comes from data users typed (titles, file names), so
 * each is made safe for a zip path and for the file systems it is unpacked on (Windows included): no
 * separators, no `..`, no control or bidi characters, none of Windows' reserved characters or names,
 * bounded length. Collisions (also ones differing only in letter case) get " (2)", " (3)", … before
 * the extension.
 */

// oxlint-disable-next-line no-control-regex -- matching control characters is the point here
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const RESERVED_CHARS = /[\\/:*?"<>|]/g;
const RESERVED_NAMES = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/** One path segment: safe, at most `max` characters (keeping a short extension), never empty. */
export function zipSegment(raw: string, max = 80): string {
  let s = (raw ?? '').normalize('NFC').replace(UNSAFE, '').replace(RESERVED_CHARS, '_');
  s = s.replace(/\s+/g, ' ').trim();
  // No `..` anywhere, no leading or trailing dots (no `.` segment; Windows drops trailing ones).
  s = s
    .replace(/\.{2,}/g, '.')
    .replace(/^\.+/, '')
    .replace(/\.+$/, '')
    .trim();
  if (RESERVED_NAMES.test(s)) s = `_${s}`;
  const chars = [...s];
  if (chars.length > max) {
    const dot = s.lastIndexOf('.');
    const ext = dot > 0 && s.length - dot <= 10 ? s.slice(dot) : '';
    s =
      chars
        .slice(0, max - [...ext].length)
        .join('')
        .trim() + ext;
  }
  return s || '_';
}

/** `name (n).ext` */
function numbered(name: string, n: number): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
}

/** Hands out unique names per folder, comparing case-insensitively (Windows and macOS unpack so). */
export class UniqueNames {
  private readonly used = new Map<string, Set<string>>();

  /** `segment` (already safe) under `folder`, numbered if that folder has it already. */
  take(folder: string, segment: string): string {
    let seen = this.used.get(folder);
    if (!seen) this.used.set(folder, (seen = new Set()));
    let name = segment;
    for (let n = 2; seen.has(name.toLowerCase()); n++) name = numbered(segment, n);
    seen.add(name.toLowerCase());
    return name;
  }
}
