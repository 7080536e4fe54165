import { Migration } from '@mikro-orm/migrations';

export class Migration20261201233006 extends Migration {
  override async up(): Promise<void> {
    // Entries written before the chain get their hashes at start-up, in id order (chainExistingAuditLog).
    this.addSql(
      `create table "audit_verifications" ("id" serial primary key, "at" timestamptz not null, "source" varchar(20) not null, "ok" boolean not null, "checked" int not null, "first_broken_id" int null, "problem" varchar(20) null, "last_id" int null, "last_hash" varchar(64) null, "duration_ms" int not null);`,
    );
    this.addSql(`create index "audit_verifications_at_index" on "audit_verifications" ("at");`);

    this.addSql(
      `alter table "audit_log" add column "prev_hash" varchar(64) null, add column "hash" varchar(64) null;`,
    );
    this.addSql(`alter table "audit_log" add constraint "audit_log_prev_hash_unique" unique ("prev_hash");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "audit_verifications" cascade;`);

    this.addSql(`alter table "audit_log" drop constraint "audit_log_prev_hash_unique";`);
    this.addSql(`alter table "audit_log" drop column "prev_hash", drop column "hash";`);
  }
}
