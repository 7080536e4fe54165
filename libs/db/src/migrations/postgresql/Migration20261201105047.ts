import { Migration } from '@mikro-orm/migrations';

export class Migration20261201105047 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "compliance_versions" ("province" varchar(2) not null, "version" int not null, constraint "compliance_versions_pkey" primary key ("province"));`,
    );

    this.addSql(
      `create table "compliance_counts" ("unit_id" int not null, "requirement" varchar(40) not null, "period_start" varchar(10) not null, "period_end" varchar(10) not null, "verified" int not null, "pending" int not null, constraint "compliance_counts_pkey" primary key ("unit_id", "requirement", "period_start"));`,
    );
    this.addSql(
      `create index "compliance_counts_period_start_period_end_index" on "compliance_counts" ("period_start", "period_end");`,
    );

    this.addSql(
      `create table "activity_month_counts" ("unit_id" int not null, "month" varchar(7) not null, "requirement" varchar(40) not null, "status" varchar(10) not null, "n" int not null, constraint "activity_month_counts_pkey" primary key ("unit_id", "month", "requirement", "status"));`,
    );
    this.addSql(`create index "activity_month_counts_month_index" on "activity_month_counts" ("month");`);

    this.addSql(
      `alter table "compliance_counts" add constraint "compliance_counts_unit_id_foreign" foreign key ("unit_id") references "units" ("id") on update cascade;`,
    );

    this.addSql(
      `alter table "activity_month_counts" add constraint "activity_month_counts_unit_id_foreign" foreign key ("unit_id") references "units" ("id") on update cascade;`,
    );
    // One version counter per province (GB/T 2260 codes and the XPCC), raised by every change in it.
    this.addSql(
      `insert into "compliance_versions" ("province", "version") values ('11', 0), ('12', 0), ('13', 0), ('14', 0), ('15', 0), ('21', 0), ('22', 0), ('23', 0), ('31', 0), ('32', 0), ('33', 0), ('34', 0), ('35', 0), ('36', 0), ('37', 0), ('41', 0), ('42', 0), ('43', 0), ('44', 0), ('45', 0), ('46', 0), ('50', 0), ('51', 0), ('52', 0), ('53', 0), ('54', 0), ('61', 0), ('62', 0), ('63', 0), ('64', 0), ('65', 0), ('66', 0);`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "compliance_versions" cascade;`);

    this.addSql(`drop table if exists "compliance_counts" cascade;`);

    this.addSql(`drop table if exists "activity_month_counts" cascade;`);
  }
}
