import { REQUIREMENT_KINDS } from '@app/compliance';
import {
  CATEGORY_FIELDS,
  foreignFields,
  KIND_FIELDS,
  kindProblem,
  normalizePersonKey,
} from './activity-kinds';

describe('activity kinds: which category fields each requirement takes', () => {
  it('gives every category field to exactly one requirement', () => {
    const owners = CATEGORY_FIELDS.map((f) =>
      REQUIREMENT_KINDS.filter((k) => [...KIND_FIELDS[k].required, ...KIND_FIELDS[k].optional].includes(f)),
    );
    expect(owners.every((o) => o.length === 1)).toBe(true);
  });

  it('names the first missing required field', () => {
    expect(kindProblem('national_papers', { journal: '中国标准化' }, ['journal'])).toMatchObject({
      field: 'journalLevel',
      rule: 'required',
    });
    expect(kindProblem('trained_personnel', { personName: '王五', personKey: '' }, [])).toMatchObject({
      field: 'personKey',
      rule: 'required',
    });
    expect(kindProblem('work_updates', { recipient: '省局' }, ['recipient'])).toBeNull();
  });

  it('refuses a sent field of another kind, but not a null one or a stored one', () => {
    const values = { outlet: '南方日报', outletLevel: 'municipal', journal: '中国标准化' };
    expect(kindProblem('media_reports', values, ['outlet', 'journal'])).toMatchObject({
      field: 'journal',
      rule: 'notForRequirement',
    });
    expect(kindProblem('media_reports', { ...values, journal: null }, ['journal'])).toBeNull();
    expect(kindProblem('media_reports', values, ['outlet'])).toBeNull();
  });

  it('lists the fields a requirement must not keep', () => {
    expect(foreignFields('exchange_events')).not.toContain('location');
    expect(foreignFields('exchange_events')).toContain('outlet');
    expect(foreignFields('exchange_events')).toHaveLength(CATEGORY_FIELDS.length - 2);
  });

  it('normalises identity keys so one person counts once', () => {
    expect(normalizePersonKey(' 44010119900101123x ')).toBe('44010119900101123X');
    expect(normalizePersonKey('４４０１ｘ')).toBe('4401X');
  });
});
