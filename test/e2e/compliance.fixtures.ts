import type { EntityManager } from '@mikro-orm/core';
import type { ActivityStatus, IsoDate } from '@app/compliance';
import { hashPassword } from '@app/auth';
import { Activity, Unit, User } from '@app/db';
import { ComplianceCounts } from '../../apps/tracker/src/compliance/compliance-counts.service';
import type { TestApp } from '../support/test-app';

/*
 * Records for the compliance tests, written straight through the ORM so these tests depend only on the
 * entities, not on the units or activities endpoints. Activities written this way bypass the services
 * that keep the stored counts, so a test calls recount() once its records are flushed.
 */

let seq = 0;

/** A unique 18-character code (the column's shape; check characters are the units feature's concern). */
function code(): string {
  seq++;
  return `91TEST${String(process.pid % 10000).padStart(4, '0')}${String(seq).padStart(8, '0')}`;
}

export function makeUnit(
  em: EntityManager,
  data: Partial<Unit> & Pick<Unit, 'name' | 'province' | 'cycleStart' | 'cycleEnd'>,
): Unit {
  return em.create(Unit, {
    creditCode: code(),
    industry: '现代物流',
    kind: 'enterprise',
    program: 'service-industry-demo',
    ruleSetVersion: 1,
    contacts: [],
    status: 'active',
    ...data,
  });
}

export type ActivityExtra = Partial<
  Pick<
    Activity,
    | 'standardLevel'
    | 'standardKind'
    | 'journalLevel'
    | 'personKey'
    | 'personName'
    | 'outletLevel'
    | 'participants'
    | 'deletedAt'
  >
>;

export function makeActivity(
  em: EntityManager,
  unit: Unit,
  requirement: string,
  date: IsoDate,
  status: ActivityStatus,
  extra: ActivityExtra = {},
): Activity {
  return em.create(Activity, {
    unit,
    requirement,
    date,
    status,
    title: `${requirement} ${date}`,
    ...extra,
  });
}

export const PASSWORD = 'test-password-1';
let passwordHash: Promise<string> | undefined;

export async function makeUser(
  em: EntityManager,
  data: Pick<User, 'email' | 'role'> & Partial<Pick<User, 'unit' | 'provinces'>>,
): Promise<User> {
  passwordHash ??= hashPassword(PASSWORD);
  return em.create(User, { name: data.email, passwordHash: await passwordHash, ...data });
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Recomputes the stored compliance counts (compliance:rebuild) after records were written directly. */
export async function recount(t: TestApp): Promise<void> {
  await t.app.get(ComplianceCounts).rebuild();
}

/** Verified activities meeting every minimum of service-industry-demo v1 in 2026. */
export function meetEverything(t: TestApp, unit: Unit): Promise<void> {
  const em = t.orm.em.fork();
  const u = em.getReference('Unit', unit.id) as Unit;
  const add = (req: string, n: number, extra = {}) => {
    for (let i = 0; i < n; i++) em.persist(makeActivity(em, u, req, '2026-03-10', 'verified', extra));
  };
  add('exchange_events', 3);
  add('standard_proposals', 5, { standardLevel: 'national', standardKind: 'proposal' });
  add('national_papers', 1, { journalLevel: 'national' });
  em.persist(
    makeActivity(em, u, 'trained_personnel', '2026-03-10', 'verified', { personKey: 'p1', personName: 'A' }),
  );
  em.persist(
    makeActivity(em, u, 'trained_personnel', '2026-03-10', 'verified', { personKey: 'p2', personName: 'B' }),
  );
  add('work_updates', 4);
  add('media_reports', 2, { outletLevel: 'national' });
  return em.flush();
}
