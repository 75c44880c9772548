import type { IndicatorName, PolicyProfile } from '../../domain/profile/policy-profile';
import { peopleDefinitions, rollupsCannotAnswer, sumPeopleRollups, sumRollups, type RollupSumRow } from '../rollups/rollup-reader';
import type { Queryable } from '../sql/sql-parameters';
import { indicatorDefinitions } from './indicator-definitions';
import {
  computeIndicators, computeIndicatorsByAgency, datedDefinitions, emptyIndicators, rateOf,
  type AgencyIndicators, type IndicatorRequest, type Indicators,
} from './indicator-engine';

/**
 * Indicators as dashboards ask for them: from the rollups when they hold this as-of date and profile (the
 * dated indicators summed over the period's days, the snapshot indicators — certificate holding, staffing,
 * annual reports — computed, being small), otherwise from the facts by the same engine the rollups are made
 * with. Both paths give the same figures; `computedFrom` says which one answered, and `why` why not the rollups.
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

export async function readIndicators(db: Queryable, request: IndicatorRequest, profile: PolicyProfile): Promise<IndicatorAnswer> {
  const why = await rollupsCannotAnswer(db, request.scope, request.asOf, profile);
  if (why) return { indicators: await computeIndicators(db, request, profile), computedFrom: 'facts', why };
  const [sums, peopleSums] = [await sumRollups(db, request, rolledUp, 'scope'), await sumPeopleRollups(db, request.scope, snapshotDay(request), 'scope')];
  const snapshots = await computeIndicators(db, request, profile, peopleSums ? computedSnapshots : snapshotDefinitions);
  return { indicators: withSums(withSums(snapshots, sums, rolledUp), peopleSums, people), computedFrom: 'rollups', why: null };
}

export async function readIndicatorsByAgency(db: Queryable, request: IndicatorRequest, profile: PolicyProfile): Promise<AgencyIndicatorAnswer> {
  const periods = [{ id: 'period', from: request.period.from, to: request.period.to }];
  const table = { scope: request.scope, periods, asOf: request.asOf };
  const flatten = (agencies: Map<string, AgencyIndicators>) => new Map([...agencies].map(([uscc, agency]) =>
    [uscc, { agencyUscc: uscc, regionCode: agency.regionCode, indicators: agency.periods.period ?? emptyIndicators() }]));
  const why = await rollupsCannotAnswer(db, request.scope, request.asOf, profile);
  if (why) return { agencies: flatten(await computeIndicatorsByAgency(db, table, profile)), computedFrom: 'facts', why };
  const sums = await sumRollups(db, request, rolledUp, 'agency');
  const peopleSums = await sumPeopleRollups(db, request.scope, snapshotDay(request), 'agency');
  const agencies = flatten(await computeIndicatorsByAgency(db, table, profile, peopleSums ? computedSnapshots : snapshotDefinitions));
  const byAgency = perAgency(sums);
  const peopleByAgency = perAgency(peopleSums);
  for (const agency of agencies.values()) {
    agency.indicators = withSums(agency.indicators, byAgency.get(agency.agencyUscc) ?? [], rolledUp);
    agency.indicators = withSums(agency.indicators, peopleByAgency.get(agency.agencyUscc) ?? (peopleSums && []), people);
  }
  return { agencies, computedFrom: 'rollups', why: null };
}

/**
 * Indicators per region code (the agencies whose region it is, together), for rankings and tables of regions:
 * from the region rollups when they can answer (a province's regions in one small read), otherwise the agencies'
 * figures added up. Every region code with an agency in the scope is listed.
 */
export async function readIndicatorsByRegion(db: Queryable, request: IndicatorRequest, profile: PolicyProfile): Promise<{ regions: Map<string, Indicators>; computedFrom: 'rollups' | 'facts' }> {
  const why = await rollupsCannotAnswer(db, request.scope, request.asOf, profile);
  const regions = new Map<string, Indicators>();
  const add = (regionCode: string, indicators: Indicators) => {
    const sum = regions.get(regionCode);
    if (!sum) { regions.set(regionCode, { ...indicators }); return; }
    for (const name of Object.keys(indicators) as IndicatorName[]) {
      sum[name] = rateOf(sum[name].numerator + indicators[name].numerator, sum[name].denominator + indicators[name].denominator);
    }
  };
  const table = { scope: request.scope, periods: [{ id: 'period', ...request.period }], asOf: request.asOf };
  if (why) {
    for (const agency of (await computeIndicatorsByAgency(db, table, profile)).values()) add(agency.regionCode, agency.periods.period ?? emptyIndicators());
    return { regions, computedFrom: 'facts' };
  }
  const sums = await sumRollups(db, request, rolledUp, 'region');
  const peopleSums = await sumPeopleRollups(db, request.scope, snapshotDay(request), 'region');
  for (const agency of (await computeIndicatorsByAgency(db, table, profile, peopleSums ? computedSnapshots : snapshotDefinitions)).values()) {
    add(agency.regionCode, agency.periods.period ?? emptyIndicators());
  }
  const byRegion = (rows: readonly RollupSumRow[] | null) => {
    const map = new Map<string, RollupSumRow[]>();
    for (const row of rows ?? []) map.set(row.region_code!, [...(map.get(row.region_code!) ?? []), row]);
    return map;
  };
  const dated = byRegion(sums);
  const peopleByRegion = byRegion(peopleSums);
  for (const [regionCode, indicators] of regions) {
    regions.set(regionCode, withSums(withSums(indicators, dated.get(regionCode) ?? [], rolledUp), peopleByRegion.get(regionCode) ?? (peopleSums && []), people));
  }
  return { regions, computedFrom: 'rollups' };
}

function perAgency(rows: readonly RollupSumRow[] | null): Map<string, RollupSumRow[]> {
  const byAgency = new Map<string, RollupSumRow[]>();
  for (const row of rows ?? []) byAgency.set(row.agency_uscc!, [...(byAgency.get(row.agency_uscc!) ?? []), row]);
  return byAgency;
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
