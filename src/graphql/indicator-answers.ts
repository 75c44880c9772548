import DataLoader from 'dataloader';
import { canonicalJson } from '../domain/canonical-json';
import type { Viewer } from '../domain/access/viewer';
import type { IndicatorName, PolicyProfile } from '../domain/profile/policy-profile';
import { definitionsOf } from '../metrics/indicators/indicator-definitions';
import {
  computeIndicatorsForPeriods, type IndicatorRequest, type IndicatorTableRequest, type Indicators, type Period,
} from '../metrics/indicators/indicator-engine';
import {
  agenciesFromFacts, readIndicatorsByAgency, readIndicatorsBySubtree, readIndicatorsForPeriods, type SubtreeRequest,
} from '../metrics/indicators/read-indicators';
import type { Scope } from '../metrics/scope/scope';
import type { Queryable } from '../metrics/sql/sql-parameters';

/**
 * Indicators for the request's viewer (the functions below). The rollups hold every agency's figures and the
 * public may read none of them (row-level security), so the public's figures come from the facts it may see;
 * everyone else's from the rollups when they can answer (read-indicators.ts), under the same row-level security.
 * Only the indicators named are read or computed (the query's selection, selected-indicators.ts).
 */
export interface AnswerBase { viewer: Viewer; db: Queryable; profile: PolicyProfile }

type Figures<N extends IndicatorName> = Pick<Indicators, N>;

/** The scope's indicators for each period of the request, by period id. */
export async function indicatorsForPeriods<N extends IndicatorName>(base: AnswerBase, request: IndicatorTableRequest,
  names: readonly N[]): Promise<Map<string, Figures<N>>> {
  if (base.viewer.role === 'PUBLIC') return computeIndicatorsForPeriods(base.db, request, base.profile, definitionsOf(names));
  return (await readIndicatorsForPeriods(base.db, request, base.profile, names)).periods;
}

export async function indicatorsByAgencyFor<N extends IndicatorName>(base: AnswerBase, request: IndicatorRequest,
  names: readonly N[]): Promise<Map<string, { agencyUscc: string; regionCode: string; indicators: Figures<N> }>> {
  if (base.viewer.role === 'PUBLIC') return agenciesFromFacts(base.db, request, base.profile, definitionsOf(names));
  return (await readIndicatorsByAgency(base.db, request, base.profile, names)).agencies;
}

/**
 * Indicators of regions (each with everything below it, or by its own agencies only) for each period, by period
 * id and region code, for supervisors (the public and agencies read by agency: indicatorsByAgencyFor).
 */
export async function indicatorsBySubtreeFor<N extends IndicatorName>(base: AnswerBase, request: SubtreeRequest,
  names: readonly N[]): Promise<Map<string, Map<string, Figures<N>>>> {
  return (await readIndicatorsBySubtree(base.db, request, base.profile, names)).periods;
}

/** One `indicators` field of a query: its scope, period, as-of date and the indicators it selects. */
export interface IndicatorsKey { scope: Scope; period: Period; asOf: string; names: readonly IndicatorName[] }

/**
 * The `indicators` fields of one request, batched: those of the same scope and as-of date (the overview's
 * period and the one before it) are read together, one rollup plan and one sum for every period, each with the
 * indicators any of them selects.
 */
export function indicatorsLoader(base: AnswerBase): DataLoader<IndicatorsKey, Partial<Indicators>, string> {
  return new DataLoader(async (keys) => {
    const groups = new Map<string, IndicatorsKey[]>();
    for (const key of keys) {
      const group = canonicalJson({ scope: key.scope, asOf: key.asOf });
      groups.set(group, [...(groups.get(group) ?? []), key]);
    }
    const answers = new Map<IndicatorsKey, Partial<Indicators> | Error>();
    for (const members of groups.values()) {
      const periodId = (period: Period) => `${period.from}..${period.to}`;
      const periods = [...new Map(members.map((key) => [periodId(key.period), { id: periodId(key.period), from: key.period.from, to: key.period.to }])).values()];
      const names = [...new Set(members.flatMap((key) => key.names))];
      try {
        const figures = await indicatorsForPeriods(base, { scope: members[0]!.scope, asOf: members[0]!.asOf, periods }, names);
        for (const key of members) answers.set(key, figures.get(periodId(key.period))!);
      } catch (error) {
        // a scope that fails (a bad code, a time limit) fails its own fields, not the other scopes' of the request
        for (const key of members) answers.set(key, error instanceof Error ? error : new Error(String(error)));
      }
    }
    return keys.map((key) => answers.get(key)!);
  }, { cacheKeyFn: (key) => canonicalJson(key) });
}
