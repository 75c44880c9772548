import type { IndicatorName, PolicyProfile } from '../../domain/profile/policy-profile';
import { pendingAgencies, peopleDefinitions, rollupsCannotAnswer, sumPeopleRollups, sumRollups, type RollupSumRow } from '../rollups/rollup-reader';
import type { Queryable } from '../sql/sql-parameters';
import { indicatorDefinitions } from './indicator-definitions';
import {
  computeIndicators, computeIndicatorsByAgency, datedDefinitions, emptyIndicators, rateOf,
  type AgencyIndicators, type IndicatorRequest, type Indicators,
} from './indicator-engine';

/**
 * Indicators as dashboards ask for them: from the rollups when they hold this as-of date and profile (the dated
 * indicators summed over the period's months and days, the people-based ones as of its end, annual reports
 * computed, being small), with agencies whose new data is not yet rolled up computed from the facts; otherwise
 * from the facts by the same engine the rollups are made with. Every path gives the same figures; `computedFrom`
 * says which answered, and `why` why not the rollups.
 */
export interface IndicatorAnswer {
  indicators: Indicators;
  computedFrom: 'rollups' | 'facts';
  why: string | null;
}

export interface AgencyIndicatorAnswer {
  /** by agency USCC; every agency of the scope, with or without records */
  agencies: Map<string, { agencyUscc: string; regionCode: string; indicators: Indicators }>;
  computedFrom: 'rollups' | 'facts';
  why: string | null;
}

const snapshotDefinitions = indicatorDefinitions.filter((definition) => definition.date === null);
/** snapshot indicators the rollups do not hold (annual reports: small, and judged on the report year) */
const computedSnapshots = snapshotDefinitions.filter((definition) => !peopleDefinitions.includes(definition));
const rolledUp = datedDefinitions().map((definition) => definition.name);
const people = peopleDefinitions.map((definition) => definition.name);

/** The day a period's people-based figures are judged on: its last day, or the as-of date if earlier. */
const snapshotDay = (request: IndicatorRequest) => (request.period.to < request.asOf ? request.period.to : request.asOf);

/**
 * How the rollups can answer for a scope: not at all (another as-of date or profile, or every agency of the scope
 * with changed days not yet rolled up: `why`), or with the agencies whose changed days are pending computed
 * from the facts and put in place of their rolled-up figures. After an ETL load a province's figures are then the
 * rollups corrected by the few agencies it touched, not the whole province recomputed from the facts.
 */
async function rollupPlan(db: Queryable, request: IndicatorRequest, profile: PolicyProfile): Promise<{ why: string } | { pending: string[] }> {
  const why = await rollupsCannotAnswer(db, request.asOf, profile);
  if (why) return { why };
  const { pending, agencies } = await pendingAgencies(db, request.scope);
  if (pending.length > 0 && pending.length === agencies) return { why: '有新入库数据尚未汇总' };
  return { pending };
}

const pendingScope = (request: IndicatorRequest, pending: string[]): IndicatorRequest => ({ ...request, scope: { ...request.scope, agencyUsccs: pending } });

export async function readIndicators(db: Queryable, request: IndicatorRequest, profile: PolicyProfile): Promise<IndicatorAnswer> {
  const plan = await rollupPlan(db, request, profile);
  if ('why' in plan) return { indicators: await computeIndicators(db, request, profile), computedFrom: 'facts', why: plan.why };
  let indicators = await scopeFromRollups(db, request, profile);
  if (plan.pending.length > 0) {
    const corrected = pendingScope(request, plan.pending);
    indicators = plus(minus(indicators, await scopeFromRollups(db, corrected, profile)), await computeIndicators(db, corrected, profile));
  }
  return { indicators, computedFrom: 'rollups', why: null };
}

async function scopeFromRollups(db: Queryable, request: IndicatorRequest, profile: PolicyProfile): Promise<Indicators> {
  const sums = await sumRollups(db, request, rolledUp, 'scope');
  const peopleSums = await sumPeopleRollups(db, request.scope, snapshotDay(request), 'scope');
  const snapshots = await computeIndicators(db, request, profile, peopleSums ? computedSnapshots : snapshotDefinitions);
  return withSums(withSums(snapshots, sums, rolledUp), peopleSums, people);
}

type AgencyFigures = Map<string, { agencyUscc: string; regionCode: string; indicators: Indicators }>;

const flatten = (agencies: Map<string, AgencyIndicators>): AgencyFigures => new Map([...agencies].map(([uscc, agency]) =>
  [uscc, { agencyUscc: uscc, regionCode: agency.regionCode, indicators: agency.periods.period ?? emptyIndicators() }]));

const tableOf = (request: IndicatorRequest) => ({ scope: request.scope, periods: [{ id: 'period', from: request.period.from, to: request.period.to }], asOf: request.asOf });

export async function readIndicatorsByAgency(db: Queryable, request: IndicatorRequest, profile: PolicyProfile): Promise<AgencyIndicatorAnswer> {
  const plan = await rollupPlan(db, request, profile);
  if ('why' in plan) return { agencies: flatten(await computeIndicatorsByAgency(db, tableOf(request), profile)), computedFrom: 'facts', why: plan.why };
  const agencies = await agenciesFromRollups(db, request, profile);
  if (plan.pending.length > 0) {
    for (const [uscc, fresh] of flatten(await computeIndicatorsByAgency(db, tableOf(pendingScope(request, plan.pending)), profile))) agencies.set(uscc, fresh);
  }
  return { agencies, computedFrom: 'rollups', why: null };
}

async function agenciesFromRollups(db: Queryable, request: IndicatorRequest, profile: PolicyProfile): Promise<AgencyFigures> {
  const sums = await sumRollups(db, request, rolledUp, 'agency');
  const peopleSums = await sumPeopleRollups(db, request.scope, snapshotDay(request), 'agency');
  const agencies = flatten(await computeIndicatorsByAgency(db, tableOf(request), profile, peopleSums ? computedSnapshots : snapshotDefinitions));
  const byAgency = groupRows(sums, 'agency_uscc');
  const peopleByAgency = groupRows(peopleSums, 'agency_uscc');
  for (const agency of agencies.values()) {
    agency.indicators = withSums(agency.indicators, byAgency.get(agency.agencyUscc) ?? [], rolledUp);
    agency.indicators = withSums(agency.indicators, peopleByAgency.get(agency.agencyUscc) ?? (peopleSums && []), people);
  }
  return agencies;
}

/**
 * Indicators per region code (the agencies whose region it is, together), for rankings and tables of regions:
 * from the region rollups when they can answer (a province's regions in one small read), otherwise the agencies'
 * figures added up. Every region code with an agency in the scope is listed.
 */
export async function readIndicatorsByRegion(db: Queryable, request: IndicatorRequest, profile: PolicyProfile): Promise<{ regions: Map<string, Indicators>; computedFrom: 'rollups' | 'facts' }> {
  const plan = await rollupPlan(db, request, profile);
  const regions = new Map<string, Indicators>();
  const add = (regionCode: string, indicators: Indicators) => regions.set(regionCode, plus(regions.get(regionCode) ?? emptyIndicators(), indicators));
  if ('why' in plan) {
    for (const agency of (await computeIndicatorsByAgency(db, tableOf(request), profile)).values()) add(agency.regionCode, agency.periods.period ?? emptyIndicators());
    return { regions, computedFrom: 'facts' };
  }
  const sums = await sumRollups(db, request, rolledUp, 'region');
  const peopleSums = await sumPeopleRollups(db, request.scope, snapshotDay(request), 'region');
  for (const agency of (await computeIndicatorsByAgency(db, tableOf(request), profile, peopleSums ? computedSnapshots : snapshotDefinitions)).values()) {
    add(agency.regionCode, agency.periods.period ?? emptyIndicators());
  }
  const dated = groupRows(sums, 'region_code');
  const peopleByRegion = groupRows(peopleSums, 'region_code');
  for (const [regionCode, indicators] of regions) {
    regions.set(regionCode, withSums(withSums(indicators, dated.get(regionCode) ?? [], rolledUp), peopleByRegion.get(regionCode) ?? (peopleSums && []), people));
  }
  if (plan.pending.length > 0) {
    // the pending agencies' rolled-up figures out, their figures from the facts in
    const corrected = pendingScope(request, plan.pending);
    for (const stale of (await agenciesFromRollups(db, corrected, profile)).values()) {
      regions.set(stale.regionCode, minus(regions.get(stale.regionCode) ?? emptyIndicators(), stale.indicators));
    }
    for (const fresh of flatten(await computeIndicatorsByAgency(db, tableOf(corrected), profile)).values()) add(fresh.regionCode, fresh.indicators);
  }
  return { regions, computedFrom: 'rollups' };
}

function combine(a: Indicators, b: Indicators, sign: 1 | -1): Indicators {
  const result = { ...a };
  for (const name of Object.keys(b) as IndicatorName[]) {
    result[name] = rateOf(a[name].numerator + sign * b[name].numerator, a[name].denominator + sign * b[name].denominator);
  }
  return result;
}
const plus = (a: Indicators, b: Indicators) => combine(a, b, 1);
const minus = (a: Indicators, b: Indicators) => combine(a, b, -1);

function groupRows(rows: readonly RollupSumRow[] | null, key: 'agency_uscc' | 'region_code'): Map<string, RollupSumRow[]> {
  const groups = new Map<string, RollupSumRow[]>();
  for (const row of rows ?? []) groups.set(row[key]!, [...(groups.get(row[key]!) ?? []), row]);
  return groups;
}

/**
 * The figures with the named indicators set from rollup sums (0 / 0 where the rollups had none); unchanged when
 * `sums` is null (the rollups did not hold them and they were computed).
 */
function withSums(figures: Indicators, sums: readonly RollupSumRow[] | null, names: readonly IndicatorName[]): Indicators {
  if (sums === null) return figures;
  const result: Indicators = { ...figures };
  for (const name of names) result[name] = rateOf(0, 0);
  for (const row of sums) result[row.indicator as IndicatorName] = rateOf(row.numerator, row.denominator);
  return result;
}
