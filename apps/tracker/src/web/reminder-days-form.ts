import type { Locale } from '@app/reporting/i18n';
import { ProgramRemindersInputDto } from '../reminders/reminders.dto';
import { type FieldErrors, validateForm } from './form-validation';

/**
 * The rule-sets page's reminder-days form: "60, 30, 7" (any of , ， 、 ; ； or spaces between) becomes
 * the API's ProgramRemindersInputDto; the reset button sends null (back to the rule set's days).
 * `raw` is the text as typed, to show again.
 */
export function toReminderDaysDto(
  body: Record<string, unknown>,
  locale: Locale,
): { raw: string; checked: { dto?: ProgramRemindersInputDto; errors: FieldErrors } } {
  const raw = typeof body.days === 'string' ? body.days : '';
  const days =
    body.reset !== undefined
      ? null
      : raw
          .split(/[\s,，、;；]+/)
          .filter(Boolean)
          .map((d) => (/^\d+$/.test(d) ? Number(d) : d));
  return { raw, checked: validateForm(ProgramRemindersInputDto, { days }, locale) };
}
