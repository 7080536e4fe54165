import type { Locale, Role } from '@app/db';

/** The signed-in caller, as every service sees it. */
export interface Principal {
  id: number;
  email: string;
  name: string;
  role: Role;
  /** Unit users only. */
  unitId: number | null;
  /** Supervisors only: province codes in scope. */
  provinces: string[];
  locale: Locale;
  /** How the request authenticated: cookie sessions need CSRF tokens, bearer tokens do not. */
  via: 'cookie' | 'bearer';
  csrfToken: string;
  tokenHash: string;
}
