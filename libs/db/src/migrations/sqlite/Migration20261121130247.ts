import { Migration } from '@mikro-orm/migrations';

export class Migration20261121130247 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`outbox_messages\` (\`id\` integer not null primary key autoincrement, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`idempotency_key\` text not null, \`kind\` text not null, \`period\` text not null, \`recipient\` text not null, \`recipient_name\` text null, \`locale\` text not null default 'zh', \`unit_id\` integer null, \`user_id\` integer null, \`as_of\` text null, \`run_id\` integer null, \`status\` text not null default 'queued', \`attempts\` integer not null default 0, \`next_attempt_at\` datetime not null, \`last_attempt_at\` datetime null, \`locked_until\` datetime null, \`claim_token\` text null, \`last_error\` text null, \`message_id\` text not null, \`subject\` text null, \`html\` text null, \`text\` text null, \`attachments\` json null, \`sent_at\` datetime null, \`transport_response\` text null);`,
    );
    this.addSql(
      `create unique index \`outbox_messages_idempotency_key_unique\` on \`outbox_messages\` (\`idempotency_key\`);`,
    );
    this.addSql(`create index \`outbox_messages_recipient_index\` on \`outbox_messages\` (\`recipient\`);`);
    this.addSql(
      `create index \`outbox_messages_period_kind_index\` on \`outbox_messages\` (\`period\`, \`kind\`);`,
    );
    this.addSql(
      `create index \`outbox_messages_status_next_attempt_at_index\` on \`outbox_messages\` (\`status\`, \`next_attempt_at\`);`,
    );

    this.addSql(
      `create table \`report_runs\` (\`id\` integer not null primary key autoincrement, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`period\` text not null, \`trigger\` text not null, \`scheduled_for\` datetime null, \`as_of\` text not null, \`queued\` integer not null default 0, \`skipped\` integer not null default 0, \`actor_id\` integer null, \`instance\` text not null);`,
    );
    this.addSql(
      `create index \`report_runs_period_trigger_index\` on \`report_runs\` (\`period\`, \`trigger\`);`,
    );
  }
}
