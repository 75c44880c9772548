import { Migration } from '@mikro-orm/migrations';

/**
 * The working-day calendar as tables (DOMAIN.md §3), so that "N working days after D" is an indexed lookup in
 * SQL rather than a loop in Node: calendar variants (the national schedule, each set of regional overrides),
 * the code prefixes that select a variant, and one row per variant per day with its working-day ordinal.
 * Reference data: `hub migrate` fills them from chinese-days and policy/calendars/ (a new year's schedule is a
 * package upgrade or a data file, not a schema change).
 */
export class Migration20261125000000WorkingDays extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "calendar_variants" ("id" varchar(100) not null, "name" varchar(100) not null, "overrides" text[] not null, "horizon_to" date not null, constraint "calendar_variants_pkey" primary key ("id"));`);
    this.addSql(`create table "calendar_region_prefixes" ("prefix" varchar(12) not null, "variant" varchar(100) not null, constraint "calendar_region_prefixes_pkey" primary key ("prefix"));`);
    this.addSql(`create table "working_days" ("variant" varchar(100) not null, "day" date not null, "working" boolean not null, "ordinal" int not null, "provisional" boolean not null, "reason" text not null, constraint "working_days_pkey" primary key ("variant", "day"));`);
    this.addSql(`create index "working_days_variant_ordinal_index" on "working_days" ("variant", "ordinal");`);
    this.addSql(`alter table "calendar_region_prefixes" add constraint "calendar_region_prefixes_variant_fk" foreign key ("variant") references "calendar_variants" ("id");`);
    this.addSql(`alter table "working_days" add constraint "working_days_variant_fk" foreign key ("variant") references "calendar_variants" ("id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "working_days" cascade;`);
    this.addSql(`drop table if exists "calendar_region_prefixes" cascade;`);
    this.addSql(`drop table if exists "calendar_variants" cascade;`);
  }
}
