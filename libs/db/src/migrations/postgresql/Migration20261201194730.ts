import { Migration } from '@mikro-orm/migrations';

export class Migration20261201194730 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "password_resets" ("id" serial primary key, "token_hash" varchar(64) not null, "user_id" int not null, "ip" varchar(64) not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "used_at" timestamptz null);`,
    );
    this.addSql(
      `alter table "password_resets" add constraint "password_resets_token_hash_unique" unique ("token_hash");`,
    );
    this.addSql(
      `create index "password_resets_ip_created_at_index" on "password_resets" ("ip", "created_at");`,
    );
    this.addSql(
      `create index "password_resets_user_id_created_at_index" on "password_resets" ("user_id", "created_at");`,
    );

    this.addSql(
      `alter table "password_resets" add constraint "password_resets_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "password_resets" cascade;`);
  }
}
