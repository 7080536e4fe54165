import { Migration } from '@mikro-orm/migrations';

export class Migration20261201162528 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`robots\` (\`id\` integer not null primary key autoincrement, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`kind\` text not null, \`name\` text not null, \`province\` text null, \`unit_id\` integer null, \`webhook_url\` text not null, \`secret\` text null, \`created_by\` integer null);`,
    );
    this.addSql(`create index \`robots_unit_id_index\` on \`robots\` (\`unit_id\`);`);
    this.addSql(`create index \`robots_province_index\` on \`robots\` (\`province\`);`);

    this.addSql(`alter table \`outbox_messages\` add column \`channel\` text not null default 'mail';`);
    this.addSql(`alter table \`outbox_messages\` add column \`robot_id\` integer null;`);
    this.addSql(
      `create index \`outbox_messages_robot_id_last_attempt_at_index\` on \`outbox_messages\` (\`robot_id\`, \`last_attempt_at\`);`,
    );
  }
}
