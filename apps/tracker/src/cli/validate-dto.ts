import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { InvalidInputError } from '@app/common';
import { flattenErrors } from '../common/validation';

/** Same DTO rules as the HTTP API, for input that arrives by the command line or a file. */
export function validateDto<T extends object>(cls: new () => T, plain: object): T {
  const dto = plainToInstance(cls, JSON.parse(JSON.stringify(plain)) as object);
  const errors = flattenErrors(validateSync(dto, { whitelist: true, forbidNonWhitelisted: true }));
  if (errors.length) {
    const first = errors[0];
    throw new InvalidInputError(
      first.field,
      first.rule,
      errors.map((e) => e.messageZh).join('；'),
      errors.map((e) => `${e.field}: ${e.message}`).join('; '),
    );
  }
  return dto;
}
