import { createHash } from 'node:crypto';
import { type PassThrough, type Readable, Transform } from 'node:stream';
import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';
import { ZipFile } from 'yazl';
import {
  type Cycle,
  LABELS,
  type PeriodFigure,
  periodContaining,
  periodsOf,
  provinceByCode,
  scoreTable,
  type UnitStatus,
} from '@app/compliance';
import { NotFoundError } from '@app/common';
import { Activity, EvidenceFile, Unit } from '@app/db';
import { Access, type Principal, ScopePolicy } from '@app/auth';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { ComplianceService } from '../compliance/compliance.service';
import { EvidenceStore } from '../evidence/evidence.store';
import { RuleSetsService } from '../rule-sets/rule-sets.service';
import { selfEvaluationDocx, workSummaryDocx } from './pack-documents';
import { evidenceIndexXlsx } from './pack-index';
import { GENERATOR, type PackActivity, type PackData, type PackFile, type PackPeriod } from './pack-model';
import { UniqueNames, zipSegment } from './pack-paths';
import { ScoringTablesService } from './scoring-tables.service';

export const SELF_EVALUATION = '自我评价报告.docx';
export const WORK_SUMMARY = '工作总结.docx';
export const EVIDENCE_INDEX = '证明材料索引.xlsx';
export const EVIDENCE_DIR = '证明材料';
export const UNVERIFIED_DIR = '未核实';
export const MANIFEST = 'manifest.json';

export interface AcceptancePack {
  fileName: string;
  /** Exact length of the zip (every entry is stored with a known size). */
  size: number | null;
  stream: Readable;
}

/**
 * A unit's acceptance pack (验收材料包) for its cycle: the self-evaluation and work-summary drafts, the
 * evidence index, every evidence file and a manifest, as one zip streamed to the caller. Everything the
 * documents say is read first (a unit's figures and activity list are small); the evidence bytes are
 * then streamed one file after another from the store, so memory stays bounded however large the
 * evidence is. Each file's SHA-256 is checked while it streams against the one recorded at upload; a
 * mismatch aborts the download rather than hand out a pack whose manifest lies.
 */
@Injectable()
export class AcceptanceService {
  private readonly logger = new Logger('AcceptancePack');

  constructor(
    private readonly em: EntityManager,
    private readonly ruleSets: RuleSetsService,
    private readonly compliance: ComplianceService,
    private readonly scoring: ScoringTablesService,
    private readonly store: EvidenceStore,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** The pack of a unit in the caller's scope (else 404, so existence does not leak). */
  async pack(p: Principal, unitId: number): Promise<AcceptancePack> {
    Access.assert(p, 'units:acceptancePack');
    const unit = await this.em.findOne(Unit, { $and: [{ id: unitId }, ScopePolicy.units(p)] });
    if (!unit || !Access.can(p, 'units:acceptancePack', unit)) throw new NotFoundError(`unit ${unitId}`);
    const data = await this.collect(unit);
    const docs: [string, Buffer][] = [
      [SELF_EVALUATION, await selfEvaluationDocx(data)],
      [WORK_SUMMARY, await workSummaryDocx(data)],
      [EVIDENCE_INDEX, await evidenceIndexXlsx(data)],
    ];
    const files = data.activities.flatMap((a) => a.files);
    const present = files.filter((f) => !f.missing);
    this.audit.record(p, 'export', 'unit', unit.id, {
      kind: 'acceptancePack',
      evidenceFiles: present.length,
      evidenceBytes: present.reduce((s, f) => s + f.size, 0),
      missing: files.length - present.length,
    });
    await this.em.flush();
    const { stream, size } = await this.zip(data, docs, present);
    return { fileName: `验收材料包-${zipSegment(unit.name)}-${data.today}.zip`, size, stream };
  }

  /** Everything the pack says, read before the first byte is sent. */
  async collect(unit: Unit): Promise<PackData> {
    const ruleSet = this.ruleSets.get(unit.program, unit.ruleSetVersion);
    const cycle: Cycle = { start: unit.cycleStart, end: unit.cycleEnd };
    const today = this.clock.today();
    const periods: PackPeriod[] = [];
    for (const period of periodsOf(ruleSet, cycle)) {
      const view = await this.compliance.forUnit(unit, period.start, today);
      periods.push({
        index: period.index,
        start: period.start,
        end: period.end,
        year: period.start.slice(0, 4),
        running: today <= period.end,
        requirements: view.requirements.map((r) => ({
          key: r.key,
          label: r.label.zh,
          shortLabel: r.shortLabel.zh,
          unit: r.unit.zh,
          scope: ruleSet.requirements.find((q) => q.key === r.key)?.period ?? 'annual',
          start: r.period.start,
          end: r.period.end,
          minimum: r.minimum,
          ruleMinimum: r.ruleMinimum,
          targeted: r.targeted,
          verified: r.verified,
          pending: r.pending,
          status: r.status,
        })),
      });
    }

    const activities = await this.em.find(
      Activity,
      { unit: unit.id, deletedAt: null },
      { populate: ['reviewedBy'], orderBy: [{ date: 'asc' }, { id: 'asc' }] },
    );
    const evidence = await this.em.find(
      EvidenceFile,
      { activity: { unit: unit.id, deletedAt: null }, deletedAt: null },
      { orderBy: { id: 'asc' } },
    );
    const byActivity = new Map<number, EvidenceFile[]>();
    for (const f of evidence) {
      const list = byActivity.get(f.activity.id) ?? [];
      list.push(f);
      byActivity.set(f.activity.id, list);
    }

    const names = new UniqueNames();
    const packActivities: PackActivity[] = [];
    for (const a of activities) {
      const period = periodContaining(ruleSet, cycle, a.date);
      const label = this.ruleSets.requirementLabel(unit.program, unit.ruleSetVersion, a.requirement).zh;
      const parent = [
        EVIDENCE_DIR,
        ...(a.status === 'verified' ? [] : [UNVERIFIED_DIR]),
        period.start.slice(0, 4),
        zipSegment(label),
      ].join('/');
      const own = byActivity.get(a.id) ?? [];
      const folder = own.length ? `${parent}/${names.take(parent, zipSegment(`${a.date}-${a.title}`))}` : '';
      const files: PackFile[] = [];
      for (const f of own) {
        const onDisk = await this.store.size(f.storedName);
        const missing = onDisk !== f.size;
        if (missing) {
          this.logger.warn(
            `evidence ${f.id} (${f.storedName}) is ${onDisk === null ? 'missing' : `${onDisk} bytes, not ${f.size}`} in the store; left out of the pack of unit ${unit.id}`,
          );
        }
        files.push({
          evidenceId: f.id,
          originalName: f.originalName,
          storedName: f.storedName,
          size: f.size,
          sha256: f.sha256,
          path: missing ? '' : `${folder}/${names.take(folder, zipSegment(f.originalName, 120))}`,
          missing,
        });
      }
      packActivities.push({
        id: a.id,
        requirement: a.requirement,
        requirementLabel: label,
        date: a.date,
        title: a.title,
        status: a.status as PackActivity['status'],
        reviewer: a.reviewedBy?.name ?? null,
        reviewedAt: a.reviewedAt ?? null,
        period: period.index,
        files,
      });
    }

    const table = this.scoring.of(unit.program);
    const figures = new Map<string, PeriodFigure>();
    for (const period of periods) {
      for (const r of period.requirements) {
        // A per-cycle requirement shows in every period with the same figure: it counts once.
        figures.set(`${r.key}|${r.start}`, {
          requirement: r.key,
          periodStart: r.start,
          verified: r.verified,
          minimum: r.minimum,
        });
      }
    }
    const province = provinceByCode(unit.province);
    return {
      unit: {
        id: unit.id,
        name: unit.name,
        creditCode: unit.creditCode,
        province: unit.province,
        provinceName: province?.zh ?? unit.province,
        industry: unit.industry,
        kind: LABELS.unitKind[unit.kind]?.zh ?? unit.kind,
        status: LABELS.unitStatus[unit.status as UnitStatus]?.zh ?? unit.status,
        contacts: unit.contacts.map((c) => ({ name: c.name, email: c.email })),
      },
      cycle,
      ruleSet: { program: ruleSet.program, version: ruleSet.version, name: ruleSet.name },
      today,
      createdAt: new Date(),
      periods,
      activities: packActivities,
      scoring: table ? { table, score: scoreTable(table, [...figures.values()]) } : null,
    };
  }

  /**
   * The zip: documents (small, in memory), then each evidence file opened only when its turn comes,
   * then the manifest. Entries are stored (not deflated: PDFs, images and Office files are compressed
   * already), so every size is known and the zip's length is exact before the first byte.
   */
  private async zip(
    data: PackData,
    docs: [string, Buffer][],
    files: PackFile[],
  ): Promise<{ stream: Readable; size: number | null }> {
    const zip = new ZipFile();
    // yazl's output is a Node PassThrough (its typings say a web ReadableStream).
    const output = zip.outputStream as unknown as PassThrough;
    const mtime = data.createdAt;
    const listed: { path: string; sha256: string; size: number }[] = [];
    for (const [path, bytes] of docs) {
      zip.addBuffer(bytes, path, { mtime, compress: false });
      listed.push({ path, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length });
    }
    const open = new Set<Readable>();
    const fail = (error: Error) => {
      this.logger.error(`acceptance pack of unit ${data.unit.id} aborted: ${error.message}`);
      output.destroy(error);
    };
    for (const f of files) {
      zip.addReadStreamLazy(f.path, { mtime, size: f.size, compress: false }, (cb) => {
        const stream = this.checked(f, fail);
        open.add(stream);
        stream.once('close', () => open.delete(stream));
        cb(null, stream);
      });
      listed.push({ path: f.path, sha256: f.sha256, size: f.size });
    }
    // A client that goes away stops the reading too (no open file left behind).
    output.once('close', () => {
      for (const s of open) s.destroy();
    });
    zip.on('error', (error: Error) => fail(error));
    const missing = data.activities.flatMap((a) =>
      a.files
        .filter((f) => f.missing)
        .map((f) => ({ evidenceId: f.evidenceId, activityId: a.id, originalName: f.originalName })),
    );
    const manifest = {
      unit: {
        id: data.unit.id,
        name: data.unit.name,
        creditCode: data.unit.creditCode,
        province: data.unit.province,
        industry: data.unit.industry,
      },
      cycle: data.cycle,
      ruleSet: { program: data.ruleSet.program, version: data.ruleSet.version },
      createdAt: data.createdAt.toISOString(),
      figuresAt: data.today,
      generator: GENERATOR,
      files: listed,
      ...(missing.length ? { missing } : {}),
    };
    zip.addBuffer(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8'), MANIFEST, {
      mtime,
      compress: false,
    });
    // The typings omit the callback's argument: the zip's total length, or -1 when it cannot be known.
    const end = zip.end.bind(zip) as (options: object, done: (size: number) => void) => void;
    const size = await new Promise<number>((resolve) => end({}, resolve));
    return { stream: output, size: size >= 0 ? size : null };
  }

  /** The stored bytes of `f`, hashed as they pass; a different SHA-256 at the end is an error. */
  private checked(f: PackFile, fail: (error: Error) => void): Readable {
    const source = this.store.open(f.storedName);
    const hash = createHash('sha256');
    const check = new Transform({
      transform(chunk: Buffer, _encoding, cb) {
        hash.update(chunk);
        cb(null, chunk);
      },
      flush(cb) {
        const got = hash.digest('hex');
        cb(
          got === f.sha256
            ? null
            : new Error(`evidence ${f.evidenceId}: SHA-256 ${got}, recorded ${f.sha256}`),
        );
      },
    });
    source.once('error', (error) => check.destroy(error));
    check.once('error', fail);
    check.once('close', () => source.destroy());
    return source.pipe(check);
  }
}
