import { Injectable } from '@nestjs/common';
import { EntityManager, type FilterQuery, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ConflictError, Env, InvalidInputError, NotFoundError } from '@app/common';
import { Activity, Unit, UnitTarget } from '@app/db';
import type { Cycle, RuleSet } from '@app/compliance';
import { type Principal, ScopePolicy } from '@app/auth';
import { AuditService } from '../audit/audit.service';
import { type Page, pageOptions } from '../common/pagination';
import { flattenErrors } from '../common/validation';
import { ComplianceCounts } from '../compliance/compliance-counts.service';
import { RuleSetsService } from '../rule-sets/rule-sets.service';
import { CreateUnitDto, cycleProblem, DEFAULT_PROGRAM, UnitQuery, UpdateUnitDto } from './dto/unit.dto';
import { importMaxBytes, isBlankRow, parseUnitFile, rowToUnitInput, zhFieldLabel } from './unit-file';
import { targetProblem } from './unit-targets.rules';

export type UnitView = ReturnType<typeof UnitsService.view>;

export interface ImportRowError {
  /** Row of the sheet as the user sees it: the header is row 1, the first data row is row 2. */
  row: number;
  field: string;
  message: string;
  messageZh: string;
}

export interface ImportReport {
  dryRun: boolean;
  /** Non-blank data rows read. */
  rows: number;
  /** Rows that passed every check (created unless dryRun). */
  valid: number;
  created: number;
  errors: ImportRowError[];
  /** Columns whose header matched no field; their values were not imported. */
  ignoredColumns: string[];
}

export interface ImportOptions {
  dryRun?: boolean;
  onProgress?: (done: number, total: number) => void;
}

/** The actor of a change: a signed-in user, or null for the command line. */
type Actor = Principal | null;

@Injectable()
export class UnitsService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
    private readonly ruleSets: RuleSetsService,
    private readonly counts: ComplianceCounts,
    private readonly env: Env,
  ) {}

  static view(u: Unit) {
    return {
      id: u.id,
      name: u.name,
      creditCode: u.creditCode,
      province: u.province,
      industry: u.industry,
      kind: u.kind,
      program: u.program,
      ruleSetVersion: u.ruleSetVersion,
      cycleStart: u.cycleStart,
      cycleEnd: u.cycleEnd,
      contacts: u.contacts.map((c) => ({ ...c })),
      status: u.status,
      createdAt: u.createdAt,
      updatedAt: u.updatedAt,
    };
  }

  async list(p: Principal, q: UnitQuery): Promise<Page<UnitView>> {
    const where: FilterQuery<Unit>[] = [ScopePolicy.units(p)];
    if (q.province) where.push({ province: q.province });
    if (q.industry) where.push({ industry: q.industry });
    if (q.status) where.push({ status: q.status });
    if (q.kind) where.push({ kind: q.kind });
    if (q.cohort) where.push({ cycleStart: { $gte: `${q.cohort}-01-01`, $lte: `${q.cohort}-12-31` } });
    const qb = (this.em as SqlEntityManager).createQueryBuilder(Unit, 'u').where({ $and: where });
    if (q.q?.trim()) {
      // LIKE wildcards in the search text are literal; the same ESCAPE clause works on both databases.
      const pattern = `%${q.q
        .trim()
        .toLowerCase()
        .replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      qb.andWhere(`(lower(u.name) like ? escape '\\' or lower(u.credit_code) like ? escape '\\')`, [
        pattern,
        pattern,
      ]);
    }
    const { limit, offset } = pageOptions(q);
    const [items, total] = await qb.orderBy({ id: 'asc' }).limit(limit).offset(offset).getResultAndCount();
    return { items: items.map(UnitsService.view), total, page: q.page, pageSize: q.pageSize };
  }

  /** Every industry of the units the caller sees (in one province when given), for filters. */
  async industries(p: Principal, province?: string): Promise<string[]> {
    const where: FilterQuery<Unit>[] = [ScopePolicy.units(p)];
    if (province) where.push({ province });
    const rows = await (this.em as SqlEntityManager)
      .createQueryBuilder(Unit, 'u')
      .select('industry', true)
      .where({ $and: where })
      .execute<{ industry: string }[]>('all');
    return rows.map((r) => r.industry).sort();
  }

  /** Names of the units of `ids` the caller may see, in one query (others are left out). */
  async namesOf(p: Principal, ids: readonly number[]): Promise<Record<number, string>> {
    if (!ids.length) return {};
    const units = await this.em.find(
      Unit,
      { $and: [{ id: { $in: [...new Set(ids)] } }, ScopePolicy.units(p)] },
      { fields: ['id', 'name'] },
    );
    return Object.fromEntries(units.map((u) => [u.id, u.name]));
  }

  async get(p: Principal, id: number): Promise<UnitView> {
    return UnitsService.view(await this.findVisible(p, id));
  }

  /** The unit entity if the caller may see it; otherwise 404, whether it exists or not. */
  async findVisible(p: Principal, id: number): Promise<Unit> {
    const unit = await this.em.findOne(Unit, { $and: [{ id }, ScopePolicy.units(p)] });
    if (!unit) throw new NotFoundError(`unit ${id}`);
    return unit;
  }

  async create(actor: Actor, dto: CreateUnitDto): Promise<UnitView> {
    const program = dto.program ?? DEFAULT_PROGRAM;
    const ruleSetVersion = this.latestVersion(program);
    await this.checkCreditCodeFree(dto.creditCode);
    const unit = await this.guardUnique(dto.creditCode, () =>
      this.em.transactional(async (em) => {
        const created = em.create(Unit, {
          name: dto.name,
          creditCode: dto.creditCode,
          province: dto.province,
          industry: dto.industry,
          kind: dto.kind,
          program,
          ruleSetVersion,
          cycleStart: dto.cycleStart,
          cycleEnd: dto.cycleEnd,
          contacts: (dto.contacts ?? []).map((c) => ({ ...c })),
          status: dto.status ?? 'active',
        });
        await em.flush();
        const { id: _i, createdAt: _c, updatedAt: _u, ...fields } = UnitsService.view(created);
        this.audit.record(actor, 'create', 'unit', created.id, AuditService.diff({}, fields));
        await this.counts.touch(em, [created.province]);
        return created;
      }),
    );
    return UnitsService.view(unit);
  }

  async update(actor: Actor, id: number, dto: UpdateUnitDto): Promise<UnitView> {
    const unit = await this.findForChange(actor, id);
    const before = UnitsService.view(unit);
    const cycleStart = dto.cycleStart ?? unit.cycleStart;
    const cycleEnd = dto.cycleEnd ?? unit.cycleEnd;
    const problem = cycleProblem(cycleStart, cycleEnd);
    if (problem) {
      const field = dto.cycleEnd !== undefined ? 'cycleEnd' : 'cycleStart';
      throw new InvalidInputError(field, problem.rule, problem.zh, problem.en);
    }
    if (cycleStart !== unit.cycleStart || cycleEnd !== unit.cycleEnd) {
      await this.checkActivitiesInside(unit, cycleStart, cycleEnd);
    }
    if (dto.creditCode !== undefined && dto.creditCode !== unit.creditCode) {
      await this.checkCreditCodeFree(dto.creditCode);
    }
    const programChanged = dto.program !== undefined && dto.program !== unit.program;
    // A unit keeps the rule-set version it started with, unless an admin moves it to another version
    // (audited below) or it moves to another program (that program's latest version, unless named).
    const program = dto.program ?? unit.program;
    const version =
      dto.ruleSetVersion ?? (programChanged ? this.latestVersion(program) : unit.ruleSetVersion);
    const ruleSetChanged = programChanged || version !== unit.ruleSetVersion;
    if (ruleSetChanged) await this.checkRuleSetFits(unit, program, version);
    if (ruleSetChanged || cycleStart !== unit.cycleStart || cycleEnd !== unit.cycleEnd) {
      const ruleSet = this.ruleSets.get(program, version);
      const cause = programChanged ? 'program' : ruleSetChanged ? 'ruleSetVersion' : null;
      await this.checkTargetsFit(unit, ruleSet, { start: cycleStart, end: cycleEnd }, cause);
    }
    // Periods or counted requirements change with the cycle and the rule set: the read model is redone.
    const recount = ruleSetChanged || cycleStart !== unit.cycleStart || cycleEnd !== unit.cycleEnd;
    unit.program = program;
    unit.ruleSetVersion = version;
    if (dto.name !== undefined) unit.name = dto.name;
    if (dto.creditCode !== undefined) unit.creditCode = dto.creditCode;
    if (dto.province !== undefined) unit.province = dto.province;
    if (dto.industry !== undefined) unit.industry = dto.industry;
    if (dto.kind !== undefined) unit.kind = dto.kind;
    if (dto.contacts !== undefined) unit.contacts = dto.contacts.map((c) => ({ ...c }));
    if (dto.status !== undefined) unit.status = dto.status;
    unit.cycleStart = cycleStart;
    unit.cycleEnd = cycleEnd;
    const { updatedAt: _b, ...oldFields } = before;
    const { updatedAt: _a, ...newFields } = UnitsService.view(unit);
    const changes = AuditService.diff(oldFields, newFields);
    await this.guardUnique(unit.creditCode, () =>
      this.em.transactional(async (em) => {
        // Recorded here: the transaction's EntityManager is the one its flush writes.
        if (Object.keys(changes).length) this.audit.record(actor, 'update', 'unit', id, changes);
        await em.flush();
        // The views of both provinces show the change (a unit may move between them).
        await this.counts.touch(em, [before.province, unit.province]);
        if (recount) await this.counts.refresh(em, unit.id);
      }),
    );
    return UnitsService.view(unit);
  }

  /**
   * A move to another rule set (version or program) must name one that exists and has every requirement
   * the unit has logged activities of; otherwise they would silently stop counting.
   */
  private async checkRuleSetFits(unit: Unit, program: string, version: number): Promise<void> {
    const ruleSet = this.ruleSets.all().find((r) => r.program === program && r.version === version);
    if (!ruleSet) {
      const versions = this.ruleSets
        .all()
        .filter((r) => r.program === program)
        .map((r) => r.version);
      throw new InvalidInputError(
        'ruleSetVersion',
        'isIn',
        `规则「${program}」没有第 ${version} 版，现有版本：${versions.join('、') || '无'}`,
        `ruleSetVersion ${version} does not exist for program ${program} (versions: ${versions.join(', ') || 'none'})`,
      );
    }
    const keys = ruleSet.requirements.map((r) => r.key);
    const stranded = await this.em.count(Activity, {
      unit: unit.id,
      deletedAt: null,
      requirement: { $nin: keys },
    });
    if (stranded) {
      throw new InvalidInputError(
        'ruleSetVersion',
        'requirementsKept',
        `本单位有 ${stranded} 项活动所属任务不在 ${program} 第 ${version} 版规则中，不能改用该版本`,
        `${stranded} logged activities of the unit are of requirements ${program}@${version} does not have`,
      );
    }
  }

  /** Soft delete: the unit disappears from every scope but stays in the database and the audit log. */
  async remove(actor: Actor, id: number): Promise<void> {
    const unit = await this.findForChange(actor, id);
    unit.deletedAt = new Date();
    await this.em.transactional(async (em) => {
      this.audit.record(actor, 'delete', 'unit', id, {
        name: unit.name,
        creditCode: unit.creditCode,
        deletedAt: [null, unit.deletedAt!.toISOString()],
      });
      await em.flush();
      await this.counts.touch(em, [unit.province]);
    });
  }

  /**
   * Parses a .csv/.xlsx unit list on disk (an upload streamed to the temporary folder, or the CLI's
   * file) and imports it (or only checks it, with dryRun).
   */
  async importFile(
    actor: Actor,
    file: { path: string; originalname: string } | undefined,
    options: ImportOptions = {},
  ): Promise<ImportReport> {
    if (!file?.path) {
      throw new InvalidInputError(
        'file',
        'required',
        '请上传文件（字段 file）',
        'Upload a file in field "file"',
      );
    }
    const rows = await parseUnitFile(file.path, file.originalname, importMaxBytes(this.env));
    return this.importRows(actor, rows, options);
  }

  /**
   * Imports spreadsheet rows (English keys or the Chinese headers). Each row is checked with the same
   * rules as the API, plus duplicate credit codes within the file and against the database, and is
   * created in its own transaction with its audit entry: a row is created whole or not at all, and a
   * bad row does not stop the good ones.
   */
  async importRows(
    actor: Actor,
    rows: Record<string, unknown>[],
    options: ImportOptions = {},
  ): Promise<ImportReport> {
    const errors: ImportRowError[] = [];
    const ignored = new Set<string>();
    const checked: { row: number; dto: CreateUnitDto }[] = [];
    const firstRowOfCode = new Map<string, number>();
    const nonBlank = rows.map((r, i) => ({ raw: r, row: i + 2 })).filter((r) => !isBlankRow(r.raw));

    const codes = nonBlank
      .map((r) => rowToUnitInput(r.raw).input.creditCode)
      .filter((c): c is string => typeof c === 'string');
    const taken = new Map<string, Unit>();
    for (let i = 0; i < codes.length; i += 500) {
      const found = await this.em.find(Unit, { creditCode: { $in: codes.slice(i, i + 500) } });
      for (const u of found) taken.set(u.creditCode, u);
    }

    for (const { raw, row } of nonBlank) {
      const { input, unknownColumns } = rowToUnitInput(raw);
      unknownColumns.forEach((c) => ignored.add(c));
      const rowErrors = this.checkRow(input);
      const code = input.creditCode;
      if (!rowErrors.length && typeof code === 'string') {
        const existing = taken.get(code);
        const earlier = firstRowOfCode.get(code);
        if (existing) rowErrors.push(creditCodeTaken(existing));
        else if (earlier !== undefined) {
          rowErrors.push({
            field: 'creditCode',
            message: `creditCode repeats row ${earlier} of this file`,
            messageZh: `统一社会信用代码与本文件第 ${earlier} 行重复`,
          });
        }
      }
      if (typeof code === 'string' && !firstRowOfCode.has(code)) firstRowOfCode.set(code, row);
      if (rowErrors.length) errors.push(...rowErrors.map((e) => ({ row, ...e })));
      else checked.push({ row, dto: validatedDto(input) });
    }

    let created = 0;
    let done = 0;
    const total = nonBlank.length;
    options.onProgress?.(0, total);
    if (!options.dryRun) {
      for (const { row, dto } of checked) {
        try {
          await this.create(actor, dto);
          created++;
        } catch (error) {
          // e.g. the same credit code created meanwhile by someone else: that row only is reported.
          errors.push({ row, ...describe(error) });
        }
        options.onProgress?.(++done, total);
      }
    }
    options.onProgress?.(total, total);
    errors.sort((a, b) => a.row - b.row);
    return {
      dryRun: !!options.dryRun,
      rows: total,
      valid: checked.length,
      created,
      errors,
      ignoredColumns: [...ignored],
    };
  }

  /** DTO rules, then the rules only the service can judge (the program's rule set exists). */
  private checkRow(input: Record<string, unknown>): Omit<ImportRowError, 'row'>[] {
    const dto = plainToInstance(CreateUnitDto, input);
    const out = flattenErrors(validateSync(dto, { whitelist: true, forbidNonWhitelisted: true })).map((e) => {
      const cycle =
        e.rule === 'isAfterStart' || e.rule === 'maxCycle'
          ? cycleProblem(String(input.cycleStart), String(input.cycleEnd))
          : null;
      const zhRule = cycle?.zh ?? e.messageZh.slice(e.messageZh.indexOf('：') + 1);
      return { field: e.field, message: e.message, messageZh: `${zhFieldLabel(e.field)}：${zhRule}` };
    });
    if (!out.some((e) => e.field === 'program')) {
      try {
        this.latestVersion(dto.program ?? DEFAULT_PROGRAM);
      } catch (error) {
        out.push(describe(error));
      }
    }
    return out;
  }

  /** Runs a change; a unique-key clash from a concurrent insert becomes the same 409 as the pre-check. */
  private async guardUnique<T>(creditCode: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        throw new ConflictError(
          `统一社会信用代码已被使用：${creditCode}`,
          `creditCode already in use: ${creditCode}`,
          { field: 'creditCode', rule: 'unique' },
        );
      }
      throw error;
    }
  }

  private latestVersion(program: string): number {
    try {
      return this.ruleSets.latest(program).version;
    } catch {
      throw new InvalidInputError(
        'program',
        'isKnownProgram',
        `没有该示范项目类别的规则：${program}`,
        `No rule set for program ${program}`,
      );
    }
  }

  private async checkCreditCodeFree(creditCode: string): Promise<void> {
    const existing = await this.em.findOne(Unit, { creditCode });
    if (existing) {
      const e = creditCodeTaken(existing);
      throw new ConflictError(e.messageZh, e.message, { field: 'creditCode', rule: 'unique' });
    }
  }

  /** Changes go through the same scope as reads (admins only today, by the controller). */
  private async findForChange(actor: Actor, id: number): Promise<Unit> {
    if (actor) return this.findVisible(actor, id);
    const unit = await this.em.findOne(Unit, { id, deletedAt: null });
    if (!unit) throw new NotFoundError(`unit ${id}`);
    return unit;
  }

  /**
   * SPEC §3 v2: a unit's targets stay on periods it has. A new cycle (or program) that would leave a
   * target on a date starting none of its requirement's periods, or on a requirement the rule set lacks,
   * is refused, naming cycleEnd (target after the new end), cycleStart, or program / ruleSetVersion.
   */
  private async checkTargetsFit(
    unit: Unit,
    ruleSet: RuleSet,
    cycle: Cycle,
    ruleSetField: 'program' | 'ruleSetVersion' | null,
  ): Promise<void> {
    const targets = await this.em.find(
      UnitTarget,
      { unit },
      { orderBy: { periodStart: 'asc', requirement: 'asc' } },
    );
    const misfits = targets.filter((t) => targetProblem(ruleSet, cycle, [t]));
    if (!misfits.length) return;
    const first = misfits[0];
    // With another rule set its periods and requirements apply: the program (or version) is the cause.
    const missing = !!ruleSetField || targetProblem(ruleSet, cycle, [first])!.field === 'requirement';
    const field = missing
      ? (ruleSetField ?? 'program')
      : first.periodStart > cycle.end
        ? 'cycleEnd'
        : 'cycleStart';
    throw new InvalidInputError(
      field,
      missing ? 'targetsInRuleSet' : 'targetsInsideCycle',
      missing
        ? `有 ${misfits.length} 个任务书目标（如 ${first.requirement}，自 ${first.periodStart}）在新的考核规则中没有对应的任务类别`
        : `有 ${misfits.length} 个任务书目标（如 ${first.requirement}，自 ${first.periodStart}）将不再对应新建设周期的考核期`,
      missing
        ? `${misfits.length} unit targets (e.g. ${first.requirement} from ${first.periodStart}) have no requirement in the new rule set`
        : `${misfits.length} unit targets (e.g. ${first.requirement} from ${first.periodStart}) would no longer start a period of the new cycle`,
    );
  }

  private async checkActivitiesInside(unit: Unit, start: string, end: string): Promise<void> {
    const outside = await this.em.find(
      Activity,
      { unit, deletedAt: null, $or: [{ date: { $lt: start } }, { date: { $gt: end } }] },
      { orderBy: { date: 'asc' }, limit: 1, fields: ['date'] },
    );
    if (outside.length) {
      const field = outside[0].date < start ? 'cycleStart' : 'cycleEnd';
      const count = await this.em.count(Activity, {
        unit,
        deletedAt: null,
        $or: [{ date: { $lt: start } }, { date: { $gt: end } }],
      });
      throw new InvalidInputError(
        field,
        'activitiesInsideCycle',
        `有 ${count} 条活动记录（如 ${outside[0].date}）将落在新的建设周期之外`,
        `${count} activities (e.g. dated ${outside[0].date}) would fall outside the new cycle`,
      );
    }
  }
}

function validatedDto(input: Record<string, unknown>): CreateUnitDto {
  return plainToInstance(CreateUnitDto, input);
}

function creditCodeTaken(existing: Unit): Omit<ImportRowError, 'row'> {
  return existing.deletedAt
    ? {
        field: 'creditCode',
        message: `creditCode belongs to a deleted unit (id ${existing.id})`,
        messageZh: `统一社会信用代码属于已删除的单位（编号 ${existing.id}）`,
      }
    : {
        field: 'creditCode',
        message: `creditCode already used by unit ${existing.id}`,
        messageZh: `统一社会信用代码已被单位使用：${existing.name}（编号 ${existing.id}）`,
      };
}

function describe(error: unknown): Omit<ImportRowError, 'row'> {
  if (error instanceof InvalidInputError)
    return { field: error.field, message: error.en, messageZh: error.zh };
  if (error instanceof ConflictError) {
    return { field: String(error.details?.field ?? 'row'), message: error.en, messageZh: error.zh };
  }
  throw error;
}
