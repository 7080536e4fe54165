import { Command, CommandRunner, Option } from 'nest-commander';
import { SingleBar } from 'cli-progress';
import { ComplianceCounts } from '../compliance/compliance-counts.service';

interface Options {
  check?: boolean;
}

/**
 * npm run cli -- compliance:rebuild [--check]
 * Recomputes the compliance read model (stored counts) of every unit from its activities, a transaction per
 * unit; with --check only compares stored and recomputed counts, lists every difference and exits 1 if any.
 */
@Command({
  name: 'compliance:rebuild',
  description: 'Recompute the stored compliance counts from the activities (--check: compare only)',
})
export class ComplianceRebuildCommand extends CommandRunner {
  constructor(private readonly counts: ComplianceCounts) {
    super();
  }

  async run(_: string[], o: Options): Promise<void> {
    const bar = new SingleBar({
      format: '{bar} {value}/{total} 个单位 units',
      stream: process.stderr,
      hideCursor: true,
    });
    let started = false;
    const progress = (done: number, total: number) => {
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(done);
    };
    if (o.check) {
      const mismatches = await this.counts.check(progress);
      if (started) bar.stop();
      for (const m of mismatches) {
        process.stdout.write(
          `单位 unit ${m.unitId} ${m.requirement} ${m.periodStart}: ` +
            `stored ${m.stored.verified}/${m.stored.pending}, recomputed ${m.recomputed.verified}/${m.recomputed.pending}\n`,
        );
      }
      process.stdout.write(
        mismatches.length
          ? `存储的计数有 ${mismatches.length} 处与重新计算不符；请运行 compliance:rebuild。\n${mismatches.length} stored counts differ; run compliance:rebuild.\n`
          : '存储的计数与重新计算一致。\nStored counts equal the recomputed ones.\n',
      );
      if (mismatches.length) process.exitCode = 1;
      return;
    }
    const { units } = await this.counts.rebuild(progress);
    if (started) bar.stop();
    process.stdout.write(`已重新计算 ${units} 个单位的计数。\nRecomputed the counts of ${units} units.\n`);
  }

  @Option({
    flags: '--check',
    description: 'compare stored with recomputed counts; exit 1 on any difference',
  })
  parseCheck() {
    return true;
  }
}
