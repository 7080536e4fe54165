import type { Locale, Role } from '@app/db';
import type { AuthService } from './auth.service';

/** The signed-in caller. */
export class MeDto implements ReturnType<typeof AuthService.view> {
  id: number;
  email: string;
  name: string;
  role: Role;
  /** Unit users only. */
  unitId: number | null;
  /** Supervisors only: province codes in scope. */
  provinces: string[];
  locale: Locale;
  /** Send it as the `x-csrf-token` header with every state-changing request of a cookie session. */
  csrfToken: string;
}

/** A new session: also set as the `sid` cookie for browsers. */
export class LoginResultDto extends MeDto {
  /** Bearer token: `Authorization: Bearer <token>`. */
  token: string;
}

/** The one answer of a reset request, whatever the address. */
export class PasswordResetRequestedDto {
  message: string;
  messageZh: string;
}
