import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { InvalidInputError } from '@app/common';
import { MAX_ID } from '../common/validators';

/**
 * A record id from the path: a positive 32-bit integer. Anything else is a 400 naming the parameter,
 * never a database error (PostgreSQL refuses integers beyond 2^31-1).
 */
@Injectable()
export class ParseIdPipe implements PipeTransform<string | number, number> {
  transform(value: string | number, meta: ArgumentMetadata): number {
    // The global ValidationPipe may already have turned the text into a number (NaN when not numeric).
    const n = typeof value === 'number' ? value : /^[1-9]\d{0,9}$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < 1 || n > MAX_ID) {
      const field = meta.data ?? 'id';
      throw new InvalidInputError(
        field,
        'isId',
        `${field} 必须是正整数编号`,
        `${field} must be a positive id`,
      );
    }
    return n;
  }
}
