import { Migration } from '@mikro-orm/migrations';

export class Migration20261201162546 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "users" add column "notices" jsonb null;`);

    this.addSql(
      `create index "activities_status_reviewed_at_index" on "activities" ("status", "reviewed_at");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "activities_status_reviewed_at_index";`);

    this.addSql(`alter table "users" drop column "notices";`);
  }
}
