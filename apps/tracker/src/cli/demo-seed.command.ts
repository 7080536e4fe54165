import { Command, CommandRunner, Option } from 'nest-commander';
import { Presets, SingleBar } from 'cli-progress';
import { LABELS, provinceByCode } from '@app/compliance';
import { InvalidInputError } from '@app/common';
import { DemoSeedService, type DemoSeedSummary } from '../demo/demo-seed.service';

interface Options {
  province?: string;
  units?: number;
  year?: number;
  password?: string;
  resetDemo?: boolean;
}

/** npm run cli -- demo:seed [--province 44] [--units 20] [--year 2026] [--password ...] [--reset-demo] */
@Command({
  name: 'demo:seed',
  description: 'Fill one province with demonstration units, users and a year of activities',
})
export class DemoSeedCommand extends CommandRunner {
  constructor(private readonly demo: DemoSeedService) {
    super();
  }

  async run(_: string[], o: Options): Promise<void> {
    const bar = new SingleBar(
      {
        format: '示范单位 units [{bar}] {value}/{total} {unit}',
        hideCursor: true,
        clearOnComplete: false,
      },
      Presets.shades_classic,
    );
    let started = false;
    try {
      const summary = await this.demo.seed(
        {
          province: o.province,
          units: o.units,
          year: o.year,
          password: o.password,
          reset: o.resetDemo,
        },
        (done, total, unit) => {
          if (!started) bar.start(total, 0, { unit: '' });
          started = true;
          bar.update(done, { unit });
        },
      );
      if (started) bar.stop();
      process.stdout.write(report(summary));
    } catch (err) {
      if (started) bar.stop();
      throw err;
    }
  }

  @Option({ flags: '--province <code>', description: 'province code (default 44, 广东省)' })
  parseProvince(v: string) {
    return v.trim();
  }
  @Option({ flags: '--units <n>', description: 'number of units, 1..100 (default 20)' })
  parseUnits(v: string) {
    return whole('units', v);
  }
  @Option({ flags: '--year <yyyy>', description: 'demonstration year (default: this year)' })
  parseYear(v: string) {
    return whole('year', v);
  }
  @Option({
    flags: '--password <password>',
    description: "every demo user's password (default demo-password-1)",
  })
  parsePassword(v: string) {
    return v;
  }
  @Option({ flags: '--reset-demo', description: "remove the province's earlier demo data first" })
  parseResetDemo() {
    return true;
  }
}

function whole(field: string, v: string): number {
  if (!/^\d{1,6}$/.test(v.trim())) {
    throw new InvalidInputError(
      field,
      'isInt',
      `${field} 必须是整数：${v}`,
      `${field} must be a whole number: ${v}`,
    );
  }
  return Number(v);
}

function report(s: DemoSeedSummary): string {
  const province = provinceByCode(s.province);
  const byStatus = (['verified', 'submitted', 'draft', 'rejected'] as const)
    .map((k) => `${LABELS.activityStatus[k].zh} ${k} ${s.activities[k]}`)
    .join('，');
  const lines = [
    '',
    `演示数据已写入 / Demo data written: ${province?.zh ?? s.province} (${s.province}), ${s.year}, today ${s.today}`,
    ...(s.removed
      ? [
          `先删除旧演示数据 / removed first: ${s.removed.units} units, ${s.removed.users} users, ${s.removed.activities} activities`,
        ]
      : []),
    `单位 units: ${s.units.length}`,
    `用户 users: ${s.users} (${s.units.length} unit users + 1 supervisor)`,
    `活动 activities: ${s.activities.total} — ${byStatus}`,
    '',
    '登录邮箱 / sign-in e-mails:',
    `  supervisor   ${s.supervisor.email}`,
    ...s.units.map((u) => `  unit #${String(u.id).padEnd(5)} ${u.email}  ${u.name}`),
    '',
    `密码 / password (all demo users): ${s.password}`,
    '',
  ];
  return lines.join('\n');
}
