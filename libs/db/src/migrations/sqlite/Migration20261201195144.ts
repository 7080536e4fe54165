import { Migration } from '@mikro-orm/migrations';

export class Migration20261201195144 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`period_closes\` (\`id\` integer not null primary key autoincrement, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`unit_id\` integer not null, \`period_start\` text not null, \`period_end\` text not null, \`closed_at\` datetime null, \`closed_by_id\` integer null, \`closed_by_email\` text null, \`snapshot\` json null, \`reopened_at\` datetime null, \`reopened_by_email\` text null, \`reopen_reason\` text null, constraint \`period_closes_unit_id_foreign\` foreign key(\`unit_id\`) references \`units\`(\`id\`) on update cascade);`,
    );
    this.addSql(`create index \`period_closes_unit_id_index\` on \`period_closes\` (\`unit_id\`);`);
    this.addSql(
      `create unique index \`period_closes_unit_id_period_start_unique\` on \`period_closes\` (\`unit_id\`, \`period_start\`);`,
    );

    this.addSql(
      `create table \`unit_status_changes\` (\`id\` integer not null primary key autoincrement, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`unit_id\` integer not null, \`from_status\` text not null, \`to_status\` text not null, \`date\` text not null, \`reason\` text not null, \`score\` integer null, \`conclusion\` text null, \`evaluator\` text null, \`actor_id\` integer null, \`actor_email\` text null, constraint \`unit_status_changes_unit_id_foreign\` foreign key(\`unit_id\`) references \`units\`(\`id\`) on update cascade);`,
    );
    this.addSql(
      `create index \`unit_status_changes_unit_id_index\` on \`unit_status_changes\` (\`unit_id\`);`,
    );
    this.addSql(
      `create index \`unit_status_changes_unit_id_created_at_index\` on \`unit_status_changes\` (\`unit_id\`, \`created_at\`);`,
    );

    // SQLite cannot drop NOT NULL in place: the table is rebuilt (reminder_days may now be null).
    this.addSql(
      `create table \`program_settings__new\` (\`program\` text not null, \`reminder_days\` json null, \`updated_at\` datetime not null, \`close_grace_days\` integer null, primary key (\`program\`));`,
    );
    this.addSql(
      `insert into \`program_settings__new\` (\`program\`, \`reminder_days\`, \`updated_at\`) select \`program\`, \`reminder_days\`, \`updated_at\` from \`program_settings\`;`,
    );
    this.addSql(`drop table \`program_settings\`;`);
    this.addSql(`alter table \`program_settings__new\` rename to \`program_settings\`;`);
  }
}
