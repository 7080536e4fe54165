import { Module } from '@nestjs/common';
import { RobotChannelModule } from '../robots/robot-channel.module';
import { NoticesController } from './notices.controller';
import { NoticesScheduler } from './notices.scheduler';
import { NoticesService } from './notices.service';

/** Event notices (rejections, verification batches, submission digests) and each user's choices. */
@Module({
  imports: [RobotChannelModule],
  controllers: [NoticesController],
  providers: [NoticesService, NoticesScheduler],
  exports: [NoticesService],
})
export class NoticesModule {}
