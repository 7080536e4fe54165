import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { ScheduleModule } from '@nestjs/schedule';
import { Env, validateEnv } from '@app/common';
import { ormOptions } from '@app/db';
import { AuthModule } from '@app/auth';
import { AuditModule } from './audit/audit.module';
import { HealthModule } from './health/health.module';
import { ObservabilityModule } from './observability/observability.module';
import { AuthHttpModule } from './auth/auth.module';
import { UsersModule } from './users/users.module';
import { RuleSetsModule } from './rule-sets/rule-sets.module';
import { ClockModule } from './common/clock';
import { ComplianceModule } from './compliance/compliance.module';
import { IntegrityModule } from './integrity/integrity.module';
import { UnitsModule } from './units/units.module';
import { WebModule } from './web/web.module';
import { ActivitiesModule } from './activities/activities.module';
import { ReviewsModule } from './reviews/reviews.module';
import { EvidenceModule } from './evidence/evidence.module';
import { CommentsModule } from './comments/comments.module';
import { ReportsModule } from './reports/reports.module';
import { RemindersModule } from './reminders/reminders.module';
import { CalendarModule } from './calendar/calendar.module';
import { AcceptanceModule } from './acceptance/acceptance.module';
import { PeriodsModule } from './periods/periods.module';

/**
 * The one deployable. `overrides` lets tests and the CLI start it with their own settings; everything
 * else comes from the environment, validated here before anything starts.
 */
@Module({})
export class AppModule {
  static forRoot(overrides: Record<string, string | undefined> = {}): DynamicModule {
    const env = validateEnv({ ...process.env, ...overrides });
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => ({ ...env })] }),
        MikroOrmModule.forRoot(
          ormOptions(env.DATABASE_URL, env.DATA_DIR, false, {
            size: env.DATABASE_POOL_SIZE,
            acquireTimeoutMs: env.DATABASE_POOL_TIMEOUT_MS,
          }),
        ),
        // Registered once; jobs are added only on instances that run them (ROLE all or worker).
        ScheduleModule.forRoot(),
        EnvModule.register(env),
        ObservabilityModule,
        AuthModule,
        AuditModule,
        HealthModule,
        RuleSetsModule,
        ClockModule,
        ComplianceModule,
        IntegrityModule,
        AuthHttpModule,
        UsersModule,
        UnitsModule,
        ActivitiesModule,
        ReviewsModule,
        EvidenceModule,
        CommentsModule,
        ReportsModule,
        RemindersModule,
        CalendarModule,
        AcceptanceModule,
        PeriodsModule,
        WebModule,
      ],
    };
  }
}

/** Makes the validated settings injectable as `Env` everywhere. */
@Module({})
class EnvModule {
  static register(env: Env): DynamicModule {
    return { module: EnvModule, global: true, providers: [{ provide: Env, useValue: env }], exports: [Env] };
  }
}
