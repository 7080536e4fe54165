import { type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { ActivitiesModule } from '../activities/activities.module';
import { AuthHttpModule } from '../auth/auth.module';
import { ComplianceModule } from '../compliance/compliance.module';
import { EvidenceModule } from '../evidence/evidence.module';
import { ReportsModule } from '../reports/reports.module';
import { UnitsModule } from '../units/units.module';
import { UsersModule } from '../users/users.module';
import { AssetsMiddleware, AssetsService } from './assets.service';
import { ExportsService } from './exports/exports.service';
import { PageErrorFilter } from './page-error.filter';
import { ViewsService } from './views.service';
import { SessionPagesController } from './controllers/session-pages.controller';
import { UnitPagesController } from './controllers/unit-pages.controller';
import { ActivityPagesController } from './controllers/activity-pages.controller';
import { OverviewPagesController } from './controllers/overview-pages.controller';
import { ReviewPagesController } from './controllers/review-pages.controller';
import { AdminPagesController } from './controllers/admin-pages.controller';
import { AdminRecordsController } from './controllers/admin-records.controller';

/** The dashboard pages at `/` (the API stays at /api/v1): server-rendered, calling the same services. */
@Module({
  imports: [
    AuthHttpModule,
    UnitsModule,
    UsersModule,
    ComplianceModule,
    ActivitiesModule,
    EvidenceModule,
    ReportsModule,
  ],
  controllers: [
    SessionPagesController,
    UnitPagesController,
    ActivityPagesController,
    OverviewPagesController,
    ReviewPagesController,
    AdminPagesController,
    AdminRecordsController,
  ],
  providers: [AssetsService, ViewsService, PageErrorFilter, ExportsService],
})
export class WebModule implements NestModule {
  configure(consumer: MiddlewareConsumer) {
    consumer.apply(AssetsMiddleware).forRoutes({ path: 'assets/*path', method: RequestMethod.GET });
  }
}
