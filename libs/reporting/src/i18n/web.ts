import type { AreaMessages } from './types';

/** Texts of the dashboard pages. Keys start with 'web.'. */
export const web: AreaMessages = {
  zh: {},
  en: {},
};
