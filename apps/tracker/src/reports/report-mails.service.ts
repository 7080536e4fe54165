import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager, MikroORM, RequestContext } from '@mikro-orm/core';
import { NotFoundError } from '@app/common';
import { Access } from '@app/auth';
import { type OutboxMessage, User } from '@app/db';
import {
  OutboxRenderers,
  type OutgoingAttachment,
  PassMemo,
  type RenderedMail,
  type RenderPass,
} from '@app/mail';
import type { AnyChartConfig, Locale } from '@app/reporting';
import {
  digestCharts,
  type DigestChartName,
  type MailImage,
  renderDigest,
  renderUnitReport,
  unitReportCharts,
  type UnitChartName,
  type UnitReportModel,
} from '@app/reporting/mail';
import { RuleSetsService } from '../rule-sets/rule-sets.service';
import { ChartRenderer } from './chart-renderer.service';
import { type DigestData, ReportBuilder } from './report-builder.service';
import { digestWorkbook } from './report-workbook';

export const UNIT_REPORT = 'unit_report';
export const SUPERVISOR_DIGEST = 'supervisor_digest';
export type ReportKind = typeof UNIT_REPORT | typeof SUPERVISOR_DIGEST;

/** What regenerates a report mail: the fields an outbox row keeps. */
export interface ReportSpec {
  kind: string;
  period: string;
  locale: Locale;
  asOf?: string | null;
  unitId?: number | null;
  userId?: number | null;
  recipientName?: string | null;
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** What a unit's mails share, whoever they go to: the figures (no greeting) and the chart PNGs. */
interface UnitPart {
  model: UnitReportModel;
  charts: OutgoingAttachment[];
}

/**
 * Renders report mails (HTML, text, chart PNGs attached by cid, the digest's XLSX) from the report
 * builder's models, for the outbox worker, the previews and the CLI's dry run.
 */
@Injectable()
export class ReportMails implements OnModuleInit {
  constructor(
    private readonly orm: MikroORM,
    private readonly em: EntityManager,
    private readonly builder: ReportBuilder,
    private readonly renderers: OutboxRenderers,
    private readonly charts: ChartRenderer,
    private readonly ruleSets: RuleSetsService,
  ) {}

  onModuleInit() {
    const inContext = (m: OutboxMessage, pass?: RenderPass) =>
      RequestContext.create(this.orm.em, () => this.render(m, pass));
    this.renderers.register(UNIT_REPORT, inContext);
    this.renderers.register(SUPERVISOR_DIGEST, inContext);
  }

  /**
   * The mail of a spec. A unit's figures and charts are worked out once per unit, period, asOf and
   * locale in a pass (`pass`: the worker's, or the dry run's), however many contacts get them; each
   * contact's mail only adds its greeting.
   */
  async render(spec: ReportSpec, pass: RenderPass = new PassMemo(1)): Promise<RenderedMail> {
    const asOf = required(spec.asOf, 'asOf');
    if (spec.kind === UNIT_REPORT) {
      const unitId = required(spec.unitId, 'unitId');
      const part = await pass.memo(`${UNIT_REPORT}|${unitId}|${spec.period}|${asOf}|${spec.locale}`, () =>
        this.unitPart(unitId, spec.period, asOf, spec.locale),
      );
      const content = renderUnitReport({ ...part.model, recipientName: spec.recipientName ?? null });
      return { ...content, attachments: part.charts };
    }
    if (spec.kind === SUPERVISOR_DIGEST) {
      const provinces = await this.digestScope(required(spec.userId, 'userId'));
      const data = await this.builder.digest(provinces, spec.period, asOf, spec.locale, spec.recipientName);
      const content = renderDigest(data.model);
      const workbook: OutgoingAttachment = {
        filename: data.model.attachmentName,
        contentType: XLSX,
        content: await this.workbookOf(data, spec.locale),
      };
      return {
        ...content,
        attachments: [...(await this.pngs(digestCharts(data.model), data.model.charts)), workbook],
      };
    }
    throw new Error(`unknown report kind ${spec.kind}`);
  }

  private async unitPart(unitId: number, period: string, asOf: string, locale: Locale): Promise<UnitPart> {
    const model = await this.builder.unitReport(unitId, period, asOf, locale);
    return { model, charts: await this.pngs(unitReportCharts(model), model.charts) };
  }

  /** The HTML of a unit report as its mail would have it, without drawing its charts (the preview). */
  async unitReportHtml(unitId: number, period: string, asOf: string, locale: Locale): Promise<string> {
    return renderUnitReport(await this.builder.unitReport(unitId, period, asOf, locale)).html;
  }

  /**
   * The HTML of the digest of a scope (null: all provinces) as its mail would have it, without
   * drawing its charts or building its workbook (the preview).
   */
  async digestHtml(
    provinces: string[] | null,
    period: string,
    asOf: string,
    locale: Locale,
  ): Promise<string> {
    const { model } = await this.builder.digest(provinces, period, asOf, locale);
    return renderDigest(model).html;
  }

  /** Provinces a digest recipient oversees now: a supervisor's provinces, all (null) for an admin. */
  async digestScope(userId: number): Promise<string[] | null> {
    const user = await this.em.findOne(User, { id: userId, active: true });
    if (!user || !Access.roles('reports:digest').includes(user.role)) {
      throw new NotFoundError(`supervisor ${userId}`);
    }
    return user.role === 'admin' ? null : [...user.provinces];
  }

  async unitChart(unitId: number, period: string, asOf: string, locale: Locale, name: UnitChartName) {
    const model = await this.builder.unitReport(unitId, period, asOf, locale);
    return this.charts.render(
      unitReportCharts(model)[name],
      model.charts[name].width,
      model.charts[name].height,
    );
  }

  async digestChart(
    provinces: string[] | null,
    period: string,
    asOf: string,
    locale: Locale,
    name: DigestChartName,
  ) {
    const { model } = await this.builder.digest(provinces, period, asOf, locale);
    return this.charts.render(digestCharts(model)[name], model.charts[name].width, model.charts[name].height);
  }

  async digestWorkbook(provinces: string[] | null, period: string, asOf: string, locale: Locale) {
    const data = await this.builder.digest(provinces, period, asOf, locale);
    return { fileName: data.model.attachmentName, content: await this.workbookOf(data, locale) };
  }

  private workbookOf(data: DigestData, locale: Locale): Promise<Buffer> {
    return digestWorkbook(data.scope, this.builder.periodActivities(data.scope, data.units), locale, {
      valueLabel: (field, value) => this.ruleSets.valueLabel(field, value),
    });
  }

  /** The charts as PNG attachments, drawn side by side in the chart pool. */
  private pngs<K extends string>(
    configs: Record<K, AnyChartConfig>,
    images: Record<K, MailImage>,
  ): Promise<OutgoingAttachment[]> {
    return Promise.all(
      (Object.keys(configs) as K[]).map(async (name) => ({
        filename: `${name}.png`,
        contentType: 'image/png',
        cid: images[name].cid,
        content: await this.charts.render(configs[name], images[name].width, images[name].height),
      })),
    );
  }
}

function required<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`report mail without ${what}`);
  return value;
}
