import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { MailModule } from '@app/mail';
import { HealthController } from './health.controller';
import { ReadinessProbe } from './readiness.service';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), MailModule],
  controllers: [HealthController],
  providers: [ReadinessProbe],
})
export class HealthModule {}
