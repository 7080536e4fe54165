import { Injectable, type OnModuleInit } from '@nestjs/common';
import { EntityManager, type FilterQuery, MikroORM, RequestContext } from '@mikro-orm/core';
import { Env, InvalidInputError, NotFoundError } from '@app/common';
import { type Principal, ScopePolicy } from '@app/auth';
import { AuditLog, type OutboxMessage, Robot, type RobotKind, Unit } from '@app/db';
import {
  maskedWebhook,
  maskSecret,
  OutboxRenderers,
  OutboxService,
  type RenderedMail,
  robotRenderKind,
  webhookProblem,
} from '@app/mail';
import { ReportBuilder } from '../reports/report-builder.service';
import { SUPERVISOR_DIGEST, UNIT_REPORT } from '../reports/report-mails.service';
import type { CreateRobotDto } from './dto/robot.dto';
import { robotSpec } from './robot-channel';
import { digestMarkdown, unitReportMarkdown } from './robot-markdown';

export interface RobotView {
  id: number;
  kind: RobotKind;
  name: string;
  province: string | null;
  unitId: number | null;
  webhook: string;
  secret: string | null;
  createdAt: Date;
}

/**
 * WeCom and DingTalk group robots: configured per province or per unit (admins anywhere, supervisors
 * in their provinces), and the outbox rows that send them markdown messages.
 */
@Injectable()
export class RobotsService implements OnModuleInit {
  constructor(
    private readonly orm: MikroORM,
    private readonly em: EntityManager,
    private readonly env: Env,
    private readonly outbox: OutboxService,
    private readonly renderers: OutboxRenderers,
    private readonly builder: ReportBuilder,
  ) {}

  onModuleInit() {
    const inContext = (m: OutboxMessage) => RequestContext.create(this.orm.em, () => this.render(m));
    this.renderers.register(robotRenderKind(SUPERVISOR_DIGEST), inContext);
    this.renderers.register(robotRenderKind(UNIT_REPORT), inContext);
  }

  async list(p: Principal): Promise<RobotView[]> {
    return (await this.visible(p)).map(view);
  }

  async create(p: Principal, dto: CreateRobotDto): Promise<RobotView> {
    if ((dto.province === undefined) === (dto.unitId === undefined)) {
      throw new InvalidInputError(
        'province',
        'exactlyOne',
        '必须指定省份（province）或单位（unitId）之一',
        'Give exactly one of province and unitId',
      );
    }
    if (dto.unitId !== undefined) {
      const unit = await this.em.findOne(Unit, { $and: [{ id: dto.unitId }, ScopePolicy.units(p)] });
      if (!unit) throw new NotFoundError(`unit ${dto.unitId}`);
    } else if (!inScopeProvinces(p, dto.province as string)) {
      throw new NotFoundError(`province ${dto.province}`);
    }
    const problem = webhookProblem(dto.kind, dto.webhookUrl.trim(), this.allowedHosts());
    if (problem) {
      throw new InvalidInputError(
        'webhookUrl',
        'isWebhook',
        `webhookUrl 不是有效的${dto.kind === 'wecom' ? '企业微信' : '钉钉'}机器人地址（${problem}）`,
        `webhookUrl ${problem}`,
      );
    }
    const secret = dto.secret?.trim() || null;
    if (secret && (dto.kind !== 'dingtalk' || !/^SEC[\w-]{8,}$/.test(secret))) {
      throw new InvalidInputError(
        'secret',
        'isDingTalkSecret',
        'secret 只用于钉钉机器人，且以 SEC 开头',
        'secret is for DingTalk robots only and starts with SEC',
      );
    }
    const robot = this.em.create(Robot, {
      kind: dto.kind,
      name: dto.name.trim(),
      province: dto.province ?? null,
      unitId: dto.unitId ?? null,
      webhookUrl: dto.webhookUrl.trim(),
      secret,
      createdBy: p.id,
    });
    await this.em.flush();
    this.audit(p, 'robot_create', robot);
    await this.em.flush();
    return view(robot);
  }

  async remove(p: Principal, id: number): Promise<void> {
    const [robot] = await this.visible(p, { id });
    if (!robot) throw new NotFoundError(`robot ${id}`);
    this.audit(p, 'robot_delete', robot);
    this.em.remove(robot);
    await this.em.flush();
  }

  /**
   * The robot rows of a monthly run, rendered by the worker at send time like the mails: each
   * province robot gets its province's digest, each unit robot its unit's report. `units` are the
   * run's reported units.
   */
  async monthlySpecs(
    em: EntityManager,
    period: string,
    asOf: string,
    units: readonly Pick<Unit, 'id' | 'province'>[],
  ) {
    const provinces = [...new Set(units.map((u) => u.province))];
    const unitIds = units.map((u) => u.id);
    const robots = await em.find(
      Robot,
      { $or: [{ province: { $in: provinces.length ? provinces : ['--'] } }, { unitId: { $in: unitIds } }] },
      { orderBy: { id: 'asc' } },
    );
    return robots.map((r) =>
      r.province
        ? {
            ...robotSpec(
              r,
              `${SUPERVISOR_DIGEST}:${period}:province:${r.province}`,
              SUPERVISOR_DIGEST,
              period,
            ),
            asOf,
          }
        : {
            ...robotSpec(r, `${UNIT_REPORT}:${period}:${r.unitId}`, UNIT_REPORT, period),
            asOf,
            unitId: r.unitId,
          },
    );
  }

  /** The markdown of a monthly robot row (province digest or unit report), at send time. */
  private async render(m: OutboxMessage): Promise<RenderedMail> {
    const robot = await this.em.findOne(Robot, { id: m.robotId ?? -1 });
    if (!robot) throw new NotFoundError(`robot ${m.robotId}`);
    const asOf = m.asOf ?? m.period;
    const base = this.env.PUBLIC_URL.replace(/\/+$/, '');
    if (m.kind === SUPERVISOR_DIGEST && robot.province) {
      const data = await this.builder.digest([robot.province], m.period, asOf, 'zh');
      return asMessage(digestMarkdown(data.model, `${base}/overview?province=${robot.province}`));
    }
    if (m.kind === UNIT_REPORT && m.unitId) {
      const model = await this.builder.unitReport(m.unitId, m.period, asOf, 'zh');
      return asMessage(unitReportMarkdown(model, `${base}/units/${m.unitId}`));
    }
    throw new NotFoundError(`robot message ${m.kind}`);
  }

  /** Robots the caller sees: admins all, supervisors those of their provinces and of units in them. */
  private async visible(p: Principal, where: FilterQuery<Robot> = {}): Promise<Robot[]> {
    const robots = await this.em.find(Robot, where, { orderBy: { id: 'asc' } });
    if (p.role === 'admin') return robots;
    const unitIds = robots.flatMap((r) => (r.unitId ? [r.unitId] : []));
    const units = unitIds.length
      ? await this.em.find(
          Unit,
          { $and: [{ id: { $in: unitIds } }, ScopePolicy.units(p)] },
          { fields: ['id'] },
        )
      : [];
    const seen = new Set(units.map((u) => u.id));
    return robots.filter((r) => (r.province ? inScopeProvinces(p, r.province) : seen.has(r.unitId ?? -1)));
  }

  private allowedHosts(): string[] {
    return this.env.ROBOT_ALLOWED_HOSTS.split(',')
      .map((h) => h.trim())
      .filter(Boolean);
  }

  private audit(p: Principal, action: string, r: Robot) {
    this.em.persist(
      this.em.create(AuditLog, {
        at: new Date(),
        actorId: p.id,
        actorEmail: p.email,
        action,
        entity: 'robot',
        entityId: String(r.id),
        changes: {
          kind: r.kind,
          name: r.name,
          province: r.province,
          unitId: r.unitId,
          webhook: view(r).webhook,
        },
      }),
    );
  }
}

function inScopeProvinces(p: Principal, province: string): boolean {
  const allowed = ScopePolicy.provinces(p);
  return allowed === null || allowed.includes(province);
}

function asMessage(m: { title: string; markdown: string }): RenderedMail {
  return { subject: m.title, html: '', text: m.markdown, attachments: [] };
}

export function view(r: Robot): RobotView {
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    province: r.province ?? null,
    unitId: r.unitId ?? null,
    webhook: maskedWebhook(r.kind, r.webhookUrl),
    secret: r.secret ? maskSecret(r.secret) : null,
    createdAt: r.createdAt,
  };
}
