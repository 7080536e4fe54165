import { Controller, Get, Logger, Res, ServiceUnavailableException } from '@nestjs/common';
import type { Response } from 'express';
import { HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { Anonymous } from '@app/auth';
import { ReadinessProbe } from './readiness.service';

/** Probes for load balancers and orchestrators; no sign-in and no session lookup. */
@Controller('health')
export class HealthController {
  private readonly logger = new Logger('Health');

  constructor(
    private readonly health: HealthCheckService,
    private readonly probe: ReadinessProbe,
  ) {}

  /**
   * Liveness: the process answers HTTP. No I/O at all (no database, no session lookup), so it stays cheap
   * under load and is the benchmark's `noop`.
   */
  @Anonymous()
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Readiness: database reachable over the probe's own connection, no pending migration, mail transport
   * configured. 200 when all are up; 503 naming each failed check under `error`.
   */
  @Anonymous()
  @Get('ready')
  ready(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    return this.readiness(res);
  }

  /** The same as /health/ready (kept for existing probes). */
  @Anonymous()
  @Get()
  check(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    return this.readiness(res);
  }

  private async readiness(res: Response): Promise<HealthCheckResult> {
    res.setHeader('Cache-Control', 'no-store');
    const database = this.probe.database();
    try {
      return await this.health.check([
        async () => (await database)[0],
        async () => (await database)[1],
        () => this.probe.mailTransport(),
      ]);
    } catch (e) {
      // Terminus throws the failed result; answered as it is (the global filter would drop the details).
      if (!(e instanceof ServiceUnavailableException)) throw e;
      const result = e.getResponse() as HealthCheckResult;
      // A warning, like a busy pool: the probe's 503 is the signal, repeated every few seconds.
      this.logger.warn(`Not ready: ${JSON.stringify(result.error)}`);
      res.status(503);
      return result;
    }
  }
}
