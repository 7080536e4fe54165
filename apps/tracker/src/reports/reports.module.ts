import { Module } from '@nestjs/common';
import { MailModule } from '@app/mail';
import { ActivitiesModule } from '../activities/activities.module';
import { ComplianceModule } from '../compliance/compliance.module';
import { ChartRenderer } from './chart-renderer.service';
import { OutboxController } from './outbox.controller';
import { ReportBuilder } from './report-builder.service';
import { ReportMails } from './report-mails.service';
import { ReportQueries } from './report-queries';
import { ReportsController } from './reports.controller';
import { ReportsScheduler } from './reports.scheduler';
import { ReportsService } from './reports.service';
import { ProvinceYearController } from './province-year.controller';
import { ProvinceYearService } from './province-year.service';
import { RobotsController } from '../robots/robots.controller';
import { RobotsService } from '../robots/robots.service';
import { RobotChannelModule } from '../robots/robot-channel.module';

/**
 * Monthly report e-mails: recipients, rendering, schedule, previews, the outbox endpoints, and the group
 * robots (WeCom, DingTalk) the reports also go to.
 */
@Module({
  imports: [MailModule, ComplianceModule, ActivitiesModule, RobotChannelModule],
  controllers: [ReportsController, OutboxController, RobotsController, ProvinceYearController],
  providers: [
    ReportBuilder,
    ReportQueries,
    ReportMails,
    ChartRenderer,
    ReportsService,
    ReportsScheduler,
    RobotsService,
    ProvinceYearService,
  ],
  exports: [ReportsService, ReportMails, ReportBuilder, RobotsService, ProvinceYearService],
})
export class ReportsModule {}
