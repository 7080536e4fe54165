import { Migration } from '@mikro-orm/migrations';

export class Migration20261201154031 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`login_failures\` (\`id\` integer not null primary key autoincrement, \`email\` text not null, \`ip\` text not null, \`at\` datetime not null);`,
    );
    this.addSql(`create index \`login_failures_at_index\` on \`login_failures\` (\`at\`);`);
    this.addSql(`create index \`login_failures_ip_at_index\` on \`login_failures\` (\`ip\`, \`at\`);`);
    this.addSql(`create index \`login_failures_email_at_index\` on \`login_failures\` (\`email\`, \`at\`);`);
  }
}
