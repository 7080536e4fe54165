import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Env } from '@app/common';
import { RuleSetsService } from '../rule-sets/rule-sets.service';
import { ROOT_DIR } from '../web/paths';
import { ScoringTablesService } from './scoring-tables.service';

describe('ScoringTablesService: config/scoring read and checked at start-up', () => {
  let dir: string;
  const env = () => ({ CONFIG_DIR: dir }) as Env;
  const start = () => new ScoringTablesService(new RuleSetsService(env()), env());

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'scoring-config-'));
    cpSync(join(ROOT_DIR, 'config'), dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('serves the shipped table of the service-industry program, none for the others', () => {
    const s = start();
    expect(s.of('service-industry-demo')?.totalPoints).toBe(100);
    expect(s.of('social-management-pilot')).toBeNull();
  });

  it('stops start-up naming the file and the field of a bad table', () => {
    writeFileSync(
      join(dir, 'scoring', 'pilot.json'),
      JSON.stringify({
        program: 'social-management-pilot',
        name: { zh: '评分表', en: 'Table' },
        example: true,
        step: 1,
        totalPoints: 10,
        items: [
          {
            key: 'papers',
            group: { zh: '研究', en: 'Research' },
            label: { zh: '论文', en: 'Papers' },
            criteria: { zh: '每年 1 篇', en: '1 a year' },
            points: 10,
            // The pilot program has no national_papers requirement.
            basis: { requirement: 'national_papers', rule: 'all_periods' },
          },
        ],
      }),
    );
    expect(start).toThrow(
      /^pilot\.json: items\[0\]\.basis\.requirement is not a requirement of program social-management-pilot/,
    );
  });

  it('stops start-up on a file that is not JSON', () => {
    writeFileSync(join(dir, 'scoring', 'broken.json'), '{ "program": ');
    expect(start).toThrow(/^broken\.json: rule set is not valid JSON/);
  });

  it('runs without the folder (no suggested scores)', () => {
    rmSync(join(dir, 'scoring'), { recursive: true });
    expect(start().all()).toEqual([]);
  });
});
