import { Migration } from '@mikro-orm/migrations';

export class Migration20261121125330 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "audit_log" ("id" serial primary key, "at" timestamptz not null, "actor_id" int null, "actor_email" varchar(254) null, "action" varchar(40) not null, "entity" varchar(40) not null, "entity_id" varchar(64) null, "changes" jsonb null);`,
    );
    this.addSql(`create index "audit_log_at_index" on "audit_log" ("at");`);
    this.addSql(`create index "audit_log_entity_entity_id_index" on "audit_log" ("entity", "entity_id");`);

    this.addSql(
      `create table "units" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "name" varchar(200) not null, "credit_code" varchar(18) not null, "province" varchar(2) not null, "industry" varchar(100) not null, "kind" varchar(20) not null, "program" varchar(100) not null, "rule_set_version" int not null, "cycle_start" varchar(10) not null, "cycle_end" varchar(10) not null, "contacts" jsonb not null, "status" varchar(20) not null default 'active', "deleted_at" timestamptz null);`,
    );
    this.addSql(`alter table "units" add constraint "units_credit_code_unique" unique ("credit_code");`);
    this.addSql(`create index "units_province_index" on "units" ("province");`);

    this.addSql(
      `create table "users" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "email" varchar(254) not null, "name" varchar(100) not null, "password_hash" varchar(255) not null, "role" varchar(20) not null, "unit_id" int null, "provinces" jsonb not null, "locale" varchar(2) not null default 'zh', "active" boolean not null default true, "last_login_at" timestamptz null);`,
    );
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);

    this.addSql(
      `create table "sessions" ("token_hash" varchar(64) not null, "user_id" int not null, "csrf_secret" varchar(64) not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, constraint "sessions_pkey" primary key ("token_hash"));`,
    );
    this.addSql(`create index "sessions_expires_at_index" on "sessions" ("expires_at");`);

    this.addSql(
      `create table "activities" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "unit_id" int not null, "requirement" varchar(40) not null, "date" varchar(10) not null, "title" varchar(200) not null, "description" text null, "status" varchar(20) not null default 'draft', "reject_reason" varchar(1000) null, "submitted_at" timestamptz null, "reviewed_at" timestamptz null, "reviewed_by_id" int null, "created_by_id" int null, "updated_by_id" int null, "deleted_at" timestamptz null, "location" varchar(200) null, "participants" int null, "standard_level" varchar(20) null, "standard_kind" varchar(30) null, "standard_number" varchar(100) null, "journal" varchar(200) null, "journal_level" varchar(20) null, "issn" varchar(50) null, "authors" varchar(500) null, "person_name" varchar(100) null, "person_key" varchar(100) null, "certificate" varchar(200) null, "recipient" varchar(200) null, "outlet" varchar(200) null, "outlet_level" varchar(20) null, "url" varchar(1000) null);`,
    );
    this.addSql(
      `create index "activities_status_submitted_at_index" on "activities" ("status", "submitted_at");`,
    );
    this.addSql(
      `create index "activities_unit_id_requirement_status_date_index" on "activities" ("unit_id", "requirement", "status", "date");`,
    );

    this.addSql(
      `create table "evidence_files" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "activity_id" int not null, "original_name" varchar(255) not null, "stored_name" varchar(64) not null, "mime_type" varchar(100) not null, "size" int not null, "sha256" varchar(64) not null, "uploaded_by_id" int null, "deleted_at" timestamptz null);`,
    );

    this.addSql(
      `alter table "users" add constraint "users_unit_id_foreign" foreign key ("unit_id") references "units" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "sessions" add constraint "sessions_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "activities" add constraint "activities_unit_id_foreign" foreign key ("unit_id") references "units" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "activities" add constraint "activities_reviewed_by_id_foreign" foreign key ("reviewed_by_id") references "users" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "activities" add constraint "activities_created_by_id_foreign" foreign key ("created_by_id") references "users" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "activities" add constraint "activities_updated_by_id_foreign" foreign key ("updated_by_id") references "users" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "evidence_files" add constraint "evidence_files_activity_id_foreign" foreign key ("activity_id") references "activities" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "evidence_files" add constraint "evidence_files_uploaded_by_id_foreign" foreign key ("uploaded_by_id") references "users" ("id") on update cascade on delete set null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "users" drop constraint "users_unit_id_foreign";`);

    this.addSql(`alter table "activities" drop constraint "activities_unit_id_foreign";`);

    this.addSql(`alter table "sessions" drop constraint "sessions_user_id_foreign";`);

    this.addSql(`alter table "activities" drop constraint "activities_reviewed_by_id_foreign";`);

    this.addSql(`alter table "activities" drop constraint "activities_created_by_id_foreign";`);

    this.addSql(`alter table "activities" drop constraint "activities_updated_by_id_foreign";`);

    this.addSql(`alter table "evidence_files" drop constraint "evidence_files_uploaded_by_id_foreign";`);

    this.addSql(`alter table "evidence_files" drop constraint "evidence_files_activity_id_foreign";`);

    this.addSql(`drop table if exists "audit_log" cascade;`);

    this.addSql(`drop table if exists "units" cascade;`);

    this.addSql(`drop table if exists "users" cascade;`);

    this.addSql(`drop table if exists "sessions" cascade;`);

    this.addSql(`drop table if exists "activities" cascade;`);

    this.addSql(`drop table if exists "evidence_files" cascade;`);
  }
}
