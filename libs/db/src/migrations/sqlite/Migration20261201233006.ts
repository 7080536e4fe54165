import { Migration } from '@mikro-orm/migrations';

export class Migration20261201233006 extends Migration {
  override async up(): Promise<void> {
    // Entries written before the chain get their hashes at start-up, in id order (chainExistingAuditLog).
    this.addSql(
      `create table \`audit_verifications\` (\`id\` integer not null primary key autoincrement, \`at\` datetime not null, \`source\` text not null, \`ok\` integer not null, \`checked\` integer not null, \`first_broken_id\` integer null, \`problem\` text null, \`last_id\` integer null, \`last_hash\` text null, \`duration_ms\` integer not null);`,
    );
    this.addSql(`create index \`audit_verifications_at_index\` on \`audit_verifications\` (\`at\`);`);

    this.addSql(`alter table \`audit_log\` add column \`prev_hash\` text null;`);
    this.addSql(`alter table \`audit_log\` add column \`hash\` text null;`);
    this.addSql(`create unique index \`audit_log_prev_hash_unique\` on \`audit_log\` (\`prev_hash\`);`);
  }
}
