import type { AreaMessages } from './types';

/** Texts of the monthly report e-mails. Keys start with 'mail.'. */
export const mail: AreaMessages = {
  zh: {},
  en: {},
};
