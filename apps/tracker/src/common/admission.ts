import type { NextFunction, Request, Response } from 'express';
import pLimit from 'p-limit';
import { ServiceBusyError } from '@app/common';

/** Paths that never wait: a probe must answer while the instance is busy (that is what it reports). */
const NEVER_WAIT = new Set(['/health/live', '/metrics']);

/**
 * Admission control: at most `maxActive` requests of this instance run at once; the rest wait their turn
 * in arrival order without costing any work. A hundred requests running at once make no more progress
 * than a few dozen (the same two cores, the same database pool), but each step of each of them waits
 * behind all the others' steps, so every answer, the liveness probe's too, gets slower. When `maxQueued`
 * are already waiting, the next one is answered 503 with Retry-After at once.
 */
export function admission(maxActive: number, maxQueued: number) {
  const limit = pLimit(maxActive);
  return (req: Request, res: Response, next: NextFunction): void => {
    if (NEVER_WAIT.has(req.path)) return next();
    if (limit.pendingCount >= maxQueued)
      return next(new ServiceBusyError(`${maxQueued} requests already waiting for a turn`));
    void limit(
      () =>
        new Promise<void>((done) => {
          // A client that left while waiting frees its turn at once.
          if (req.destroyed || res.writableEnded) return done();
          res.once('close', () => done());
          next();
        }),
    );
  };
}
