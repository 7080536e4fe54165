export type Locale = 'zh' | 'en';

export const LOCALES = ['zh', 'en'] as const satisfies readonly Locale[];

/** Flat map of dotted keys ('status.met') to text with `{name}` placeholders. */
export type Messages = Record<string, string>;

/** One area's messages (common, mail, web…), in both languages. */
export interface AreaMessages {
  zh: Messages;
  en: Messages;
}
