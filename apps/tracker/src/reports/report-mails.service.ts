import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager, MikroORM, RequestContext } from '@mikro-orm/core';
import { NotFoundError } from '@app/common';
import { type OutboxMessage, User } from '@app/db';
import { OutboxRenderers, type OutgoingAttachment, type RenderedMail } from '@app/mail';
import { type AnyChartConfig, type Locale, registerChartFonts, renderChartPng } from '@app/reporting';
import {
  digestCharts,
  type DigestChartName,
  type MailImage,
  renderDigest,
  renderUnitReport,
  unitReportCharts,
  type UnitChartName,
} from '@app/reporting/mail';
import type { ScopeComplianceView } from '../compliance/compliance.types';
import { ReportBuilder } from './report-builder.service';
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
  ) {}

  onModuleInit() {
    // Once per process, before any chart is drawn.
    registerChartFonts();
    const inContext = (m: OutboxMessage) => RequestContext.create(this.orm.em, () => this.render(m));
    this.renderers.register(UNIT_REPORT, inContext);
    this.renderers.register(SUPERVISOR_DIGEST, inContext);
  }

  async render(spec: ReportSpec): Promise<RenderedMail> {
    const asOf = required(spec.asOf, 'asOf');
    if (spec.kind === UNIT_REPORT) {
      const model = await this.builder.unitReport(
        required(spec.unitId, 'unitId'),
        spec.period,
        asOf,
        spec.locale,
        spec.recipientName,
      );
      const content = renderUnitReport(model);
      return { ...content, attachments: await pngs(unitReportCharts(model), model.charts) };
    }
    if (spec.kind === SUPERVISOR_DIGEST) {
      const provinces = await this.digestScope(required(spec.userId, 'userId'));
      const data = await this.builder.digest(provinces, spec.period, asOf, spec.locale, spec.recipientName);
      const content = renderDigest(data.model);
      const workbook: OutgoingAttachment = {
        filename: data.model.attachmentName,
        contentType: XLSX,
        content: await this.workbookOf(data.scope, spec.locale),
      };
      return {
        ...content,
        attachments: [...(await pngs(digestCharts(data.model), data.model.charts)), workbook],
      };
    }
    throw new Error(`unknown report kind ${spec.kind}`);
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
    if (!user || (user.role !== 'supervisor' && user.role !== 'admin')) {
      throw new NotFoundError(`supervisor ${userId}`);
    }
    return user.role === 'admin' ? null : [...user.provinces];
  }

  async unitChart(unitId: number, period: string, asOf: string, locale: Locale, name: UnitChartName) {
    const model = await this.builder.unitReport(unitId, period, asOf, locale);
    return renderChartPng(unitReportCharts(model)[name], model.charts[name].width, model.charts[name].height);
  }

  async digestChart(
    provinces: string[] | null,
    period: string,
    asOf: string,
    locale: Locale,
    name: DigestChartName,
  ) {
    const { model } = await this.builder.digest(provinces, period, asOf, locale);
    return renderChartPng(digestCharts(model)[name], model.charts[name].width, model.charts[name].height);
  }

  async digestWorkbook(provinces: string[] | null, period: string, asOf: string, locale: Locale) {
    const data = await this.builder.digest(provinces, period, asOf, locale);
    return { fileName: data.model.attachmentName, content: await this.workbookOf(data.scope, locale) };
  }

  private async workbookOf(scope: ScopeComplianceView, locale: Locale): Promise<Buffer> {
    return digestWorkbook(scope, await this.builder.periodActivities(scope), locale);
  }
}

async function pngs<K extends string>(
  configs: Record<K, AnyChartConfig>,
  images: Record<K, MailImage>,
): Promise<OutgoingAttachment[]> {
  const out: OutgoingAttachment[] = [];
  for (const name of Object.keys(configs) as K[]) {
    const img = images[name];
    out.push({
      filename: `${name}.png`,
      contentType: 'image/png',
      cid: img.cid,
      content: await renderChartPng(configs[name], img.width, img.height),
    });
  }
  return out;
}

function required<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`report mail without ${what}`);
  return value;
}
