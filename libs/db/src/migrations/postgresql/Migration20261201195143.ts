import { Migration } from '@mikro-orm/migrations';

export class Migration20261201195143 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "period_closes" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "unit_id" int not null, "period_start" date not null, "period_end" date not null, "closed_at" timestamptz null, "closed_by_id" int null, "closed_by_email" varchar(254) null, "snapshot" jsonb null, "reopened_at" timestamptz null, "reopened_by_email" varchar(254) null, "reopen_reason" text null);`,
    );
    this.addSql(
      `alter table "period_closes" add constraint "period_closes_unit_id_period_start_unique" unique ("unit_id", "period_start");`,
    );

    this.addSql(
      `create table "unit_status_changes" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "unit_id" int not null, "from_status" varchar(20) not null, "to_status" varchar(20) not null, "date" date not null, "reason" text not null, "score" int null, "conclusion" text null, "evaluator" varchar(200) null, "actor_id" int null, "actor_email" varchar(254) null);`,
    );
    this.addSql(
      `create index "unit_status_changes_unit_id_created_at_index" on "unit_status_changes" ("unit_id", "created_at");`,
    );

    this.addSql(
      `alter table "period_closes" add constraint "period_closes_unit_id_foreign" foreign key ("unit_id") references "units" ("id") on update cascade;`,
    );

    this.addSql(
      `alter table "unit_status_changes" add constraint "unit_status_changes_unit_id_foreign" foreign key ("unit_id") references "units" ("id") on update cascade;`,
    );

    this.addSql(`alter table "program_settings" add column "close_grace_days" int null;`);
    this.addSql(
      `alter table "program_settings" alter column "reminder_days" type jsonb using ("reminder_days"::jsonb);`,
    );
    this.addSql(`alter table "program_settings" alter column "reminder_days" drop not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "period_closes" cascade;`);

    this.addSql(`drop table if exists "unit_status_changes" cascade;`);

    this.addSql(`alter table "program_settings" drop column "close_grace_days";`);

    this.addSql(
      `alter table "program_settings" alter column "reminder_days" type jsonb using ("reminder_days"::jsonb);`,
    );
    this.addSql(`alter table "program_settings" alter column "reminder_days" set not null;`);
  }
}
