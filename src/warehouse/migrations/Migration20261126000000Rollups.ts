import { Migration } from '@mikro-orm/migrations';

/**
 * Indicator rollups per agency × indicator × day × action type, the days whose rollups are stale (written by the
 * ETL with the facts it changes) and the rollups' as-of state. Derived data: `hub refresh` rebuilds it.
 */
export class Migration20261126000000Rollups extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "indicator_rollups" ("region_code" varchar(12) not null, "agency_uscc" varchar(18) not null, "indicator" varchar(40) not null, "day" date not null, "action_type" varchar(20) not null, "numerator" int not null, "denominator" int not null, constraint "indicator_rollups_pkey" primary key ("region_code", "agency_uscc", "indicator", "day", "action_type"));`);
    this.addSql(`create table "changed_days" ("region_code" varchar(12) not null, "agency_uscc" varchar(18) not null, "day" date not null, constraint "changed_days_pkey" primary key ("region_code", "agency_uscc", "day"));`);
    this.addSql(`create table "rollup_state" ("id" smallint not null, "as_of" date not null, "profile_name" varchar(100) not null, "profile_fingerprint" varchar(64) not null, "refreshed_at" timestamptz not null, "full_refresh_at" timestamptz not null, constraint "rollup_state_pkey" primary key ("id"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "rollup_state" cascade;`);
    this.addSql(`drop table if exists "changed_days" cascade;`);
    this.addSql(`drop table if exists "indicator_rollups" cascade;`);
  }
}
