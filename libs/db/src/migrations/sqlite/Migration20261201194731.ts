import { Migration } from '@mikro-orm/migrations';

export class Migration20261201194731 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`password_resets\` (\`id\` integer not null primary key autoincrement, \`token_hash\` text not null, \`user_id\` integer not null, \`ip\` text not null, \`created_at\` datetime not null, \`expires_at\` datetime not null, \`used_at\` datetime null, constraint \`password_resets_user_id_foreign\` foreign key(\`user_id\`) references \`users\`(\`id\`) on delete cascade on update cascade);`,
    );
    this.addSql(
      `create unique index \`password_resets_token_hash_unique\` on \`password_resets\` (\`token_hash\`);`,
    );
    this.addSql(`create index \`password_resets_user_id_index\` on \`password_resets\` (\`user_id\`);`);
    this.addSql(
      `create index \`password_resets_ip_created_at_index\` on \`password_resets\` (\`ip\`, \`created_at\`);`,
    );
    this.addSql(
      `create index \`password_resets_user_id_created_at_index\` on \`password_resets\` (\`user_id\`, \`created_at\`);`,
    );
  }
}
