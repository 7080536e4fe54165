import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditLog, Unit } from '@app/db';
import { ImportUnitsCommand } from '../../apps/tracker/src/cli/import-units.command';
import { UnitsService } from '../../apps/tracker/src/units/units.service';
import { createTestApp, type TestApp } from '../support/test-app';
import { badCheckChar, counts, creditCode, unitCsv, unitXlsx, ZH_HEADERS } from '../fixtures/units';

describe('CLI units:import', () => {
  let t: TestApp;
  let command: ImportUnitsCommand;
  beforeAll(async () => {
    t = await createTestApp();
    command = new ImportUnitsCommand(t.app.get(UnitsService), t.orm);
  });
  afterAll(() => t.close());
  afterEach(() => {
    process.exitCode = undefined;
    jest.restoreAllMocks();
  });

  async function runCli(file: string, dryRun = false) {
    let out = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((s) => {
      out += String(s);
      return true;
    });
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await command.run([file], { dryRun });
    jest.restoreAllMocks();
    return { out, exitCode: process.exitCode };
  }

  const row = (n: number, code = creditCode(800000 + n)) => [
    `命令行单位${n}`,
    code,
    '江苏省',
    '科技服务',
    'enterprise',
    '2024-07-01',
    '2026-06-30',
    '吴十',
    `wu${n}@example.cn`,
  ];

  it('imports good rows, prints each bad row and a summary, exits 1 when a row failed', async () => {
    const file = join(t.dataDir, '单位名单.csv');
    writeFileSync(file, unitCsv([ZH_HEADERS, row(1), row(2, badCheckChar(creditCode(800002))), row(3)]));
    const before = await counts(t);
    const dry = await runCli(file, true);
    expect(dry.exitCode).toBe(1);
    expect(dry.out).toContain('第 3 行');
    expect(dry.out).toContain('Dry run: 3 rows, 2 valid, 1 with errors; nothing created.');
    expect(await counts(t)).toEqual(before);

    const real = await runCli(file);
    expect(real.exitCode).toBe(1);
    expect(real.out).toMatch(/第 3 行 row 3 {2}\[creditCode\] {2}统一社会信用代码：/);
    expect(real.out).toContain('3 rows, 2 units created, 1 rows with errors.');
    expect(real.out).toContain('共 3 行，已创建 2 个单位，1 行有错误。');
    const em = t.orm.em.fork();
    expect(await em.count(Unit, { creditCode: [creditCode(800001), creditCode(800003)] })).toBe(2);
    // The command line has no signed-in user: audited with no actor.
    const logs = await em.find(AuditLog, { action: 'create', entity: 'unit' });
    expect(logs).toHaveLength(2);
    expect(logs.every((l) => l.actorId === null)).toBe(true);
  });

  it('exits 0 when every row is imported (XLSX)', async () => {
    const file = join(t.dataDir, 'ok.xlsx');
    writeFileSync(file, await unitXlsx([ZH_HEADERS, row(10), row(11)]));
    const r = await runCli(file);
    expect(r.exitCode).toBeUndefined();
    expect(r.out).toContain('2 rows, 2 units created, 0 rows with errors.');
  });

  it('names the file when it cannot be read or has the wrong type', async () => {
    await expect(runCli(join(t.dataDir, 'missing.csv'))).rejects.toMatchObject({
      field: 'file',
      rule: 'readable',
    });
    const txt = join(t.dataDir, 'units.txt');
    writeFileSync(txt, 'x');
    await expect(runCli(txt)).rejects.toMatchObject({ field: 'file', rule: 'fileType' });
  });
});
