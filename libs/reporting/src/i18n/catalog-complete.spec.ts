import { readdirSync } from 'node:fs';
import { LABELS, PROVINCES, REQUIREMENT_STATUSES } from '@app/compliance';
import { LOCALES, MESSAGE_AREAS, MESSAGES, t } from '.';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalog', () => {
  const areas = Object.entries(MESSAGE_AREAS);

  it('merges every area file of the folder', () => {
    const files = readdirSync(__dirname)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
      .map((f) => f.replace(/\.ts$/, ''))
      .filter((f) => !['index', 'types', 'format', 'still-needed'].includes(f));
    expect(Object.keys(MESSAGE_AREAS).sort()).toEqual(files.sort());
  });

  it.each(areas)('area %s has every key in both languages, non-empty', (_name, area) => {
    const zhKeys = Object.keys(area.zh).sort();
    const enKeys = Object.keys(area.en).sort();
    expect(enKeys).toEqual(zhKeys);
    for (const locale of LOCALES) {
      for (const [key, text] of Object.entries(area[locale])) {
        expect({ key, locale, empty: text.trim() === '' }).toEqual({ key, locale, empty: false });
      }
    }
  });

  it.each(areas)('area %s uses the same placeholders in both languages', (_name, area) => {
    for (const key of Object.keys(area.zh)) {
      expect({ key, en: placeholders(area.en[key] ?? '') }).toEqual({
        key,
        en: placeholders(area.zh[key]),
      });
    }
  });

  it('keys are flat and dotted, and no key is defined by two areas', () => {
    const seen = new Map<string, string>();
    for (const [name, area] of areas) {
      for (const key of Object.keys(area.zh)) {
        expect(key).toMatch(/^[a-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$/);
        expect({ key, area: seen.get(key) ?? name }).toEqual({ key, area: name });
        seen.set(key, name);
      }
    }
    expect(Object.keys(MESSAGES.zh).length).toBe(seen.size);
  });

  it('gives every requirement status and province its LABELS text', () => {
    for (const status of REQUIREMENT_STATUSES) {
      expect(t('zh', `status.${status}`)).toBe(LABELS.requirementStatus[status].zh);
      expect(t('en', `status.${status}`)).toBe(LABELS.requirementStatus[status].en);
    }
    // Requirement labels come from each unit's rule set, not from the catalog.
    expect(Object.keys(MESSAGES.zh).some((k) => k.startsWith('requirement.'))).toBe(false);
    expect(t('en', 'activityStatus.submitted')).toBe('Submitted');
    expect(t('zh', 'province.66')).toBe(PROVINCES.find((p) => p.code === '66')!.zh);
    expect(t('en', 'month.short.9')).toBe('Sep');
    expect(t('zh', 'month.12')).toBe('12月');
  });
});
