import { Migration } from '@mikro-orm/migrations';

export class Migration20261201232753 extends Migration {
  override async up(): Promise<void> {
    // similarity() compares the titles of events on the same date (IntegrityService).
    this.addSql(`create extension if not exists pg_trgm;`);
    this.addSql(
      `create table "claim_matches" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "reason" varchar(20) not null, "activity_id" int not null, "matched_activity_id" int not null, "status" varchar(20) not null default 'open', "note" text null, "explained_by_id" int null, "explained_at" timestamptz null);`,
    );
    this.addSql(`create index "claim_matches_status_index" on "claim_matches" ("status");`);
    this.addSql(
      `create index "claim_matches_matched_activity_id_index" on "claim_matches" ("matched_activity_id");`,
    );
    this.addSql(
      `alter table "claim_matches" add constraint "claim_matches_activity_id_matched_activity_id_reason_unique" unique ("activity_id", "matched_activity_id", "reason");`,
    );

    this.addSql(
      `create table "claim_fingerprints" ("id" serial primary key, "activity_id" int not null, "unit_id" int not null, "reason" varchar(20) not null, "key" varchar(64) not null, "title" varchar(200) null, "period_start" date null, "period_end" date null);`,
    );
    this.addSql(
      `create index "claim_fingerprints_activity_id_index" on "claim_fingerprints" ("activity_id");`,
    );
    this.addSql(
      `create index "claim_fingerprints_reason_key_index" on "claim_fingerprints" ("reason", "key");`,
    );

    this.addSql(
      `alter table "claim_matches" add constraint "claim_matches_activity_id_foreign" foreign key ("activity_id") references "activities" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "claim_matches" add constraint "claim_matches_matched_activity_id_foreign" foreign key ("matched_activity_id") references "activities" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "claim_matches" add constraint "claim_matches_explained_by_id_foreign" foreign key ("explained_by_id") references "users" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "claim_fingerprints" add constraint "claim_fingerprints_activity_id_foreign" foreign key ("activity_id") references "activities" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "claim_fingerprints" add constraint "claim_fingerprints_unit_id_foreign" foreign key ("unit_id") references "units" ("id") on update cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "claim_matches" cascade;`);

    this.addSql(`drop table if exists "claim_fingerprints" cascade;`);
  }
}
