import { IntersectionType, OmitType, PickType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { MAX_TARGET_MINIMUM, UnitTargetDto } from '../units/dto/unit-targets.dto';
import type { FieldErrors } from './form-validation';
import { FormBase } from './forms';

/*
 * The unit page's target form (SPEC §3 v2): one target at a time, checked with the API's rules (the
 * minimum arrives as text) and saved through the same UnitTargetsService as PUT /api/v1/units/:id/targets.
 */

/** Digits become a number; anything else (blank included) stays as sent, so isInt refuses it. */
const wholeNumber = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\s*\d{1,6}\s*$/.test(value) ? Number(value) : value;

/** The API's rules for one target (UnitTargetDto); only the minimum, typed as text, is turned into a number. */
export class TargetForm extends IntersectionType(FormBase, OmitType(UnitTargetDto, ['minimum'] as const)) {
  @Transform(wholeNumber)
  @IsInt()
  @Min(0)
  @Max(MAX_TARGET_MINIMUM)
  minimum: number;
}

/** Which target to remove. */
export class RemoveTargetForm extends IntersectionType(
  FormBase,
  PickType(UnitTargetDto, ['requirement', 'periodStart'] as const),
) {}

export function targetOf(form: TargetForm): UnitTargetDto {
  const { requirement, periodStart, minimum, reason } = form;
  return { requirement, periodStart, minimum, reason };
}

/** What the form shows again: the values as typed, and messages per field of the form. */
export interface TargetFormState {
  values: Record<string, string>;
  errors: FieldErrors;
  formError: string;
}

/** The form's values as typed (text fields only). */
export function targetValues(body: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['requirement', 'periodStart', 'minimum', 'reason']) {
    if (typeof body[k] === 'string') out[k] = (body[k] as string).slice(0, 1000);
  }
  return out;
}

/** The service names the field of its list (`targets.3.periodStart`); the form has one target. */
export function formField(field: string): string {
  return field.replace(/^targets\.\d+\./, '');
}

/** The refused form shown again: its values as typed, the messages on the form's own fields. */
export function refusedTargetForm(
  body: Record<string, unknown>,
  { errors, formError }: { errors: FieldErrors; formError: string },
): TargetFormState {
  return {
    values: targetValues(body),
    errors: Object.fromEntries(Object.entries(errors).map(([k, v]) => [formField(k), v])),
    formError,
  };
}
