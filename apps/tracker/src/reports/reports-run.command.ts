import { Command, CommandRunner, Option } from 'nest-commander';
import { Presets, SingleBar } from 'cli-progress';
import { EntityManager, MikroORM, RequestContext } from '@mikro-orm/core';
import { OutboxMessage, type OutboxStatus } from '@app/db';
import { OutboxWorker, PassMemo, type ProcessSummary } from '@app/mail';
import { ReportMails } from './report-mails.service';
import { ReportsService, type RunSummary } from './reports.service';

interface Options {
  period: string;
  dryRun?: boolean;
}

/**
 * npm run cli -- reports:run --period 2026-05 [--dry-run]
 * Creates the period's missing outbox rows (exactly once, like the scheduled run) and sends them,
 * with a progress bar and a summary. --dry-run renders every mail and changes nothing.
 */
@Command({ name: 'reports:run', description: 'Create and send the monthly reports of a period (YYYY-MM)' })
export class ReportsRunCommand extends CommandRunner {
  constructor(
    private readonly orm: MikroORM,
    private readonly reports: ReportsService,
    private readonly mails: ReportMails,
    private readonly worker: OutboxWorker,
  ) {
    super();
  }

  async run(_: string[], o: Options): Promise<void> {
    const out = o.dryRun ? await this.dryRun(o.period) : await this.send(o.period);
    process.stdout.write(out);
  }

  private async send(period: string): Promise<string> {
    const run = await RequestContext.create(this.orm.em, () => this.reports.run(period, { trigger: 'cli' }));
    const due = await this.countByStatus(period);
    const bar = progress('邮件 mails');
    bar.start(due.queued + due.sending, 0);
    let sent: ProcessSummary = { claimed: 0, sent: 0, retrying: 0, failed: 0, lost: 0 };
    try {
      sent = await this.worker.processDue({ period, onResult: () => bar.increment() });
    } finally {
      bar.stop();
    }
    const after = await this.countByStatus(period);
    if (sent.failed) process.exitCode = 1;
    return (
      summary(run, [
        ['queued by this run', run.queued],
        ['skipped, already sent', run.existing.sent],
        ['sent now', sent.sent],
        ['failed now', sent.failed],
        ['waiting for a retry', after.queued],
        ['being sent elsewhere', after.sending],
        ['failed in total', after.failed],
      ]) + (after.failed ? '  Failed mails can be retried: POST /api/v1/outbox/:id/retry\n' : '')
    );
  }

  private async dryRun(period: string): Promise<string> {
    return RequestContext.create(this.orm.em, async () => {
      const plan = await this.reports.plan(period);
      const bar = progress('渲染 rendering');
      bar.start(plan.specs.length, 0);
      let wouldQueue = 0;
      let alreadySent = 0;
      let alreadyQueued = 0;
      const failures: string[] = [];
      // As in the worker: a unit's figures and charts once for all its contacts.
      const pass = new PassMemo();
      try {
        for (const spec of plan.specs) {
          const status = plan.existing.get(spec.idempotencyKey);
          if (status === 'sent') alreadySent++;
          else if (status) alreadyQueued++;
          else {
            wouldQueue++;
            try {
              await this.mails.render(spec, pass);
            } catch (e) {
              failures.push(`${spec.idempotencyKey}: ${(e as Error).message}`);
            }
          }
          bar.increment();
        }
      } finally {
        bar.stop();
      }
      if (failures.length) process.exitCode = 1;
      const run: Pick<RunSummary, 'period' | 'asOf' | 'recipients'> = {
        period,
        asOf: plan.asOf,
        recipients: plan.specs.length,
      };
      return (
        summary(
          run,
          [
            ['would be queued', wouldQueue],
            ['skipped, already sent', alreadySent],
            ['already queued or failed', alreadyQueued],
            ['failed to render', failures.length],
          ],
          ' (dry run: nothing written or sent)',
        ) + failures.map((f) => `  ! ${f}\n`).join('')
      );
    });
  }

  private async countByStatus(period: string): Promise<Record<OutboxStatus, number>> {
    const em: EntityManager = this.orm.em.fork();
    const counts: Record<OutboxStatus, number> = { queued: 0, sending: 0, sent: 0, failed: 0 };
    for (const status of Object.keys(counts) as OutboxStatus[]) {
      counts[status] = await em.count(OutboxMessage, { period, status });
    }
    return counts;
  }

  @Option({ flags: '--period <YYYY-MM>', description: 'report month, e.g. 2026-05', required: true })
  parsePeriod(v: string) {
    return v.trim();
  }

  @Option({ flags: '--dry-run', description: 'render every mail, write and send nothing' })
  parseDryRun() {
    return true;
  }
}

function progress(label: string): SingleBar {
  return new SingleBar(
    {
      format: `${label} [{bar}] {value}/{total}`,
      hideCursor: true,
      clearOnComplete: false,
      stream: process.stderr,
    },
    Presets.shades_classic,
  );
}

function summary(
  run: Pick<RunSummary, 'period' | 'asOf' | 'recipients'>,
  lines: [string, number][],
  note = '',
): string {
  const width = Math.max(...lines.map(([l]) => l.length));
  return (
    `Reports for ${run.period} as of ${run.asOf}${note}: ${run.recipients} recipients\n` +
    lines.map(([label, n]) => `  ${label.padEnd(width)}  ${n}\n`).join('')
  );
}
