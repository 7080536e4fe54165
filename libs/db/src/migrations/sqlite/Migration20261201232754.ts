import { Migration } from '@mikro-orm/migrations';

export class Migration20261201232754 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`claim_matches\` (\`id\` integer not null primary key autoincrement, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`reason\` text not null, \`activity_id\` integer not null, \`matched_activity_id\` integer not null, \`status\` text not null default 'open', \`note\` text null, \`explained_by_id\` integer null, \`explained_at\` datetime null, constraint \`claim_matches_activity_id_foreign\` foreign key(\`activity_id\`) references \`activities\`(\`id\`) on update cascade, constraint \`claim_matches_matched_activity_id_foreign\` foreign key(\`matched_activity_id\`) references \`activities\`(\`id\`) on update cascade, constraint \`claim_matches_explained_by_id_foreign\` foreign key(\`explained_by_id\`) references \`users\`(\`id\`) on delete set null on update cascade);`,
    );
    this.addSql(`create index \`claim_matches_activity_id_index\` on \`claim_matches\` (\`activity_id\`);`);
    this.addSql(
      `create index \`claim_matches_explained_by_id_index\` on \`claim_matches\` (\`explained_by_id\`);`,
    );
    this.addSql(`create index \`claim_matches_status_index\` on \`claim_matches\` (\`status\`);`);
    this.addSql(
      `create index \`claim_matches_matched_activity_id_index\` on \`claim_matches\` (\`matched_activity_id\`);`,
    );
    this.addSql(
      `create unique index \`claim_matches_activity_id_matched_activity_id_reason_unique\` on \`claim_matches\` (\`activity_id\`, \`matched_activity_id\`, \`reason\`);`,
    );

    this.addSql(
      `create table \`claim_fingerprints\` (\`id\` integer not null primary key autoincrement, \`activity_id\` integer not null, \`unit_id\` integer not null, \`reason\` text not null, \`key\` text not null, \`title\` text null, \`period_start\` text null, \`period_end\` text null, constraint \`claim_fingerprints_activity_id_foreign\` foreign key(\`activity_id\`) references \`activities\`(\`id\`) on delete cascade on update cascade, constraint \`claim_fingerprints_unit_id_foreign\` foreign key(\`unit_id\`) references \`units\`(\`id\`) on update cascade);`,
    );
    this.addSql(`create index \`claim_fingerprints_unit_id_index\` on \`claim_fingerprints\` (\`unit_id\`);`);
    this.addSql(
      `create index \`claim_fingerprints_activity_id_index\` on \`claim_fingerprints\` (\`activity_id\`);`,
    );
    this.addSql(
      `create index \`claim_fingerprints_reason_key_index\` on \`claim_fingerprints\` (\`reason\`, \`key\`);`,
    );
  }
}
