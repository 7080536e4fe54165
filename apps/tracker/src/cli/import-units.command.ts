import { access, constants } from 'node:fs/promises';
import { basename } from 'node:path';
import { Command, CommandRunner, Option } from 'nest-commander';
import { MikroORM, RequestContext } from '@mikro-orm/core';
import { SingleBar } from 'cli-progress';
import { InvalidInputError } from '@app/common';
import { type ImportReport, UnitsService } from '../units/units.service';

interface Options {
  dryRun?: boolean;
}

/**
 * npm run cli -- units:import 示范单位.xlsx [--dry-run]
 * Same checks as POST /api/v1/units/import; prints every bad row and a summary, exit code 1 if any row failed.
 */
@Command({
  name: 'units:import',
  arguments: '<file>',
  description: 'Import units from a .csv or .xlsx file (Chinese or English headers)',
})
export class ImportUnitsCommand extends CommandRunner {
  constructor(
    private readonly units: UnitsService,
    private readonly orm: MikroORM,
  ) {
    super();
  }

  async run([file]: string[], o: Options): Promise<void> {
    // Read (streamed, within the import limits) by the same parser as uploads.
    await access(file, constants.R_OK).catch((error: NodeJS.ErrnoException) => {
      throw new InvalidInputError(
        'file',
        'readable',
        `无法读取文件 ${file}：${error.code ?? error.message}`,
        `Cannot read ${file}: ${error.code ?? error.message}`,
      );
    });
    const bar = new SingleBar({
      format: '{bar} {value}/{total} 行 rows',
      stream: process.stderr,
      hideCursor: true,
    });
    let started = false;
    const report = await RequestContext.create(this.orm.em, () =>
      this.units.importFile(
        null,
        { path: file, originalname: basename(file) },
        {
          dryRun: !!o.dryRun,
          onProgress: (done, total) => {
            if (!started) bar.start(total, done);
            started = true;
            bar.update(done);
          },
        },
      ),
    );
    if (started) bar.stop();
    process.stdout.write(formatReport(report));
    if (report.errors.length) process.exitCode = 1;
  }

  @Option({ flags: '--dry-run', description: 'check every row, create nothing' })
  parseDryRun() {
    return true;
  }
}

/** The per-row error list and a summary line, in Chinese then English. */
export function formatReport(r: ImportReport): string {
  const lines: string[] = [];
  for (const e of r.errors) {
    lines.push(`第 ${e.row} 行 row ${e.row}  [${e.field}]  ${e.messageZh}  (${e.message})`);
  }
  if (r.ignoredColumns.length) {
    lines.push(`未识别的列（已忽略）Ignored columns: ${r.ignoredColumns.join(', ')}`);
  }
  const badRows = new Set(r.errors.map((e) => e.row)).size;
  lines.push(
    r.dryRun
      ? `试运行：共 ${r.rows} 行，${r.valid} 行可导入，${badRows} 行有错误，未创建任何单位。`
      : `共 ${r.rows} 行，已创建 ${r.created} 个单位，${badRows} 行有错误。`,
    r.dryRun
      ? `Dry run: ${r.rows} rows, ${r.valid} valid, ${badRows} with errors; nothing created.`
      : `${r.rows} rows, ${r.created} units created, ${badRows} rows with errors.`,
  );
  return lines.join('\n') + '\n';
}
