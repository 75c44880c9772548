import type { PolicyProfile } from '../../domain/profile/policy-profile';
import { addCalendarDays, monthEnd } from '../../domain/calendar/civil-date';
import { regionDirectory, subtreePrefix } from '../../domain/regions';
import { indicatorDefinitions } from '../indicators/indicator-definitions';
import { checkScope, scopedAgenciesCte, type Scope } from '../scope/scope';
import { SqlParameters, withCtes, type Queryable } from '../sql/sql-parameters';
import { readRollupState, staleness } from './rollup-state';

/**
 * Reading the indicator rollups: whether they can answer a request, which agencies have changes not yet rolled
 * up, and their sums. They answer only for the as-of date and profile they were computed for; the caller
 * computes the pending agencies from the facts (read-indicators.ts). Sums are per indicator over the period,
 * for the whole scope, per agency or per region code.
 */
export interface RollupSumRow {
  agency_uscc: string | null;
  region_code: string | null;
  indicator: string;
  numerator: number;
  denominator: number;
}

/** Null when the rollups hold this as-of date and profile; else why not (changes pending: pendingAgencies). */
export async function rollupsCannotAnswer(db: Queryable, asOf: string, profile: PolicyProfile): Promise<string | null> {
  return staleness(await readRollupState(db), asOf, profile);
}

/**
 * The agencies of the scope with changed days an ETL run has committed and the next refresh has not yet counted
 * (their rolled-up figures are stale), and how many agencies the scope has.
 */
export async function pendingAgencies(db: Queryable, scope: Scope): Promise<{ pending: string[]; agencies: number }> {
  const params = new SqlParameters();
  const text = withCtes([scopedAgenciesCte(checkScope(scope), params)],
    `select (select count(*)::int from scoped_agencies) as agencies,
       coalesce((select array_agg(distinct c.agency_uscc) from changed_days c join scoped_agencies a
         on a.agency_uscc = c.agency_uscc and a.region_code = c.region_code), '{}') as pending`);
  const { rows } = await db.query<{ agencies: number; pending: string[] }>(text, params.values);
  return rows[0]!;
}

/** What sums are per: the whole scope, each agency, or each region code (its agencies together). */
export type RollupGrain = 'scope' | 'agency' | 'region';

const grainKeys: Record<RollupGrain, string> = {
  scope: 'null::text as agency_uscc, null::text as region_code',
  agency: 'r.agency_uscc, r.region_code',
  region: 'null::text as agency_uscc, r.region_code',
};

/**
 * A period cut into what each rollup can answer: the whole months inside it (monthly rollups) and the days
 * before the first and after the last whole month (daily rollups). A dashboard's year, quarter or month is
 * whole months only.
 */
export function splitPeriod(period: { from: string; to: string }): { months: { from: string; to: string } | null; days: { from: string; to: string }[] } {
  const firstWhole = period.from.endsWith('-01') ? period.from : addCalendarDays(monthEnd(period.from), 1);
  const lastWhole = period.to === monthEnd(period.to) ? period.to : addCalendarDays(`${period.to.slice(0, 7)}-01`, -1);
  if (firstWhole > lastWhole) return { months: null, days: [period] };
  const days = [];
  if (period.from < firstWhole) days.push({ from: period.from, to: addCalendarDays(firstWhole, -1) });
  if (lastWhole < period.to) days.push({ from: addCalendarDays(lastWhole, 1), to: period.to });
  return { months: { from: firstWhole, to: `${lastWhole.slice(0, 7)}-01` }, days };
}

/** Region codes of a subtree as an index range: '3505' → ['3505', '3506'] (codes are digits). */
function subtreeRange(regionCode: string): [string, string] {
  const prefix = subtreePrefix(regionDirectory().require(regionCode));
  const upper = String(Number(prefix) + 1).padStart(prefix.length, '0');
  return [prefix, upper];
}

/** A scope of whole regions: no agency, agency list or domain narrows it. */
function regionOnly(scope: Scope): boolean {
  return scope.agencyUscc === undefined && scope.agencyUsccs === undefined && scope.domain === undefined;
}

/**
 * Numerator and denominator per indicator (per `grain`) over the period: its whole months from
 * the monthly rollups, its other days from the daily ones. A region's own figures (all action types) read its
 * subtree's months (one row per indicator and month); per region, the months of each region code; any other
 * scope reads them per agency of the scope. One statement either way.
 */
export async function sumRollups(db: Queryable, request: { scope: Scope; period: { from: string; to: string } },
  indicators: readonly string[], grain: RollupGrain): Promise<RollupSumRow[]> {
  const scope = checkScope(request.scope);
  const params = new SqlParameters();
  const actionType = scope.actionType === undefined ? 'true'
    // records without an action type (supervision letters) belong to the agency as a whole: a scope's action
    // type does not narrow them, as in the check relations
    : `r.action_type in (${params.bind(scope.actionType, 'text')}, '')`;
  const names = params.bind(indicators, 'text[]');
  const { months, days } = splitPeriod(request.period);
  // regions answer for whole regions only: every agency, every action type
  const byRegion = grain !== 'agency' && regionOnly(scope) && scope.actionType === undefined;
  const parts: string[] = [];
  const keys = grainKeys[grain];
  if (months && byRegion && grain === 'scope' && scope.regionCode !== undefined) {
    // the region's own figures: its subtree's row per indicator and month
    parts.push(`select ${keys}, r.indicator, r.numerator, r.denominator from subtree_monthly_rollups r
      where r.region_code = ${params.bind(scope.regionCode, 'text')} and r.indicator = any(${names})
        and r.month between ${params.bind(months.from, 'date')} and ${params.bind(months.to, 'date')}`);
  } else if (months && byRegion) {
    const range = scope.regionCode === undefined ? 'true'
      : (([low, high]) => `r.region_code >= ${params.bind(low, 'text')} and r.region_code < ${params.bind(high, 'text')}`)(subtreeRange(scope.regionCode));
    parts.push(`select ${keys}, r.indicator, r.numerator, r.denominator from region_monthly_rollups r
      where ${range} and r.indicator = any(${names})
        and r.month between ${params.bind(months.from, 'date')} and ${params.bind(months.to, 'date')}`);
  } else if (months) {
    parts.push(`select ${keys}, r.indicator, r.numerator, r.denominator from agency_monthly_rollups r
      join scoped_agencies a on a.agency_uscc = r.agency_uscc and a.region_code = r.region_code
      where r.indicator = any(${names})
        and r.month between ${params.bind(months.from, 'date')} and ${params.bind(months.to, 'date')} and ${actionType}`);
  }
  for (const span of days) {
    parts.push(`select ${keys}, r.indicator, r.numerator, r.denominator from indicator_rollups r
      join scoped_agencies a on a.agency_uscc = r.agency_uscc and a.region_code = r.region_code
      where r.indicator = any(${names})
        and r.day between ${params.bind(span.from, 'date')} and ${params.bind(span.to, 'date')} and ${actionType}`);
  }
  const needsAgencies = parts.some((part) => part.includes('scoped_agencies'));
  const body = `select x.agency_uscc, x.region_code, x.indicator, sum(x.numerator)::int as numerator, sum(x.denominator)::int as denominator
    from (${parts.join('\n    union all\n')}) x
    group by x.agency_uscc, x.region_code, x.indicator`;
  const text = needsAgencies ? withCtes([scopedAgenciesCte(scope, params)], body) : body;
  const { rows } = await db.query<RollupSumRow>(text, params.values);
  return rows;
}

/** The indicators counted over an agency's people as of a day, which `agency_snapshot_rollups` holds. */
export const peopleDefinitions = indicatorDefinitions.filter((definition) =>
  definition.relation === 'officer_snapshots' || definition.relation === 'agency_staffing');

/**
 * The people-based figures as of `day` (a period is judged on its last day, or the as-of date if earlier), per
 * indicator (per `grain`); null when the rollups hold no snapshot of that day (the caller computes). They are not
 * narrowed by action type, so a region's own figures read its subtree's row whatever the action type asked.
 */
export async function sumPeopleRollups(db: Queryable, scope: Scope, day: string, grain: RollupGrain): Promise<RollupSumRow[] | null> {
  const params = new SqlParameters();
  const checked = checkScope(scope);
  const keys = grainKeys[grain];
  const on = params.bind(day, 'date');
  const held = `exists (select 1 from agency_snapshot_rollups s where s.snapshot_on = ${on}) as held`;
  const ownFigures = grain === 'scope' && checked.regionCode !== undefined && regionOnly(checked);
  const text = ownFigures
    // a region's own figures: its subtree's row per indicator
    ? `select ${keys}, r.indicator, r.numerator, r.denominator, ${held}
       from (select 1) one
       left join subtree_snapshot_rollups r on r.region_code = ${params.bind(checked.regionCode, 'text')} and r.snapshot_on = ${on}`
    : withCtes([scopedAgenciesCte(checked, params)],
      `select ${keys}, r.indicator, sum(r.numerator)::int as numerator, sum(r.denominator)::int as denominator, ${held}
       from (select 1) one
       left join (agency_snapshot_rollups r join scoped_agencies a on a.agency_uscc = r.agency_uscc and a.region_code = r.region_code)
         on r.snapshot_on = ${on}
       group by 1, 2, 3`);
  const { rows } = await db.query<RollupSumRow & { held: boolean }>(text, params.values);
  if (!rows[0]?.held) return null;
  return rows.filter((row) => row.indicator !== null);
}
