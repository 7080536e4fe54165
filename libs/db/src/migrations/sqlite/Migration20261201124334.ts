import { Migration } from '@mikro-orm/migrations';

export class Migration20261201124334 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create index \`activities_unit_id_date_id_index\` on \`activities\` (\`unit_id\`, \`date\`, \`id\`);`,
    );
  }
}
