import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The indicator rollups dashboards read instead of the fact tables (DOMAIN.md §4). Grain: one row per agency ×
 * indicator × day × action type, holding that day's numerator and denominator as of the rollup state's as-of
 * date, where the day is the date that puts a record in a period for that indicator (decision date for
 * publication, concluded date for appeals, …). Summing the days of a period gives the indicator for the period.
 * Only indicators that date their records are rolled up; snapshot indicators (certificate holding, staffing,
 * annual reports) are small and computed when asked. Derived data: `hub refresh` rebuilds it from the facts.
 * The region code leads the key, as on the fact tables, so a distributed PostgreSQL co-locates it with them.
 */
@Entity({ tableName: 'indicator_rollups' })
export class IndicatorRollup {
  @PrimaryKey({ type: 'string', length: 12 })
  regionCode!: string;

  @PrimaryKey({ type: 'string', length: 18 })
  agencyUscc!: string;

  @PrimaryKey({ type: 'string', length: 40 })
  indicator!: string;

  @PrimaryKey({ type: 'date' })
  day!: string;

  /** the case's action type; '' for records that have none (supervision letters) */
  @PrimaryKey({ type: 'string', length: 20 })
  actionType!: string;

  @Property({ type: 'integer' })
  numerator!: number;

  @Property({ type: 'integer' })
  denominator!: number;
}

/**
 * Whole months of the daily rollups per agency: what a ranking of agencies or a table per agency sums over a
 * period's whole months (a county's year: one row per agency × indicator × month × action type). Kept equal
 * to the sum of `indicator_rollups` by the refresh.
 */
@Entity({ tableName: 'agency_monthly_rollups' })
export class AgencyMonthlyRollup {
  @PrimaryKey({ type: 'string', length: 12 })
  regionCode!: string;

  @PrimaryKey({ type: 'string', length: 18 })
  agencyUscc!: string;

  @PrimaryKey({ type: 'string', length: 40 })
  indicator!: string;

  /** the first day of the month */
  @PrimaryKey({ type: 'date' })
  month!: string;

  @PrimaryKey({ type: 'string', length: 20 })
  actionType!: string;

  @Property({ type: 'integer' })
  numerator!: number;

  @Property({ type: 'integer' })
  denominator!: number;
}

/**
 * Whole months per region code (every agency whose region it is), all action types together: what a region's
 * figures and a ranking of regions sum, so that a province's year is read from some twenty thousand rows however
 * many cases it holds. A scope of one action type reads the agencies' months instead.
 */
@Entity({ tableName: 'region_monthly_rollups' })
export class RegionMonthlyRollup {
  @PrimaryKey({ type: 'string', length: 12 })
  regionCode!: string;

  @PrimaryKey({ type: 'string', length: 40 })
  indicator!: string;

  /** the first day of the month */
  @PrimaryKey({ type: 'date' })
  month!: string;

  @Property({ type: 'integer' })
  numerator!: number;

  @Property({ type: 'integer' })
  denominator!: number;
}

/**
 * Whole months per region subtree: a region with every region below it, all action types together. A region's
 * own figures (the overview of a province, a prefecture or a county) are one row per indicator and month.
 */
@Entity({ tableName: 'subtree_monthly_rollups' })
export class SubtreeMonthlyRollup {
  /** the region whose subtree is summed */
  @PrimaryKey({ type: 'string', length: 12 })
  regionCode!: string;

  @PrimaryKey({ type: 'string', length: 40 })
  indicator!: string;

  /** the first day of the month */
  @PrimaryKey({ type: 'date' })
  month!: string;

  @Property({ type: 'integer' })
  numerator!: number;

  @Property({ type: 'integer' })
  denominator!: number;
}

/** The people-based figures per region subtree as of each snapshot day: a region's own, in a row per indicator. */
@Entity({ tableName: 'subtree_snapshot_rollups' })
export class SubtreeSnapshotRollup {
  @PrimaryKey({ type: 'string', length: 12 })
  regionCode!: string;

  @PrimaryKey({ type: 'string', length: 40 })
  indicator!: string;

  @PrimaryKey({ type: 'date' })
  snapshotOn!: string;

  @Property({ type: 'integer' })
  numerator!: number;

  @Property({ type: 'integer' })
  denominator!: number;
}

/**
 * The indicators counted over an agency's people rather than its records (certificate holding, reviewer
 * staffing), per agency as of a day: each month's end and the rollups' as-of date, the days a year, quarter or
 * month is judged on. Other days are computed when asked.
 */
@Entity({ tableName: 'agency_snapshot_rollups' })
export class AgencySnapshotRollup {
  @PrimaryKey({ type: 'string', length: 12 })
  regionCode!: string;

  @PrimaryKey({ type: 'string', length: 18 })
  agencyUscc!: string;

  @PrimaryKey({ type: 'string', length: 40 })
  indicator!: string;

  @PrimaryKey({ type: 'date' })
  @Index({ name: 'agency_snapshot_rollups_snapshot_on_index' })
  snapshotOn!: string;

  @Property({ type: 'integer' })
  numerator!: number;

  @Property({ type: 'integer' })
  denominator!: number;
}

/**
 * The days whose rollups are out of date: written by the ETL in the same transaction as the facts it changes
 * (old and new dating dates of every record touched, and of the case it hangs on), consumed by the next
 * incremental refresh. Grain: one row per agency × day.
 */
@Entity({ tableName: 'changed_days' })
export class ChangedDay {
  @PrimaryKey({ type: 'string', length: 12 })
  regionCode!: string;

  @PrimaryKey({ type: 'string', length: 18 })
  agencyUscc!: string;

  @PrimaryKey({ type: 'date' })
  day!: string;
}

/**
 * What the rollups are as of: one row. The rollups answer a request only for this as-of date and this policy
 * profile (its fingerprint), and only for agencies without changed days pending; anything else is computed
 * from the facts.
 */
@Entity({ tableName: 'rollup_state' })
export class RollupState {
  /** always 1: the rollups have one state */
  @PrimaryKey({ type: 'smallint', autoincrement: false })
  id!: number;

  @Property({ type: 'date' })
  asOf!: string;

  @Property({ type: 'string', length: 100 })
  profileName!: string;

  /** sha256 of the profile's canonical JSON */
  @Property({ type: 'string', length: 64 })
  profileFingerprint!: string;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  refreshedAt!: Date;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  fullRefreshAt!: Date;
}
