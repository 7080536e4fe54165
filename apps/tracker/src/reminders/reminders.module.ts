import { Module } from '@nestjs/common';
import { MailModule } from '@app/mail';
import { ComplianceModule } from '../compliance/compliance.module';
import { RobotChannelModule } from '../robots/robot-channel.module';
import { RemindersController } from './reminders.controller';
import { RemindersScheduler } from './reminders.scheduler';
import { RemindersService } from './reminders.service';

/** Deadline reminders: the per-program days, the daily job, the mails. */
@Module({
  imports: [MailModule, ComplianceModule, RobotChannelModule],
  controllers: [RemindersController],
  providers: [RemindersService, RemindersScheduler],
  exports: [RemindersService],
})
export class RemindersModule {}
