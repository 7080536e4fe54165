import type { NextFunction, Request, Response } from 'express';
import pLimit from 'p-limit';
import { ServiceBusyError } from '@app/common';

/** Paths that never wait: a probe must answer while the instance is busy (that is what it reports). */
const NEVER_WAIT = new Set(['/health/live', '/metrics']);

/**
 * Admission control: at most `maxActive` requests of this instance are worked on at once; the rest wait
 * their turn in arrival order without costing any work. One Node.js thread makes no more progress on a
 * hundred requests at once than on a few (the database overlaps with the few), but each step of each
 * waits behind every other's, the liveness probe's too. A turn ends when the answer's headers go out (a
 * download then streams at the client's pace without holding one) or the client leaves. Uploads
 * (multipart) do not wait: they arrive at the client's pace and have their own per-user limit. When
 * `maxQueued` are already waiting, the next request is answered 503 with Retry-After at once.
 */
export function admission(maxActive: number, maxQueued: number) {
  const limit = pLimit(maxActive);
  return (req: Request, res: Response, next: NextFunction): void => {
    if (NEVER_WAIT.has(req.path) || req.headers['content-type']?.startsWith('multipart/')) return next();
    if (limit.pendingCount >= maxQueued)
      return next(new ServiceBusyError(`${maxQueued} requests already waiting for a turn`));
    void limit(
      () =>
        new Promise<void>((done) => {
          if (req.destroyed || res.writableEnded) return done();
          res.once('close', () => done());
          const writeHead = res.writeHead;
          res.writeHead = function (this: Response, ...args: Parameters<Response['writeHead']>) {
            done();
            return writeHead.apply(this, args);
          } as Response['writeHead'];
          next();
        }),
    );
  };
}
