import { Transform } from 'class-transformer';
import {
  buildMessage,
  IsString,
  Matches,
  MaxLength,
  ValidateBy,
  ValidateIf,
  type ValidationOptions,
} from 'class-validator';
import { isIsoDate, isValidCreditCode } from '@app/compliance';

/*
 * The validation rules shared by the API's DTOs and the page forms (which are checked against the same
 * DTO classes, see web/form-validation.ts). Rule names match the zh messages in common/validation.ts.
 * Bounds the OpenAPI document shows (@MaxLength(254), @Max(2147483647)…) stay written as literals on the
 * fields: the document's generator reads them there.
 */

/** Largest id a 32-bit integer column holds; bigger ids would reach the database as an error. */
export const MAX_ID = 2_147_483_647;

/**
 * A field that may be left out, but not sent as null: unlike @IsOptional(), null goes through the field's
 * rules (and is refused by them) instead of reaching a NOT NULL column.
 */
export const IsOmittable = () => ValidateIf((_: object, v: unknown) => v !== undefined);

/** Text is trimmed before its rules run; anything else is left for them to refuse. */
export const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
/** Trimmed and upper-cased (credit codes). */
export const upper = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim().toUpperCase() : value;
export const Trim = () => Transform(trim);

/**
 * A real calendar date written exactly YYYY-MM-DD (strict ISO 8601: 2023-02-29 and times are refused).
 * Rule name `isISO8601`, as in the zh message catalogue.
 */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isISO8601',
      validator: {
        validate: (value) => isIsoDate(value),
        defaultMessage: buildMessage(
          (each) => `${each}$property must be a calendar date written YYYY-MM-DD`,
          options,
        ),
      },
    },
    options,
  );
}

/** GB 32100-2015 credit code with a correct check character (rule name `isCreditCode`). */
export function IsCreditCode(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCreditCode',
      validator: {
        validate: (value) => typeof value === 'string' && isValidCreditCode(value),
        defaultMessage: buildMessage(
          (each) => `${each}$property must be a valid unified social credit code`,
          options,
        ),
      },
    },
    options,
  );
}

/**
 * A requirement key (lower_snake_case). Whether the unit's rule set has it, and which values a choice
 * field takes, is the requirement registry's to say (RuleSetsService), checked by the service.
 */
export function IsRequirementKey(): PropertyDecorator {
  return (target, key) => {
    IsString()(target, key);
    MaxLength(40)(target, key);
    Matches(/^[a-z][a-z0-9_]*$/)(target, key);
  };
}
