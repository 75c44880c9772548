import type { PolicyProfile } from '../../domain/profile/policy-profile';
import { addCalendarDays, monthEnd } from '../../domain/calendar/civil-date';
import { regionDirectory, subtreePrefix } from '../../domain/regions';
import { indicatorDefinitions } from '../indicators/indicator-definitions';
import { checkScope, scopedAgenciesCte, type Scope } from '../scope/scope';
import { SqlParameters, withCtes, type Cte, type Queryable } from '../sql/sql-parameters';
import type { NamedPeriod } from '../indicators/indicator-engine';
import { readRollupState, rollupStateColumns, rollupStateOf, staleness, type RollupStateRow } from './rollup-state';

/**
 * Reading the indicator rollups: whether they can answer a request, which agencies have changes not yet rolled
 * up, and their sums. They answer only for the as-of date and profile they were computed for; the caller
 * computes the pending agencies from the facts (read-indicators.ts). Sums are per period (or day) and indicator,
 * for the whole scope, per agency, per region code or per region subtree.
 */
export interface RollupSumRow {
  period_id: string;
  agency_uscc: string | null;
  region_code: string | null;
  indicator: string;
  numerator: number;
  denominator: number;
}

/** Rollup reads count no working days: their agencies need no calendar. */
const rollupReads = { calendar: false };

/** Null when the rollups hold this as-of date and profile; else why not (changes pending aside: readRollupPlan). */
export async function rollupsCannotAnswer(db: Queryable, asOf: string, profile: PolicyProfile): Promise<string | null> {
  return staleness(await readRollupState(db), asOf, profile);
}

/**
 * Whether the rollups can answer for a scope (null, or why not: another as-of date or profile), the agencies of
 * the scope with changed days an ETL run has committed and the next refresh has not yet counted (their rolled-up
 * figures are stale), and how many agencies the scope has: one statement, read before every answer.
 */
export async function readRollupPlan(db: Queryable, scope: Scope, asOf: string, profile: PolicyProfile): Promise<{ why: string | null; pending: string[]; agencies: number }> {
  const params = new SqlParameters();
  const text = withCtes([scopedAgenciesCte(checkScope(scope), params, rollupReads)],
    `select ${rollupStateColumns.split(', ').map((column) => `s.${column}`).join(', ')},
       (select count(*)::int from scoped_agencies) as agencies,
       coalesce((select array_agg(distinct c.agency_uscc) from changed_days c join scoped_agencies a
         on a.agency_uscc = c.agency_uscc and a.region_code = c.region_code), '{}') as pending
     from (select 1) one left join rollup_state s on s.id = 1`);
  const { rows } = await db.query<RollupStateRow & { agencies: number; pending: string[] }>(text, params.values);
  const row = rows[0]!;
  return { why: staleness(rollupStateOf(row), asOf, profile), pending: row.pending, agencies: row.agencies };
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

/** A scope of whole regions: no agency, agency list or domain narrows it (an action type may). */
export function regionOnly(scope: Scope): boolean {
  return scope.agencyUscc === undefined && scope.agencyUsccs === undefined && scope.domain === undefined;
}

/**
 * Numerator and denominator per period and indicator (per `grain`): each period's whole months from the monthly
 * rollups, its other days from the daily ones. A region's own figures (all action types) read its subtree's
 * months (one row per indicator and month); per region, the months of each region code; any other scope reads
 * them per agency of the scope. One statement for all the periods.
 */
export async function sumRollups(db: Queryable, request: { scope: Scope; periods: readonly NamedPeriod[] },
  indicators: readonly string[], grain: RollupGrain): Promise<RollupSumRow[]> {
  const scope = checkScope(request.scope);
  const params = new SqlParameters();
  const actionType = scope.actionType === undefined ? 'true'
    // records without an action type (supervision letters) belong to the agency as a whole: a scope's action
    // type does not narrow them, as in the check relations
    : `r.action_type in (${params.bind(scope.actionType, 'text')}, '')`;
  const names = params.bind(indicators, 'text[]');
  // regions answer for whole regions only: every agency, every action type
  const byRegion = grain !== 'agency' && regionOnly(scope) && scope.actionType === undefined;
  const keys = grainKeys[grain];
  // bound when first used: a parameter no part reads would have no type for PostgreSQL
  let region: string | undefined;
  let range: string | undefined;
  const regionParam = () => (region ??= params.bind(scope.regionCode, 'text'));
  const rangeCondition = () => (range ??= scope.regionCode === undefined ? 'true'
    : (([low, high]) => `r.region_code >= ${params.bind(low, 'text')} and r.region_code < ${params.bind(high, 'text')}`)(subtreeRange(scope.regionCode)));
  const parts: string[] = [];
  for (const period of request.periods) {
    const { months, days } = splitPeriod(period);
    const select = `select ${params.bind(period.id, 'text')} as period_id, ${keys}, r.indicator, r.numerator, r.denominator`;
    const monthsBetween = months && `r.month between ${params.bind(months.from, 'date')} and ${params.bind(months.to, 'date')}`;
    if (monthsBetween && byRegion && grain === 'scope' && scope.regionCode !== undefined) {
      // the region's own figures: its subtree's row per indicator and month
      parts.push(`${select} from subtree_monthly_rollups r where r.region_code = ${regionParam()} and r.indicator = any(${names}) and ${monthsBetween}`);
    } else if (monthsBetween && byRegion) {
      parts.push(`${select} from region_monthly_rollups r where ${rangeCondition()} and r.indicator = any(${names}) and ${monthsBetween}`);
    } else if (monthsBetween) {
      parts.push(`${select} from agency_monthly_rollups r
        join scoped_agencies a on a.agency_uscc = r.agency_uscc and a.region_code = r.region_code
        where r.indicator = any(${names}) and ${monthsBetween} and ${actionType}`);
    }
    for (const span of days) {
      parts.push(`${select} from indicator_rollups r
        join scoped_agencies a on a.agency_uscc = r.agency_uscc and a.region_code = r.region_code
        where r.indicator = any(${names})
          and r.day between ${params.bind(span.from, 'date')} and ${params.bind(span.to, 'date')} and ${actionType}`);
    }
  }
  if (parts.length === 0) return [];
  const needsAgencies = parts.some((part) => part.includes('scoped_agencies'));
  const body = `select x.period_id, x.agency_uscc, x.region_code, x.indicator, sum(x.numerator)::int as numerator, sum(x.denominator)::int as denominator
    from (${parts.join('\n    union all\n')}) x
    group by x.period_id, x.agency_uscc, x.region_code, x.indicator`;
  const text = needsAgencies ? withCtes([scopedAgenciesCte(scope, params, rollupReads)], body) : body;
  const { rows } = await db.query<RollupSumRow>(text, params.values);
  return rows;
}

/**
 * Numerator and denominator per period, region and indicator over whole months: for each of `subtrees` its own
 * rows of the subtree rollups (the region with every region below it), for each of `own` its rows of the region
 * rollups (only the agencies whose region code it is: 本级), one per indicator and month. Each period is given
 * by its first and last month (first days); every action type; one statement for all the periods.
 */
export async function sumSubtreeRollups(db: Queryable, regions: { subtrees: readonly string[]; own: readonly string[] },
  months: readonly NamedPeriod[], indicators: readonly string[]): Promise<RollupSumRow[]> {
  const first = months.map((period) => period.from).reduce((a, b) => (a < b ? a : b));
  const last = months.map((period) => period.to).reduce((a, b) => (a > b ? a : b));
  const { rows } = await db.query<RollupSumRow>(
    `select p.id as period_id, null::text as agency_uscc, r.region_code, r.indicator,
       sum(r.numerator)::int as numerator, sum(r.denominator)::int as denominator
     from (select s.region_code, s.indicator, s.month, s.numerator, s.denominator from subtree_monthly_rollups s
           where s.region_code = any($1::text[]) and s.indicator = any($3::text[]) and s.month between $4::date and $5::date
         union all
         select g.region_code, g.indicator, g.month, g.numerator, g.denominator from region_monthly_rollups g
           where g.region_code = any($2::text[]) and g.indicator = any($3::text[]) and g.month between $4::date and $5::date) r
     join unnest($6::text[], $7::date[], $8::date[]) as p(id, first_month, last_month) on r.month between p.first_month and p.last_month
     group by p.id, r.region_code, r.indicator`,
    [regions.subtrees, regions.own, indicators, first, last,
      months.map((period) => period.id), months.map((period) => period.from), months.map((period) => period.to)]);
  return rows;
}

/** The indicators counted over an agency's people as of a day, which `agency_snapshot_rollups` holds. */
export const peopleDefinitions = indicatorDefinitions.filter((definition) =>
  definition.relation === 'officer_snapshots' || definition.relation === 'agency_staffing');

/**
 * The people-based figures as of each of `days` (a period is judged on its last day, or the as-of date if
 * earlier), per indicator (per `grain`), by day; a day is null when the rollups hold no snapshot of it (the
 * caller computes). They are not narrowed by action type, so a region's own figures read its subtree's row
 * whatever the action type asked. One statement for all the days.
 */
export async function sumPeopleRollups(db: Queryable, scope: Scope, days: readonly string[], grain: RollupGrain): Promise<Map<string, RollupSumRow[] | null>> {
  const params = new SqlParameters();
  const checked = checkScope(scope);
  const keys = grainKeys[grain];
  const asked = params.bind([...new Set(days)], 'date[]');
  // the days the snapshots hold (any agency's row): a step of its own, not a subquery per day, which a
  // distributed warehouse could not correlate (schema/distribution.yaml)
  const held: Cte = { name: 'held_days', materialized: true, sql: `select s.snapshot_on from agency_snapshot_rollups s where s.snapshot_on = any(${asked}) group by 1` };
  const dayRows = `unnest(${asked}) as d(day) left join held_days h on h.snapshot_on = d.day`;
  const ownFigures = grain === 'scope' && checked.regionCode !== undefined && regionOnly(checked);
  const text = ownFigures
    // a region's own figures: its subtree's row per indicator
    ? withCtes([held], `select d.day::text as period_id, ${keys}, r.indicator, r.numerator, r.denominator, h.snapshot_on is not null as held
       from ${dayRows}
       left join subtree_snapshot_rollups r on r.region_code = ${params.bind(checked.regionCode, 'text')} and r.snapshot_on = d.day`)
    : withCtes([scopedAgenciesCte(checked, params, rollupReads), held],
      `select d.day::text as period_id, ${keys}, r.indicator, sum(r.numerator)::int as numerator, sum(r.denominator)::int as denominator,
         h.snapshot_on is not null as held
       from ${dayRows}
       left join (agency_snapshot_rollups r join scoped_agencies a on a.agency_uscc = r.agency_uscc and a.region_code = r.region_code)
         on r.snapshot_on = d.day
       group by d.day, h.snapshot_on, 2, 3, 4`);
  const { rows } = await db.query<RollupSumRow & { held: boolean }>(text, params.values);
  const byDay = new Map<string, RollupSumRow[] | null>();
  for (const row of rows) {
    if (!row.held) byDay.set(row.period_id, null);
    else byDay.set(row.period_id, [...(byDay.get(row.period_id) ?? []), ...(row.indicator === null ? [] : [row])]);
  }
  return byDay;
}
