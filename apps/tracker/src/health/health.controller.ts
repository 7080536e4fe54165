import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, MikroOrmHealthIndicator } from '@nestjs/terminus';
import { Anonymous, Public } from '@app/auth';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: MikroOrmHealthIndicator,
  ) {}

  @Public()
  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.db.pingCheck('database')]);
  }

  /**
   * Liveness: the process answers HTTP. No I/O at all (no database, no session lookup), so it stays cheap
   * under load and is the benchmark's `noop`; `/health` is the readiness check with the database ping.
   */
  @Anonymous()
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
