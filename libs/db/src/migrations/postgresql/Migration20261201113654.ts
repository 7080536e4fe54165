import { Migration } from '@mikro-orm/migrations';

export class Migration20261201113654 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "outbox_messages" alter column "as_of" type date using ("as_of"::date);`);

    this.addSql(`alter table "report_runs" alter column "as_of" type date using ("as_of"::date);`);

    this.addSql(`alter table "units" alter column "cycle_start" type date using ("cycle_start"::date);`);
    this.addSql(`alter table "units" alter column "cycle_end" type date using ("cycle_end"::date);`);

    this.addSql(
      `alter table "compliance_counts" alter column "period_start" type date using ("period_start"::date);`,
    );
    this.addSql(
      `alter table "compliance_counts" alter column "period_end" type date using ("period_end"::date);`,
    );

    this.addSql(
      `alter table "unit_targets" alter column "period_start" type date using ("period_start"::date);`,
    );

    this.addSql(`alter table "activities" alter column "date" type date using ("date"::date);`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "activities" alter column "date" type varchar(10) using ("date"::varchar(10));`);

    this.addSql(
      `alter table "compliance_counts" alter column "period_start" type varchar(10) using ("period_start"::varchar(10));`,
    );
    this.addSql(
      `alter table "compliance_counts" alter column "period_end" type varchar(10) using ("period_end"::varchar(10));`,
    );

    this.addSql(
      `alter table "outbox_messages" alter column "as_of" type varchar(10) using ("as_of"::varchar(10));`,
    );

    this.addSql(
      `alter table "report_runs" alter column "as_of" type varchar(10) using ("as_of"::varchar(10));`,
    );

    this.addSql(
      `alter table "unit_targets" alter column "period_start" type varchar(10) using ("period_start"::varchar(10));`,
    );

    this.addSql(
      `alter table "units" alter column "cycle_start" type varchar(10) using ("cycle_start"::varchar(10));`,
    );
    this.addSql(
      `alter table "units" alter column "cycle_end" type varchar(10) using ("cycle_end"::varchar(10));`,
    );
  }
}
