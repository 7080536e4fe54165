import { Migration } from '@mikro-orm/migrations';

export class Migration20261201162607 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`program_settings\` (\`program\` text not null, \`reminder_days\` json not null, \`updated_at\` datetime not null, primary key (\`program\`));`,
    );

    this.addSql(
      `create table \`calendar_feeds\` (\`token_hash\` text not null, \`user_id\` integer not null, \`created_at\` datetime not null, constraint \`calendar_feeds_user_id_foreign\` foreign key(\`user_id\`) references \`users\`(\`id\`) on delete cascade on update cascade, primary key (\`token_hash\`));`,
    );
    this.addSql(`create index \`calendar_feeds_user_id_index\` on \`calendar_feeds\` (\`user_id\`);`);
    this.addSql(`create unique index \`calendar_feeds_user_id_unique\` on \`calendar_feeds\` (\`user_id\`);`);
  }
}
