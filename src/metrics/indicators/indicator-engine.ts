import { assertCivilDate } from '../../domain/calendar/civil-date';
import { InvalidValueError } from '../../domain/errors';
import { IndicatorNames, type IndicatorName, type PolicyProfile } from '../../domain/profile/policy-profile';
import type { CheckContext, CheckRelation } from '../checks/check-context';
import { checkRelations, type CheckRelationName } from '../checks/check-relations';
import { checkScope, scopedAgenciesCte, type Scope } from '../scope/scope';
import { ident, SqlParameters, withCtes, type Cte, type Queryable } from '../sql/sql-parameters';
import { indicatorDefinitions, type Condition, type IndicatorDefinition } from './indicator-definitions';

/**
 * The one engine: a request (scope, periods, as-of date) and the indicator definitions become one statement —
 * scoped agencies → per-record checks → counts per period (and per agency) — and the figures come back as
 * numerator, denominator and rate for every indicator.
 */

/** An inclusive range of civil dates (the contract's PeriodInput). */
export interface Period { from: string; to: string }
/** A period with the name its figures are returned under ('2025Q1', '2025'). */
export interface NamedPeriod extends Period { id: string }

/** The contract's Rate: rate is null when the denominator is 0. */
export interface Rate { numerator: number; denominator: number; rate: number | null }
export type Indicators = Record<IndicatorName, Rate>;

export interface IndicatorRequest { scope: Scope; period: Period; asOf: string }
export interface IndicatorTableRequest { scope: Scope; periods: readonly NamedPeriod[]; asOf: string }

/** Figures of one agency: by period id. */
export interface AgencyIndicators { agencyUscc: string; regionCode: string; periods: Record<string, Indicators> }

export function rateOf(numerator: number, denominator: number): Rate {
  return { numerator, denominator, rate: denominator === 0 ? null : numerator / denominator };
}

export function emptyIndicators(): Indicators {
  return Object.fromEntries(IndicatorNames.map((name) => [name, rateOf(0, 0)])) as Indicators;
}

/** Every indicator (or those of `definitions`), over the whole scope, for one period as of `asOf`. */
export async function computeIndicators(db: Queryable, request: IndicatorRequest, profile: PolicyProfile,
  definitions: readonly IndicatorDefinition[] = indicatorDefinitions): Promise<Indicators> {
  const { scope, period, asOf } = request;
  const periods = await computeIndicatorsForPeriods(db, { scope, asOf, periods: [{ from: period.from, to: period.to, id: 'period' }] }, profile, definitions);
  return periods.get('period')!;
}

/**
 * Every indicator (or those of `definitions`; the others 0 / 0) over the whole scope, for each period, in one
 * statement (none when no definition is asked for).
 */
export async function computeIndicatorsForPeriods(db: Queryable, request: IndicatorTableRequest, profile: PolicyProfile,
  definitions: readonly IndicatorDefinition[] = indicatorDefinitions): Promise<Map<string, Indicators>> {
  const figures = new Map<string, Indicators>();
  if (definitions.length > 0) {
    const statement = indicatorStatement(request, profile, 'scope', definitions);
    const { rows } = await db.query<TallyRow>(statement.text, statement.values);
    for (const [id, indicators] of tally(rows).scope) figures.set(id, indicators);
  } else {
    checkPeriods(request.periods);
  }
  for (const period of request.periods) if (!figures.has(period.id)) figures.set(period.id, emptyIndicators());
  return figures;
}

/**
 * Every indicator per agency of the scope (agencies without records included), for each period, in one
 * statement: what a table of agencies × quarters needs.
 */
export async function computeIndicatorsByAgency(
  db: Queryable, request: IndicatorTableRequest, profile: PolicyProfile,
  definitions: readonly IndicatorDefinition[] = indicatorDefinitions,
): Promise<Map<string, AgencyIndicators>> {
  let rows: TallyRow[];
  if (definitions.length > 0) {
    const statement = indicatorStatement(request, profile, 'agency', definitions);
    rows = (await db.query<TallyRow>(statement.text, statement.values)).rows;
  } else {
    // nothing to count: the agencies alone
    checkPeriods(request.periods);
    const params = new SqlParameters();
    rows = (await db.query<TallyRow>(withCtes([scopedAgenciesCte(checkScope(request.scope), params, { calendar: false })],
      'select agency_uscc, region_code, null as period_id, null as indicator, 0 as numerator, 0 as denominator from scoped_agencies'), params.values)).rows;
  }
  const { agencies } = tally(rows);
  for (const agency of agencies.values()) {
    for (const period of request.periods) agency.periods[period.id] ??= emptyIndicators();
  }
  return agencies;
}

interface TallyRow {
  agency_uscc: string | null;
  region_code: string | null;
  period_id: string | null;
  indicator: IndicatorName | null;
  numerator: number;
  denominator: number;
}

function tally(rows: TallyRow[]): { scope: Map<string, Indicators>; agencies: Map<string, AgencyIndicators> } {
  const scope = new Map<string, Indicators>();
  const agencies = new Map<string, AgencyIndicators>();
  for (const row of rows) {
    let agency: AgencyIndicators | undefined;
    if (row.agency_uscc !== null) {
      agency = agencies.get(row.agency_uscc);
      if (!agency) agencies.set(row.agency_uscc, (agency = { agencyUscc: row.agency_uscc, regionCode: row.region_code!, periods: {} }));
    }
    if (row.period_id === null || row.indicator === null) continue;
    let figures = agency ? agency.periods[row.period_id] : scope.get(row.period_id);
    if (!figures) {
      figures = emptyIndicators();
      if (agency) agency.periods[row.period_id] = figures;
      else scope.set(row.period_id, figures);
    }
    figures[row.indicator] = rateOf(row.numerator, row.denominator);
  }
  return { scope, agencies };
}

function checkPeriods(periods: readonly NamedPeriod[]): void {
  if (periods.length === 0) throw new InvalidValueError('NO_PERIOD', periods, 'at least one period is needed');
  const ids = new Set<string>();
  for (const period of periods) {
    assertCivilDate(period.from, 'period.from');
    assertCivilDate(period.to, 'period.to');
    if (period.from > period.to) {
      throw new InvalidValueError('PERIOD_REVERSED', period, `期间 ${period.from} – ${period.to}：起始日期晚于结束日期`);
    }
    if (ids.has(period.id)) throw new InvalidValueError('PERIOD_TWICE', period.id, `period ${period.id} is given twice`);
    ids.add(period.id);
  }
}

/** `condition` over a row `r` of `relation` (indicator definitions and violation kinds read conditions alike). */
export function conditionSql(condition: Condition, relation: CheckRelation, params: SqlParameters): string {
  const parts = Object.entries(condition).map(([column, value]) => {
    if (!relation.columns.includes(column)) {
      throw new Error(`condition names ${column}, which ${relation.name} does not have (${relation.columns.join(', ')})`);
    }
    return value === true ? `r.${ident(column)} is true` : `r.${ident(column)} = any(${params.bind(value, 'text[]')})`;
  });
  return parts.length ? parts.join(' and ') : 'true';
}

/** The relations the definitions (or violation kinds) read, each after those it reads, each once. */
export function relationsInOrder(definitions: readonly { relation: CheckRelationName }[]): CheckRelation[] {
  const ordered: CheckRelation[] = [];
  const visit = (relation: CheckRelation) => {
    if (ordered.includes(relation)) return;
    for (const required of relation.requires ?? []) visit(required);
    ordered.push(relation);
  };
  for (const definition of definitions) visit(checkRelations[definition.relation]);
  return ordered;
}

/**
 * The statement for a request. Grain of its answer: one row per (agency, when `by` is agency) period and
 * indicator with numerator and denominator, plus one row per scoped agency without a period (so that agencies
 * without records are listed). Exposed for golden-SQL tests and EXPLAIN.
 */
export function indicatorStatement(
  request: IndicatorTableRequest, profile: PolicyProfile, by: 'scope' | 'agency',
  definitions: readonly IndicatorDefinition[] = indicatorDefinitions,
): { text: string; values: unknown[] } {
  checkPeriods(request.periods);
  const froms = request.periods.map((p) => p.from);
  const tos = request.periods.map((p) => p.to);
  const window = { from: froms.reduce((a, b) => (a < b ? a : b)), to: tos.reduce((a, b) => (a > b ? a : b)) };
  return countStatement({ scope: request.scope, asOf: request.asOf, window }, profile, definitions, (params) => ({
    ctes: [{
      name: 'periods',
      sql: `-- grain: one row per requested period
        select * from unnest(${params.bind(request.periods.map((p) => p.id), 'text[]')},
          ${params.bind(froms, 'date[]')}, ${params.bind(tos, 'date[]')}) as p(id, from_on, to_on)`,
    }],
    grain: by === 'agency' ? 'agency and period' : 'period',
    keys: () => by === 'agency'
      ? 'r.agency_uscc, r.region_code, p.id as period_id'
      : 'null::text as agency_uscc, null::text as region_code, p.id as period_id',
    groupBy: () => (by === 'agency' ? 'r.agency_uscc, r.region_code, p.id' : 'p.id'),
    join: (date) => (date === null
      ? 'join periods p on p.id = r.period_id'
      : `join periods p on r.${ident(date)} between p.from_on and p.to_on`),
    where: () => 'true',
    keyColumns: 't.agency_uscc, t.region_code, t.period_id',
    // agencies without records are listed too
    extra: by === 'agency' ? ['select agency_uscc, region_code, null::text, null::text, 0, 0 from scoped_agencies'] : [],
  }));
}

/** What rollups hold: counts per agency, day and action type, for the dated indicators. */
export interface DailyCountsRequest {
  scope: Scope;
  asOf: string;
  /** only records dated inside (by the date each indicator counts them on); absent: every record */
  window?: Period;
}

/** The indicators a daily rollup can hold: those that date their records (snapshot indicators have no day). */
export function datedDefinitions(definitions: readonly IndicatorDefinition[] = indicatorDefinitions): IndicatorDefinition[] {
  return definitions.filter((definition) => definition.date !== null);
}

/**
 * Counts per agency × day × action type × indicator as of `asOf` — the grain of the indicator rollups. The day
 * is the date that puts a record in a period for that indicator, so summing a rollup's days over a period gives
 * exactly what indicatorStatement counts for it. Records without an action type (supervision letters) carry ''.
 * Rows whose numerator and denominator are both 0 are left out.
 */
export function dailyCountsStatement(request: DailyCountsRequest, profile: PolicyProfile,
  definitions: readonly IndicatorDefinition[] = indicatorDefinitions): { text: string; values: unknown[] } {
  if (request.window) {
    assertCivilDate(request.window.from, 'window.from');
    assertCivilDate(request.window.to, 'window.to');
  }
  return countStatement(request, profile, datedDefinitions(definitions), () => ({
    ctes: [],
    grain: 'agency, day and action type',
    keys: (date, relation) => `r.agency_uscc, r.region_code, r.${ident(date!)} as day, ${
      relation.byActionType ? "coalesce(r.action_type, '')" : "''::text"} as action_type`,
    // agency, region, day, action type: the four key columns above
    groupBy: () => '1, 2, 3, 4',
    join: () => '',
    where: (date, window) => (window ? `r.${ident(date!)} between ${window.from} and ${window.to}` : `r.${ident(date!)} is not null`),
    keyColumns: 't.agency_uscc, t.region_code, t.day, t.action_type',
    extra: [],
    outerWhere: 'v.numerator > 0 or v.denominator > 0',
  }));
}

/** How one statement groups its counts: by requested periods, or by day for rollups. */
interface Grouping {
  ctes: Cte[];
  grain: string;
  /** the key columns each count step selects for records of `relation` dated by `date` */
  keys(date: string | null, relation: CheckRelation): string;
  groupBy(date: string | null): string;
  join(date: string | null): string;
  where(date: string | null, window: { from: string; to: string } | undefined): string;
  /** the key columns of a count step's rows, as the unpivot selects them */
  keyColumns: string;
  extra: string[];
  outerWhere?: string;
}

function countStatement(
  request: { scope: Scope; asOf: string; window?: Period }, profile: PolicyProfile,
  definitions: readonly IndicatorDefinition[], grouping: (params: SqlParameters) => Grouping,
): { text: string; values: unknown[] } {
  assertCivilDate(request.asOf, 'asOf');
  const scope = checkScope(request.scope);
  const params = new SqlParameters();
  // the window is bound when a step first reads it: a parameter no step reads would have no type for PostgreSQL
  let windowBound: { from: string; to: string } | undefined;
  const bindWindow = (period: Period) => (windowBound ??= { from: params.bind(period.from, 'date'), to: params.bind(period.to, 'date') });
  const requested = request.window;
  const ctx: CheckContext = {
    params, profile, scope,
    asOf: params.bind(request.asOf, 'date'),
    ...(requested && { window: { get from() { return bindWindow(requested).from; }, get to() { return bindWindow(requested).to; } } }),
  };
  const group = grouping(params);
  const ctes: Cte[] = [...group.ctes, scopedAgenciesCte(scope, params)];
  // each relation is computed once: its rows are then joined to every period they fall in and counted
  for (const relation of relationsInOrder(definitions)) {
    ctes.push(...relation.ctes(ctx).map((cte) => (cte.name === relation.name ? { ...cte, materialized: true } : cte)));
  }

  // one count per (relation, date column): the records are read once for all indicators dated alike
  const groups = new Map<string, IndicatorDefinition[]>();
  for (const definition of definitions) {
    const key = `${definition.relation}|${definition.date ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), definition]);
  }
  const counts = [...groups.values()].map((members, g) => {
    const relation = checkRelations[members[0]!.relation];
    const date = members[0]!.date;
    if (date !== null && !relation.dates.includes(date)) {
      throw new Error(`${members[0]!.name} is dated by ${date}, which is not a date of ${relation.name} (${relation.dates.join(', ')})`);
    }
    if (date === null && relation.dates.length > 0) throw new Error(`${members[0]!.name}: ${relation.name} needs a date column`);
    const columns = members.map((d, i) => {
      const denominator = conditionSql(d.denominator, relation, params);
      const numerator = conditionSql(d.numerator, relation, params);
      return `count(*) filter (where ${denominator})::int as d${i}, count(*) filter (where ${denominator} and ${numerator})::int as n${i}`;
    });
    const unpivot = members.map((d, i) => `(${params.bind(d.name, 'text')}, t.n${i}, t.d${i})`);
    return {
      name: `counts_${g}`,
      sql: `-- grain: one row per ${group.grain}; ${members.map((d) => d.name).join(', ')} over ${relation.name}
        select ${group.keys(date, relation)}, ${columns.join(',\n          ')}
        from ${relation.name} r
        ${group.join(date)}
        where ${group.where(date, ctx.window)}
        group by ${group.groupBy(date)}`,
      unpivot: `select ${group.keyColumns}, v.indicator, v.numerator, v.denominator
        from counts_${g} t cross join lateral (values ${unpivot.join(', ')}) as v(indicator, numerator, denominator)${
        group.outerWhere ? `\n        where ${group.outerWhere}` : ''}`,
    };
  });
  const text = withCtes([...ctes, ...counts.map(({ name, sql }) => ({ name, sql }))],
    [...counts.map((c) => c.unpivot), ...group.extra].join('\nunion all\n'));
  return { text, values: params.values };
}
