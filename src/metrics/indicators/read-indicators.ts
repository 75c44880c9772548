import { IndicatorNames, type IndicatorName, type PolicyProfile } from '../../domain/profile/policy-profile';
import { regionDirectory, subtreePrefix } from '../../domain/regions';
import {
  peopleDefinitions, readRollupPlan, regionOnly, splitPeriod, sumPeopleRollups, sumRollups, sumSubtreeRollups, type RollupSumRow,
} from '../rollups/rollup-reader';
import type { Queryable } from '../sql/sql-parameters';
import { definitionsOf, type IndicatorDefinition } from './indicator-definitions';
import {
  computeIndicatorsByAgency, computeIndicatorsForPeriods, emptyIndicators, rateOf,
  type AgencyIndicators, type IndicatorRequest, type IndicatorTableRequest, type Indicators, type NamedPeriod, type Period, type Rate,
} from './indicator-engine';
import type { Scope } from '../scope/scope';

/**
 * Indicators as dashboards ask for them: from the rollups when they hold this as-of date and profile (the dated
 * indicators summed over the period's months and days, the people-based ones as of its end, annual reports
 * computed, being small), with agencies whose new data is not yet rolled up computed from the facts; otherwise
 * from the facts by the same engine the rollups are made with. Every path gives the same figures; `computedFrom`
 * says which answered, and `why` why not the rollups.
 *
 * Only the indicators asked for (`names`, by default all) are read or computed, and only they are in the answer:
 * a dashboard's headline needs none of the annual-report or people work, a ranking only its components.
 */
export interface IndicatorAnswer<N extends IndicatorName = IndicatorName> {
  indicators: Pick<Indicators, N>;
  computedFrom: 'rollups' | 'facts';
  why: string | null;
}

export interface PeriodsAnswer<N extends IndicatorName = IndicatorName> {
  /** by period id, every period asked */
  periods: Map<string, Pick<Indicators, N>>;
  computedFrom: 'rollups' | 'facts';
  why: string | null;
}

export interface AgencyIndicatorAnswer<N extends IndicatorName = IndicatorName> {
  /** by agency USCC; every agency of the scope, with or without records */
  agencies: Map<string, { agencyUscc: string; regionCode: string; indicators: Pick<Indicators, N> }>;
  computedFrom: 'rollups' | 'facts';
  why: string | null;
}

const allNames = <N extends IndicatorName>() => IndicatorNames as readonly IndicatorName[] as readonly N[];

/** What an answer of `names` reads: the dated indicators from the rollups, the people-based ones, the rest computed. */
interface Asked {
  names: readonly IndicatorName[];
  definitions: IndicatorDefinition[];
  dated: IndicatorName[];
  people: IndicatorName[];
  /** computed whatever the rollups hold (annual reports: small, and judged on the report year) */
  computed: IndicatorDefinition[];
}

function asked(names: readonly IndicatorName[]): Asked {
  const definitions = definitionsOf(names);
  const people = definitions.filter((definition) => peopleDefinitions.includes(definition));
  return {
    names, definitions,
    dated: definitions.filter((definition) => definition.date !== null).map((definition) => definition.name),
    people: people.map((definition) => definition.name),
    computed: definitions.filter((definition) => definition.date === null && !people.includes(definition)),
  };
}

/** What is computed from the facts: annual reports, and the people-based figures when no snapshot holds them. */
const toCompute = (wanted: Asked, peopleHeld: boolean): IndicatorDefinition[] =>
  (peopleHeld ? wanted.computed : [...wanted.computed, ...wanted.definitions.filter((definition) => wanted.people.includes(definition.name))]);

/** The day a period's people-based figures are judged on: its last day, or the as-of date if earlier. */
const snapshotDay = (period: Period, asOf: string) => (period.to < asOf ? period.to : asOf);

/**
 * How the rollups can answer for a scope: not at all (another as-of date or profile, or every agency of the scope
 * with changed days not yet rolled up: `why`), or with the agencies whose changed days are pending computed
 * from the facts and put in place of their rolled-up figures. After an ETL load a province's figures are then the
 * rollups corrected by the few agencies it touched, not the whole province recomputed from the facts.
 */
async function rollupPlan(db: Queryable, request: { scope: IndicatorRequest['scope']; asOf: string }, profile: PolicyProfile): Promise<{ why: string } | { pending: string[] }> {
  const { why, pending, agencies } = await readRollupPlan(db, request.scope, request.asOf, profile);
  if (why) return { why };
  if (pending.length > 0 && pending.length === agencies) return { why: '有新入库数据尚未汇总' };
  return { pending };
}

const pendingScope = <R extends { scope: IndicatorRequest['scope'] }>(request: R, pending: string[]): R =>
  ({ ...request, scope: { ...request.scope, agencyUsccs: pending } });

function pick<N extends IndicatorName>(indicators: Indicators, names: readonly N[]): Pick<Indicators, N> {
  return Object.fromEntries(names.map((name) => [name, indicators[name]])) as Pick<Indicators, N>;
}

export async function readIndicators<N extends IndicatorName = IndicatorName>(db: Queryable, request: IndicatorRequest, profile: PolicyProfile,
  names: readonly N[] = allNames<N>()): Promise<IndicatorAnswer<N>> {
  const answer = await readIndicatorsForPeriods(db, tableOf(request), profile, names);
  return { indicators: answer.periods.get('period')!, computedFrom: answer.computedFrom, why: answer.why };
}

/** The scope's indicators for each period: one plan, one sum of rollups and at most one computation for all. */
export async function readIndicatorsForPeriods<N extends IndicatorName = IndicatorName>(db: Queryable, request: IndicatorTableRequest, profile: PolicyProfile,
  names: readonly N[] = allNames<N>()): Promise<PeriodsAnswer<N>> {
  const wanted = asked(names);
  const picked = (periods: Map<string, Indicators>) => new Map([...periods].map(([id, indicators]) => [id, pick(indicators, names)]));
  const plan = await rollupPlan(db, request, profile);
  if ('why' in plan) {
    return { periods: picked(await computeIndicatorsForPeriods(db, request, profile, wanted.definitions)), computedFrom: 'facts', why: plan.why };
  }
  const periods = await scopeFromRollups(db, request, profile, wanted);
  if (plan.pending.length > 0) {
    const corrected = pendingScope(request, plan.pending);
    const stale = await scopeFromRollups(db, corrected, profile, wanted);
    const fresh = await computeIndicatorsForPeriods(db, corrected, profile, wanted.definitions);
    for (const [id, indicators] of periods) periods.set(id, plus(minus(indicators, stale.get(id)!), fresh.get(id)!));
  }
  return { periods: picked(periods), computedFrom: 'rollups', why: null };
}

async function scopeFromRollups(db: Queryable, request: IndicatorTableRequest, profile: PolicyProfile, wanted: Asked): Promise<Map<string, Indicators>> {
  const sums = wanted.dated.length > 0 ? groupRows(await sumRollups(db, request, wanted.dated, 'scope'), 'period_id') : new Map<string, RollupSumRow[]>();
  const days = request.periods.map((period) => snapshotDay(period, request.asOf));
  const peopleSums = wanted.people.length > 0 ? await sumPeopleRollups(db, request.scope, days, 'scope') : new Map<string, RollupSumRow[] | null>();
  // a people figure of a day the rollups hold no snapshot of (a period ending on neither a month's end nor the
  // as-of date) is computed, for every period of the request (one statement)
  const peopleHeld = days.every((day) => wanted.people.length === 0 || peopleSums.get(day));
  const computed = await computeIndicatorsForPeriods(db, request, profile,
    toCompute(wanted, peopleHeld));
  const periods = new Map<string, Indicators>();
  for (const [i, period] of request.periods.entries()) {
    const figures = withSums(computed.get(period.id)!, sums.get(period.id) ?? [], wanted.dated);
    periods.set(period.id, peopleHeld ? withSums(figures, peopleSums.get(days[i]!) ?? [], wanted.people) : figures);
  }
  return periods;
}

export type AgencyFigures = Map<string, { agencyUscc: string; regionCode: string; indicators: Indicators }>;

const flatten = (agencies: Map<string, AgencyIndicators>): AgencyFigures => new Map([...agencies].map(([uscc, agency]) =>
  [uscc, { agencyUscc: uscc, regionCode: agency.regionCode, indicators: agency.periods.period ?? emptyIndicators() }]));

const tableOf = (request: IndicatorRequest): IndicatorTableRequest =>
  ({ scope: request.scope, periods: [{ id: 'period', from: request.period.from, to: request.period.to }], asOf: request.asOf });

/** Every agency of the request's scope (with or without records), the `definitions` computed from the facts, the others 0 / 0. */
export async function agenciesFromFacts(db: Queryable, request: IndicatorRequest, profile: PolicyProfile,
  definitions: readonly IndicatorDefinition[]): Promise<AgencyFigures> {
  return flatten(await computeIndicatorsByAgency(db, tableOf(request), profile, definitions));
}

export async function readIndicatorsByAgency<N extends IndicatorName = IndicatorName>(db: Queryable, request: IndicatorRequest, profile: PolicyProfile,
  names: readonly N[] = allNames<N>()): Promise<AgencyIndicatorAnswer<N>> {
  const wanted = asked(names);
  const picked = (agencies: AgencyFigures) => new Map([...agencies].map(([uscc, agency]) => [uscc, { ...agency, indicators: pick(agency.indicators, names) }]));
  const plan = await rollupPlan(db, request, profile);
  if ('why' in plan) {
    return { agencies: picked(await agenciesFromFacts(db, request, profile, wanted.definitions)), computedFrom: 'facts', why: plan.why };
  }
  const agencies = await agenciesFromRollups(db, request, profile, wanted);
  if (plan.pending.length > 0) {
    const fresh = await agenciesFromFacts(db, pendingScope(request, plan.pending), profile, wanted.definitions);
    for (const [uscc, figures] of fresh) agencies.set(uscc, figures);
  }
  return { agencies: picked(agencies), computedFrom: 'rollups', why: null };
}

/** Every agency of the scope (the computation lists them, with or without records), its figures from the rollups. */
async function agenciesFromRollups(db: Queryable, request: IndicatorRequest, profile: PolicyProfile, wanted: Asked): Promise<AgencyFigures> {
  const day = snapshotDay(request.period, request.asOf);
  const sums = wanted.dated.length > 0 ? await sumRollups(db, tableOf(request), wanted.dated, 'agency') : [];
  const peopleSums = wanted.people.length > 0 ? (await sumPeopleRollups(db, request.scope, [day], 'agency')).get(day) ?? null : [];
  const peopleHeld = peopleSums !== null;
  const agencies = await agenciesFromFacts(db, request, profile, toCompute(wanted, peopleHeld));
  const byAgency = groupRows(sums, 'agency_uscc');
  const peopleByAgency = groupRows(peopleSums, 'agency_uscc');
  for (const agency of agencies.values()) {
    agency.indicators = withSums(agency.indicators, byAgency.get(agency.agencyUscc) ?? [], wanted.dated);
    if (peopleHeld) agency.indicators = withSums(agency.indicators, peopleByAgency.get(agency.agencyUscc) ?? [], wanted.people);
  }
  return agencies;
}

/**
 * Indicators per region code (the agencies whose region it is, together), for tables of regions (aggregates):
 * from the region rollups when they can answer (a province's regions in one small read), otherwise the agencies'
 * figures added up. Every region code with an agency in the scope is listed.
 */
export async function readIndicatorsByRegion<N extends IndicatorName = IndicatorName>(db: Queryable, request: IndicatorRequest, profile: PolicyProfile,
  names: readonly N[] = allNames<N>()): Promise<{ regions: Map<string, Pick<Indicators, N>>; computedFrom: 'rollups' | 'facts' }> {
  const wanted = asked(names);
  const plan = await rollupPlan(db, request, profile);
  const regions = new Map<string, Indicators>();
  const add = (regionCode: string, indicators: Indicators) => regions.set(regionCode, plus(regions.get(regionCode) ?? emptyIndicators(), indicators));
  const picked = () => new Map([...regions].map(([code, indicators]) => [code, pick(indicators, names)]));
  if ('why' in plan) {
    for (const agency of (await agenciesFromFacts(db, request, profile, wanted.definitions)).values()) add(agency.regionCode, agency.indicators);
    return { regions: picked(), computedFrom: 'facts' };
  }
  const day = snapshotDay(request.period, request.asOf);
  const sums = wanted.dated.length > 0 ? await sumRollups(db, tableOf(request), wanted.dated, 'region') : [];
  const peopleSums = wanted.people.length > 0 ? (await sumPeopleRollups(db, request.scope, [day], 'region')).get(day) ?? null : [];
  const peopleHeld = peopleSums !== null;
  // the computation lists every agency of the scope, so every region code with one
  for (const agency of (await agenciesFromFacts(db, request, profile, toCompute(wanted, peopleHeld))).values()) {
    add(agency.regionCode, agency.indicators);
  }
  const dated = groupRows(sums, 'region_code');
  const peopleByRegion = groupRows(peopleSums, 'region_code');
  for (const [regionCode, indicators] of regions) {
    const figures = withSums(indicators, dated.get(regionCode) ?? [], wanted.dated);
    regions.set(regionCode, peopleHeld ? withSums(figures, peopleByRegion.get(regionCode) ?? [], wanted.people) : figures);
  }
  if (plan.pending.length > 0) {
    // the pending agencies' rolled-up figures out, their figures from the facts in
    const corrected = pendingScope(request, plan.pending);
    for (const stale of (await agenciesFromRollups(db, corrected, profile, wanted)).values()) {
      regions.set(stale.regionCode, minus(regions.get(stale.regionCode) ?? emptyIndicators(), stale.indicators));
    }
    for (const fresh of (await agenciesFromFacts(db, corrected, profile, wanted.definitions)).values()) add(fresh.regionCode, fresh.indicators);
  }
  return { regions: picked(), computedFrom: 'rollups' };
}

export interface SubtreeRequest {
  scope: Scope;
  /** regions with everything below them */
  regionCodes: readonly string[];
  /** regions by the agencies whose region code it is (本级) */
  ownRegionCodes?: readonly string[];
  periods: readonly NamedPeriod[];
  asOf: string;
}

/**
 * Indicators of regions for each period, each region either with everything below it (`regionCodes`: what a
 * ranking of regions ranks, a county in a table by county) or by its own agencies only (`ownRegionCodes`: 本级,
 * the agencies whose region code it is, as a prefecture's city-level bodies in a table by county), inside the
 * scope. Every region asked lies inside the scope's region, and none is asked twice. A scope of whole regions
 * reads, for dated indicators over whole months, each region's own rows of the subtree (or region) rollups, a few
 * rows per region whatever the number of agencies and region codes below it, every such period in one statement,
 * the pending agencies corrected as everywhere; otherwise (a domain, an agency or an action type, days that are
 * not whole months, people or annual-report figures) the region codes' figures are added up per region.
 */
export async function readIndicatorsBySubtree<N extends IndicatorName = IndicatorName>(db: Queryable, request: SubtreeRequest,
  profile: PolicyProfile, names: readonly N[] = allNames<N>(),
): Promise<{ periods: Map<string, Map<string, Pick<Indicators, N>>>; computedFrom: 'rollups' | 'facts' }> {
  const wanted = asked(names);
  const directory = regionDirectory();
  const own = request.ownRegionCodes ?? [];
  const units = [
    ...request.regionCodes.map((code) => ({ code, prefix: subtreePrefix(directory.require(code)) })),
    ...own.map((code) => ({ code, prefix: null })),
  ];
  if (new Set(units.map((unit) => unit.code)).size < units.length) throw new Error(`a region is asked for twice: ${units.map((unit) => unit.code).join(', ')}`);
  const covering = (regionCode: string) => units.filter((unit) => (unit.prefix === null ? regionCode === unit.code : regionCode.startsWith(unit.prefix)));
  const figures = new Map(request.periods.map((period) => [period.id, new Map(units.map((unit) => [unit.code, emptyIndicators()]))]));
  /** figures of a region code (an agency's, or all its agencies') into every region asked that holds it */
  const add = (periodId: string, regionCode: string, indicators: Partial<Indicators>, sign: 1 | -1 = 1) => {
    const regions = figures.get(periodId)!;
    for (const { code } of covering(regionCode)) regions.set(code, combine(regions.get(code)!, indicators, sign));
  };
  const rowOf = (row: RollupSumRow): Partial<Indicators> => ({ [row.indicator]: rateOf(row.numerator, row.denominator) });
  const picked = () => new Map([...figures].map(([id, regions]) => [id, new Map([...regions].map(([code, indicators]) => [code, pick(indicators, names)]))]));
  if (units.length === 0) return { periods: picked(), computedFrom: 'rollups' };

  const outside = request.scope.regionCode === undefined ? [] : units.filter(({ code }) => !directory.isWithin(code, request.scope.regionCode!));
  if (outside.length > 0) throw new Error(`regions ${outside.map((unit) => unit.code).join(', ')} lie outside the scope's region ${request.scope.regionCode}`);

  // the subtree and region rollups hold whole regions, every action type together
  const wholeRegions = regionOnly(request.scope) && request.scope.actionType === undefined;
  const wholeMonths = (period: NamedPeriod) => { const { months, days } = splitPeriod(period); return months !== null && days.length === 0; };
  const subtreeRead = wholeRegions && wanted.dated.length === wanted.definitions.length ? request.periods.filter(wholeMonths) : [];
  let computedFrom: 'rollups' | 'facts' = 'rollups';
  for (const period of request.periods.filter((p) => !subtreeRead.includes(p))) {
    const byRegion = await readIndicatorsByRegion(db, { scope: request.scope, period, asOf: request.asOf }, profile, names);
    for (const [regionCode, indicators] of byRegion.regions) add(period.id, regionCode, indicators);
    if (byRegion.computedFrom === 'facts') computedFrom = 'facts';
  }
  if (subtreeRead.length === 0) return { periods: picked(), computedFrom };

  const table: IndicatorTableRequest = { scope: request.scope, periods: subtreeRead, asOf: request.asOf };
  const plan = await rollupPlan(db, table, profile);
  if ('why' in plan) {
    for (const agency of (await computeIndicatorsByAgency(db, table, profile, wanted.definitions)).values()) {
      for (const period of subtreeRead) add(period.id, agency.regionCode, agency.periods[period.id]!);
    }
    return { periods: picked(), computedFrom: 'facts' };
  }
  const months = subtreeRead.map((period) => ({ id: period.id, ...splitPeriod(period).months! }));
  for (const row of await sumSubtreeRollups(db, { subtrees: request.regionCodes, own }, months, wanted.dated)) {
    const regions = figures.get(row.period_id)!;
    regions.set(row.region_code!, combine(regions.get(row.region_code!)!, rowOf(row), 1));
  }
  if (plan.pending.length > 0) {
    // the pending agencies' rolled-up months out, their figures from the facts in
    const corrected = pendingScope(table, plan.pending);
    for (const stale of await sumRollups(db, corrected, wanted.dated, 'agency')) add(stale.period_id, stale.region_code!, rowOf(stale), -1);
    for (const fresh of (await computeIndicatorsByAgency(db, corrected, profile, wanted.definitions)).values()) {
      for (const period of subtreeRead) add(period.id, fresh.regionCode, fresh.periods[period.id]!);
    }
  }
  return { periods: picked(), computedFrom };
}

function combine(a: Indicators, b: Partial<Indicators>, sign: 1 | -1): Indicators {
  const result = { ...a };
  for (const [name, rate] of Object.entries(b) as [IndicatorName, Rate][]) {
    result[name] = rateOf(a[name].numerator + sign * rate.numerator, a[name].denominator + sign * rate.denominator);
  }
  return result;
}
const plus = (a: Indicators, b: Indicators) => combine(a, b, 1);
const minus = (a: Indicators, b: Indicators) => combine(a, b, -1);

function groupRows(rows: readonly RollupSumRow[] | null, key: 'agency_uscc' | 'region_code' | 'period_id'): Map<string, RollupSumRow[]> {
  const groups = new Map<string, RollupSumRow[]>();
  for (const row of rows ?? []) {
    const group = groups.get(row[key]!);
    if (group) group.push(row);
    else groups.set(row[key]!, [row]);
  }
  return groups;
}

/** The figures with the named indicators set from rollup sums (0 / 0 where the rollups had none). */
function withSums(figures: Indicators, sums: readonly RollupSumRow[], names: readonly IndicatorName[]): Indicators {
  const result: Indicators = { ...figures };
  for (const name of names) result[name] = rateOf(0, 0);
  for (const row of sums) result[row.indicator as IndicatorName] = rateOf(row.numerator, row.denominator);
  return result;
}
