import { Migration } from '@mikro-orm/migrations';

export class Migration20261201194918 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "activity_comments" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "activity_id" int not null, "author_id" int null, "author_name" varchar(100) not null, "author_role" varchar(20) not null, "kind" varchar(20) not null default 'comment', "body" text not null, "attachment_name" varchar(255) null, "attachment_stored_name" varchar(64) null, "attachment_mime_type" varchar(100) null, "attachment_size" int null, "attachment_sha256" varchar(64) null);`,
    );
    this.addSql(
      `create index "activity_comments_activity_id_id_index" on "activity_comments" ("activity_id", "id");`,
    );

    this.addSql(
      `alter table "activity_comments" add constraint "activity_comments_activity_id_foreign" foreign key ("activity_id") references "activities" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "activity_comments" add constraint "activity_comments_author_id_foreign" foreign key ("author_id") references "users" ("id") on update cascade on delete set null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "activity_comments" cascade;`);
  }
}
