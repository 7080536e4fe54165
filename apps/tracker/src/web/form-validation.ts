import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { DomainError, InvalidInputError } from '@app/common';
import type { Locale } from '@app/reporting/i18n';
import { flattenErrors } from '../common/validation';

export type FieldErrors = Record<string, string>;

/**
 * Checks a page form against the API's own DTO class, so pages and API accept exactly the same input.
 * Returns the DTO, or the first message per field in the visitor's language.
 */
export function validateForm<T extends object>(
  cls: new () => T,
  plain: Record<string, unknown>,
  locale: Locale,
): { dto?: T; errors: FieldErrors } {
  const dto = plainToInstance(cls, plain);
  const errors: FieldErrors = {};
  for (const e of flattenErrors(validateSync(dto, { whitelist: true, forbidNonWhitelisted: true }))) {
    errors[e.field] ??= locale === 'en' ? e.message : e.messageZh.replace(/^[^：]*：/, '');
  }
  return Object.keys(errors).length ? { errors } : { dto, errors };
}

/** A service's refusal shown on the form: next to its field when it names one, else on top. */
function errorForForm(e: unknown, locale: Locale): { field?: string; message: string } | null {
  if (!(e instanceof DomainError)) return null;
  const message = locale === 'en' ? e.en : e.zh;
  if (e instanceof InvalidInputError) return { field: e.field, message };
  const field = e.details?.field;
  return typeof field === 'string' ? { field, message } : { message };
}

/** Why a submitted form is shown again: messages per field, one on top, and who refused it. */
export interface Refusal {
  errors: FieldErrors;
  formError: string;
  /** 'service' when the save was attempted, so part of it may have been stored before the refusal. */
  by: 'form' | 'service';
}

/**
 * The path every page form takes: invalid input is shown again; valid input is saved, and a domain
 * error from the service is shown again on the form too. Any other error propagates.
 */
export async function submitForm<T>(
  checked: { dto?: T; errors: FieldErrors },
  locale: Locale,
  save: (dto: T) => Promise<unknown>,
  showAgain: (refusal: Refusal) => unknown,
): Promise<void> {
  if (!checked.dto) {
    await showAgain({ errors: checked.errors, formError: '', by: 'form' });
    return;
  }
  try {
    await save(checked.dto);
  } catch (e) {
    const shown = errorForForm(e, locale);
    if (!shown) throw e;
    await showAgain({
      errors: shown.field ? { [shown.field]: shown.message } : {},
      formError: shown.field ? '' : shown.message,
      by: 'service',
    });
  }
}

/** A text field of a urlencoded form: trimmed, or undefined when absent or blank. */
export function text(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** Every value of a repeated field (checkboxes, multi-selects). */
export function list(body: Record<string, unknown>, key: string): string[] {
  const v = body[key];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter(
    (x): x is string => typeof x === 'string',
  );
}
