import { Entity, ManyToOne, type Opt, Property, type Rel, Unique } from '@mikro-orm/core';
import { BaseEntity } from './base.entity';
import { Unit } from './unit.entity';

export type Role = 'admin' | 'supervisor' | 'unit';
export type Locale = 'zh' | 'en';

/** How a user wants each kind of event notice; a kind left out takes its default (NoticesService). */
export interface NoticePreferences {
  rejected?: 'immediately' | 'daily' | 'off';
  verified?: 'hourly' | 'daily' | 'off';
  submissions?: 'daily' | 'off';
  comments?: 'immediately' | 'off';
}

@Entity({ tableName: 'users' })
export class User extends BaseEntity {
  @Unique()
  @Property({ type: 'string', length: 254 })
  email!: string;

  @Property({ type: 'string', length: 100 })
  name!: string;

  /** argon2id PHC string. */
  @Property({ type: 'string', length: 255, hidden: true, lazy: true })
  passwordHash!: string;

  @Property({ type: 'string', length: 20 })
  role!: Role;

  /** For unit users: the one unit they belong to. */
  @ManyToOne(() => Unit, { nullable: true, deleteRule: 'set null' })
  unit?: Rel<Unit> | null;

  /** For supervisors: province codes in scope. */
  @Property({ type: 'json' })
  provinces: Opt<string[]> = [];

  @Property({ type: 'string', length: 2 })
  locale: Opt<Locale> = 'zh';

  /** Event notice choices per kind; null: all defaults. */
  @Property({ type: 'json', nullable: true })
  notices?: NoticePreferences | null;

  @Property({ type: 'boolean' })
  active: Opt<boolean> = true;

  @Property({ type: 'datetime', nullable: true })
  lastLoginAt?: Date | null;
}
