import { Migration } from '@mikro-orm/migrations';

export class Migration20261201095406 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "unit_targets" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "unit_id" int not null, "requirement" varchar(64) not null, "period_start" varchar(10) not null, "minimum" int not null, "reason" text not null);`,
    );
    this.addSql(
      `alter table "unit_targets" add constraint "unit_targets_unit_id_requirement_period_start_unique" unique ("unit_id", "requirement", "period_start");`,
    );

    this.addSql(
      `alter table "unit_targets" add constraint "unit_targets_unit_id_foreign" foreign key ("unit_id") references "units" ("id") on update cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "unit_targets" cascade;`);
  }
}
