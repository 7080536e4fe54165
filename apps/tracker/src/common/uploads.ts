import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pipeline, Transform } from 'node:stream';
import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { StorageEngine } from 'multer';
import { catchError, concatMap, finalize, from, type Observable } from 'rxjs';
import { DomainError } from '@app/common';
import type { Principal } from '@app/auth';

/** At most this many uploads (evidence or imports) in progress per user and process. */
export const MAX_UPLOADS_PER_USER = 2;
/** What a refused client is told to wait. */
export const UPLOAD_RETRY_AFTER_SECONDS = 10;
/** Temporary files older than this at start-up were left by a stopped process. */
const STALE_MS = 60 * 60 * 1000;

/** A file multer has streamed to the temporary folder (see incomingStorage). */
export interface DiskFile {
  fieldname: string;
  originalname: string;
  path: string;
  size: number;
  /** SHA-256 of the bytes, computed while they were written. */
  sha256: string;
}

/**
 * The temporary folder for uploads in `DATA_DIR/<area>/.incoming`: inside the data folder (on the same
 * file system as the store, so accepting a file is a rename), created at start, and emptied of files
 * a stopped process left behind.
 */
export function incomingDir(dataDir: string, area: string): string {
  const dir = resolve(dataDir, area, '.incoming');
  mkdirSync(dir, { recursive: true, mode: 0o750 });
  const now = Date.now();
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    try {
      if (now - statSync(path).mtimeMs > STALE_MS) rmSync(path, { force: true });
    } catch {
      // Removed meanwhile by another instance.
    }
  }
  return dir;
}

/**
 * multer storage that streams each file to a random name in `dir`, hashing it on the way, so no file
 * is ever held in memory. A file whose stream fails (client gone, limit hit) is removed at once; multer
 * removes the others through _removeFile when it refuses a request.
 */
export function incomingStorage(dir: string): StorageEngine {
  return {
    _handleFile(_req, file, cb) {
      const path = join(dir, randomBytes(16).toString('hex'));
      const hash = createHash('sha256');
      let size = 0;
      const count = new Transform({
        transform(chunk: Buffer, _encoding, next) {
          hash.update(chunk);
          size += chunk.length;
          next(null, chunk);
        },
      });
      // Known before the first byte is written, so multer's abort clean-up finds a partial file.
      (file as Partial<DiskFile>).path = path;
      pipeline(file.stream, count, createWriteStream(path, { flags: 'wx', mode: 0o640 }), (error) => {
        if (error) {
          void rm(path, { force: true }).finally(() => cb(error));
          return;
        }
        cb(null, { path, size, sha256: hash.digest('hex') } as Partial<Express.Multer.File>);
      });
    },
    _removeFile(_req, file, cb) {
      rm(file.path, { force: true }).then(() => cb(null), cb);
    },
  };
}

/** The client went away mid-upload: nobody reads the answer, and it is no server fault. */
export class UploadAbortedError extends DomainError {
  readonly status = 400;
  constructor() {
    super('上传已中断', 'The upload was interrupted');
  }
}

/** 429: the user already has MAX_UPLOADS_PER_USER uploads in progress. */
export class TooManyUploadsError extends DomainError {
  readonly status = 429;
  constructor() {
    super(
      `您已有 ${MAX_UPLOADS_PER_USER} 个上传正在进行，请等其完成后（约 ${UPLOAD_RETRY_AFTER_SECONDS} 秒）再试`,
      `You already have ${MAX_UPLOADS_PER_USER} uploads in progress; try again when they are done (in about ${UPLOAD_RETRY_AFTER_SECONDS} seconds)`,
      { field: 'files', rule: 'maxConcurrentUploads' },
    );
  }
}

const inProgress = new Map<number, number>();

/** Uploads in progress for a user (for tests and metrics). */
export function uploadsInProgress(userId: number): number {
  return inProgress.get(userId) ?? 0;
}

/**
 * Put before multer's interceptor (`@UseInterceptors(UploadSlot, FilesInterceptor(...))`): refuses a
 * user's third parallel upload before its body is read, and whatever happens after (refusal, error,
 * success, client gone) removes the request's temporary files that were not moved into a store.
 */
@Injectable()
export class UploadSlot implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request & { principal?: Principal }>();
    const userId = req.principal?.id ?? 0;
    const held = inProgress.get(userId) ?? 0;
    if (held >= MAX_UPLOADS_PER_USER) {
      http.getResponse<Response>().setHeader('Retry-After', String(UPLOAD_RETRY_AFTER_SECONDS));
      throw new TooManyUploadsError();
    }
    inProgress.set(userId, held + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const n = (inProgress.get(userId) ?? 1) - 1;
      if (n > 0) inProgress.set(userId, n);
      else inProgress.delete(userId);
    };
    return next.handle().pipe(
      concatMap(async (value: unknown) => {
        await removeTemporaryFiles(req);
        return value;
      }),
      catchError((error: unknown) =>
        from(
          removeTemporaryFiles(req).then(() => {
            throw req.complete ? error : new UploadAbortedError();
          }),
        ),
      ),
      finalize(release),
    );
  }
}

/** Every file multer put on the request; those already moved into a store are simply gone. */
async function removeTemporaryFiles(req: Request): Promise<void> {
  const files: { path?: string }[] = [];
  if (req.file) files.push(req.file);
  if (Array.isArray(req.files)) files.push(...req.files);
  else if (req.files) for (const list of Object.values(req.files)) files.push(...list);
  await Promise.all(files.map((f) => (f.path ? rm(f.path, { force: true }) : undefined)));
}
