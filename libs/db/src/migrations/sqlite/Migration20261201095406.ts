import { Migration } from '@mikro-orm/migrations';

export class Migration20261201095406 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`unit_targets\` (\`id\` integer not null primary key autoincrement, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`unit_id\` integer not null, \`requirement\` text not null, \`period_start\` text not null, \`minimum\` integer not null, \`reason\` text not null, constraint \`unit_targets_unit_id_foreign\` foreign key(\`unit_id\`) references \`units\`(\`id\`) on update cascade);`,
    );
    this.addSql(`create index \`unit_targets_unit_id_index\` on \`unit_targets\` (\`unit_id\`);`);
    this.addSql(
      `create unique index \`unit_targets_unit_id_requirement_period_start_unique\` on \`unit_targets\` (\`unit_id\`, \`requirement\`, \`period_start\`);`,
    );
  }
}
