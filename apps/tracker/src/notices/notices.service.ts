import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';
import { Env, NotFoundError } from '@app/common';
import { RobotChannel } from '../robots/robot-channel';
import { listMarkdown, rejectedMarkdown } from '../robots/robot-markdown';
import { Activity, ActivityComment, type NoticePreferences, type Role, type Unit, User } from '@app/db';
import { type EnqueueSpec, OutboxService } from '@app/mail';
import { formatDate, type Locale, t } from '@app/reporting/i18n';
import { renderTemplateMail } from '@app/reporting/mail';
import { RuleSetsService } from '../rule-sets/rule-sets.service';
import { NOTICE_COMMENT, NOTICE_REJECTED, NOTICE_SUBMISSIONS, NOTICE_VERIFIED } from './notice-kinds';

export * from './notice-kinds';

export type Preferences = Required<NoticePreferences>;

/** Daily digests go out from this hour (Asia/Shanghai) on, for the day before. */
export const DIGEST_HOUR = 8;
/** Hour slots are looked at this long after they end, so a review committing late is still in. */
const SLOT_GRACE_MS = 2 * 60_000;
/** How many ended hour slots a tick looks back at (catches up ticks missed by a restart). */
const SLOTS_BACK = 6;
/** At most this many activities are listed in one mail; the rest are counted. */
const MAX_ITEMS = 50;
const HOUR = 3_600_000;
/** Asia/Shanghai is UTC+8 all year (no daylight saving). */
const SHANGHAI = 8 * HOUR;

/** A person a unit's notices go to: an account of the unit, or a contact without one. */
interface Recipient {
  email: string;
  name: string;
  locale: Locale;
  userId: number | null;
  prefs: Preferences;
}

interface Item {
  title: string;
  date: string;
  requirement: string;
  reason: string | null;
  unit: string | null;
  url: string;
}

/** Defaults (SPEC: rejections immediately, verifications hourly, supervisors' submissions daily). */
export function defaultPreferences(role: Role): Preferences {
  return {
    rejected: 'immediately',
    verified: 'hourly',
    submissions: role === 'supervisor' ? 'daily' : 'off',
    comments: 'immediately',
  };
}

export function preferencesOf(user: Pick<User, 'role' | 'notices'>): Preferences {
  return { ...defaultPreferences(user.role), ...user.notices };
}

/** 'YYYY-MM-DDTHH' of the hour (Asia/Shanghai) an instant falls in. */
export function hourSlot(at: Date): string {
  return new Date(at.getTime() + SHANGHAI).toISOString().slice(0, 13);
}

/** 'YYYY-MM-DD' (Asia/Shanghai) of an instant. */
function dayOf(at: Date): string {
  return new Date(at.getTime() + SHANGHAI).toISOString().slice(0, 10);
}

function slotStart(slot: string): Date {
  return new Date(Date.parse(`${slot}:00:00Z`) - SHANGHAI);
}

function dayStart(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00Z`) - SHANGHAI);
}

/**
 * Event notices through the outbox (SPEC §4): a rejection is queued in the review's transaction; the
 * hourly verification batches and the daily digests are queued by `tick`, which any number of
 * instances may run: each mail's idempotency key lets only one row exist.
 */
@Injectable()
export class NoticesService {
  private readonly logger = new Logger('Notices');

  constructor(
    private readonly em: EntityManager,
    private readonly env: Env,
    private readonly outbox: OutboxService,
    private readonly ruleSets: RuleSetsService,
    private readonly robots: RobotChannel,
  ) {}

  async preferences(userId: number): Promise<Preferences> {
    const user = await this.em.findOne(User, { id: userId });
    if (!user) throw new NotFoundError(`user ${userId}`);
    return preferencesOf(user);
  }

  /** Changes the kinds given; the others keep their choice. */
  async setPreferences(userId: number, changes: NoticePreferences): Promise<Preferences> {
    const user = await this.em.findOne(User, { id: userId });
    if (!user) throw new NotFoundError(`user ${userId}`);
    const given = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
    user.notices = { ...user.notices, ...given };
    await this.em.flush();
    return preferencesOf(user);
  }

  /** Queues the rejection notice of `a` for whoever wants it immediately; `em` is the review's transaction. */
  async rejected(em: EntityManager, a: Activity): Promise<void> {
    const at = a.reviewedAt ?? new Date();
    const specs: EnqueueSpec[] = [];
    for (const r of await this.recipients(em, a.unit)) {
      if (r.prefs.rejected !== 'immediately') continue;
      const item = this.item(a, r.locale, false);
      const model = {
        locale: r.locale,
        recipientName: r.name,
        intro: t(r.locale, 'mail.notice.rejected.intro', { unit: a.unit.name }),
        items: [item],
      };
      const subject = t(r.locale, 'mail.notice.rejected.subject', { title: a.title });
      specs.push(
        this.spec(
          `${NOTICE_REJECTED}:${a.id}:${at.getTime()}:${r.email}`,
          NOTICE_REJECTED,
          dayOf(at),
          r,
          a.unit.id,
          { subject, ...renderTemplateMail('notice-rejected', model), attachments: [] },
        ),
      );
    }
    if (specs.length) await this.outbox.enqueue(specs, em);
    // The unit's group robots, whatever anyone's choice: a group chat is no one's mailbox.
    const item = this.item(a, 'zh', false);
    await this.robots.enqueueFor(
      em,
      { unitId: a.unit.id },
      {
        keyBase: `${NOTICE_REJECTED}:${a.id}:${at.getTime()}`,
        kind: NOTICE_REJECTED,
        period: dayOf(at).slice(0, 7),
        ...rejectedMarkdown('zh', { ...item, unit: a.unit.name, reason: item.reason }),
      },
    );
  }

  /**
   * Queues the notice of a new comment on `a` to the other side, for whoever wants comments immediately;
   * `em` is the comment's transaction. A reviewer's comment goes to the unit's users and contacts; a
   * unit's comment to the active supervisors of the unit's province and to administrators who took part
   * (reviewed the activity or wrote in its thread). Never to the comment's own author.
   */
  async commented(em: EntityManager, a: Activity, c: ActivityComment): Promise<number> {
    const authorId = c.author?.id ?? null;
    let recipients: Recipient[];
    if (c.authorRole === 'unit') {
      const reviewers = await em.find(User, { role: { $in: ['supervisor', 'admin'] }, active: true });
      const participants = new Set<number>(
        (
          await em.find(ActivityComment, { activity: a.id, authorRole: 'admin' }, { fields: ['author'] })
        ).flatMap((x) => (x.author ? [x.author.id] : [])),
      );
      if (a.reviewedBy) participants.add(a.reviewedBy.id);
      recipients = reviewers
        .filter((u) =>
          u.role === 'supervisor' ? u.provinces.includes(a.unit.province) : participants.has(u.id),
        )
        .map((u) => ({
          email: u.email.toLowerCase(),
          name: u.name,
          locale: u.locale,
          userId: u.id,
          prefs: preferencesOf(u),
        }));
    } else {
      recipients = await this.recipients(em, a.unit);
    }
    const authorEmail = authorId ? (await em.findOne(User, authorId))?.email.toLowerCase() : undefined;
    const specs: EnqueueSpec[] = [];
    const day = dayOf(c.createdAt);
    for (const r of recipients) {
      if (r.prefs.comments !== 'immediately') continue;
      if ((authorId !== null && r.userId === authorId) || r.email === authorEmail) continue;
      const L = r.locale;
      const model = {
        locale: L,
        recipientName: r.name,
        intro: t(L, 'mail.notice.comment.intro', {
          author: c.authorName,
          role: t(L, `mail.notice.comment.role.${c.authorRole}`),
        }),
        items: [this.item(a, L, c.authorRole === 'unit')],
        comment: {
          body: c.body,
          author: c.authorName,
          role: t(L, `mail.notice.comment.role.${c.authorRole}`),
          attachmentName: c.attachmentName ?? null,
        },
      };
      const subject = t(L, 'mail.notice.comment.subject', { title: a.title, author: c.authorName });
      specs.push(
        this.spec(`${NOTICE_COMMENT}:${c.id}:${r.email}`, NOTICE_COMMENT, day, r, a.unit.id, {
          subject,
          ...renderTemplateMail('notice-comment', model),
          attachments: [],
        }),
      );
    }
    return specs.length ? (await this.outbox.enqueue(specs, em)).created : 0;
  }

  /** Queues whatever is due at `now`: the verification batches of ended hours, then yesterday's digests. */
  async tick(now: Date): Promise<{ created: number }> {
    // Its own unit of work: ticks run outside requests, and read many rows they need not keep.
    const em = this.em.fork();
    let created = await this.verifiedHourly(em, now);
    const today = dayOf(now);
    const hour = new Date(now.getTime() + SHANGHAI).getUTCHours();
    if (hour >= DIGEST_HOUR) {
      const day = dayOf(new Date(dayStart(today).getTime() - 1));
      created += await this.unitDaily(em, day, 'rejected');
      created += await this.unitDaily(em, day, 'verified');
      created += await this.submissionsDaily(em, day);
    }
    return { created };
  }

  /** One mail per unit and hour slot to each recipient choosing the hourly batch. */
  private async verifiedHourly(em: EntityManager, now: Date): Promise<number> {
    const last = hourSlot(new Date(now.getTime() - SLOT_GRACE_MS - HOUR));
    const to = new Date(slotStart(last).getTime() + HOUR);
    const from = new Date(to.getTime() - SLOTS_BACK * HOUR);
    const reviewed = await this.reviewedBetween(em, 'verified', from, to);
    const groups = new Map<string, Activity[]>();
    for (const a of reviewed) {
      const key = `${a.unit.id}|${hourSlot(a.reviewedAt!)}`;
      groups.set(key, [...(groups.get(key) ?? []), a]);
    }
    let created = 0;
    for (const [key, list] of groups) {
      const slot = key.split('|')[1];
      const unit = list[0].unit;
      created += await this.queueUnitMails(em, unit, 'verified', 'hourly', `${unit.id}:${slot}`, slot, list);
      const params = { unit: unit.name, n: list.length, slot: slotLabel(slot) };
      await this.robots.enqueueFor(
        em,
        { unitId: unit.id },
        {
          keyBase: `${NOTICE_VERIFIED}:${unit.id}:${slot}`,
          kind: NOTICE_VERIFIED,
          period: slot.slice(0, 7),
          ...listMarkdown(
            t('zh', 'mail.notice.verified.intro', params),
            list.map((a) => `${a.date} · ${a.title}`),
            null,
            { label: t('zh', 'mail.robot.unitLink'), url: this.url(`/units/${unit.id}`) },
          ),
        },
      );
    }
    return created;
  }

  /** The day's rejections or verifications of each unit, to each recipient choosing the daily digest. */
  private async unitDaily(em: EntityManager, day: string, kind: 'rejected' | 'verified'): Promise<number> {
    const from = dayStart(day);
    const reviewed = await this.reviewedBetween(em, kind, from, new Date(from.getTime() + 24 * HOUR));
    const byUnit = new Map<number, Activity[]>();
    for (const a of reviewed) byUnit.set(a.unit.id, [...(byUnit.get(a.unit.id) ?? []), a]);
    let created = 0;
    for (const list of byUnit.values()) {
      created += await this.queueUnitMails(em, list[0].unit, kind, 'daily', `daily:${day}`, day, list);
    }
    return created;
  }

  private async queueUnitMails(
    em: EntityManager,
    unit: Unit,
    kind: 'rejected' | 'verified',
    choice: 'hourly' | 'daily',
    keyPart: string,
    when: string,
    list: Activity[],
  ): Promise<number> {
    const outboxKind = kind === 'rejected' ? NOTICE_REJECTED : NOTICE_VERIFIED;
    const recipients = (await this.recipients(em, unit)).filter((r) => r.prefs[kind] === choice);
    const keyOf = (r: Recipient) => `${outboxKind}:${keyPart}:${r.email}`;
    // Rendering is the costly part: skip the recipients whose mail a previous tick already queued.
    const seen = await this.outbox.statusesOf(recipients.map(keyOf), em);
    const specs: EnqueueSpec[] = [];
    for (const r of recipients.filter((x) => !seen.has(keyOf(x)))) {
      const L = r.locale;
      const n = list.length;
      const daily = choice === 'daily';
      const params = { unit: unit.name, n, date: formatDate(L, when), slot: slotLabel(when) };
      const model = {
        locale: L,
        recipientName: r.name,
        intro: t(L, `mail.notice.${kind}.${daily ? 'introDaily' : 'intro'}`, params),
        items: list.slice(0, MAX_ITEMS).map((a) => this.item(a, L, false)),
      };
      const subject =
        kind === 'rejected' && !daily
          ? t(L, 'mail.notice.rejected.subject', { title: list[0].title })
          : t(L, `mail.notice.${kind}.${daily ? 'subjectDaily' : 'subject'}`, params);
      const rendered = { subject, ...renderTemplateMail(`notice-${kind}`, model), attachments: [] };
      specs.push(this.spec(keyOf(r), outboxKind, when.slice(0, 10), r, unit.id, rendered));
    }
    return specs.length ? (await this.outbox.enqueue(specs, em)).created : 0;
  }

  /** Each reviewer choosing the digest gets the day's submissions in their scope; none when there are none. */
  private async submissionsDaily(em: EntityManager, day: string): Promise<number> {
    const from = dayStart(day);
    const submitted = await em.find(
      Activity,
      {
        submittedAt: { $gte: from, $lt: new Date(from.getTime() + 24 * HOUR) },
        status: { $ne: 'draft' },
        deletedAt: null,
        unit: { deletedAt: null },
      },
      { populate: ['unit'], orderBy: { submittedAt: 'asc', id: 'asc' } },
    );
    if (!submitted.length) return 0;
    const reviewers = await em.find(User, {
      role: { $in: ['supervisor', 'admin'] },
      active: true,
    });
    const keyOf = (u: User) => `${NOTICE_SUBMISSIONS}:${day}:${u.email.toLowerCase()}`;
    const seen = await this.outbox.statusesOf(reviewers.map(keyOf), em);
    const specs: EnqueueSpec[] = [];
    for (const u of reviewers) {
      if (preferencesOf(u).submissions !== 'daily' || seen.has(keyOf(u))) continue;
      // A supervisor's digest lists only their provinces; an administrator (who opted in) sees all.
      const mine = submitted.filter((a) => u.role === 'admin' || u.provinces.includes(a.unit.province));
      if (!mine.length) continue;
      const L = u.locale;
      const params = { n: mine.length, date: formatDate(L, day) };
      const model = {
        locale: L,
        recipientName: u.name,
        intro: t(L, 'mail.notice.submissions.intro', params),
        items: mine.slice(0, MAX_ITEMS).map((a) => this.item(a, L, true)),
        more: Math.max(0, mine.length - MAX_ITEMS),
        reviewUrl: this.url('/review'),
      };
      const rendered = {
        subject: t(L, 'mail.notice.submissions.subject', params),
        ...renderTemplateMail('notice-submissions', model),
        attachments: [],
      };
      const r: Recipient = {
        email: u.email.toLowerCase(),
        name: u.name,
        locale: L,
        userId: u.id,
        prefs: preferencesOf(u),
      };
      specs.push(this.spec(keyOf(u), NOTICE_SUBMISSIONS, day, r, null, rendered));
    }
    const created = specs.length ? (await this.outbox.enqueue(specs, em)).created : 0;
    if (created) this.logger.log(`Submission digests of ${day} queued: ${created}`);
    // Each province's robots: that province's submissions of the day.
    for (const province of new Set(submitted.map((a) => a.unit.province))) {
      const mine = submitted.filter((a) => a.unit.province === province);
      const params = { n: mine.length, date: formatDate('zh', day) };
      await this.robots.enqueueFor(
        em,
        { province },
        {
          keyBase: `${NOTICE_SUBMISSIONS}:${day}:province:${province}`,
          kind: NOTICE_SUBMISSIONS,
          period: day.slice(0, 7),
          ...listMarkdown(
            t('zh', 'mail.notice.submissions.subject', params),
            mine.map((a) => `${a.unit.name} · ${a.date} · ${a.title}`),
            mine.length > 10 ? t('zh', 'mail.notice.submissions.more', { n: mine.length - 10 }) : null,
            { label: t('zh', 'mail.notice.submissions.cta'), url: this.url('/review') },
          ),
        },
      );
    }
    return created;
  }

  /** Activities now in `status` whose review fell in [from, to), of live units. */
  private reviewedBetween(
    em: EntityManager,
    status: 'verified' | 'rejected',
    from: Date,
    to: Date,
  ): Promise<Activity[]> {
    return em.find(
      Activity,
      { status, reviewedAt: { $gte: from, $lt: to }, deletedAt: null, unit: { deletedAt: null } },
      { populate: ['unit'], orderBy: { reviewedAt: 'asc', id: 'asc' } },
    );
  }

  /**
   * Who hears about a unit's activities: its active unit users (with their choices), and its contacts
   * whose address is no account of the unit (with the defaults; a contact cannot sign in to choose).
   */
  private async recipients(em: EntityManager, unit: Unit): Promise<Recipient[]> {
    const users = await em.find(User, { role: 'unit', unit: unit.id });
    const accounts = new Set(users.map((u) => u.email.toLowerCase()));
    const out = new Map<string, Recipient>();
    for (const u of users.filter((x) => x.active)) {
      const email = u.email.toLowerCase();
      out.set(email, { email, name: u.name, locale: u.locale, userId: u.id, prefs: preferencesOf(u) });
    }
    for (const c of unit.contacts ?? []) {
      const email = c.email.trim().toLowerCase();
      if (!email || accounts.has(email) || out.has(email)) continue;
      const prefs = defaultPreferences('unit');
      out.set(email, { email, name: c.name, locale: c.locale ?? 'zh', userId: null, prefs });
    }
    return [...out.values()];
  }

  private item(a: Activity, L: Locale, withUnit: boolean): Item {
    return {
      title: a.title,
      date: a.date,
      requirement: this.ruleSets.requirementLabel(a.unit.program, a.unit.ruleSetVersion, a.requirement)[L],
      reason: a.status === 'rejected' ? (a.rejectReason ?? null) : null,
      unit: withUnit ? `${a.unit.name} (${t(L, `province.${a.unit.province}`)})` : null,
      url: this.url(`/activities/${a.id}`),
    };
  }

  private url(path: string): string {
    return this.env.PUBLIC_URL.replace(/\/+$/, '') + path;
  }

  private spec(
    key: string,
    kind: string,
    day: string,
    r: Recipient,
    unitId: number | null,
    rendered: EnqueueSpec['rendered'],
  ): EnqueueSpec {
    return {
      idempotencyKey: key,
      kind,
      period: day.slice(0, 7),
      recipient: r.email,
      recipientName: r.name,
      locale: r.locale,
      unitId,
      userId: r.userId,
      asOf: day.slice(0, 10),
      rendered,
    };
  }
}

/** '2026-12-01T14' → '2026-12-01 14:00–15:00'. */
function slotLabel(slot: string): string {
  if (slot.length < 13) return slot;
  const h = Number(slot.slice(11, 13));
  return `${slot.slice(0, 10)} ${String(h).padStart(2, '0')}:00–${String(h + 1).padStart(2, '0')}:00`;
}
