import { join } from 'node:path';
import { latestRuleSet, loadRuleSetsFromDir, ruleSetKey } from './rule-set';

const ruleSets = loadRuleSetsFromDir(join(__dirname, '../../../config/rule-sets'));

describe('the rule sets shipped in config/rule-sets', () => {
  it('all parse, keyed by program@version', () => {
    expect([...ruleSets.keys()].sort()).toEqual([
      'service-industry-demo@1',
      'service-industry-demo@2',
      'social-management-pilot@1',
    ]);
    for (const [key, ruleSet] of ruleSets) expect(ruleSetKey(ruleSet)).toBe(key);
  });

  it('hold the SPEC §1 table as the service-industry rule set', () => {
    const service = ruleSets.get('service-industry-demo@1');
    expect(service).toMatchObject({
      name: { zh: '国家级服务业标准化示范项目' },
      periodMode: 'calendar_year',
      prorate: true,
    });
    expect(service?.requirements.map((r) => [r.key, r.minimum, r.period, r.unit.zh])).toEqual([
      ['exchange_events', 3, 'annual', '次'],
      ['standard_proposals', 5, 'annual', '项'],
      ['national_papers', 1, 'annual', '篇'],
      ['trained_personnel', 2, 'annual', '名'],
      ['work_updates', 4, 'annual', '篇'],
      ['media_reports', 2, 'annual', '次'],
    ]);
    expect(service?.requirements.find((r) => r.key === 'trained_personnel')?.distinctBy).toBe('personKey');
    expect(service?.requirements.find((r) => r.key === 'media_reports')?.qualifies).toEqual([
      [{ field: 'outletLevel', in: ['provincial', 'national'] }],
    ]);
  });

  it('v2 counts a proposal at four levels or an implementation report on a national standard (SPEC §3 v2)', () => {
    const v1 = ruleSets.get('service-industry-demo@1')!;
    const v2 = ruleSets.get('service-industry-demo@2')!;
    expect(v2.requirements.find((r) => r.key === 'standard_proposals')?.qualifies).toEqual([
      [
        { field: 'standardKind', in: ['proposal'] },
        { field: 'standardLevel', in: ['international', 'national', 'industry', 'local'] },
      ],
      [
        { field: 'standardKind', in: ['implementation_report'] },
        { field: 'standardLevel', in: ['national'] },
      ],
    ]);
    // Everything else is the same as v1.
    const rest = (r: typeof v1) => r.requirements.filter((q) => q.key !== 'standard_proposals');
    expect(rest(v2)).toEqual(rest(v1));
  });

  it('picks the latest version of a program', () => {
    const v3 = { ...ruleSets.get('service-industry-demo@1')!, version: 3 };
    expect(latestRuleSet(ruleSets, 'service-industry-demo')?.version).toBe(2);
    expect(latestRuleSet([...ruleSets.values(), v3], 'service-industry-demo')).toBe(v3);
    expect(latestRuleSet(ruleSets, 'social-management-pilot')?.version).toBe(1);
    expect(latestRuleSet(ruleSets, 'unknown')).toBeUndefined();
  });
});
