import { Migration } from '@mikro-orm/migrations';

export class Migration20261201162546 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table \`users\` add column \`notices\` json null;`);

    this.addSql(
      `create index \`activities_status_reviewed_at_index\` on \`activities\` (\`status\`, \`reviewed_at\`);`,
    );
  }
}
