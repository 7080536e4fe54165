import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Locale } from '@app/reporting/i18n';
import { ChangePasswordDto, ConfirmPasswordResetDto, RequestPasswordResetDto } from '../auth/auth.dto';
import { type FieldErrors, text, validateForm } from './form-validation';

/*
 * The password forms (change, forgot, reset): the urlencoded body becomes the API's DTO with the API's
 * rules. Passwords are taken as typed (not trimmed) and never sent back into the form.
 */

type Checked<T> = { dto?: T; errors: FieldErrors };

/** A field as sent (passwords keep their spaces), or undefined when absent or not text. */
function raw(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  return typeof v === 'string' ? v : undefined;
}

export function toChangePasswordDto(
  body: Record<string, unknown>,
  locale: Locale,
): Checked<ChangePasswordDto> {
  const plain = { currentPassword: raw(body, 'currentPassword'), newPassword: raw(body, 'newPassword') };
  return validateForm(ChangePasswordDto, plain, locale);
}

/** The "forgot password" form; `email` is shown again. */
export function toResetRequestDto(
  body: Record<string, unknown>,
  locale: Locale,
): { email?: string; checked: Checked<RequestPasswordResetDto> } {
  const email = text(body, 'email');
  return { email, checked: validateForm(RequestPasswordResetDto, { email }, locale) };
}

/** The new password with the mail's token; `token` is kept in the form shown again. */
export function toResetDto(
  body: Record<string, unknown>,
  locale: Locale,
): { token: string; checked: Checked<ConfirmPasswordResetDto> } {
  const plain = { token: raw(body, 'token'), newPassword: raw(body, 'newPassword') };
  return { token: plain.token ?? '', checked: validateForm(ConfirmPasswordResetDto, plain, locale) };
}

/**
 * Double-submit token of the signed-out forms (forgot password, reset password), which have no session
 * token to carry: the form's hidden field must match this cookie, set on the form's own path.
 */
const FORM_CSRF_COOKIE = 'form_csrf';

/** A new token for a signed-out form on `path`: set as its cookie, returned for the hidden field. */
export function issueFormCsrf(res: Response, path: string): string {
  const token = randomBytes(18).toString('base64url');
  res.cookie(FORM_CSRF_COOKIE, token, { httpOnly: true, sameSite: 'strict', path });
  return token;
}

/** Whether the form's hidden field matches its cookie. */
export function formCsrfOk(req: Request, body: Record<string, unknown>): boolean {
  const expected = (req.cookies as Record<string, string> | undefined)?.[FORM_CSRF_COOKIE];
  return !!expected && body._csrf === expected;
}
