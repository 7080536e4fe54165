import {
  ACTIVITY_STATUSES,
  LABELS,
  PROVINCES,
  provinceByCode,
  REQUIREMENT_STATUSES,
  UNIT_KINDS,
  UNIT_STATUSES,
} from './vocab';

describe('fixed vocabularies', () => {
  it('list the 31 provincial-level divisions plus the XPCC, with unique 2-digit codes', () => {
    expect(PROVINCES).toHaveLength(32);
    expect(new Set(PROVINCES.map((p) => p.code)).size).toBe(32);
    expect(new Set(PROVINCES.map((p) => p.zh)).size).toBe(32);
    for (const p of PROVINCES) expect(p.code).toMatch(/^[1-6]\d$/);
    expect(provinceByCode('66')?.zh).toBe('新疆生产建设兵团');
    expect(provinceByCode('44')?.en).toBe('Guangdong');
    expect(provinceByCode('71')).toBeUndefined(); // Taiwan is not a unit province here
  });

  it.each([
    ['activityStatus', ACTIVITY_STATUSES],
    ['unitKind', UNIT_KINDS],
    ['unitStatus', UNIT_STATUSES],
    ['requirementStatus', REQUIREMENT_STATUSES],
  ] as const)('label every %s in zh and en', (group, values) => {
    const labels: Record<string, { zh: string; en: string }> = LABELS[group];
    expect(Object.keys(labels).sort()).toEqual([...values].sort());
    for (const v of values) {
      expect(labels[v].zh).not.toBe('');
      expect(labels[v].en).not.toBe('');
    }
  });
});
