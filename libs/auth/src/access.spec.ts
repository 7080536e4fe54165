import 'reflect-metadata';
import type { Role } from '@app/db';
import { ForbiddenError } from '@app/common';
import { Access, ACTIONS, type Action } from './access';
import type { Principal } from './principal';

const principal = (role: Role, extra: Partial<Principal> = {}): Principal => ({
  id: 7,
  email: `${role}@example.cn`,
  name: role,
  role,
  unitId: role === 'unit' ? 1 : null,
  provinces: role === 'supervisor' ? ['44'] : [],
  locale: 'zh',
  via: 'bearer',
  csrfToken: '',
  tokenHash: '',
  ...extra,
});

const OWN = { id: 1, province: '44' };
const SIBLING = { id: 2, province: '44' };
const OTHER = { id: 3, province: '33' };

/** The whole table, written out: which role may do what (on some unit in its scope). */
const EXPECTED: Record<Action, Role[]> = {
  'activities:record': ['unit', 'admin'],
  'activities:review': ['supervisor', 'admin'],
  'activities:comment': ['unit', 'supervisor', 'admin'],
  'activities:requestChanges': ['supervisor', 'admin'],
  'integrity:review': ['supervisor', 'admin'],
  'integrity:explain': ['supervisor', 'admin'],
  'units:setTargets': ['supervisor', 'admin'],
  'units:acceptancePack': ['unit', 'supervisor', 'admin'],
  'units:manage': ['admin'],
  'periods:close': ['supervisor', 'admin'],
  'periods:reopen': ['admin'],
  'units:setStatus': ['supervisor', 'admin'],
  'reports:provinceYear': ['supervisor', 'admin'],
  'compliance:overview': ['supervisor', 'admin'],
  'compliance:league': ['supervisor', 'admin'],
  'reports:digest': ['supervisor', 'admin'],
  'reports:run': ['admin'],
  'outbox:manage': ['admin'],
  'robots:manage': ['supervisor', 'admin'],
  'users:manage': ['admin'],
  'audit:read': ['admin'],
  'rule-sets:manage': ['admin'],
  'admin:pages': ['admin'],
};

describe('Access', () => {
  const roles: Role[] = ['admin', 'supervisor', 'unit'];

  it('has a row for every action', () => {
    expect([...ACTIONS].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(ACTIONS)('%s: the roles of the table, no others', (action) => {
    expect(roles.filter((r) => Access.can(principal(r), action))).toEqual(
      roles.filter((r) => EXPECTED[action].includes(r)),
    );
  });

  it.each(ACTIONS)('%s on a unit: only inside the caller scope', (action) => {
    const seen = (r: Role) => [OWN, SIBLING, OTHER].map((u) => Access.can(principal(r), action, u));
    const allowed = (r: Role) => EXPECTED[action].includes(r);
    expect(seen('admin')).toEqual([true, true, true].map((v) => v && allowed('admin')));
    expect(seen('supervisor')).toEqual([true, true, false].map((v) => v && allowed('supervisor')));
    expect(seen('unit')).toEqual([true, false, false].map((v) => v && allowed('unit')));
  });

  it('never allows anything on a deleted unit, and a supervisor without provinces sees no unit', () => {
    expect(Access.can(principal('admin'), 'units:setTargets', { ...OWN, deletedAt: new Date() })).toBe(false);
    expect(Access.canSee(principal('supervisor', { provinces: [] }), OWN)).toBe(false);
    expect(Access.canSee(principal('unit', { unitId: null }), OWN)).toBe(false);
  });

  it('digests: an admin anyone’s, a supervisor only their own, a unit user none', () => {
    expect(Access.canSeeDigestOf(principal('admin'), 99)).toBe(true);
    expect(Access.canSeeDigestOf(principal('supervisor'), 7)).toBe(true);
    expect(Access.canSeeDigestOf(principal('supervisor'), 99)).toBe(false);
    expect(Access.canSeeDigestOf(principal('unit'), 7)).toBe(false);
  });

  it('league: an admin every group, a supervisor the groups of their provinces, a unit user a 403', () => {
    expect(Access.leagueProvinces(principal('admin'))).toBeNull();
    expect(Access.leagueProvinces(principal('supervisor', { provinces: ['44', '33'] }))).toEqual([
      '44',
      '33',
    ]);
    expect(Access.leagueProvinces(principal('supervisor', { provinces: [] }))).toEqual([]);
    expect(() => Access.leagueProvinces(principal('unit'))).toThrow(ForbiddenError);
  });

  it('duplicate claims: the other unit is named to admins and inside the caller scope only', () => {
    expect(Access.canNameClaimant(principal('admin'), OTHER)).toBe(true);
    expect(Access.canNameClaimant(principal('supervisor'), SIBLING)).toBe(true);
    expect(Access.canNameClaimant(principal('supervisor'), OTHER)).toBe(false);
    expect(Access.canNameClaimant(principal('unit'), OWN)).toBe(false);
    expect(Access.canExplainMatch(principal('supervisor'), OTHER, SIBLING)).toBe(true);
    expect(Access.canExplainMatch(principal('supervisor'), OTHER, OTHER)).toBe(false);
    expect(Access.canExplainMatch(principal('unit'), OWN, OWN)).toBe(false);
  });

  it('assert throws a 403 in both languages naming what the role may not do', () => {
    expect(() => Access.assert(principal('admin'), 'users:manage')).not.toThrow();
    let thrown: unknown;
    try {
      Access.assert(principal('supervisor'), 'activities:record');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ForbiddenError);
    expect(thrown).toMatchObject({
      zh: expect.stringContaining('监管用户'),
      en: expect.stringContaining('Supervisors'),
    });
  });
});
