import { Entity, Index, Property } from '@mikro-orm/core';
import { BaseEntity } from './base.entity';

export type RobotKind = 'wecom' | 'dingtalk';
export const ROBOT_KINDS = ['wecom', 'dingtalk'] as const satisfies readonly RobotKind[];

/**
 * A WeCom (企业微信) or DingTalk (钉钉) group robot that gets the messages of one province or of one unit
 * (exactly one of the two is set). The webhook URL carries the robot's key or token and `secret` is
 * DingTalk's signing secret: both are shown back masked only, and never logged.
 */
@Entity({ tableName: 'robots' })
@Index({ properties: ['province'] })
@Index({ properties: ['unitId'] })
export class Robot extends BaseEntity {
  @Property({ type: 'string', length: 10 })
  kind!: RobotKind;

  /** A short label for the group ("省局监管群"). */
  @Property({ type: 'string', length: 100 })
  name!: string;

  @Property({ type: 'string', length: 40, nullable: true })
  province?: string | null;

  @Property({ type: 'integer', nullable: true })
  unitId?: number | null;

  @Property({ type: 'text' })
  webhookUrl!: string;

  /** DingTalk's "加签" secret (SEC…); null when the robot does not sign. */
  @Property({ type: 'string', length: 200, nullable: true })
  secret?: string | null;

  @Property({ type: 'integer', nullable: true })
  createdBy?: number | null;
}
