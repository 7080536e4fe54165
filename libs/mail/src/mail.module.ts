import { Global, Module } from '@nestjs/common';
import { MailTransport } from './mail.transport';
import { OutboxRenderers } from './outbox.renderers';
import { OutboxService } from './outbox.service';
import { OutboxWorker } from './outbox.worker';
import { RobotSender } from './robot.sender';

/** The outbox, its worker and the transport. Global: any feature may enqueue mail. */
@Global()
@Module({
  providers: [MailTransport, OutboxRenderers, OutboxService, OutboxWorker, RobotSender],
  exports: [MailTransport, OutboxRenderers, OutboxService, OutboxWorker, RobotSender],
})
export class MailModule {}
