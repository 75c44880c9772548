import { assertCivilDate } from '../../domain/calendar/civil-date';
import { InvalidValueError } from '../../domain/errors';
import { IndicatorNames, type IndicatorName, type PolicyProfile } from '../../domain/profile/policy-profile';
import type { CheckContext, CheckRelation } from '../checks/check-context';
import { checkRelations } from '../checks/check-relations';
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

/** Every indicator, over the whole scope, for one period as of `asOf`. */
export async function computeIndicators(db: Queryable, request: IndicatorRequest, profile: PolicyProfile): Promise<Indicators> {
  const { scope, period, asOf } = request;
  const statement = indicatorStatement({ scope, asOf, periods: [{ from: period.from, to: period.to, id: 'period' }] }, profile, 'scope');
  const { rows } = await db.query<TallyRow>(statement.text, statement.values);
  return tally(rows).scope.get('period') ?? emptyIndicators();
}

/**
 * Every indicator per agency of the scope (agencies without records included), for each period, in one
 * statement: what a table of agencies × quarters needs.
 */
export async function computeIndicatorsByAgency(
  db: Queryable, request: IndicatorTableRequest, profile: PolicyProfile,
): Promise<Map<string, AgencyIndicators>> {
  const statement = indicatorStatement(request, profile, 'agency');
  const { rows } = await db.query<TallyRow>(statement.text, statement.values);
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

function conditionSql(condition: Condition, relation: CheckRelation, params: SqlParameters): string {
  const parts = Object.entries(condition).map(([column, value]) => {
    if (!relation.columns.includes(column)) {
      throw new Error(`indicator condition names ${column}, which ${relation.name} does not have (${relation.columns.join(', ')})`);
    }
    return value === true ? `r.${ident(column)} is true` : `r.${ident(column)} = any(${params.bind(value, 'text[]')})`;
  });
  return parts.length ? parts.join(' and ') : 'true';
}

/** The relations the definitions count over, each after those it reads, each once. */
function relationsInOrder(definitions: readonly IndicatorDefinition[]): CheckRelation[] {
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
  assertCivilDate(request.asOf, 'asOf');
  checkPeriods(request.periods);
  const scope = checkScope(request.scope);
  const params = new SqlParameters();
  const froms = request.periods.map((p) => p.from);
  const tos = request.periods.map((p) => p.to);
  const ctx: CheckContext = {
    params, profile, scope,
    asOf: params.bind(request.asOf, 'date'),
    window: {
      from: params.bind(froms.reduce((a, b) => (a < b ? a : b)), 'date'),
      to: params.bind(tos.reduce((a, b) => (a > b ? a : b)), 'date'),
    },
  };
  const ctes: Cte[] = [
    {
      name: 'periods',
      sql: `-- grain: one row per requested period
        select * from unnest(${params.bind(request.periods.map((p) => p.id), 'text[]')},
          ${params.bind(froms, 'date[]')}, ${params.bind(tos, 'date[]')}) as p(id, from_on, to_on)`,
    },
    scopedAgenciesCte(scope, params),
  ];
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
  const keys = by === 'agency' ? 'r.agency_uscc, r.region_code' : 'null::text as agency_uscc, null::text as region_code';
  const groupBy = by === 'agency' ? 'r.agency_uscc, r.region_code, p.id' : 'p.id';
  const counts = [...groups.values()].map((group, g) => {
    const relation = checkRelations[group[0]!.relation];
    const date = group[0]!.date;
    if (date !== null && !relation.dates.includes(date)) {
      throw new Error(`${group[0]!.name} is dated by ${date}, which is not a date of ${relation.name} (${relation.dates.join(', ')})`);
    }
    if (date === null && relation.dates.length > 0) throw new Error(`${group[0]!.name}: ${relation.name} needs a date column`);
    const periodJoin = date === null
      ? 'join periods p on p.id = r.period_id'
      : `join periods p on r.${ident(date)} between p.from_on and p.to_on`;
    const columns = group.map((d, i) => {
      const denominator = conditionSql(d.denominator, relation, params);
      const numerator = conditionSql(d.numerator, relation, params);
      return `count(*) filter (where ${denominator})::int as d${i}, count(*) filter (where ${denominator} and ${numerator})::int as n${i}`;
    });
    const unpivot = group.map((d, i) => `(${params.bind(d.name, 'text')}, t.n${i}, t.d${i})`);
    return {
      name: `counts_${g}`,
      sql: `-- grain: one row per ${by === 'agency' ? 'agency and ' : ''}period; ${group.map((d) => d.name).join(', ')} over ${relation.name}
        select ${keys}, p.id as period_id, ${columns.join(',\n          ')}
        from ${relation.name} r
        ${periodJoin}
        group by ${groupBy}`,
      unpivot: `select t.agency_uscc, t.region_code, t.period_id, v.indicator, v.numerator, v.denominator
        from counts_${g} t cross join lateral (values ${unpivot.join(', ')}) as v(indicator, numerator, denominator)`,
    };
  });
  const listing = by === 'agency'
    ? ['select agency_uscc, region_code, null::text, null::text, 0, 0 from scoped_agencies']
    : [];
  const text = withCtes([...ctes, ...counts.map(({ name, sql }) => ({ name, sql }))],
    [...counts.map((c) => c.unpivot), ...listing].join('\nunion all\n'));
  return { text, values: params.values };
}
