import { InvalidInputError } from '@app/common';
import type { Locale } from '@app/reporting/i18n';
import { BulkCloseDto, ReopenPeriodDto } from '../periods/dto/periods.dto';
import { UnitStatusChangeDto } from '../units/dto/unit-status.dto';
import { validateForm } from './form-validation';

/*
 * The lifecycle forms of the unit page and the year report (status step, reopen, bulk close): the
 * urlencoded body becomes the API's DTO with the API's rules; the first refusal is a 400 naming its field
 * (the error page shows it).
 */

function plainBody(body: unknown): Record<string, unknown> {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

/** The form checked against the API's DTO; the first refusal is a 400 naming its field. */
function checked<T extends object>(cls: new () => T, plain: Record<string, unknown>, locale: Locale): T {
  const defined = Object.fromEntries(Object.entries(plain).filter(([, v]) => v !== undefined));
  const { dto, errors } = validateForm(cls, defined, locale);
  if (dto) return dto;
  const [field, message] = Object.entries(errors)[0];
  throw new InvalidInputError(field, 'form', message, message);
}

const num = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : undefined);
const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

/** The unit's status step (score, conclusion and evaluator only when filled in). */
export function toStatusChangeDto(body: unknown, locale: Locale): UnitStatusChangeDto {
  const form = plainBody(body);
  return checked(
    UnitStatusChangeDto,
    {
      status: form.status,
      date: form.date,
      reason: form.reason,
      score: num(form.score),
      conclusion: text(form.conclusion),
      evaluator: text(form.evaluator),
    },
    locale,
  );
}

export function toReopenDto(body: unknown, locale: Locale): ReopenPeriodDto {
  return checked(ReopenPeriodDto, { reason: plainBody(body).reason }, locale);
}

/** The bulk close of a province; `year` is the report's year to go back to ('' when not a year). */
export function toBulkCloseDto(body: unknown, locale: Locale): { dto: BulkCloseDto; year: string } {
  const form = plainBody(body);
  const year = typeof form.year === 'string' && /^\d{4}$/.test(form.year) ? form.year : '';
  return { dto: checked(BulkCloseDto, { province: form.province }, locale), year };
}
