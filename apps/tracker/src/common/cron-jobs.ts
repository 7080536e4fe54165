import type { Logger } from '@nestjs/common';
import type { SchedulerRegistry } from '@nestjs/schedule';
import { type MikroORM, RequestContext } from '@mikro-orm/core';
import { CronJob } from 'cron';

/**
 * Runs a background job in its own unit of work (never the global EntityManager); a failure is logged
 * as `${what} failed`, never thrown, so one bad tick cannot stop the process or the schedule.
 */
export async function runJob(
  orm: MikroORM,
  logger: Logger,
  what: string,
  fn: () => Promise<unknown>,
): Promise<void> {
  try {
    await RequestContext.create(orm.em, fn);
  } catch (e) {
    logger.error(`${what} failed: ${(e as Error).stack ?? String(e)}`);
  }
}

/** Registers and starts a cron job under `name`; a tick never starts while the previous one runs. */
export function startCronJob(
  registry: SchedulerRegistry,
  name: string,
  cronTime: string,
  timeZone: string,
  onTick: () => Promise<void>,
): CronJob {
  const job = CronJob.from({ cronTime, timeZone, onTick, waitForCompletion: true, start: true });
  registry.addCronJob(name, job);
  return job;
}
