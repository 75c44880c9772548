import { Migration } from '@mikro-orm/migrations';

/**
 * Monthly rollups, sized for dashboards at a province's scale (issue 7): the daily rollups grow with the days
 * and agencies a period spans (a province's year is hundreds of thousands of agency-day rows), so whole months
 * are read from sums per agency × month and, for a region's figures over every action type, per region × month
 * (a province's year: some twenty thousand rows, whatever the number of cases). Both are sums of `indicator_rollups`, kept by the
 * same refresh in the same transaction. Read with the same jurisdiction rules as the daily rollups; a region's
 * row has no agency, so an agency's viewer reads its own agency's rows instead. The people-based figures are kept
 * per agency as of each month's end (filled by the next refresh).
 */
export class Migration20261201000000MonthlyRollups extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "agency_monthly_rollups" ("region_code" varchar(12) not null, "agency_uscc" varchar(18) not null, "indicator" varchar(40) not null, "month" date not null, "action_type" varchar(20) not null, "numerator" int not null, "denominator" int not null, constraint "agency_monthly_rollups_pkey" primary key ("region_code", "agency_uscc", "indicator", "month", "action_type"));`);
    this.addSql(`create table "region_monthly_rollups" ("region_code" varchar(12) not null, "indicator" varchar(40) not null, "month" date not null, "numerator" int not null, "denominator" int not null, constraint "region_monthly_rollups_pkey" primary key ("region_code", "indicator", "month"));`);
    // whatever the daily rollups hold now, so that an existing warehouse keeps answering from rollups
    this.addSql(`insert into "agency_monthly_rollups" select region_code, agency_uscc, indicator, date_trunc('month', day)::date, action_type, sum(numerator), sum(denominator)
      from indicator_rollups group by 1, 2, 3, 4, 5;`);
    this.addSql(`insert into "region_monthly_rollups" select region_code, indicator, month, sum(numerator), sum(denominator)
      from agency_monthly_rollups group by 1, 2, 3;`);
    // the people-based figures (certificate holding, reviewer staffing) as of each month's end and the as-of date:
    // computed per officer, they cost more than all the dated rollups of a province's year together
    this.addSql(`create table "agency_snapshot_rollups" ("region_code" varchar(12) not null, "agency_uscc" varchar(18) not null, "indicator" varchar(40) not null, "snapshot_on" date not null, "numerator" int not null, "denominator" int not null, constraint "agency_snapshot_rollups_pkey" primary key ("region_code", "agency_uscc", "indicator", "snapshot_on"));`);
    this.addSql(`create index "agency_snapshot_rollups_snapshot_on_index" on "agency_snapshot_rollups" ("snapshot_on");`);
    this.addSql(`grant select on "agency_monthly_rollups", "region_monthly_rollups", "agency_snapshot_rollups" to hub_api;`);
    this.addSql(`alter table "agency_snapshot_rollups" enable row level security;`);
    this.addSql(`create policy "agency_snapshot_rollups_jurisdiction" on "agency_snapshot_rollups" for select to hub_api using (hub_viewer_sees(region_code, agency_uscc));`);
    this.addSql(`alter table "agency_monthly_rollups" enable row level security;`);
    this.addSql(`create policy "agency_monthly_rollups_jurisdiction" on "agency_monthly_rollups" for select to hub_api using (hub_viewer_sees(region_code, agency_uscc));`);
    this.addSql(`alter table "region_monthly_rollups" enable row level security;`);
    // no agency: an AGENCY viewer's comparison with null is not true, so it sees none of these rows
    this.addSql(`create policy "region_monthly_rollups_jurisdiction" on "region_monthly_rollups" for select to hub_api using (hub_viewer_sees(region_code, null));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "agency_snapshot_rollups" cascade;`);
    this.addSql(`drop table if exists "region_monthly_rollups" cascade;`);
    this.addSql(`drop table if exists "agency_monthly_rollups" cascade;`);
  }
}
