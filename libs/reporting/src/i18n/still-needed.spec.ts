import type { RequirementStatus } from '@app/compliance';
import { notYetMet, type StillNeededFacts, stillNeededText } from './still-needed';

const papers = (over: Partial<StillNeededFacts> = {}): StillNeededFacts => ({
  shortLabel: { zh: '国家级刊物论文', en: 'Papers in national journals' },
  unit: { zh: '篇', en: 'papers' },
  remaining: 1,
  remainingPending: 0,
  daysLeft: 30,
  status: 'shortfall',
  ...over,
});

// 2026-12-01 + 30 days = 2026-12-31, the last day of the calendar-year period.
const TODAY = '2026-12-01';

describe('stillNeededText()', () => {
  it('says how many are still needed and the days left until the period ends, without a pending part when none is pending', () => {
    expect(stillNeededText('zh', papers(), TODAY)).toBe('国家级刊物论文还需 1 篇，距 12 月 31 日还有 30 天');
    expect(stillNeededText('en', papers(), TODAY)).toBe(
      'Papers in national journals: 1 more paper needed, 30 days left until 31 December',
    );
  });

  it('tells how many of those are waiting for review, some or all of them', () => {
    const some = papers({
      shortLabel: { zh: '经验交流、观摩活动', en: 'Experience-exchange and observation events' },
      unit: { zh: '次', en: 'events' },
      remaining: 3,
      remainingPending: 1,
      status: 'at_risk',
    });
    expect(stillNeededText('zh', some, TODAY)).toBe(
      '经验交流、观摩活动还需 3 次（1 次待审核），距 12 月 31 日还有 30 天',
    );
    expect(stillNeededText('en', some, TODAY)).toBe(
      'Experience-exchange and observation events: 3 more events needed (1 awaiting review), 30 days left until 31 December',
    );
    const all = papers({ remainingPending: 1, status: 'at_risk' });
    expect(stillNeededText('zh', all, TODAY)).toBe(
      '国家级刊物论文还需 1 篇（1 篇待审核），距 12 月 31 日还有 30 天',
    );
    expect(stillNeededText('en', all, TODAY)).toBe(
      'Papers in national journals: 1 more paper needed (1 awaiting review), 30 days left until 31 December',
    );
  });

  it('the same sentence for a requirement on track: on track is not done', () => {
    expect(stillNeededText('zh', papers({ status: 'on_track', daysLeft: 200 }), '2026-06-14')).toBe(
      '国家级刊物论文还需 1 篇，距 12 月 31 日还有 200 天',
    );
  });

  it('says "today" on the last day, and "1 day" the day before', () => {
    expect(stillNeededText('zh', papers({ daysLeft: 0 }), '2026-12-31')).toBe(
      '国家级刊物论文还需 1 篇，今天截止',
    );
    expect(stillNeededText('en', papers({ daysLeft: 0, remainingPending: 1 }), '2026-12-31')).toBe(
      'Papers in national journals: 1 more paper needed (1 awaiting review), due today',
    );
    expect(stillNeededText('zh', papers({ daysLeft: 1 }), '2026-12-30')).toBe(
      '国家级刊物论文还需 1 篇，距 12 月 31 日还有 1 天',
    );
    expect(stillNeededText('en', papers({ daysLeft: 1 }), '2026-12-30')).toBe(
      'Papers in national journals: 1 more paper needed, 1 day left until 31 December',
    );
  });

  it('once the period has ended: not met, and by how many', () => {
    const ended = papers({ status: 'failed', daysLeft: 0, remaining: 2, remainingPending: 1 });
    expect(stillNeededText('zh', ended, '2027-01-05')).toBe('国家级刊物论文未达标，缺 2 篇（1 篇待审核）');
    expect(stillNeededText('en', ended, '2027-01-05')).toBe(
      'Papers in national journals: not met, 2 papers short (1 awaiting review)',
    );
    expect(stillNeededText('zh', papers({ status: 'failed', daysLeft: 0 }), '2027-01-05')).toBe(
      '国家级刊物论文未达标，缺 1 篇',
    );
  });

  it('names the year of a deadline in another year (a whole-cycle requirement)', () => {
    const cycle = papers({ daysLeft: 211, status: 'on_track' }); // 2026-12-01 + 211 = 2027-06-30
    expect(stillNeededText('zh', cycle, TODAY)).toBe('国家级刊物论文还需 1 篇，距 2027年6月30日还有 211 天');
    expect(stillNeededText('en', cycle, TODAY)).toBe(
      'Papers in national journals: 1 more paper needed, 211 days left until 30 June 2027',
    );
  });

  it('is null when nothing is needed', () => {
    expect(stillNeededText('zh', papers({ remaining: 0, status: 'met' }), TODAY)).toBeNull();
  });
});

describe('notYetMet()', () => {
  it('keeps the requirements not yet met, worst status first, rule-set order within a status', () => {
    const r = (key: string, status: RequirementStatus, remaining = 1) => ({ key, status, remaining });
    const items = [
      r('a', 'on_track'),
      r('b', 'met', 0),
      r('c', 'at_risk'),
      r('d', 'shortfall'),
      r('e', 'on_track'),
      r('f', 'shortfall'),
    ];
    expect(notYetMet(items).map((x) => x.key)).toEqual(['d', 'f', 'c', 'a', 'e']);
  });
});
