import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';
import { addDays, type IsoDate, sortedReminderDays } from '@app/compliance';
import { Env } from '@app/common';
import { AuditLog, ProgramSetting, Unit, User } from '@app/db';
import { type EnqueueSpec, OutboxService, OutboxWorker } from '@app/mail';
import {
  formatDate,
  type Locale,
  notYetMet,
  stillNeededText,
  type StillNeededFacts,
  t,
} from '@app/reporting';
import { renderTemplateMail } from '@app/reporting/mail';
import { Clock } from '../common/clock';
import { ComplianceService } from '../compliance/compliance.service';
import type { ScopeFilter, UnitSummary } from '../compliance/compliance.types';
import { contactsOf, REPORTED_UNIT_STATUSES } from '../reports/report-builder.service';
import { RuleSetsService } from '../rule-sets/rule-sets.service';
import { RobotChannel } from '../robots/robot-channel';
import { reminderMarkdown } from '../robots/robot-markdown';
import { dueReminder, REMINDER } from './reminder-dates';

export { REMINDER };

/** What a unit still needs by one period end (requirements of different periods end apart). */
export interface OpenDeadline {
  unit: UnitSummary;
  periodStart: IsoDate;
  periodEnd: IsoDate;
  /** Days from `today` to periodEnd. */
  daysLeft: number;
  /** Requirements not yet met by periodEnd, worst first (empty: all met). */
  items: (StillNeededFacts & { key: string })[];
  /** The reminder days that apply to the unit, largest first. */
  days: number[];
}

export interface ProgramReminders {
  program: string;
  days: number[];
  defaultDays: number[];
  overridden: boolean;
}

export interface ReminderRunSummary {
  today: IsoDate;
  /** Unit deadlines with a reminder due today. */
  due: number;
  /** Mails those have recipients for. */
  recipients: number;
  /** Rows created now (the others were queued by an earlier run or another instance). */
  queued: number;
}

/**
 * Deadline reminders (SPEC §3 "Still needed"): each unit still short of a minimum is mailed the given
 * days before the period ends. Every instance may run the job: a reminder is one outbox row per
 * recipient under `reminder:<unit>:<periodEnd>:<daysBefore>:<email>`, so reruns, restarts and
 * concurrent instances add nothing twice.
 */
@Injectable()
export class RemindersService {
  private readonly logger = new Logger('Reminders');

  constructor(
    private readonly em: EntityManager,
    private readonly env: Env,
    private readonly clock: Clock,
    private readonly compliance: ComplianceService,
    private readonly ruleSets: RuleSetsService,
    private readonly outbox: OutboxService,
    private readonly worker: OutboxWorker,
    private readonly robots: RobotChannel,
  ) {}

  /** A program's reminder days; 404 for an unknown program. */
  async settingsOf(program: string): Promise<ProgramReminders> {
    this.ruleSets.latest(program);
    return (await this.settingsOfEach([program]))[program];
  }

  /** The reminder days of each of `programs`, keyed by program, read in one query. */
  async settingsOfEach(programs: Iterable<string>): Promise<Record<string, ProgramReminders>> {
    const overrides = await this.overrides();
    const out: Record<string, ProgramReminders> = {};
    for (const program of programs) {
      const defaultDays = this.ruleSets.latest(program).reminderDays;
      const own = overrides.get(program);
      out[program] = { program, days: own ?? defaultDays, defaultDays, overridden: !!own };
    }
    return out;
  }

  /** Sets (or, with null, drops) a program's override of its rule set's days; validated by the DTO. */
  async setDays(
    actor: { id: number; email: string },
    program: string,
    days: number[] | null,
  ): Promise<ProgramReminders> {
    const before = await this.settingsOf(program);
    const row = await this.em.findOne(ProgramSetting, { program });
    if (days === null) {
      // The row may also hold the program's other settings (close grace days).
      if (row) row.reminderDays = null;
    } else if (row) {
      row.reminderDays = sortedReminderDays(days);
      row.updatedAt = new Date();
    } else {
      this.em.persist(this.em.create(ProgramSetting, { program, reminderDays: sortedReminderDays(days) }));
    }
    const after = days === null ? before.defaultDays : sortedReminderDays(days);
    this.em.persist(
      this.em.create(AuditLog, {
        at: new Date(),
        actorId: actor.id,
        actorEmail: actor.email,
        action: 'reminder_days',
        entity: 'program',
        entityId: program,
        changes: { reminderDays: [before.days, after], overridden: [before.overridden, days !== null] },
      }),
    );
    await this.em.flush();
    return this.settingsOf(program);
  }

  /** Every program's override. */
  private async overrides(): Promise<Map<string, number[]>> {
    const rows = await this.em.find(ProgramSetting, {});
    return new Map(rows.flatMap((r) => (r.reminderDays ? [[r.program, r.reminderDays] as const] : [])));
  }

  /**
   * What the units of `filter` (reported statuses only) still need, per unit and period end, on `today`:
   * one indexed read of the compliance read model (ComplianceService.forScope), no per-unit queries.
   * Periods already over are left out; `items` holds only requirements not yet met (empty when all are).
   */
  async openDeadlines(filter: ScopeFilter, today: IsoDate = this.clock.today()): Promise<OpenDeadline[]> {
    const view = await this.compliance.forScope(
      { ...filter, unitStatuses: REPORTED_UNIT_STATUSES },
      today,
      today,
    );
    const columns = new Map(view.requirements.map((r) => [r.key, r]));
    const overrides = await this.overrides();
    const out: OpenDeadline[] = [];
    for (const row of view.rows) {
      const days =
        overrides.get(row.unit.program) ??
        this.ruleSets.get(row.unit.program, row.unit.ruleSetVersion).reminderDays;
      const byEnd = new Map<IsoDate, OpenDeadline>();
      for (const [key, cell] of Object.entries(row.requirements)) {
        const column = columns.get(key);
        if (!column || cell.status === 'failed') continue;
        // daysLeft is 0 on the last day and after it: a period already over is left out.
        const lastDay = row.period.end === today || row.unit.cycleEnd === today;
        if (cell.daysLeft <= 0 && !lastDay) continue;
        const periodEnd = addDays(today, cell.daysLeft);
        let d = byEnd.get(periodEnd);
        if (!d) {
          // An annual requirement ends with the row's period; a cycle requirement with the cycle.
          const periodStart = periodEnd === row.period.end ? row.period.start : row.unit.cycleStart;
          byEnd.set(
            periodEnd,
            (d = { unit: row.unit, periodStart, periodEnd, daysLeft: cell.daysLeft, items: [], days }),
          );
        }
        if (cell.remaining > 0)
          d.items.push({ key, shortLabel: column.shortLabel, unit: column.unit, ...cell });
      }
      for (const d of byEnd.values()) out.push({ ...d, items: notYetMet(d.items) });
    }
    return out;
  }

  /**
   * The daily job: queues the reminders due on `today` (see dueReminder) that have no row yet. Units
   * with nothing still needed, deleted units and units no longer reported get none.
   */
  async run(today: IsoDate = this.clock.today()): Promise<ReminderRunSummary> {
    const due = (await this.openDeadlines({ provinces: null }, today))
      .filter((d) => d.items.length)
      .map((d) => ({ ...d, daysBefore: dueReminder(d.periodEnd, d.days, today) }))
      .filter((d): d is OpenDeadline & { daysBefore: number } => d.daysBefore !== null);
    const summary: ReminderRunSummary = { today, due: due.length, recipients: 0, queued: 0 };
    if (!due.length) return summary;

    const unitIds = [...new Set(due.map((d) => d.unit.id))];
    const units = new Map<number, Unit>();
    const users = new Map<number, User[]>();
    for (let i = 0; i < unitIds.length; i += 500) {
      const ids = unitIds.slice(i, i + 500);
      for (const u of await this.em.find(Unit, { id: { $in: ids }, deletedAt: null })) units.set(u.id, u);
      for (const u of await this.em.find(
        User,
        { role: 'unit', active: true, unit: { $in: ids } },
        { orderBy: { id: 'asc' } },
      )) {
        const id = u.unit!.id;
        users.set(id, [...(users.get(id) ?? []), u]);
      }
    }

    const specs: EnqueueSpec[] = [];
    for (const d of due) {
      const unit = units.get(d.unit.id);
      if (!unit) continue;
      // The unit's group robots get the same reminder (in Chinese), under the same key without an address.
      const mail = this.render(d, today, 'zh', null);
      await this.robots.enqueueFor(
        this.em,
        { unitId: unit.id },
        {
          keyBase: `${REMINDER}:${unit.id}:${d.periodEnd}:${d.daysBefore}`,
          kind: REMINDER,
          period: d.periodEnd.slice(0, 7),
          ...reminderMarkdown('zh', {
            unit: unit.name,
            subject: mail.subject,
            items: d.items.map((i) => stillNeededText('zh', i, today)).filter((x): x is string => !!x),
            url: `${this.env.PUBLIC_URL.replace(/\/+$/, '')}/units/${unit.id}`,
          }),
        },
      );
      for (const r of recipientsOf(unit, users.get(unit.id) ?? [])) {
        specs.push({
          idempotencyKey: `${REMINDER}:${unit.id}:${d.periodEnd}:${d.daysBefore}:${r.email}`,
          kind: REMINDER,
          period: d.periodEnd.slice(0, 7),
          recipient: r.email,
          recipientName: r.name || null,
          locale: r.locale,
          unitId: unit.id,
          userId: r.userId,
          asOf: today,
          rendered: this.render(d, today, r.locale, r.name || null),
        });
      }
    }
    summary.recipients = specs.length;
    const result = await this.outbox.enqueue(specs);
    summary.queued = result.created;
    if (summary.queued) {
      this.logger.log(
        `Reminders for ${today}: ${summary.queued} queued, ${specs.length - summary.queued} already there`,
      );
      this.worker.kick();
    }
    return summary;
  }

  /** The reminder mail of one deadline in one language. */
  render(d: OpenDeadline, today: IsoDate, locale: Locale, recipientName: string | null) {
    const unitUrl = `${this.env.PUBLIC_URL.replace(/\/+$/, '')}/units/${d.unit.id}`;
    const { html, text } = renderTemplateMail('reminder', {
      locale,
      recipientName,
      unit: { id: d.unit.id, name: d.unit.name },
      today,
      periodStart: d.periodStart,
      periodEnd: d.periodEnd,
      daysLeft: d.daysLeft,
      items: d.items.map((i) => stillNeededText(locale, i, today)).filter(Boolean),
      unitUrl,
      daysList: d.days.join(locale === 'zh' ? '、' : ', '),
    });
    const subject = t(locale, 'mail.reminder.subject', {
      unit: d.unit.name,
      end: formatDate(locale, d.periodEnd),
      days: d.daysLeft,
    });
    return { subject, html, text, attachments: [] };
  }
}

/** A unit's contacts and its active users, each address once (the contact's entry first). */
function recipientsOf(unit: Unit, users: User[]) {
  const out = new Map<string, { email: string; name: string; locale: Locale; userId: number | null }>();
  for (const c of contactsOf(unit)) {
    out.set(c.email, { email: c.email, name: c.name, locale: c.locale === 'en' ? 'en' : 'zh', userId: null });
  }
  for (const u of users) {
    const email = u.email.trim().toLowerCase();
    if (!out.has(email)) out.set(email, { email, name: u.name, locale: u.locale, userId: u.id });
  }
  return [...out.values()];
}
