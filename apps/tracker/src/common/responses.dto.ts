import type { ErrorBody } from './error.filter';

/*
 * Shapes shared by many answers, described for the OpenAPI document (apps/tracker/src/common/openapi.ts).
 * The plugin metadata (src/metadata.ts) is generated from these declarations and their comments.
 */

/** One refused field: which field and which rule. */
export class FieldErrorDto {
  /** The field, dotted for nested ones (e.g. `contacts.0.email`). */
  field: string;
  /** The rule it broke (e.g. `isEmail`, `maxLength`, `isId`). */
  rule: string;
  message: string;
}

/** The body of every error answer (4xx and 5xx). */
export class ErrorBodyDto implements ErrorBody {
  statusCode: number;
  /** Kind of error, e.g. `ValidationError`, `NotFound`, `Forbidden`, `Conflict`. */
  error: string;
  /** In English. */
  message: string;
  /** In Chinese. */
  messageZh: string;
  /** For refused input: every field and rule that failed. */
  errors?: FieldErrorDto[];
}

/** A text in both languages of the product. */
export class LocalizedTextDto {
  zh: string;
  en: string;
}
