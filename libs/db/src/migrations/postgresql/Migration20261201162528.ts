import { Migration } from '@mikro-orm/migrations';

export class Migration20261201162528 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "robots" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "kind" varchar(10) not null, "name" varchar(100) not null, "province" varchar(40) null, "unit_id" int null, "webhook_url" text not null, "secret" varchar(200) null, "created_by" int null);`,
    );
    this.addSql(`create index "robots_unit_id_index" on "robots" ("unit_id");`);
    this.addSql(`create index "robots_province_index" on "robots" ("province");`);

    this.addSql(
      `alter table "outbox_messages" add column "channel" varchar(10) not null default 'mail', add column "robot_id" int null;`,
    );
    this.addSql(
      `create index "outbox_messages_robot_id_last_attempt_at_index" on "outbox_messages" ("robot_id", "last_attempt_at");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "robots" cascade;`);

    this.addSql(`drop index "outbox_messages_robot_id_last_attempt_at_index";`);
    this.addSql(`alter table "outbox_messages" drop column "channel", drop column "robot_id";`);
  }
}
