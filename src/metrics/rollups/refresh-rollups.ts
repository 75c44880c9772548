import type { Pool, PoolClient } from 'pg';
import { addCalendarDays, assertCivilDate, monthEnd, todayInShanghai } from '../../domain/calendar/civil-date';
import type { PolicyProfile } from '../../domain/profile/policy-profile';
import { dailyCountsStatement, indicatorStatement } from '../indicators/indicator-engine';
import { peopleDefinitions } from './rollup-reader';
import { profileFingerprint, readRollupState, staleness } from './rollup-state';

/**
 * Keeps the indicator rollups (src/warehouse/entities/indicator-rollup.ts) equal to what the indicator engine
 * computes from the facts, as of one date. Incremental: the agency × days the ETL noted in `changed_days` are
 * deleted and recomputed from the facts, nothing else. Full: everything is recomputed, when asked, when the
 * as-of date moves (a deadline passing changes a status without any new data) or when the profile changes.
 * Either way it runs in one transaction: readers see the old rollups until the new ones are complete. The
 * monthly rollups (per agency and per region) are the daily ones summed, recomputed for the months touched.
 */
export interface RefreshOptions {
  /** the date the rollups are to be as of; default today in Asia/Shanghai */
  asOf?: string;
  /** recompute everything even when an incremental refresh would do */
  full?: boolean;
}

export interface RefreshResult {
  mode: 'full' | 'incremental' | 'none';
  /** why a full refresh was needed, in words for the log */
  reason: string | null;
  asOf: string;
  agencies: number;
  days: number;
  /** rollup rows written */
  rows: number;
  milliseconds: number;
}

/** One refresh at a time: a second waits for the first rather than both recomputing the same days. */
const REFRESH_LOCK = 'select pg_advisory_xact_lock(hashtext(\'indicator_rollups refresh\'))';

const ROLLUP_COLUMNS = 'region_code, agency_uscc, indicator, day, action_type, numerator, denominator';
const MONTHLY_COLUMNS = 'region_code, agency_uscc, indicator, month, action_type, numerator, denominator';
const REGION_COLUMNS = 'region_code, indicator, month, numerator, denominator';
/** the daily rollups summed per agency × month (a `where` and the `group by` follow) */
const AGENCY_MONTHS = `select r.region_code, r.agency_uscc, r.indicator, date_trunc('month', r.day)::date, r.action_type,
  sum(r.numerator), sum(r.denominator) from indicator_rollups r`;
/**
 * The regions `g` whose subtree holds the region code `column`: itself and its ancestors, found through the
 * subtree prefixes a code can have (province 2 digits, prefecture 4, county 6, township 9), by index.
 */
const ancestorsOf = (column: string) => `join regions g on g.subtree_prefix in (left(${column}, 2), left(${column}, 4), left(${column}, 6), left(${column}, 9), ${column})
    and starts_with(${column}, g.subtree_prefix)`;
/** the regions' months summed per region subtree: each region code counts in its own and every ancestor's */
const SUBTREE_MONTHS = `select g.code, r.indicator, r.month, sum(r.numerator), sum(r.denominator)
  from region_monthly_rollups r
  ${ancestorsOf('r.region_code')}`;
/** the agencies' months summed per region */
const REGION_MONTHS = `select r.region_code, r.indicator, r.month, sum(r.numerator), sum(r.denominator)
  from agency_monthly_rollups r`;

export async function refreshRollups(pool: Pool, profile: PolicyProfile, options: RefreshOptions = {}): Promise<RefreshResult> {
  const asOf = options.asOf ?? todayInShanghai();
  assertCivilDate(asOf, 'asOf');
  const started = Date.now();
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(REFRESH_LOCK);
    const state = await readRollupState(client);
    const reason = options.full ? '按要求全量刷新' : staleness(state, asOf, profile);
    const result = reason !== null
      ? await refreshAll(client, profile, asOf, reason)
      : await refreshChanged(client, profile, asOf);
    if (result.mode !== 'none') {
      await client.query(
        `insert into rollup_state (id, as_of, profile_name, profile_fingerprint, refreshed_at, full_refresh_at)
         values (1, $1, $2, $3, now(), now())
         on conflict (id) do update set as_of = excluded.as_of, profile_name = excluded.profile_name,
           profile_fingerprint = excluded.profile_fingerprint, refreshed_at = now(),
           full_refresh_at = case when $4 then now() else rollup_state.full_refresh_at end`,
        [asOf, profile.name, profileFingerprint(profile), result.mode === 'full']);
    }
    await client.query('commit');
    return { ...result, milliseconds: Date.now() - started };
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

type Counted = Omit<RefreshResult, 'milliseconds'>;

async function refreshAll(client: PoolClient, profile: PolicyProfile, asOf: string, reason: string): Promise<Counted> {
  // whatever was noted so far is covered by recomputing everything
  await client.query('delete from changed_days');
  await client.query('delete from indicator_rollups');
  const statement = dailyCountsStatement({ scope: {}, asOf }, profile);
  const inserted = await client.query(
    `insert into indicator_rollups (${ROLLUP_COLUMNS})
     select x.region_code, x.agency_uscc, x.indicator, x.day, x.action_type, x.numerator, x.denominator from (${statement.text}) x`,
    statement.values);
  await client.query('delete from agency_monthly_rollups');
  await client.query('delete from region_monthly_rollups');
  await client.query(`insert into agency_monthly_rollups (${MONTHLY_COLUMNS}) ${AGENCY_MONTHS} group by 1, 2, 3, 4, 5`);
  await client.query(`insert into region_monthly_rollups (${REGION_COLUMNS}) ${REGION_MONTHS} group by 1, 2, 3`);
  await client.query('delete from subtree_monthly_rollups');
  await client.query(`insert into subtree_monthly_rollups (${REGION_COLUMNS}) ${SUBTREE_MONTHS} group by 1, 2, 3`);
  await refreshPeople(client, profile, asOf, null);
  const { rows } = await client.query<{ agencies: number; days: number }>(
    'select count(distinct agency_uscc)::int as agencies, count(distinct day)::int as days from indicator_rollups');
  return { mode: 'full', reason, asOf, agencies: rows[0]!.agencies, days: rows[0]!.days, rows: inserted.rowCount ?? 0 };
}

async function refreshChanged(client: PoolClient, profile: PolicyProfile, asOf: string): Promise<Counted> {
  // take what is noted now; days an ETL batch notes while this runs stay for the next refresh
  await client.query('create temp table refresh_days (region_code text, agency_uscc text, day date) on commit drop');
  await client.query(`with taken as (delete from changed_days returning region_code, agency_uscc, day)
    insert into refresh_days select region_code, agency_uscc, day from taken`);
  const { rows: [extent] } = await client.query<{ agencies: string[] | null; days: number; first: string | null; last: string | null }>(
    `select array_agg(distinct agency_uscc) as agencies, count(*)::int as days, min(day) as first, max(day) as last from refresh_days`);
  if (!extent?.agencies || !extent.first || !extent.last) {
    return { mode: 'none', reason: null, asOf, agencies: 0, days: 0, rows: 0 };
  }
  await client.query('create index on refresh_days (region_code, agency_uscc, day)');
  await client.query('analyze refresh_days');
  await client.query(`delete from indicator_rollups r using refresh_days d
    where r.region_code = d.region_code and r.agency_uscc = d.agency_uscc and r.day = d.day`);
  const statement = dailyCountsStatement(
    { scope: { agencyUsccs: extent.agencies }, asOf, window: { from: extent.first, to: extent.last } }, profile);
  const inserted = await client.query(
    `insert into indicator_rollups (${ROLLUP_COLUMNS})
     select x.region_code, x.agency_uscc, x.indicator, x.day, x.action_type, x.numerator, x.denominator
     from (${statement.text}) x
     where exists (select 1 from refresh_days d
       where d.region_code = x.region_code and d.agency_uscc = x.agency_uscc and d.day = x.day)`,
    statement.values);
  // the months of the days recomputed, per agency and then per region, summed again from the daily rows
  await client.query(`create temp table refresh_months on commit drop as
    select distinct region_code, agency_uscc, date_trunc('month', day)::date as month from refresh_days`);
  await client.query(`delete from agency_monthly_rollups r using refresh_months m
    where r.region_code = m.region_code and r.agency_uscc = m.agency_uscc and r.month = m.month`);
  await client.query(`insert into agency_monthly_rollups (${MONTHLY_COLUMNS}) ${AGENCY_MONTHS}
    where exists (select 1 from refresh_months m where m.region_code = r.region_code and m.agency_uscc = r.agency_uscc
      and r.day >= m.month and r.day < m.month + interval '1 month')
    group by 1, 2, 3, 4, 5`);
  await client.query(`delete from region_monthly_rollups r using (select distinct region_code, month from refresh_months) m
    where r.region_code = m.region_code and r.month = m.month`);
  await client.query(`insert into region_monthly_rollups (${REGION_COLUMNS}) ${REGION_MONTHS}
    where exists (select 1 from refresh_months m where m.region_code = r.region_code and m.month = r.month)
    group by 1, 2, 3`);
  // every subtree holding a region of those months: the regions' ancestors, themselves included
  await client.query(`create temp table refresh_subtrees on commit drop as
    select distinct g.code, m.month from (select distinct region_code, month from refresh_months) m
    ${ancestorsOf('m.region_code')}`);
  await client.query(`delete from subtree_monthly_rollups r using refresh_subtrees s where r.region_code = s.code and r.month = s.month`);
  await client.query(`insert into subtree_monthly_rollups (${REGION_COLUMNS}) ${SUBTREE_MONTHS}
    where exists (select 1 from refresh_subtrees s where s.code = g.code and s.month = r.month)
    group by 1, 2, 3`);
  await refreshPeople(client, profile, asOf, extent.agencies);
  return { mode: 'incremental', reason: null, asOf, agencies: extent.agencies.length, days: extent.days, rows: inserted.rowCount ?? 0 };
}

/**
 * The people-based figures per agency as of every month's end from the first rolled-up month to the as-of
 * date, and as of that date: for the given agencies, or all. One statement of the engine, the days as periods.
 */
async function refreshPeople(client: PoolClient, profile: PolicyProfile, asOf: string, agencies: string[] | null): Promise<void> {
  const { rows: [extent] } = await client.query<{ first: string | null }>('select min(month)::text as first from agency_monthly_rollups');
  const days: string[] = [];
  for (let month = extent?.first ?? asOf.slice(0, 7) + '-01'; month <= asOf; month = addCalendarDays(monthEnd(month), 1)) {
    const end = monthEnd(month);
    if (end < asOf) days.push(end);
  }
  days.push(asOf);
  if (agencies) await client.query('delete from agency_snapshot_rollups where agency_uscc = any($1::text[])', [agencies]);
  else await client.query('delete from agency_snapshot_rollups');
  const statement = indicatorStatement({
    scope: agencies ? { agencyUsccs: agencies } : {}, asOf, periods: days.map((day) => ({ id: day, from: day, to: day })),
  }, profile, 'agency', peopleDefinitions);
  await client.query(`insert into agency_snapshot_rollups (region_code, agency_uscc, indicator, snapshot_on, numerator, denominator)
    select x.region_code, x.agency_uscc, x.indicator, x.period_id::date, x.numerator, x.denominator from (${statement.text}) x
    where x.indicator is not null and x.period_id is not null`, statement.values);
  // per subtree: small enough (agencies × snapshot days) to sum again whole
  await client.query('delete from subtree_snapshot_rollups');
  await client.query(`insert into subtree_snapshot_rollups (region_code, indicator, snapshot_on, numerator, denominator)
    select g.code, r.indicator, r.snapshot_on, sum(r.numerator), sum(r.denominator)
    from agency_snapshot_rollups r
    ${ancestorsOf('r.region_code')}
    group by 1, 2, 3`);
}

/** One line for the log and the terminal. */
export function formatRefresh(result: RefreshResult): string {
  if (result.mode === 'none') return `汇总表 rollups as of ${result.asOf}: up to date (no changed days)`;
  const what = result.mode === 'full' ? `full refresh (${result.reason})` : 'incremental refresh';
  return `汇总表 rollups as of ${result.asOf}: ${what} — ${result.agencies} agencies, ${result.days} days, ` +
    `${result.rows} rows in ${result.milliseconds} ms`;
}
