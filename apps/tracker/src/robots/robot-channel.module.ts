import { Module } from '@nestjs/common';
import { RobotChannel } from './robot-channel';

/** The robot channel alone (no configuration pages, no report rendering): for any feature to import. */
@Module({ providers: [RobotChannel], exports: [RobotChannel] })
export class RobotChannelModule {}
