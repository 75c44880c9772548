import { Migration } from '@mikro-orm/migrations';

/**
 * Whole months per region subtree (a region with everything below it): what a region's own figures need, read as
 * one row per indicator and month whatever the number of region codes and agencies below it (a province's year:
 * under two hundred rows instead of the region rows of every county and township). Sums of
 * `region_monthly_rollups` over each region's subtree, kept by the same refresh; the people-based figures per
 * subtree as of each snapshot day alike, summed from `agency_snapshot_rollups`. Read inside the viewer's
 * jurisdiction: a subtree whose region lies in it.
 */
export class Migration20261201020000SubtreeRollups extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "subtree_monthly_rollups" ("region_code" varchar(12) not null, "indicator" varchar(40) not null, "month" date not null, "numerator" int not null, "denominator" int not null, constraint "subtree_monthly_rollups_pkey" primary key ("region_code", "indicator", "month"));`);
    this.addSql(`insert into "subtree_monthly_rollups"
      select g.code, r.indicator, r.month, sum(r.numerator), sum(r.denominator)
      from region_monthly_rollups r
      join regions g on g.subtree_prefix in (left(r.region_code, 2), left(r.region_code, 4), left(r.region_code, 6), left(r.region_code, 9), r.region_code)
        and starts_with(r.region_code, g.subtree_prefix)
      group by 1, 2, 3;`);
    this.addSql(`grant select on "subtree_monthly_rollups" to hub_api;`);
    this.addSql(`alter table "subtree_monthly_rollups" enable row level security;`);
    this.addSql(`create policy "subtree_monthly_rollups_jurisdiction" on "subtree_monthly_rollups" for select to hub_api using (hub_viewer_sees(region_code, null));`);
    this.addSql(`create trigger hub_data_changed after insert or update or delete or truncate on "subtree_monthly_rollups" for each statement execute function hub_data_changed();`);
    // the people-based figures per subtree as of each snapshot day, likewise (filled by the next refresh)
    this.addSql(`create table "subtree_snapshot_rollups" ("region_code" varchar(12) not null, "indicator" varchar(40) not null, "snapshot_on" date not null, "numerator" int not null, "denominator" int not null, constraint "subtree_snapshot_rollups_pkey" primary key ("region_code", "indicator", "snapshot_on"));`);
    this.addSql(`grant select on "subtree_snapshot_rollups" to hub_api;`);
    this.addSql(`alter table "subtree_snapshot_rollups" enable row level security;`);
    this.addSql(`create policy "subtree_snapshot_rollups_jurisdiction" on "subtree_snapshot_rollups" for select to hub_api using (hub_viewer_sees(region_code, null));`);
    this.addSql(`create trigger hub_data_changed after insert or update or delete or truncate on "subtree_snapshot_rollups" for each statement execute function hub_data_changed();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "subtree_snapshot_rollups" cascade;`);
    this.addSql(`drop table if exists "subtree_monthly_rollups" cascade;`);
  }
}
