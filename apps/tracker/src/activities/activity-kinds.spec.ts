import 'reflect-metadata';
import { mkdtempSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Env } from '@app/common';
import { RuleSetsService } from '../rule-sets/rule-sets.service';
import { ROOT_DIR } from '../web/paths';
import { CATEGORY_FIELDS, foreignFields, kindProblem, normalizePersonKey } from './activity-kinds';

const registry = new RuleSetsService();
const service = registry.latest('service-industry-demo');
const kind = (key: string) => registry.kindsOf(service).find((k) => k.key === key)!;

/** A copy of config/ with one file changed, loaded as CONFIG_DIR. */
function registryWith(file: string, change: (json: any) => void): RuleSetsService {
  const dir = mkdtempSync(join(tmpdir(), 'config-'));
  cpSync(join(ROOT_DIR, 'config'), dir, { recursive: true });
  const json = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  change(json);
  writeFileSync(join(dir, file), JSON.stringify(json));
  return new RuleSetsService(Object.assign(new Env(), { CONFIG_DIR: dir }));
}

describe('the requirement registry: kinds from config/requirement-kinds.json, labels from rule sets', () => {
  it('gives every category field of the six kinds to exactly one of them', () => {
    const kinds = registry.kindsOf(service);
    const owners = CATEGORY_FIELDS.map((f) => kinds.filter((k) => k.fields.some((x) => x.name === f)));
    expect(owners.every((o) => o.length === 1)).toBe(true);
  });

  it("labels a unit's requirements with its own rule set's short labels", () => {
    const social = registry.latest('social-management-pilot');
    expect(registry.kindsOf(social).map((k) => k.key)).toEqual([
      'exchange_events',
      'work_updates',
      'standard_proposals',
      'trained_personnel',
    ]);
    expect(registry.requirementLabel('social-management-pilot', 1, 'exchange_events').zh).toBe(
      '宣传培训活动',
    );
    expect(registry.requirementLabel('service-industry-demo', 2, 'exchange_events').zh).toBe(
      '经验交流、观摩活动',
    );
    expect(registry.valueLabel('journalLevel', 'national')).toEqual({
      zh: '国家级刊物',
      en: 'National journal',
    });
  });

  it('refuses a requirement the unit’s rule set does not have, naming the field and the key', () => {
    const social = registry.latest('social-management-pilot');
    expect(() => registry.assertLoggable(social, 'national_papers')).toThrow(
      expect.objectContaining({ field: 'requirement', message: expect.stringContaining('national_papers') }),
    );
    expect(() => registry.assertLoggable(service, 'national_papers')).not.toThrow();
  });

  it('stops start-up on a rule set naming a kind the catalogue lacks, or a field its kind lacks', () => {
    expect(() =>
      registryWith('rule-sets/service-industry-demo.v2.json', (j) => (j.requirements[0].key = 'site_visits')),
    ).toThrow('service-industry-demo.v2.json: requirements[0].key "site_visits" is not a requirement kind');
    expect(() =>
      registryWith('rule-sets/service-industry-demo.v2.json', (j) => {
        j.requirements[5].qualifies = [{ field: 'journalLevel', in: ['national'] }];
      }),
    ).toThrow('requirements[5].qualifies[0].field "journalLevel" is not a field of media_reports');
    expect(() =>
      registryWith('rule-sets/service-industry-demo.v2.json', (j) => {
        j.requirements[1].qualifies.anyOf[1][1].in = ['nationl'];
      }),
    ).toThrow('requirements[1].qualifies.anyOf[1][1].in[0] must be one of international, national');
  });

  it('stops start-up on a catalogue field that is not an activity column or does not fit it', () => {
    expect(() => registryWith('requirement-kinds.json', (j) => (j.fields.venue = j.fields.location))).toThrow(
      'requirement-kinds.json: fields.venue is not an activity column',
    );
    expect(() =>
      registryWith('requirement-kinds.json', (j) => (j.fields.participants = j.fields.location)),
    ).toThrow('fields.participants.type does not fit the column (integer)');
    expect(() =>
      registryWith('requirement-kinds.json', (j) => j.kinds.work_updates.required.push('nothing')),
    ).toThrow('kinds.work_updates.required[1] names no field of the catalogue, got "nothing"');
  });

  it('names the first missing required field', () => {
    expect(kindProblem(kind('national_papers'), { journal: '中国标准化' }, ['journal'])).toMatchObject({
      field: 'journalLevel',
      rule: 'required',
    });
    expect(kindProblem(kind('trained_personnel'), { personName: '王五', personKey: '' }, [])).toMatchObject({
      field: 'personKey',
      rule: 'required',
    });
    expect(kindProblem(kind('work_updates'), { recipient: '省局' }, ['recipient'])).toBeNull();
  });

  it('refuses a field of another kind, but only when it was sent with a value', () => {
    const values = { outlet: '人民日报', outletLevel: 'national', journal: '中国标准化' };
    expect(kindProblem(kind('media_reports'), values, ['outlet', 'journal'])).toMatchObject({
      field: 'journal',
      rule: 'notForRequirement',
    });
    expect(kindProblem(kind('media_reports'), { ...values, journal: null }, ['journal'])).toBeNull();
    expect(kindProblem(kind('media_reports'), values, ['outlet'])).toBeNull();
  });

  it('refuses a value a choice field does not list', () => {
    const values = { outlet: '人民日报', outletLevel: 'city' };
    expect(kindProblem(kind('media_reports'), values, ['outlet', 'outletLevel'])).toMatchObject({
      field: 'outletLevel',
      rule: 'isIn',
      en: 'outletLevel must be one of the following values: national, provincial, municipal, other',
    });
  });

  it('lists the fields a kind must not keep', () => {
    expect(foreignFields(kind('exchange_events'))).not.toContain('location');
    expect(foreignFields(kind('exchange_events'))).toContain('outlet');
    expect(foreignFields(kind('exchange_events'))).toHaveLength(CATEGORY_FIELDS.length - 2);
  });

  it('normalises identity keys so one person counts once', () => {
    expect(normalizePersonKey(' 44010119900101123x ')).toBe('44010119900101123X');
    expect(normalizePersonKey('４４０１ｘ')).toBe('4401X');
  });
});
