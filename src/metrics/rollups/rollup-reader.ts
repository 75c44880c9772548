import type { PolicyProfile } from '../../domain/profile/policy-profile';
import { checkScope, scopedAgenciesCte, type Scope } from '../scope/scope';
import { SqlParameters, withCtes, type Queryable } from '../sql/sql-parameters';
import { readRollupState, staleness } from './rollup-state';

/**
 * Reading the indicator rollups: whether they can answer a request, and their sums. They answer only for the
 * as-of date and profile they were computed for, and only when no changed days are pending for an agency of
 * the scope (an ETL run has committed facts the next refresh has not yet counted); otherwise the caller
 * computes from the facts. Sums are per indicator over the days of the period, per agency when asked.
 */
export interface RollupSumRow {
  agency_uscc: string | null;
  region_code: string | null;
  indicator: string;
  numerator: number;
  denominator: number;
}

/** Null when the rollups can answer for this scope, as-of date and profile; else why not. */
export async function rollupsCannotAnswer(db: Queryable, scope: Scope, asOf: string, profile: PolicyProfile): Promise<string | null> {
  const stale = staleness(await readRollupState(db), asOf, profile);
  if (stale) return stale;
  const params = new SqlParameters();
  const text = withCtes([scopedAgenciesCte(checkScope(scope), params)],
    `select exists (select 1 from changed_days c join scoped_agencies a
       on a.agency_uscc = c.agency_uscc and a.region_code = c.region_code) as pending`);
  const { rows } = await db.query<{ pending: boolean }>(text, params.values);
  return rows[0]!.pending ? '有新入库数据尚未汇总' : null;
}

/** Numerator and denominator per indicator (per agency with `byAgency`) over the period's days. */
export async function sumRollups(db: Queryable, request: { scope: Scope; period: { from: string; to: string } },
  indicators: readonly string[], byAgency: boolean): Promise<RollupSumRow[]> {
  const scope = checkScope(request.scope);
  const params = new SqlParameters();
  const actionType = scope.actionType === undefined ? 'true'
    // records without an action type (supervision letters) belong to the agency as a whole: a scope's action
    // type does not narrow them, as in the check relations
    : `r.action_type in (${params.bind(scope.actionType, 'text')}, '')`;
  const keys = byAgency ? 'r.agency_uscc, r.region_code' : 'null::text as agency_uscc, null::text as region_code';
  const text = withCtes([scopedAgenciesCte(scope, params)],
    `select ${keys}, r.indicator, sum(r.numerator)::int as numerator, sum(r.denominator)::int as denominator
     from indicator_rollups r
     join scoped_agencies a on a.agency_uscc = r.agency_uscc and a.region_code = r.region_code
     where r.indicator = any(${params.bind(indicators, 'text[]')})
       and r.day between ${params.bind(request.period.from, 'date')} and ${params.bind(request.period.to, 'date')}
       and ${actionType}
     group by ${byAgency ? 'r.agency_uscc, r.region_code, r.indicator' : 'r.indicator'}`);
  const { rows } = await db.query<RollupSumRow>(text, params.values);
  return rows;
}
