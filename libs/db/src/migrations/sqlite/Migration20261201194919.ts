import { Migration } from '@mikro-orm/migrations';

export class Migration20261201194919 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`activity_comments\` (\`id\` integer not null primary key autoincrement, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`activity_id\` integer not null, \`author_id\` integer null, \`author_name\` text not null, \`author_role\` text not null, \`kind\` text not null default 'comment', \`body\` text not null, \`attachment_name\` text null, \`attachment_stored_name\` text null, \`attachment_mime_type\` text null, \`attachment_size\` integer null, \`attachment_sha256\` text null, constraint \`activity_comments_activity_id_foreign\` foreign key(\`activity_id\`) references \`activities\`(\`id\`) on update cascade, constraint \`activity_comments_author_id_foreign\` foreign key(\`author_id\`) references \`users\`(\`id\`) on delete set null on update cascade);`,
    );
    this.addSql(
      `create index \`activity_comments_activity_id_index\` on \`activity_comments\` (\`activity_id\`);`,
    );
    this.addSql(
      `create index \`activity_comments_author_id_index\` on \`activity_comments\` (\`author_id\`);`,
    );
    this.addSql(
      `create index \`activity_comments_activity_id_id_index\` on \`activity_comments\` (\`activity_id\`, \`id\`);`,
    );
  }
}
