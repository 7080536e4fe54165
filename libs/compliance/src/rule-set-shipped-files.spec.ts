import { join } from 'node:path';
import { latestRuleSet, loadRuleSetsFromDir, ruleSetKey } from './rule-set';
import { REQUIREMENT_KINDS } from './vocab';

const ruleSets = loadRuleSetsFromDir(join(__dirname, '../../../config/rule-sets'));

describe('the rule sets shipped in config/rule-sets', () => {
  it('all parse, keyed by program@version', () => {
    expect([...ruleSets.keys()].sort()).toEqual(['service-industry-demo@1', 'social-management-pilot@1']);
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
    expect(service?.requirements.map((r) => r.key)).toEqual([...REQUIREMENT_KINDS]);
    expect(service?.requirements.find((r) => r.key === 'trained_personnel')?.distinctBy).toBe('personKey');
    expect(service?.requirements.find((r) => r.key === 'media_reports')?.qualifies).toEqual([
      { field: 'outletLevel', in: ['provincial', 'national'] },
    ]);
  });

  it('picks the latest version of a program', () => {
    const v2 = { ...ruleSets.get('service-industry-demo@1')!, version: 2 };
    expect(latestRuleSet([...ruleSets.values(), v2], 'service-industry-demo')).toBe(v2);
    expect(latestRuleSet(ruleSets, 'social-management-pilot')?.version).toBe(1);
    expect(latestRuleSet(ruleSets, 'unknown')).toBeUndefined();
  });
});
