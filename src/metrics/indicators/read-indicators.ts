import type { IndicatorName, PolicyProfile } from '../../domain/profile/policy-profile';
import { rollupsCannotAnswer, sumRollups, type RollupSumRow } from '../rollups/rollup-reader';
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
const rolledUp = datedDefinitions().map((definition) => definition.name);

export async function readIndicators(db: Queryable, request: IndicatorRequest, profile: PolicyProfile): Promise<IndicatorAnswer> {
  const why = await rollupsCannotAnswer(db, request.scope, request.asOf, profile);
  if (why) return { indicators: await computeIndicators(db, request, profile), computedFrom: 'facts', why };
  const [sums, snapshots] = await Promise.all([
    sumRollups(db, request, rolledUp, false),
    computeIndicators(db, request, profile, snapshotDefinitions),
  ]);
  return { indicators: withSums(snapshots, sums), computedFrom: 'rollups', why: null };
}

export async function readIndicatorsByAgency(db: Queryable, request: IndicatorRequest, profile: PolicyProfile): Promise<AgencyIndicatorAnswer> {
  const periods = [{ id: 'period', from: request.period.from, to: request.period.to }];
  const table = { scope: request.scope, periods, asOf: request.asOf };
  const flatten = (agencies: Map<string, AgencyIndicators>) => new Map([...agencies].map(([uscc, agency]) =>
    [uscc, { agencyUscc: uscc, regionCode: agency.regionCode, indicators: agency.periods.period ?? emptyIndicators() }]));
  const why = await rollupsCannotAnswer(db, request.scope, request.asOf, profile);
  if (why) return { agencies: flatten(await computeIndicatorsByAgency(db, table, profile)), computedFrom: 'facts', why };
  const [sums, snapshots] = await Promise.all([
    sumRollups(db, request, rolledUp, true),
    computeIndicatorsByAgency(db, table, profile, snapshotDefinitions),
  ]);
  const agencies = flatten(snapshots);
  const byAgency = new Map<string, RollupSumRow[]>();
  for (const row of sums) byAgency.set(row.agency_uscc!, [...(byAgency.get(row.agency_uscc!) ?? []), row]);
  for (const agency of agencies.values()) agency.indicators = withSums(agency.indicators, byAgency.get(agency.agencyUscc) ?? []);
  return { agencies, computedFrom: 'rollups', why: null };
}

/** The snapshot figures with the rolled-up indicators set from their sums (0 / 0 where no day had any). */
function withSums(snapshots: Indicators, sums: readonly RollupSumRow[]): Indicators {
  const figures: Indicators = { ...snapshots };
  for (const name of rolledUp) figures[name] = rateOf(0, 0);
  for (const row of sums) figures[row.indicator as IndicatorName] = rateOf(row.numerator, row.denominator);
  return figures;
}
