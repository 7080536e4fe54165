import { Migration } from '@mikro-orm/migrations';

export class Migration20261121130247 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "outbox_messages" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "idempotency_key" varchar(400) not null, "kind" varchar(40) not null, "period" varchar(7) not null, "recipient" varchar(254) not null, "recipient_name" varchar(200) null, "locale" varchar(2) not null default 'zh', "unit_id" int null, "user_id" int null, "as_of" varchar(10) null, "run_id" int null, "status" varchar(10) not null default 'queued', "attempts" int not null default 0, "next_attempt_at" timestamptz not null, "last_attempt_at" timestamptz null, "locked_until" timestamptz null, "claim_token" varchar(36) null, "last_error" text null, "message_id" varchar(255) not null, "subject" varchar(500) null, "html" text null, "text" text null, "attachments" jsonb null, "sent_at" timestamptz null, "transport_response" text null);`,
    );
    this.addSql(
      `alter table "outbox_messages" add constraint "outbox_messages_idempotency_key_unique" unique ("idempotency_key");`,
    );
    this.addSql(`create index "outbox_messages_recipient_index" on "outbox_messages" ("recipient");`);
    this.addSql(`create index "outbox_messages_period_kind_index" on "outbox_messages" ("period", "kind");`);
    this.addSql(
      `create index "outbox_messages_status_next_attempt_at_index" on "outbox_messages" ("status", "next_attempt_at");`,
    );

    this.addSql(
      `create table "report_runs" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "period" varchar(7) not null, "trigger" varchar(20) not null, "scheduled_for" timestamptz null, "as_of" varchar(10) not null, "queued" int not null default 0, "skipped" int not null default 0, "actor_id" int null, "instance" varchar(200) not null);`,
    );
    this.addSql(`create index "report_runs_period_trigger_index" on "report_runs" ("period", "trigger");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "outbox_messages" cascade;`);

    this.addSql(`drop table if exists "report_runs" cascade;`);
  }
}
