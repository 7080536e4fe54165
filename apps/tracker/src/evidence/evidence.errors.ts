import { DomainError } from '@app/common';
import { formatBytes } from './evidence-files';

/** A file over UPLOAD_MAX_BYTES: 413, naming the file and the limit. */
export class FileTooLargeError extends DomainError {
  readonly status = 413;
  constructor(fileName: string | undefined, limit: number, field = 'files') {
    const name = fileName ?? '';
    super(
      `文件「${name}」超过大小上限 ${formatBytes(limit)}`,
      `File "${name}" is larger than the limit of ${formatBytes(limit)}`,
      { field, rule: 'maxSize', file: name, limit },
    );
  }
}
