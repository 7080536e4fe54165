import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';
import ical, { type ICalCalendar } from 'ical-generator';
import { type IsoDate } from '@app/compliance';
import { Env, NotFoundError } from '@app/common';
import { CalendarFeed, User } from '@app/db';
import { type Locale, stillNeededText, t } from '@app/reporting';
import { Clock } from '../common/clock';
import type { ScopeFilter } from '../compliance/compliance.types';
import { reminderDate } from '../reminders/reminder-dates';
import { type OpenDeadline, RemindersService } from '../reminders/reminders.service';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
/** 32 random bytes, base64url. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
/** An administrator's feed covers every unit: only the worst ones (forScope's order) are listed. */
export const MAX_FEED_DEADLINES = 2000;

/**
 * Private iCalendar feeds: one secret URL per user (a new one replaces the old; only the token's SHA-256
 * is stored, like sessions), listing for each unit in the user's scope the end of each current period
 * and the reminder dates, with what is still needed.
 */
@Injectable()
export class CalendarService {
  constructor(
    private readonly em: EntityManager,
    private readonly env: Env,
    private readonly clock: Clock,
    private readonly reminders: RemindersService,
  ) {}

  /** A new URL for the user; the previous one stops working. */
  async create(userId: number): Promise<{ url: string }> {
    const token = randomBytes(32).toString('base64url');
    await this.em.transactional(async (tx) => {
      await tx.nativeDelete(CalendarFeed, { user: userId });
      tx.persist(tx.create(CalendarFeed, { tokenHash: sha256(token), user: userId }));
    });
    return { url: `${this.env.PUBLIC_URL.replace(/\/+$/, '')}/calendar/${token}.ics` };
  }

  async revoke(userId: number): Promise<void> {
    await this.em.nativeDelete(CalendarFeed, { user: userId });
  }

  async hasFeed(userId: number): Promise<boolean> {
    return (await this.em.count(CalendarFeed, { user: userId })) > 0;
  }

  /** The feed of a token; 404 for anything but a live token of an active user. */
  async feed(file: string): Promise<string> {
    const token = file.endsWith('.ics') ? file.slice(0, -4) : '';
    if (!TOKEN.test(token)) throw new NotFoundError('calendar');
    const row = await this.em.findOne(CalendarFeed, { tokenHash: sha256(token) }, { populate: ['user'] });
    const user = row?.user as User | undefined;
    if (!user?.active) throw new NotFoundError('calendar');
    const today = this.clock.today();
    const all = await this.reminders.openDeadlines(scopeOf(user), today);
    // Unit users and supervisors see every period end of their units; an administrator's national feed
    // only the deadlines that still need something, worst first, at most MAX_FEED_DEADLINES.
    const deadlines =
      user.role === 'admin' ? all.filter((d) => d.items.length).slice(0, MAX_FEED_DEADLINES) : all;
    return this.render(deadlines, today, user.locale).toString();
  }

  private render(deadlines: OpenDeadline[], today: IsoDate, locale: Locale): ICalCalendar {
    const host = new URL(this.env.PUBLIC_URL).hostname;
    const cal = ical({
      name: t(locale, 'mail.calendar.name'),
      prodId: { company: host, product: 'standards-demo-tracker', language: locale.toUpperCase() },
    });
    for (const d of deadlines) {
      const needed = d.items.map((i) => stillNeededText(locale, i, today)).filter(Boolean) as string[];
      const url = `${this.env.PUBLIC_URL.replace(/\/+$/, '')}/units/${d.unit.id}`;
      const description = [
        needed.length ? t(locale, 'mail.calendar.stillNeeded') : t(locale, 'mail.calendar.allMet'),
        ...needed.map((n) => `- ${n}`),
        '',
        url,
      ].join('\n');
      const base = { allDay: true, description, url, stamp: new Date(`${today}T00:00:00Z`) };
      cal.createEvent({
        ...base,
        id: `period-end-${d.unit.id}-${d.periodEnd}@${host}`,
        start: d.periodEnd,
        summary: t(locale, 'mail.calendar.periodEnd', { unit: d.unit.name }),
      });
      for (const days of d.days) {
        const date = reminderDate(d.periodEnd, days);
        if (date < d.periodStart) continue;
        cal.createEvent({
          ...base,
          id: `reminder-${d.unit.id}-${d.periodEnd}-${days}@${host}`,
          start: date,
          summary: t(locale, 'mail.calendar.reminder', { unit: d.unit.name, days }),
        });
      }
    }
    return cal;
  }
}

/** The user's scope (ScopePolicy): unit users their unit, supervisors their provinces, admins everything. */
function scopeOf(user: User): ScopeFilter {
  if (user.role === 'unit') return { provinces: null, unitIds: [user.unit?.id ?? -1] };
  if (user.role === 'supervisor') return { provinces: user.provinces };
  return { provinces: null };
}
