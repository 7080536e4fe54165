import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';
import { Env } from '@app/common';
import { Session, Unit, User } from '@app/db';
import type { AbstractSqlConnection } from '@mikro-orm/knex';
import type { Principal } from './principal';
import { hashPassword, verifyPassword } from './passwords';

export const SESSION_COOKIE = 'sid';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

// Verifying against a throwaway hash when the e-mail is unknown keeps response time the same either way.
let dummyHash: Promise<string> | undefined;

/** One row of the session lookup: the session's CSRF secret and expiry, and its user. */
interface SessionRow {
  csrf: string;
  expires: Date | string | number;
  id: number;
  email: string;
  name: string;
  role: Principal['role'];
  unitId: number | null;
  provinces: string[] | string | null;
  locale: Principal['locale'];
  active: boolean | number;
  /** deleted_at of the user's unit (null for a live unit, or a user without one). */
  unitDeletedAt: unknown;
}

@Injectable()
export class SessionsService {
  /** The lookup statement, built once from the ORM metadata (see resolve). */
  private lookupSql?: string;

  constructor(
    private readonly em: EntityManager,
    private readonly env: Env,
  ) {}

  /** Checks the password; on success creates a session and returns its token (shown once). */
  async login(email: string, password: string): Promise<{ token: string; user: User } | null> {
    // A unit user whose unit was deleted cannot sign in (nor use a session, see resolve()).
    const user = await this.em.findOne(
      User,
      {
        email: email.trim().toLowerCase(),
        active: true,
        $or: [{ unit: null }, { unit: { deletedAt: null } }],
      },
      { populate: ['passwordHash'] },
    );
    if (!user) {
      dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
      await verifyPassword(await dummyHash, password);
      return null;
    }
    if (!(await verifyPassword(user.passwordHash, password))) return null;
    return { token: await this.open(user), user };
  }

  /**
   * A user who may sign in (active, of a live unit): for password sign-in and for single sign-on. The
   * same session and cookie either way.
   */
  async findSignInUser(email: string): Promise<User | null> {
    return this.em.findOne(User, {
      email: email.trim().toLowerCase(),
      active: true,
      $or: [{ unit: null }, { unit: { deletedAt: null } }],
    });
  }

  /** Creates a session of `user` (already checked) and returns its token (shown once). */
  async open(user: User): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const session = this.em.create(Session, {
      tokenHash: sha256(token),
      user,
      csrfSecret: randomBytes(24).toString('base64url'),
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + this.env.SESSION_TTL_SECONDS * 1000),
    });
    user.lastLoginAt = new Date();
    this.em.persist(session);
    await this.em.flush();
    // Expired sessions are useless; clearing them at sign-in keeps the table small without a job.
    await this.em.nativeDelete(Session, { expiresAt: { $lt: new Date() } });
    return token;
  }

  /**
   * The caller of every request: one indexed read (session by its primary key, joined to its user) as a
   * plain row, without entities. It writes nothing: sessions are not extended on use, they end at
   * `expiresAt` (SESSION_TTL_SECONDS after sign-in), on sign-out or when the user's sessions are ended.
   */
  async resolve(token: string, via: Principal['via']): Promise<Principal | null> {
    const tokenHash = sha256(token);
    const conn = this.em.getConnection() as AbstractSqlConnection;
    const row = (await conn.execute(this.lookup(conn), [tokenHash], 'get')) as SessionRow | undefined;
    if (!row || !truthy(row.active) || !(toDate(row.expires) > new Date())) return null;
    if (row.unitDeletedAt != null) return null;
    const provinces = typeof row.provinces === 'string' ? JSON.parse(row.provinces) : row.provinces;
    return {
      id: Number(row.id),
      email: row.email,
      name: row.name,
      role: row.role,
      unitId: row.unitId == null ? null : Number(row.unitId),
      provinces: Array.isArray(provinces) ? provinces : [],
      locale: row.locale,
      via,
      csrfToken: row.csrf,
      tokenHash,
    };
  }

  private lookup(conn: AbstractSqlConnection): string {
    if (this.lookupSql) return this.lookupSql;
    const meta = this.em.getMetadata();
    const s = meta.get(Session.name);
    const u = meta.get(User.name);
    const sc = (prop: string) => `s.${s.properties[prop].fieldNames[0]}`;
    const uc = (prop: string) => `u.${u.properties[prop].fieldNames[0]}`;
    const un = meta.get(Unit.name);
    const q = conn
      .getKnex()({ s: s.tableName })
      .join({ u: u.tableName }, uc('id'), sc('user'))
      .leftJoin({ un: un.tableName }, `un.${un.properties.id.fieldNames[0]}`, uc('unit'))
      .select({
        csrf: sc('csrfSecret'),
        expires: sc('expiresAt'),
        id: uc('id'),
        email: uc('email'),
        name: uc('name'),
        role: uc('role'),
        unitId: uc('unit'),
        provinces: uc('provinces'),
        locale: uc('locale'),
        active: uc('active'),
        unitDeletedAt: `un.${un.properties.deletedAt.fieldNames[0]}`,
      })
      .where(sc('tokenHash'), '?')
      .toSQL();
    // The one binding is the placeholder itself; the statement is kept with `?` for execute().
    return (this.lookupSql = q.sql);
  }

  async logout(principal: Principal): Promise<void> {
    await this.em.nativeDelete(Session, { tokenHash: principal.tokenHash });
  }

  /** Ends every session of a user (password reset, deactivation). */
  async endAll(userId: number): Promise<void> {
    await this.em.nativeDelete(Session, { user: userId });
  }

  /** Ends every session of a user but the one of `keepTokenHash` (the caller's, on a password change). */
  async endOthers(userId: number, keepTokenHash: string): Promise<number> {
    return this.em.nativeDelete(Session, { user: userId, tokenHash: { $ne: keepTokenHash } });
  }
}

const truthy = (v: boolean | number | string) => v === true || v === 1 || v === '1' || v === 'true';

/** A datetime column as the driver returns it: a Date (PostgreSQL), epoch milliseconds or text (SQLite). */
function toDate(v: Date | string | number): Date {
  return v instanceof Date ? v : new Date(typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v);
}
