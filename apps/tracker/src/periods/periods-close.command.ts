import { Command, CommandRunner, Option } from 'nest-commander';
import { SingleBar } from 'cli-progress';
import { PROVINCE_CODES } from '@app/compliance';
import { PeriodsService } from './periods.service';

interface Options {
  province?: string;
  dryRun?: boolean;
}

/**
 * npm run cli -- periods:close --province 44 [--dry-run]
 * Closes every ended (past the program's grace days) and still open annual period of the province's
 * units, a transaction per period, with a progress bar; --dry-run only lists them.
 */
@Command({
  name: 'periods:close',
  description: "Close every ended (past grace) period of a province's units (--dry-run: list only)",
})
export class PeriodsCloseCommand extends CommandRunner {
  constructor(private readonly periods: PeriodsService) {
    super();
  }

  async run(_: string[], o: Options): Promise<void> {
    if (!o.province || !(PROVINCE_CODES as readonly string[]).includes(o.province)) {
      process.stderr.write('--province: 请给出两位省份代码 / give a two-digit province code, e.g. 44\n');
      process.exitCode = 2;
      return;
    }
    const bar = new SingleBar({
      format: '{bar} {value}/{total} 个单位 units',
      stream: process.stderr,
      hideCursor: true,
      // Progress also when the output is a file or a pipe (a scheduled run's log).
      noTTYOutput: true,
    });
    let started = false;
    const result = await this.periods.closeProvince(null, o.province, {
      dryRun: o.dryRun,
      progress: (done, total) => {
        if (!started) bar.start(total, 0);
        started = true;
        bar.update(done);
      },
    });
    if (started) bar.stop();
    for (const c of result.closed) {
      process.stdout.write(
        `${o.dryRun ? '将关闭 would close' : '已关闭 closed'} unit ${c.unitId} ${c.unitName} ${c.periodStart}..${c.periodEnd}\n`,
      );
    }
    const n = result.closed.length;
    process.stdout.write(
      o.dryRun
        ? `（试运行）${result.units} 个单位中有 ${n} 个年度可关闭，${result.alreadyClosed} 个已关闭。\n(dry run) ${n} periods of ${result.units} units would be closed; ${result.alreadyClosed} already closed.\n`
        : `已关闭 ${result.units} 个单位的 ${n} 个年度，${result.alreadyClosed} 个此前已关闭。\nClosed ${n} periods of ${result.units} units; ${result.alreadyClosed} were already closed.\n`,
    );
  }

  @Option({ flags: '--province <code>', description: 'two-digit province code (e.g. 44)' })
  parseProvince(v: string) {
    return v;
  }

  @Option({ flags: '--dry-run', description: 'only list the periods that would be closed' })
  parseDryRun() {
    return true;
  }
}
