import { Migration } from '@mikro-orm/migrations';

export class Migration20261121125330 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`audit_log\` (\`id\` integer not null primary key autoincrement, \`at\` datetime not null, \`actor_id\` integer null, \`actor_email\` text null, \`action\` text not null, \`entity\` text not null, \`entity_id\` text null, \`changes\` json null);`,
    );
    this.addSql(`create index \`audit_log_at_index\` on \`audit_log\` (\`at\`);`);
    this.addSql(
      `create index \`audit_log_entity_entity_id_index\` on \`audit_log\` (\`entity\`, \`entity_id\`);`,
    );

    this.addSql(
      `create table \`units\` (\`id\` integer not null primary key autoincrement, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`name\` text not null, \`credit_code\` text not null, \`province\` text not null, \`industry\` text not null, \`kind\` text not null, \`program\` text not null, \`rule_set_version\` integer not null, \`cycle_start\` text not null, \`cycle_end\` text not null, \`contacts\` json not null, \`status\` text not null default 'active', \`deleted_at\` datetime null);`,
    );
    this.addSql(`create unique index \`units_credit_code_unique\` on \`units\` (\`credit_code\`);`);
    this.addSql(`create index \`units_province_index\` on \`units\` (\`province\`);`);

    this.addSql(
      `create table \`users\` (\`id\` integer not null primary key autoincrement, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`email\` text not null, \`name\` text not null, \`password_hash\` text not null, \`role\` text not null, \`unit_id\` integer null, \`provinces\` json not null, \`locale\` text not null default 'zh', \`active\` integer not null default true, \`last_login_at\` datetime null, constraint \`users_unit_id_foreign\` foreign key(\`unit_id\`) references \`units\`(\`id\`) on delete set null on update cascade);`,
    );
    this.addSql(`create unique index \`users_email_unique\` on \`users\` (\`email\`);`);
    this.addSql(`create index \`users_unit_id_index\` on \`users\` (\`unit_id\`);`);

    this.addSql(
      `create table \`sessions\` (\`token_hash\` text not null, \`user_id\` integer not null, \`csrf_secret\` text not null, \`created_at\` datetime not null, \`expires_at\` datetime not null, constraint \`sessions_user_id_foreign\` foreign key(\`user_id\`) references \`users\`(\`id\`) on delete cascade on update cascade, primary key (\`token_hash\`));`,
    );
    this.addSql(`create index \`sessions_user_id_index\` on \`sessions\` (\`user_id\`);`);
    this.addSql(`create index \`sessions_expires_at_index\` on \`sessions\` (\`expires_at\`);`);

    this.addSql(
      `create table \`activities\` (\`id\` integer not null primary key autoincrement, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`unit_id\` integer not null, \`requirement\` text not null, \`date\` text not null, \`title\` text not null, \`description\` text null, \`status\` text not null default 'draft', \`reject_reason\` text null, \`submitted_at\` datetime null, \`reviewed_at\` datetime null, \`reviewed_by_id\` integer null, \`created_by_id\` integer null, \`updated_by_id\` integer null, \`deleted_at\` datetime null, \`location\` text null, \`participants\` integer null, \`standard_level\` text null, \`standard_kind\` text null, \`standard_number\` text null, \`journal\` text null, \`journal_level\` text null, \`issn\` text null, \`authors\` text null, \`person_name\` text null, \`person_key\` text null, \`certificate\` text null, \`recipient\` text null, \`outlet\` text null, \`outlet_level\` text null, \`url\` text null, constraint \`activities_unit_id_foreign\` foreign key(\`unit_id\`) references \`units\`(\`id\`) on update cascade, constraint \`activities_reviewed_by_id_foreign\` foreign key(\`reviewed_by_id\`) references \`users\`(\`id\`) on delete set null on update cascade, constraint \`activities_created_by_id_foreign\` foreign key(\`created_by_id\`) references \`users\`(\`id\`) on delete set null on update cascade, constraint \`activities_updated_by_id_foreign\` foreign key(\`updated_by_id\`) references \`users\`(\`id\`) on delete set null on update cascade);`,
    );
    this.addSql(`create index \`activities_unit_id_index\` on \`activities\` (\`unit_id\`);`);
    this.addSql(`create index \`activities_reviewed_by_id_index\` on \`activities\` (\`reviewed_by_id\`);`);
    this.addSql(`create index \`activities_created_by_id_index\` on \`activities\` (\`created_by_id\`);`);
    this.addSql(`create index \`activities_updated_by_id_index\` on \`activities\` (\`updated_by_id\`);`);
    this.addSql(
      `create index \`activities_status_submitted_at_index\` on \`activities\` (\`status\`, \`submitted_at\`);`,
    );
    this.addSql(
      `create index \`activities_unit_id_requirement_status_date_index\` on \`activities\` (\`unit_id\`, \`requirement\`, \`status\`, \`date\`);`,
    );

    this.addSql(
      `create table \`evidence_files\` (\`id\` integer not null primary key autoincrement, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`activity_id\` integer not null, \`original_name\` text not null, \`stored_name\` text not null, \`mime_type\` text not null, \`size\` integer not null, \`sha256\` text not null, \`uploaded_by_id\` integer null, \`deleted_at\` datetime null, constraint \`evidence_files_activity_id_foreign\` foreign key(\`activity_id\`) references \`activities\`(\`id\`) on update cascade, constraint \`evidence_files_uploaded_by_id_foreign\` foreign key(\`uploaded_by_id\`) references \`users\`(\`id\`) on delete set null on update cascade);`,
    );
    this.addSql(`create index \`evidence_files_activity_id_index\` on \`evidence_files\` (\`activity_id\`);`);
    this.addSql(
      `create index \`evidence_files_uploaded_by_id_index\` on \`evidence_files\` (\`uploaded_by_id\`);`,
    );
  }
}
