import { assertCivilDate } from '../../domain/calendar/civil-date';
import { AppealKinds, AppealOutcomes, type AppealKind, type AppealOutcome } from '../../domain/codes';
import { InvalidValueError } from '../../domain/errors';
import type { PolicyProfile } from '../../domain/profile/policy-profile';
import type { CheckContext } from '../checks/check-context';
import { relationsInOrder } from '../indicators/indicator-engine';
import type { Period } from '../indicators/indicator-engine';
import { checkScope, scopedAgenciesCte, type Scope } from '../scope/scope';
import { SqlParameters, withCtes, type Cte, type Queryable } from '../sql/sql-parameters';

/**
 * What became of the appeals concluded in a period (DOMAIN.md §4.3), for the corrections dashboard: scoped
 * agencies → appeal_checks, the relation correctionRate, reconsiderationCorrectionRate and litigationLossRate
 * count → counts by kind and outcome, with what the profile makes of the outcome (its side, corrected, kept out
 * of the denominator). So the counts add up to those indicators: side RECONSIDERATION not excluded is the
 * denominator of 复议纠错率, and the corrected among them its numerator; any side, not excluded, 纠错率.
 * Grain of the answer: one row per (kind, outcome) with at least one appeal.
 */
export type AppealSide = 'RECONSIDERATION' | 'LITIGATION';

export interface AppealOutcomeCount {
  kind: AppealKind;
  /** which correction rate the appeal counts in; null: its kind is in neither (not counted) */
  side: AppealSide | null;
  outcome: AppealOutcome;
  corrected: boolean;
  /** kept out of the denominator (撤回, 终止 by default) */
  excluded: boolean;
  count: number;
}

export interface AppealOutcomeRequest { scope: Scope; period: Period; asOf: string }

/** Exposed for golden-SQL tests and EXPLAIN. */
export function appealOutcomesStatement(request: AppealOutcomeRequest, profile: PolicyProfile): { text: string; values: unknown[] } {
  assertCivilDate(request.asOf, 'asOf');
  assertCivilDate(request.period.from, 'period.from');
  assertCivilDate(request.period.to, 'period.to');
  if (request.period.from > request.period.to) {
    throw new InvalidValueError('PERIOD_REVERSED', request.period, `期间 ${request.period.from} – ${request.period.to}：起始日期晚于结束日期`);
  }
  const scope = checkScope(request.scope);
  const params = new SqlParameters();
  const window = { from: params.bind(request.period.from, 'date'), to: params.bind(request.period.to, 'date') };
  const ctx: CheckContext = { params, profile, scope, asOf: params.bind(request.asOf, 'date'), window };
  const ctes: Cte[] = [scopedAgenciesCte(scope, params)];
  for (const relation of relationsInOrder([{ relation: 'appeal_checks' }])) ctes.push(...relation.ctes(ctx));
  // concluded: an outcome dated on or before T (DOMAIN.md §4: an appeal concluded after T is still pending)
  const text = withCtes(ctes, `-- grain: one row per kind and outcome of the appeals concluded in the period, as of T
    select r.kind, r.appeal_side as side, r.outcome, r.corrected, r.outcome_excluded as excluded, count(*)::int as count
    from appeal_checks r
    where r.concluded and r.concluded_on between ${window.from} and ${window.to}
    group by r.kind, r.appeal_side, r.outcome, r.corrected, r.outcome_excluded`);
  return { text, values: params.values };
}

/** The counts by kind and outcome, in the order of the code lists (复议 first; 维持 … 终止). */
export async function countAppealOutcomes(db: Queryable, request: AppealOutcomeRequest, profile: PolicyProfile): Promise<AppealOutcomeCount[]> {
  const statement = appealOutcomesStatement(request, profile);
  const { rows } = await db.query<AppealOutcomeCount>(statement.text, statement.values);
  const rank = (codes: readonly string[], code: string) => codes.indexOf(code);
  return rows.sort((a, b) => rank(AppealKinds.codes, a.kind) - rank(AppealKinds.codes, b.kind)
    || rank(AppealOutcomes.codes, a.outcome) - rank(AppealOutcomes.codes, b.outcome));
}
