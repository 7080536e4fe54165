import { Migration } from '@mikro-orm/migrations';

export class Migration20261201162607 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "program_settings" ("program" varchar(100) not null, "reminder_days" jsonb not null, "updated_at" timestamptz not null, constraint "program_settings_pkey" primary key ("program"));`,
    );

    this.addSql(
      `create table "calendar_feeds" ("token_hash" varchar(64) not null, "user_id" int not null, "created_at" timestamptz not null, constraint "calendar_feeds_pkey" primary key ("token_hash"));`,
    );
    this.addSql(
      `alter table "calendar_feeds" add constraint "calendar_feeds_user_id_unique" unique ("user_id");`,
    );

    this.addSql(
      `alter table "calendar_feeds" add constraint "calendar_feeds_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "program_settings" cascade;`);

    this.addSql(`drop table if exists "calendar_feeds" cascade;`);
  }
}
