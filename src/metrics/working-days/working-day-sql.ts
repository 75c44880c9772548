import { NATIONAL_VARIANT } from '../../warehouse/reference/load-working-days';

/**
 * Working days in SQL (DOMAIN.md §3) over the `working_days` table that `hub migrate` fills from the domain
 * calendar: the one place SQL turns "N 个工作日" into a date. The decision (or outcome) day is not counted: the
 * deadline is the working day whose ordinal is the start day's ordinal + N. Past the national horizon the rows
 * are Monday–Friday guesses marked provisional, and the answer says so; a start day the table does not hold
 * (before the horizon, or years past it) gives no date and counts as provisional.
 */

/** SQL of the calendar variant of an agency's region: its longest matching override prefix, else national. */
export function calendarVariantSql(regionCodeSql: string): string {
  return `coalesce((
      select p.variant from calendar_region_prefixes p
      where ${regionCodeSql} like p.prefix || '%'
      order by length(p.prefix) desc limit 1), '${NATIONAL_VARIANT}')`;
}

/**
 * A lateral subquery `alias(day, provisional)`: the `nSql`-th working day after `dateSql` in calendar variant
 * `variantSql`. Use as `left join lateral (...) alias on true`; both columns are null when `dateSql` is null or
 * outside the table. Grain: at most one row.
 */
export function nthWorkingDayAfterSql(variantSql: string, dateSql: string, nSql: string): string {
  return `select target.day, target.provisional
      from working_days start
      join working_days target
        on target.variant = start.variant and target.working and target.ordinal = start.ordinal + (${nSql})
      where start.variant = ${variantSql} and start.day = ${dateSql}`;
}

/** Whether a deadline computed by nthWorkingDayAfterSql is provisional: also when no date could be found. */
export function deadlineProvisionalSql(alias: string, dateSql: string): string {
  return `coalesce(${alias}.provisional, ${dateSql} is not null)`;
}
