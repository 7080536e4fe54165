import {
  type ActivityFact,
  type ActivityStatus,
  addDays,
  type Cycle,
  daysInclusive,
  fromDayNumber,
  dayNumber,
  type IsoDate,
  maxDate,
  minimumFor,
  paceFor,
  periodsOf,
  provinceByCode,
  type Requirement,
  requirementPeriod,
  type RequirementStatus,
  type RuleSet,
  withCheckChar,
} from '@app/compliance';
import { type DemoCity, placesOf } from './demo-places';
import {
  ACTIVITY_TEXT,
  BRANDS,
  CERTIFICATES,
  EVENT_TITLES,
  GIVEN,
  INDUSTRIES,
  NAME_TEXT,
  NATIONAL_JOURNALS,
  NATIONAL_MEDIA,
  PAPER_TITLES,
  REGIONAL_INDUSTRIES,
  REJECT_REASONS,
  STANDARD_LEVEL_NAMES,
  STANDARD_TOPICS,
  SURNAMES,
  VENUES,
} from './demo-vocabulary';

/*
 * Demonstration data for one province, built as plain values (no database) so it can be tested and
 * reproduced: the same inputs always give the same units, people, dates and statuses.
 */

export const DEMO_DEFAULT_PASSWORD = 'demo-password-1';
export const DEMO_MAX_UNITS = 100;

/** The six requirements of the service-industry program (SPEC §1) the demo data fills. */
export const DEMO_REQUIREMENTS = [
  'exchange_events',
  'standard_proposals',
  'national_papers',
  'trained_personnel',
  'work_updates',
  'media_reports',
] as const;
/** Sign-in e-mails of demo users live under this reserved example domain. */
export const DEMO_USER_DOMAIN = 'demo.example.com';

export interface DemoOptions {
  province: string;
  units: number;
  /** The demonstration year: cycles are built around it; activities run up to `today` within it. */
  year: number;
  /** Today in Asia/Shanghai; no activity is dated after it. */
  today: IsoDate;
  /** Timestamps (submitted, reviewed) are never after this instant. */
  now: Date;
  ruleSet: RuleSet;
}

/** How a unit is doing in its current period, which decides each requirement's planned status. */
export type DemoProfile = 'exemplary' | 'strong' | 'steady' | 'lagging' | 'struggling';

export interface DemoContact {
  name: string;
  email: string;
  locale: 'zh' | 'en';
}

/** The activity fields of the Activity entity that a demo activity fills. */
export interface DemoActivity {
  requirement: string;
  date: IsoDate;
  title: string;
  description: string;
  status: ActivityStatus;
  rejectReason: string | null;
  submittedAt: Date | null;
  reviewedAt: Date | null;
  location?: string;
  participants?: number;
  standardLevel?: string;
  standardKind?: string;
  standardNumber?: string;
  journal?: string;
  journalLevel?: string;
  issn?: string;
  authors?: string;
  personName?: string;
  personKey?: string;
  certificate?: string;
  recipient?: string;
  outlet?: string;
  outletLevel?: string;
  url?: string;
}

export interface DemoUnit {
  /** 1-based position in the province; fixes the unit's identity (name, credit code, user). */
  index: number;
  name: string;
  creditCode: string;
  province: string;
  industry: string;
  kind: 'enterprise' | 'regional';
  program: string;
  ruleSetVersion: number;
  cycleStart: IsoDate;
  cycleEnd: IsoDate;
  contacts: DemoContact[];
  user: { email: string; name: string };
  profile: DemoProfile;
  /** The status each requirement was planned to have today (the engine's answer on these data). */
  planned: Record<string, RequirementStatus>;
  activities: DemoActivity[];
}

export interface DemoData {
  province: string;
  year: number;
  today: IsoDate;
  supervisor: { email: string; name: string; provinces: string[] };
  units: DemoUnit[];
}

// ---------------------------------------------------------------------------------------------------
// Deterministic randomness

/** FNV-1a over the text, as a 32-bit seed. */
function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: small, fast, good enough for demo data, and the same on every machine. */
export class Prng {
  private state: number;
  constructor(seed: string) {
    this.state = hashSeed(seed);
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
  /** `n` dates in [from, to] (inclusive), sorted; repeats allowed when the range is short. */
  dates(n: number, from: IsoDate, to: IsoDate): IsoDate[] {
    const a = dayNumber(from);
    const span = dayNumber(to) - a;
    const out: IsoDate[] = [];
    for (let i = 0; i < n; i++) out.push(fromDayNumber(a + Math.floor(this.next() * (span + 1))));
    return out.sort();
  }
}

// ---------------------------------------------------------------------------------------------------
// Vocabulary (the lists are in demo-vocabulary.ts)

/** '养老服务' + '服务提供规范' → '养老服务提供规范', not '养老服务服务…'. */
function joinService(industry: string, rest: string): string {
  return rest.startsWith('服务') ? industry.replace(/服务$/, '') + rest : industry + rest;
}

/** [zh, pinyin] of a random person. */
function person(rnd: Prng): { zh: string; latin: string } {
  const [s, sp] = rnd.pick(SURNAMES);
  const [g, gp] = rnd.pick(GIVEN);
  return { zh: s + g, latin: `${gp}.${sp}` };
}

/** A template of demo-vocabulary.ts filled in, in one pass; `{industry}服务…` joins as joinService does. */
function fill(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}(服务)?/g, (_all, key: string, service?: string) => {
    const v = vars[key];
    if (v === undefined) throw new RangeError(`demo template ${template} lacks {${key}}`);
    return key === 'industry' && service ? joinService(String(v), service) : `${v}${service ?? ''}`;
  });
}

// ---------------------------------------------------------------------------------------------------
// Identity of a unit (depends only on the province and the index, so reruns find the same units)

/** GB 11714 check character of an 8-character organization code body (digits here). */
function orgCodeCheck(body: string): string {
  const weights = [3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(body[i]) * weights[i];
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

export interface DemoIdentity {
  index: number;
  name: string;
  /** For titles: '华信物业', '天河区'. */
  short: string;
  creditCode: string;
  industry: string;
  standardPrefix: string;
  kind: 'enterprise' | 'regional';
  city: DemoCity;
}

export function demoIdentity(province: string, index: number): DemoIdentity {
  if (!provinceByCode(province)) throw new RangeError(`unknown province ${province}`);
  if (!Number.isInteger(index) || index < 1 || index > DEMO_MAX_UNITS) {
    throw new RangeError(`unit index must be 1..${DEMO_MAX_UNITS}, got ${index}`);
  }
  const places = placesOf(province);
  const districts = places.cities.flatMap((city) => city.districts.map((d) => ({ city, d })));
  // Every sixth unit is a region, while districts last.
  const regional = index % 6 === 4 ? districts[(index - 4) / 6] : undefined;
  // A bijection of the index, so no two demo units of a province share an organization code.
  const body = String(10_000_000 + ((index * 7_654_321 + Number(province) * 1_234_567) % 89_999_999));
  if (regional) {
    const [district, code] = regional.d;
    return {
      index,
      name: fill(NAME_TEXT.regionalUnit, { city: regional.city.name, district }),
      short: district,
      // 1 = 机构编制 registration, 1 = 机关.
      creditCode: withCheckChar(`11${code}${body}${orgCodeCheck(body)}`),
      industry: REGIONAL_INDUSTRIES[index % REGIONAL_INDUSTRIES.length],
      standardPrefix: 'DB',
      kind: 'regional',
      city: regional.city,
    };
  }
  const city = places.cities[(index - 1) % places.cities.length];
  const brand = BRANDS[(index - 1) % BRANDS.length];
  // (index mod 30, 5·index mod 17) never repeats below 510, so names stay distinct.
  const ind = INDUSTRIES[(index * 5) % INDUSTRIES.length];
  return {
    index,
    name: `${city.name}${brand}${ind.suffix}`,
    short: `${brand}${ind.short}`,
    // 9 = 市场监管 registration, 1 = 企业.
    creditCode: withCheckChar(`91${city.code}${body}${orgCodeCheck(body)}`),
    industry: ind.industry,
    standardPrefix: ind.prefix,
    kind: 'enterprise',
    city,
  };
}

export function demoUnitUserEmail(province: string, index: number): string {
  return `unit-${province}-${String(index).padStart(2, '0')}@${DEMO_USER_DOMAIN}`;
}

export function demoSupervisorEmail(province: string): string {
  return `supervisor-${province}@${DEMO_USER_DOMAIN}`;
}

/** Every credit code and e-mail the demo can use in a province, whatever `units` was: for finding old demo data. */
export function demoFootprint(province: string): { creditCodes: string[]; emails: string[] } {
  const indexes = Array.from({ length: DEMO_MAX_UNITS }, (_, i) => i + 1);
  return {
    creditCodes: indexes.map((i) => demoIdentity(province, i).creditCode),
    emails: [demoSupervisorEmail(province), ...indexes.map((i) => demoUnitUserEmail(province, i))],
  };
}

// ---------------------------------------------------------------------------------------------------
// Cycles and plans

/** Mixed cycles, all containing `today`: mid-year starts, calendar-year starts, cycles in their last year. */
function cycleFor(index: number, year: number, today: IsoDate): Cycle {
  switch (index % 5) {
    case 0:
    case 2:
      return { start: `${year - 1}-07-01`, end: `${year + 1}-06-30` };
    case 1:
    case 4:
      return { start: `${year}-01-01`, end: `${year + 1}-12-31` };
    default:
      // Started this July (a pro-rated first period) when today is past it; else in its last year.
      return today >= `${year}-07-01` && index % 10 === 3
        ? { start: `${year}-07-01`, end: `${year + 2}-06-30` }
        : { start: `${year - 1}-01-01`, end: `${year}-12-31` };
  }
}

const PROFILE_ORDER: DemoProfile[] = [
  'strong',
  'steady',
  'lagging',
  'exemplary',
  'steady',
  'strong',
  'struggling',
  'steady',
  'lagging',
  'strong',
  'steady',
  'exemplary',
  'lagging',
  'steady',
  'strong',
  'struggling',
  'steady',
  'strong',
  'lagging',
  'steady',
];

/** Planned statuses of a profile's six requirements; bad ones go to requirements that can be behind pace. */
const PROFILE_STATUSES: Record<DemoProfile, RequirementStatus[]> = {
  exemplary: ['met', 'met', 'met', 'met', 'met', 'met'],
  strong: ['met', 'met', 'met', 'met', 'on_track', 'on_track'],
  steady: ['at_risk', 'met', 'met', 'on_track', 'on_track', 'on_track'],
  lagging: ['shortfall', 'shortfall', 'at_risk', 'met', 'on_track', 'on_track'],
  struggling: ['shortfall', 'shortfall', 'shortfall', 'at_risk', 'at_risk', 'on_track'],
};

/** Share of the minimum delivered in earlier periods. */
const PAST_FACTOR: Record<DemoProfile, number> = {
  exemplary: 1.2,
  strong: 1.1,
  steady: 1,
  lagging: 0.8,
  struggling: 0.6,
};

/**
 * Verified and pending counts giving `status` for a requirement with this minimum and pace (see SPEC §3).
 * A status the numbers cannot reach (behind pace when pace is 0) becomes on_track; the returned status
 * is the one the engine will report.
 */
function countsFor(
  wanted: RequirementStatus,
  minimum: number,
  pace: number,
  rnd: Prng,
): { verified: number; pending: number; status: RequirementStatus } {
  const status = (wanted === 'at_risk' || wanted === 'shortfall') && pace < 1 ? 'on_track' : wanted;
  switch (status) {
    case 'met':
      return { verified: minimum + (rnd.chance(0.3) ? 1 : 0), pending: rnd.chance(0.3) ? 1 : 0, status };
    case 'at_risk': {
      const verified = Math.max(0, pace - 1 - (pace >= 3 && rnd.chance(0.4) ? 1 : 0));
      return { verified, pending: pace - verified + (rnd.chance(0.3) ? 1 : 0), status };
    }
    case 'shortfall': {
      const verified = Math.max(0, pace - 1 - (pace >= 2 && rnd.chance(0.5) ? 1 : 0));
      return { verified, pending: pace - verified >= 2 ? 1 : 0, status };
    }
    default: {
      // on_track needs verified ≥ pace and, to stay distinct from met, below the minimum.
      if (pace >= minimum) return { verified: minimum, pending: 0, status: 'met' };
      return { verified: rnd.int(pace, minimum - 1), pending: rnd.chance(0.4) ? 1 : 0, status: 'on_track' };
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Activities

interface Ctx {
  rnd: Prng;
  id: DemoIdentity;
  province: string;
  provinceName: string;
  provinceShort: string;
  provincialPaper: string;
  contact: string;
  year: number;
  /** Running number for personKeys. */
  seq: { person: number };
  /** Verified trainees, so a later record can name the same person again. */
  trainees: { name: string; key: string }[];
}

type Fields = Omit<DemoActivity, 'date' | 'status' | 'rejectReason' | 'submittedAt' | 'reviewedAt'>;

/** Fields of one activity; `qualifying` false gives the recorded-but-not-counted kind. */
function fieldsFor(req: string, ctx: Ctx, date: IsoDate, qualifying: boolean): Fields {
  const { rnd, id } = ctx;
  const stdYear = Math.min(Number(date.slice(0, 4)), ctx.year);
  switch (req) {
    case 'exchange_events': {
      const title = fill(rnd.pick(EVENT_TITLES), {
        industry: id.industry,
        short: id.short,
        province: ctx.provinceShort,
      });
      const participants = rnd.int(30, 200);
      return {
        requirement: req,
        title,
        description: fill(ACTIVITY_TEXT.exchangeEvent.description, { unit: id.name, participants }),
        location: fill(ACTIVITY_TEXT.exchangeEvent.location, { city: id.city.name, venue: rnd.pick(VENUES) }),
        participants,
      };
    }
    case 'standard_proposals': {
      const topic = joinService(id.industry, rnd.pick(STANDARD_TOPICS));
      if (!qualifying) {
        return {
          requirement: req,
          title: fill(ACTIVITY_TEXT.groupStandard.title, { topic }),
          description: ACTIVITY_TEXT.groupStandard.description,
          standardLevel: 'group',
          standardKind: 'proposal',
          standardNumber: `T/CAS ${rnd.int(100, 999)}-${stdYear}`,
        };
      }
      if (rnd.chance(0.3)) {
        const number = `GB/T ${rnd.int(10000, 45999)}-${stdYear - rnd.int(2, 8)}`;
        return {
          requirement: req,
          title: fill(ACTIVITY_TEXT.implementationReport.title, { number, topic }),
          description: ACTIVITY_TEXT.implementationReport.description,
          standardLevel: 'national',
          standardKind: 'implementation_report',
          standardNumber: number,
        };
      }
      const level = rnd.pick([
        'national',
        'national',
        'industry',
        'local',
        'local',
        'international',
      ] as const);
      // Every level's number is drawn (in this order), whichever is taken: the draws stay as they were.
      const numbers = {
        national: `${stdYear}${String(rnd.int(1000, 4999))}-T-469`,
        industry: `${id.standardPrefix} ${rnd.int(10000, 11999)}-${stdYear}`,
        local: `DB${ctx.province}/T ${rnd.int(1000, 2999)}-${stdYear}`,
        international: `ISO/NP ${rnd.int(20000, 29999)}`,
      };
      const number = numbers[level];
      const levelZh = STANDARD_LEVEL_NAMES[level];
      return {
        requirement: req,
        title: fill(ACTIVITY_TEXT.standardProposal.title, { level: levelZh, topic }),
        description: fill(ACTIVITY_TEXT.standardProposal.description, { level: levelZh }),
        standardLevel: level,
        standardKind: 'proposal',
        standardNumber: number,
      };
    }
    case 'national_papers': {
      const journal = qualifying
        ? rnd.pick(NATIONAL_JOURNALS)
        : {
            name: fill(ACTIVITY_TEXT.paper.provincialJournal, { province: ctx.provinceShort }),
            issn: issnWithCheck(`1${rnd.int(100, 999)}${rnd.int(100, 999)}`),
          };
      const co = person(rnd).zh;
      return {
        requirement: req,
        title: fill(rnd.pick(PAPER_TITLES), {
          industry: id.industry,
          short: id.short,
          province: ctx.provinceShort,
        }),
        description: fill(ACTIVITY_TEXT.paper.description, {
          journal: journal.name,
          year: date.slice(0, 4),
          issue: Number(date.slice(5, 7)),
        }),
        journal: journal.name,
        journalLevel: qualifying ? 'national' : 'provincial',
        issn: journal.issn,
        authors: `${ctx.contact}，${co}`,
      };
    }
    case 'trained_personnel': {
      const p = person(rnd).zh;
      const key = `BZH${ctx.province}${ctx.year}${String(++ctx.seq.person).padStart(4, '0')}`;
      const certificate = rnd.pick(CERTIFICATES);
      return {
        requirement: req,
        title: fill(ACTIVITY_TEXT.trainee.title, { person: p, certificate }),
        description: fill(ACTIVITY_TEXT.trainee.description, { person: p, certificate }),
        personName: p,
        personKey: key,
        certificate,
      };
    }
    case 'work_updates': {
      return {
        requirement: req,
        // Numbered in date order once all of the unit's activities exist.
        title: fill(ACTIVITY_TEXT.workUpdate.title, { short: id.short }),
        description: ACTIVITY_TEXT.workUpdate.description,
        recipient: fill(ACTIVITY_TEXT.workUpdate.recipient, { province: ctx.provinceName }),
      };
    }
    case 'media_reports': {
      const [outlet, level] = qualifying
        ? rnd.chance(0.5)
          ? [rnd.pick(NATIONAL_MEDIA), 'national']
          : [ctx.provincialPaper, 'provincial']
        : [id.city.paper, 'municipal'];
      return {
        requirement: req,
        title: fill(ACTIVITY_TEXT.mediaReport.title, { outlet, short: id.short }),
        description: fill(ACTIVITY_TEXT.mediaReport.description, { outlet, unit: id.name }),
        outlet,
        outletLevel: level,
        url: `https://news.example.com/${date.replace(/-/g, '/')}/${rnd.int(100000, 999999)}.html`,
      };
    }
    default:
      throw new RangeError(`no demo activities for requirement ${req}`);
  }
}

/** An ISSN from its first seven digits ('1234567' → '1234-567X'). */
function issnWithCheck(seven: string): string {
  let sum = 0;
  for (let i = 0; i < 7; i++) sum += Number(seven[i]) * (8 - i);
  const c = (11 - (sum % 11)) % 11;
  return `${seven.slice(0, 4)}-${seven.slice(4)}${c === 10 ? 'X' : c}`;
}

/** 09:00–17:59 in Shanghai on `date` plus `days`, never after `cap`. */
function instant(rnd: Prng, date: IsoDate, days: number, cap: Date): Date {
  const hh = String(rnd.int(9, 17)).padStart(2, '0');
  const mm = String(rnd.int(0, 59)).padStart(2, '0');
  const at = new Date(`${addDays(date, days)}T${hh}:${mm}:00+08:00`);
  return at > cap ? cap : at;
}

function withStatus(
  fields: Fields,
  date: IsoDate,
  status: ActivityStatus,
  rnd: Prng,
  cap: Date,
  rejectReason: string | null = null,
): DemoActivity {
  const submittedAt = status === 'draft' ? null : instant(rnd, date, rnd.int(0, 5), cap);
  const reviewedAt =
    status === 'verified' || status === 'rejected'
      ? new Date(Math.min(cap.getTime(), (submittedAt as Date).getTime() + rnd.int(1, 10) * 86_400_000))
      : null;
  return { ...fields, date, status, rejectReason, submittedAt, reviewedAt };
}

// ---------------------------------------------------------------------------------------------------
// The builder

export function buildDemoData(o: DemoOptions): DemoData {
  const province = provinceByCode(o.province);
  if (!province) throw new RangeError(`unknown province ${o.province}`);
  if (!Number.isInteger(o.units) || o.units < 1 || o.units > DEMO_MAX_UNITS) {
    throw new RangeError(`units must be 1..${DEMO_MAX_UNITS}, got ${o.units}`);
  }
  if (!o.today.startsWith(String(o.year))) {
    throw new RangeError(`today (${o.today}) must lie in the demo year ${o.year}`);
  }
  const byKey = new Map(o.ruleSet.requirements.map((r) => [r.key, r]));
  for (const key of DEMO_REQUIREMENTS) {
    if (!byKey.has(key)) throw new RangeError(`rule set ${o.ruleSet.program} lacks requirement ${key}`);
  }
  const places = placesOf(o.province);
  const cap = new Date(Math.min(o.now.getTime(), new Date(`${o.today}T23:59:59+08:00`).getTime()));
  const supRnd = new Prng(`supervisor:${o.province}`);
  const supervisor = {
    email: demoSupervisorEmail(o.province),
    name: fill(NAME_TEXT.supervisor, { person: person(supRnd).zh, province: province.zh }),
    provinces: [o.province],
  };

  const units: DemoUnit[] = [];
  for (let index = 1; index <= o.units; index++) {
    const id = demoIdentity(o.province, index);
    const rnd = new Prng(`unit:${o.province}:${index}:${o.year}`);
    const cycle = cycleFor(index, o.year, o.today);
    const profile = PROFILE_ORDER[(index - 1) % PROFILE_ORDER.length];

    const domain = `unit${o.province}${String(index).padStart(2, '0')}.example.com`;
    const contacts: DemoContact[] = [];
    for (let c = rnd.int(1, 2); c > 0; c--) {
      const p = person(rnd);
      if (contacts.some((x) => x.email.startsWith(`${p.latin}@`))) continue;
      contacts.push({ name: p.zh, email: `${p.latin}@${domain}`, locale: rnd.chance(0.1) ? 'en' : 'zh' });
    }

    const ctx: Ctx = {
      rnd,
      id,
      province: o.province,
      provinceName: province.zh,
      provinceShort: places.short,
      provincialPaper: places.paper,
      contact: contacts[0].name,
      year: o.year,
      seq: { person: index * 100 },
      trainees: [],
    };
    const planned = planCurrent(o, cycle, profile, rnd);
    const activities: DemoActivity[] = [];
    const windowStart = maxDate(cycle.start, addDays(o.today, -364));

    for (const req of o.ruleSet.requirements) {
      const current = requirementPeriod(req, o.ruleSet, cycle, o.today);
      // Earlier periods inside the one-year window: a share of their minimum, all verified.
      for (const period of periodsOf(o.ruleSet, cycle)) {
        if (req.period === 'cycle' || period.end >= current.start || period.end < windowStart) continue;
        const from = maxDate(period.start, windowStart);
        const share = daysInclusive(from, period.end) / daysInclusive(period.start, period.end);
        const n = Math.round(minimumFor(req, o.ruleSet, period) * share * PAST_FACTOR[profile]);
        for (const date of rnd.dates(n, from, period.end)) {
          activities.push(verified(req, ctx, date, cap));
        }
      }
      // The current period: exactly the planned verified and pending counts.
      const plan = planned.counts[req.key];
      const from = maxDate(current.start, windowStart);
      // Verified ones leave a few days for the review.
      const reviewable = maxDate(from, addDays(o.today, -3));
      for (const date of rnd.dates(plan.verified, from, reviewable)) {
        activities.push(verified(req, ctx, date, cap));
      }
      const recent = maxDate(from, addDays(o.today, -40));
      for (const date of rnd.dates(plan.pending, recent, o.today)) {
        activities.push(withStatus(fieldsFor(req.key, ctx, date, true), date, 'submitted', rnd, cap));
      }
      extras(req, ctx, from, o.today, cap, activities);
      // Every kind appears: one not yet due is at least being drafted (drafts never count).
      if (!activities.some((a) => a.requirement === req.key)) {
        const date = rnd.dates(1, maxDate(from, addDays(o.today, -20)), o.today)[0];
        activities.push(withStatus(fieldsFor(req.key, ctx, date, true), date, 'draft', rnd, cap));
      }
    }

    activities.sort((a, b) => a.date.localeCompare(b.date) || a.requirement.localeCompare(b.requirement));
    numberWorkUpdates(id, activities);
    units.push({
      index,
      name: id.name,
      creditCode: id.creditCode,
      province: o.province,
      industry: id.industry,
      kind: id.kind,
      program: o.ruleSet.program,
      ruleSetVersion: o.ruleSet.version,
      cycleStart: cycle.start,
      cycleEnd: cycle.end,
      contacts,
      user: { email: demoUnitUserEmail(o.province, index), name: contacts[0].name },
      profile,
      planned: planned.statuses,
      activities,
    });
  }
  return { province: o.province, year: o.year, today: o.today, supervisor, units };
}

/** Planned counts and statuses of the current period for each requirement. */
function planCurrent(o: DemoOptions, cycle: Cycle, profile: DemoProfile, rnd: Prng) {
  const info = o.ruleSet.requirements.map((req) => {
    const period = requirementPeriod(req, o.ruleSet, cycle, o.today);
    const minimum = minimumFor(req, o.ruleSet, period);
    return { req, minimum, pace: paceFor(minimum, period, o.today) };
  });
  // Requirements that can be behind pace first (random among them), so a lagging unit really lags.
  const order = rnd.shuffle(info).sort((a, b) => Number(b.pace >= 1) - Number(a.pace >= 1));
  const statuses = PROFILE_STATUSES[profile];
  const counts: Record<string, { verified: number; pending: number }> = {};
  const planned: Record<string, RequirementStatus> = {};
  order.forEach((x, i) => {
    const c = countsFor(statuses[i % statuses.length], x.minimum, x.pace, rnd);
    counts[x.req.key] = { verified: c.verified, pending: c.pending };
    planned[x.req.key] = c.status;
  });
  return { counts, statuses: planned };
}

/** A verified, qualifying activity; trained_personnel records a new person. */
function verified(req: Requirement, ctx: Ctx, date: IsoDate, cap: Date): DemoActivity {
  const fields = fieldsFor(req.key, ctx, date, true);
  if (fields.personKey) ctx.trainees.push({ name: fields.personName as string, key: fields.personKey });
  return withStatus(fields, date, 'verified', ctx.rnd, cap);
}

/**
 * What does not change the counts but makes the data real: unqualified records (group standards,
 * provincial journals, city newspapers), a trainee trained twice, drafts and rejected claims.
 */
function extras(
  req: Requirement,
  ctx: Ctx,
  from: IsoDate,
  today: IsoDate,
  cap: Date,
  out: DemoActivity[],
): void {
  const { rnd } = ctx;
  const one = (lo: IsoDate) => rnd.dates(1, maxDate(from, lo), today)[0];
  const unqualified =
    (req.key === 'media_reports' && rnd.chance(0.6)) ||
    (req.key === 'national_papers' && rnd.chance(0.4)) ||
    (req.key === 'standard_proposals' && rnd.chance(0.3));
  if (unqualified) {
    const date = one(from);
    out.push(withStatus(fieldsFor(req.key, ctx, date, false), date, 'verified', rnd, cap));
  }
  // The same person on a second course: one more record, the same personKey, still one person.
  const current = ctx.trainees.filter((t) => out.some((a) => a.personKey === t.key && a.date >= from));
  if (req.key === 'trained_personnel' && current.length && ctx.id.index % 3 !== 2) {
    const again = rnd.pick(current);
    const first = out.find((a) => a.personKey === again.key)?.date ?? from;
    const date = rnd.dates(1, first, today)[0];
    out.push(
      withStatus(
        {
          requirement: req.key,
          title: fill(ACTIVITY_TEXT.traineeAgain.title, { person: again.name }),
          description: fill(ACTIVITY_TEXT.traineeAgain.description, { person: again.name }),
          personName: again.name,
          personKey: again.key,
          certificate: ACTIVITY_TEXT.traineeAgain.certificate,
        },
        date,
        'verified',
        rnd,
        cap,
      ),
    );
  }
  if (rnd.chance(0.12)) {
    const date = one(addDays(today, -20));
    out.push(withStatus(fieldsFor(req.key, ctx, date, true), date, 'draft', rnd, cap));
  }
  if (rnd.chance(0.1)) {
    const date = one(from);
    out.push(
      withStatus(fieldsFor(req.key, ctx, date, true), date, 'rejected', rnd, cap, rnd.pick(REJECT_REASONS)),
    );
  }
}

/** Issue numbers of work updates in date order, per year ('2026年第3期'). */
function numberWorkUpdates(id: DemoIdentity, activities: DemoActivity[]): void {
  const issues: Record<string, number> = {};
  for (const a of activities) {
    if (a.requirement !== 'work_updates') continue;
    const y = a.date.slice(0, 4);
    issues[y] = (issues[y] ?? 0) + 1;
    a.title = fill(ACTIVITY_TEXT.workUpdate.numberedTitle, { short: id.short, year: y, issue: issues[y] });
  }
}

/** The engine's view of a demo unit's activities (for checks and tests). */
export function demoFacts(unit: Pick<DemoUnit, 'activities'>): ActivityFact[] {
  return unit.activities.map((a) => ({
    requirement: a.requirement,
    date: a.date,
    status: a.status,
    attributes: {
      standardLevel: a.standardLevel,
      standardKind: a.standardKind,
      journalLevel: a.journalLevel,
      outletLevel: a.outletLevel,
      personKey: a.personKey,
    },
  }));
}
