import type { Locale, Role } from '@app/db';
import type { UserView } from '../users.service';

/** A user account (never its password). */
export class UserViewDto implements UserView {
  id: number;
  email: string;
  name: string;
  role: Role;
  /** Unit users: their unit. */
  unitId: number | null;
  /** Supervisors: province codes in scope. */
  provinces: string[];
  locale: Locale;
  /** Inactive users cannot sign in. */
  active: boolean;
  lastLoginAt: Date | null;
  createdAt: Date;
}
