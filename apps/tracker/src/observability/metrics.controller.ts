import { createHash, timingSafeEqual } from 'node:crypto';
import { Controller, Get, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Anonymous } from '@app/auth';
import { Env, UnauthorizedError } from '@app/common';
import { Metrics } from './metrics.service';

/** Prometheus scrape endpoint. Open unless METRICS_TOKEN is set; never looks up a session. */
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    private readonly env: Env,
  ) {}

  @Anonymous()
  @Get()
  async scrape(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<string> {
    const token = this.env.METRICS_TOKEN;
    if (token && !bearerMatches(req.get('authorization'), token)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new UnauthorizedError();
    }
    res.setHeader('Cache-Control', 'no-store');
    res.type(this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }
}

/** Compares digests, so the time taken tells nothing about the token (not even its length). */
function bearerMatches(header: string | undefined, token: string): boolean {
  const sent = header?.startsWith('Bearer ') ? header.slice(7).trim() : '';
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(sent), digest(token)) && sent.length > 0;
}
