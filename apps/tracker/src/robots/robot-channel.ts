import { Injectable } from '@nestjs/common';
import { EntityManager, type FilterQuery } from '@mikro-orm/core';
import { Robot } from '@app/db';
import { type EnqueueResult, maskedWebhook, OutboxService, type RenderedMail } from '@app/mail';

/** Where a message goes: the robots of a province, of a unit, or both. */
export interface RobotScope {
  province?: string | null;
  unitId?: number | null;
}

/** A message for robots, rendered up front. */
export interface RobotMessage {
  /** The idempotency key of the message without any address; each robot's row adds `:robot:<id>`. */
  keyBase: string;
  kind: string;
  /** YYYY-MM, like every outbox row's period. */
  period: string;
  /** DingTalk shows it in the notification; WeCom ignores it. */
  title: string;
  /** Markdown both platforms render (headings, bold, links, lists); cut to WeCom's 4096 bytes. */
  markdown: string;
}

/**
 * The robots' side of the outbox for any feature (notices, reminders, the monthly run): queues a
 * message for the group robots in a scope. Kept apart from RobotsService (configuration and the
 * monthly reports' rendering) so features the reports depend on can use it too.
 */
@Injectable()
export class RobotChannel {
  constructor(private readonly outbox: OutboxService) {}

  /**
   * Queues `message` for every robot of the province and of the unit given, one outbox row per robot
   * with the key `${keyBase}:robot:${robotId}` (enqueueing again adds nothing), sent by the outbox
   * worker within the robots' limit of 20 messages a minute and retried like mails. Pass the
   * transaction's EntityManager to queue atomically with the change the message is about. Scopes with
   * no robot queue nothing.
   */
  async enqueueFor(em: EntityManager, scope: RobotScope, message: RobotMessage): Promise<EnqueueResult> {
    const robots = await this.robotsOf(em, scope);
    const rendered: RenderedMail = {
      subject: message.title,
      html: '',
      text: message.markdown,
      attachments: [],
    };
    return this.outbox.enqueue(
      robots.map((r) => ({ ...robotSpec(r, message.keyBase, message.kind, message.period), rendered })),
      em,
    );
  }

  robotsOf(em: EntityManager, scope: RobotScope): Promise<Robot[]> {
    const or: FilterQuery<Robot>[] = [];
    if (scope.province) or.push({ province: scope.province });
    if (scope.unitId) or.push({ unitId: scope.unitId });
    if (!or.length) return Promise.resolve([]);
    return em.find(Robot, { $or: or }, { orderBy: { id: 'asc' } });
  }
}

/** One robot's outbox row for a message keyed `keyBase`. */
export function robotSpec(r: Robot, keyBase: string, kind: string, period: string) {
  return {
    idempotencyKey: `${keyBase}:robot:${r.id}`,
    kind,
    period,
    channel: r.kind,
    robotId: r.id,
    recipient: maskedWebhook(r.kind, r.webhookUrl),
    recipientName: r.name,
    locale: 'zh' as const,
  };
}
