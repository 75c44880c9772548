import { computeIndicators, computeIndicatorsByAgency, emptyIndicators, type IndicatorRequest, type Indicators } from '../metrics/indicators/indicator-engine';
import { readIndicators, readIndicatorsByAgency, readIndicatorsByRegion } from '../metrics/indicators/read-indicators';
import type { ApiContext } from './api-context';

/**
 * Indicators for the request's viewer. The rollups hold every agency's figures and the public may read none of
 * them (row-level security), so the public's figures come from the facts it may see; everyone else's from the
 * rollups when they can answer (read-indicators.ts), under the same row-level security.
 */
export async function indicatorsFor(ctx: ApiContext, request: IndicatorRequest): Promise<Indicators> {
  if (ctx.viewer.role === 'PUBLIC') return computeIndicators(ctx.db, request, ctx.profile);
  return (await readIndicators(ctx.db, request, ctx.profile)).indicators;
}

export async function indicatorsByAgencyFor(ctx: ApiContext, request: IndicatorRequest): Promise<Map<string, { agencyUscc: string; regionCode: string; indicators: Indicators }>> {
  if (ctx.viewer.role === 'PUBLIC') {
    const table = await computeIndicatorsByAgency(ctx.db, { scope: request.scope, periods: [{ id: 'p', ...request.period }], asOf: request.asOf }, ctx.profile);
    return new Map([...table].map(([uscc, agency]) => [uscc, { agencyUscc: uscc, regionCode: agency.regionCode, indicators: agency.periods.p ?? emptyIndicators() }]));
  }
  return (await readIndicatorsByAgency(ctx.db, request, ctx.profile)).agencies;
}

/** Indicators per region code for supervisors (the public and agencies read by agency: indicatorsByAgencyFor). */
export async function indicatorsByRegionFor(ctx: ApiContext, request: IndicatorRequest): Promise<Map<string, Indicators>> {
  return (await readIndicatorsByRegion(ctx.db, request, ctx.profile)).regions;
}
