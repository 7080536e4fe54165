import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKindCatalogue } from './kinds';
import { loadRuleSetsFromDir, parseRuleSet, RuleSetError } from './rule-set';

const FILE = 'service-industry-demo.v1.json';
const shipped = () =>
  JSON.parse(readFileSync(join(__dirname, '../../../config/rule-sets', FILE), 'utf8')) as Record<string, any>;

const KINDS_FILE = join(__dirname, '../../../config/requirement-kinds.json');
const catalogue = loadKindCatalogue(
  KINDS_FILE,
  Object.keys(JSON.parse(readFileSync(KINDS_FILE, 'utf8')).fields),
  ['participants'],
);

/** The error message parseRuleSet (checked against the kind catalogue) gives for the shipped file after `change`. */
function errorAfter(change: (json: Record<string, any>) => void): string {
  const json = shipped();
  change(json);
  try {
    parseRuleSet(json, FILE, catalogue);
  } catch (error) {
    expect(error).toBeInstanceOf(RuleSetError);
    return (error as Error).message;
  }
  throw new Error('expected a RuleSetError');
}

describe('parseRuleSet names the file and the JSON path of a bad field', () => {
  it.each([
    [
      (j: any) => (j.requirements[2].minimum = 0),
      `${FILE}: requirements[2].minimum must be a positive integer, got 0`,
    ],
    [
      (j: any) => (j.requirements[2].minimum = 1.5),
      'requirements[2].minimum must be a positive integer, got 1.5',
    ],
    [
      (j: any) => (j.requirements[2].minimum = '1'),
      'requirements[2].minimum must be a positive integer, got "1"',
    ],
    [(j: any) => delete j.requirements[4].minimum, 'requirements[4].minimum is required'],
    [
      (j: any) => (j.requirements[0].period = 'monthly'),
      'requirements[0].period must be one of annual, cycle',
    ],
    [(j: any) => (j.requirements[1].label.en = ' '), 'requirements[1].label.en must be a non-empty string'],
    [(j: any) => delete j.requirements[1].unit.zh, 'requirements[1].unit.zh is required'],
    [(j: any) => (j.name.zh = ''), `${FILE}: name.zh must be a non-empty string`],
    [(j: any) => (j.version = 0), 'version must be a positive integer'],
    [(j: any) => (j.program = 'Service Industry'), 'program must be lower-case words joined by hyphens'],
    [(j: any) => (j.periodMode = 'fiscal_year'), 'periodMode must be one of calendar_year, project_year'],
    [(j: any) => (j.prorate = 'yes'), 'prorate must be true or false'],
    [(j: any) => (j.requirements = []), 'requirements must not be empty'],
    [
      (j: any) => (j.requirements[3].key = 'exchange_events'),
      'requirements[3].key "exchange_events" repeats requirements[0].key',
    ],
    [
      (j: any) => (j.requirements[3].key = 'Trained Personnel'),
      'requirements[3].key must be lower_snake_case',
    ],
    [(j: any) => (j.requirements[0].minumum = 3), 'requirements[0].minumum is not a known field'],
    [(j: any) => (j.extra = true), `${FILE}: extra is not a known field`],
    [(j: any) => (j.requirements[5].qualifies = {}), 'requirements[5].qualifies.anyOf is required'],
    [(j: any) => (j.requirements[5].qualifies = 'x'), 'requirements[5].qualifies must be an object'],
    [
      (j: any) => (j.requirements[5].qualifies = { anyOf: [] }),
      'requirements[5].qualifies.anyOf must not be empty',
    ],
    [
      (j: any) => (j.requirements[5].qualifies = { anyOf: [[]] }),
      'requirements[5].qualifies.anyOf[0] must not be empty',
    ],
    [
      (j: any) =>
        (j.requirements[5].qualifies = {
          anyOf: [[{ field: 'outletLevel', in: ['national'] }], [{ field: 'outletLevel', in: ['city'] }]],
        }),
      'requirements[5].qualifies.anyOf[1][0].in[0] must be one of national, provincial, municipal, other',
    ],
    [
      (j: any) => (j.requirements[5].qualifies = { anyOf: [[]], all: [] }),
      'requirements[5].qualifies.all is not a known field',
    ],
    [
      (j: any) => (j.requirements[5].qualifies[0].in = []),
      'requirements[5].qualifies[0].in must not be empty',
    ],
    [
      (j: any) => (j.requirements[5].qualifies[0].in = ['national', 'provincal']),
      'requirements[5].qualifies[0].in[1] must be one of national, provincial, municipal, other, got "provincal"',
    ],
    [
      (j: any) => (j.requirements[1].qualifies[1].field = ''),
      'requirements[1].qualifies[1].field must be a non-empty string',
    ],
    [(j: any) => (j.requirements[3].distinctBy = 7), 'requirements[3].distinctBy must be a non-empty string'],
    [(j: any) => (j.requirements[2].evidenceRequired = 'yes'), 'requirements[2].evidenceRequired must be'],
    [(j: any) => (j.reminderDays = 30), 'reminderDays must be an array of whole days'],
    [(j: any) => (j.reminderDays = [0]), 'reminderDays must hold whole days from 1 to 365, got 0'],
    [(j: any) => (j.reminderDays = [366]), 'reminderDays must hold whole days from 1 to 365, got 366'],
    [(j: any) => (j.reminderDays = [7.5]), 'reminderDays must hold whole days from 1 to 365, got 7.5'],
    [(j: any) => (j.reminderDays = [30, 30]), 'reminderDays must not repeat a day'],
    [(j: any) => (j.reminderDays = [1, 2, 3, 4, 5, 6]), 'reminderDays must list at most 5 days'],
  ])('%#: %s', (change, message) => {
    expect(errorAfter(change)).toContain(message);
  });

  it('reminds 60, 30 and 7 days before a period ends unless the file says otherwise (largest first)', () => {
    expect(parseRuleSet(shipped(), FILE).reminderDays).toEqual([60, 30, 7]);
    expect(parseRuleSet({ ...shipped(), reminderDays: [14, 90] }, FILE).reminderDays).toEqual([90, 14]);
    expect(parseRuleSet({ ...shipped(), reminderDays: [] }, FILE).reminderDays).toEqual([]);
  });

  it('asks for evidence before review unless a requirement says evidenceRequired: false', () => {
    expect(parseRuleSet(shipped(), FILE).requirements.map((r) => r.evidenceRequired)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
    ]);
    const json = shipped();
    json.requirements[4].evidenceRequired = false;
    expect(parseRuleSet(json, FILE).requirements[4].evidenceRequired).toBe(false);
  });

  it('rejects a rule set that is not an object', () => {
    expect(() => parseRuleSet([], FILE)).toThrow(`${FILE}: rule set must be an object`);
    expect(() => parseRuleSet(null)).toThrow('rule set: rule set must be an object');
  });

  it('exposes the file and path on the error', () => {
    try {
      parseRuleSet({ ...shipped(), version: -1 }, FILE);
    } catch (error) {
      expect(error).toMatchObject({ name: 'RuleSetError', source: FILE, path: 'version' });
    }
    expect.assertions(1);
  });

  it('accepts free qualification fields outside the fixed vocabularies', () => {
    const json = shipped();
    json.requirements[0].qualifies = [{ field: 'eventKind', in: ['exchange', 'observation'] }];
    expect(parseRuleSet(json).requirements[0].qualifies).toEqual([
      [{ field: 'eventKind', in: ['exchange', 'observation'] }],
    ]);
  });

  it('reads a list of conditions as one alternative and anyOf as several', () => {
    const json = shipped();
    expect(parseRuleSet(json).requirements[0].qualifies).toEqual([[]]);
    json.requirements[1].qualifies = {
      anyOf: [
        [{ field: 'standardKind', in: ['proposal'] }],
        [
          { field: 'standardKind', in: ['implementation_report'] },
          { field: 'standardLevel', in: ['national'] },
        ],
      ],
    };
    expect(parseRuleSet(json).requirements[1].qualifies).toEqual(json.requirements[1].qualifies.anyOf);
  });

  it('takes the short label when given, else the label', () => {
    const json = shipped();
    delete json.requirements[0].shortLabel;
    const parsed = parseRuleSet(json);
    expect(parsed.requirements[0].shortLabel).toEqual(parsed.requirements[0].label);
    expect(parsed.requirements[2].shortLabel).toEqual({
      zh: '国家级刊物论文',
      en: 'Papers in national journals',
    });
  });
});

describe('loadRuleSetsFromDir', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'rule-sets-'));

  it('names a file that is not valid JSON', () => {
    const d = dir();
    writeFileSync(join(d, 'broken.json'), '{ "program": ');
    expect(() => loadRuleSetsFromDir(d)).toThrow(/^broken\.json: rule set is not valid JSON/);
  });

  it('refuses two files defining the same program and version', () => {
    const d = dir();
    writeFileSync(join(d, 'a.json'), JSON.stringify(shipped()));
    writeFileSync(join(d, 'b.json'), JSON.stringify(shipped()));
    expect(() => loadRuleSetsFromDir(d)).toThrow(
      'b.json: version repeats service-industry-demo@1, already defined in a.json',
    );
  });

  it('names the bad file among good ones, and ignores other files', () => {
    const d = dir();
    writeFileSync(join(d, 'README.md'), 'not a rule set');
    writeFileSync(join(d, 'good.json'), JSON.stringify(shipped()));
    writeFileSync(join(d, 'bad.json'), JSON.stringify({ ...shipped(), version: 2, prorate: null }));
    expect(() => loadRuleSetsFromDir(d)).toThrow('bad.json: prorate must be true or false, got null');
  });
});
