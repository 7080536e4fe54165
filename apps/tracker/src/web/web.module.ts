import {
  type MiddlewareConsumer,
  Module,
  type NestModule,
  type OnModuleInit,
  RequestMethod,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import { t } from '@app/reporting/i18n';
import { ActivitiesModule } from '../activities/activities.module';
import { AuthHttpModule } from '../auth/auth.module';
import { ComplianceModule } from '../compliance/compliance.module';
import { EvidenceModule } from '../evidence/evidence.module';
import { CommentsModule } from '../comments/comments.module';
import { NoticesModule } from '../notices/notices.module';
import { ReportsModule } from '../reports/reports.module';
import { UnitsModule } from '../units/units.module';
import { UsersModule } from '../users/users.module';
import { AssetsMiddleware, AssetsService } from './assets.service';
import { ExportsService } from './exports/exports.service';
import { PageErrorFilter } from './page-error.filter';
import { ViewsService } from './views.service';
import { type PageRequest, requestLocale } from './locale';
import { SessionPagesController } from './controllers/session-pages.controller';
import { AccountPagesController } from './controllers/account-pages.controller';
import { OidcPagesController } from './controllers/oidc-pages.controller';
import { UnitPagesController } from './controllers/unit-pages.controller';
import { ActivityPagesController } from './controllers/activity-pages.controller';
import { OverviewPagesController } from './controllers/overview-pages.controller';
import { ReviewPagesController } from './controllers/review-pages.controller';
import { AdminPagesController } from './controllers/admin-pages.controller';
import { AdminRecordsController } from './controllers/admin-records.controller';
import { RobotPagesController } from './controllers/robot-pages.controller';
import { CalendarPagesController } from './controllers/calendar-pages.controller';
import { RemindersModule } from '../reminders/reminders.module';
import { CalendarModule } from '../calendar/calendar.module';
import { PeriodsModule } from '../periods/periods.module';
import { LifecyclePagesController } from './controllers/lifecycle-pages.controller';
import { IntegrityPagesController } from './controllers/integrity-pages.controller';
import { LeaguePagesController } from './controllers/league-pages.controller';

/** The dashboard pages at `/` (the API stays at /api/v1): server-rendered, calling the same services. */
@Module({
  imports: [
    AuthHttpModule,
    UnitsModule,
    UsersModule,
    ComplianceModule,
    ActivitiesModule,
    EvidenceModule,
    CommentsModule,
    NoticesModule,
    ReportsModule,
    RemindersModule,
    CalendarModule,
    PeriodsModule,
  ],
  controllers: [
    SessionPagesController,
    AccountPagesController,
    OidcPagesController,
    UnitPagesController,
    ActivityPagesController,
    OverviewPagesController,
    ReviewPagesController,
    AdminPagesController,
    AdminRecordsController,
    RobotPagesController,
    CalendarPagesController,
    LifecyclePagesController,
    IntegrityPagesController,
    LeaguePagesController,
  ],
  providers: [AssetsService, ViewsService, PageErrorFilter, ExportsService],
})
export class WebModule implements NestModule, OnModuleInit {
  constructor(
    private readonly adapter: HttpAdapterHost,
    private readonly views: ViewsService,
  ) {}

  configure(consumer: MiddlewareConsumer) {
    consumer.apply(AssetsMiddleware).forRoutes({ path: 'assets/*path', method: RequestMethod.GET });
  }

  /**
   * Runs after every route is registered: a browser asking for a page that does not exist gets a
   * page saying so; API paths and non-HTML requests keep the JSON 404.
   */
  onModuleInit() {
    const app = this.adapter.httpAdapter?.getInstance?.() as
      { use(fn: (req: Request, res: Response, next: NextFunction) => void): void } | undefined;
    app?.use((req, res, next) => {
      if (req.method !== 'GET' || req.path.startsWith('/api/') || req.accepts(['html', 'json']) !== 'html') {
        return next();
      }
      const r = req as PageRequest;
      this.views.page(
        r,
        res,
        'error.njk',
        { status: 404, message: t(requestLocale(r), 'web.error.404') },
        404,
      );
    });
  }
}
