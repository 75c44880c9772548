import { actionTypeConditionSql } from '../scope/scope';
import { inWindowSql, type CheckContext, type CheckRelation } from './check-context';

/**
 * The checks of a reconsideration or court instance (DOMAIN.md §4.3): which side it counts on (复议 or 诉讼,
 * by the profile's appeal kinds; neither: not counted), whether its outcome corrected the decision, is kept out
 * of the denominator (撤回, 终止) or is counted on its own (调解, 和解). Each appeal row counts by itself.
 */
function appealFactsSql(ctx: CheckContext): string {
  const { params } = ctx;
  const correction = ctx.profile.correction;
  return `-- grain: one row per appeal (case × kind) of a case of a scoped agency
    select ap.region_code, ap.agency_uscc, ap.case_id, ap.kind, ap.outcome, ap.concluded_on, c.action_type,
      case when ap.kind = any(${params.bind(correction.appealKinds.reconsideration, 'text[]')}) then 'RECONSIDERATION'
           when ap.kind = any(${params.bind(correction.appealKinds.litigation, 'text[]')}) then 'LITIGATION' end as appeal_side,
      ap.outcome = any(${params.bind(correction.correctedOutcomes, 'text[]')}) as corrected,
      ap.outcome = any(${params.bind(correction.excludedOutcomes, 'text[]')}) as outcome_excluded,
      ap.outcome = any(${params.bind(correction.separatelyCountedOutcomes, 'text[]')}) as mediated_or_settled
    from appeals ap
    join scoped_agencies a on a.agency_uscc = ap.agency_uscc and a.region_code = ap.region_code
    join cases c on c.region_code = ap.region_code and c.agency_uscc = ap.agency_uscc and c.case_id = ap.case_id
    where ${actionTypeConditionSql(ctx.scope, params, 'c')} and ${inWindowSql(ctx, 'ap.concluded_on')}`;
}

function appealChecksSql(ctx: CheckContext): string {
  const t = ctx.asOf;
  return `-- grain: one row per appeal; as of T
    select f.*,
      coalesce(f.concluded_on <= ${t} and f.outcome is not null, false) as concluded,
      coalesce(f.concluded_on <= ${t} and f.outcome is not null and f.appeal_side is not null and not f.outcome_excluded, false) as ruled
    from appeal_facts f`;
}

export const appealChecks: CheckRelation = {
  name: 'appeal_checks',
  grain: 'one row per appeal (case × kind)',
  dates: ['concluded_on'],
  byActionType: true,
  // a case has at most one appeal of each kind (复议, 一审, 二审, 再审)
  record: { key: `r.case_id || '/' || r.kind`, caseId: 'r.case_id', noun: '件复议诉讼' },
  columns: ['concluded', 'ruled', 'appeal_side', 'corrected', 'outcome_excluded', 'mediated_or_settled'],
  ctes: (ctx) => [{ name: 'appeal_facts', sql: appealFactsSql(ctx), materialized: true }, { name: 'appeal_checks', sql: appealChecksSql(ctx) }],
};
