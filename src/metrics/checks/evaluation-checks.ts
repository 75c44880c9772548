import { actionTypeConditionSql } from '../scope/scope';
import { inWindowSql, type CheckContext, type CheckRelation } from './check-context';

/** The checks of a case-file evaluation (DOMAIN.md §4.6): 自查 and 抽查 alike, passed when graded 合格 or better (profile). */
function evaluationChecksSql(ctx: CheckContext): string {
  const { params } = ctx;
  return `-- grain: one row per evaluation (case × kind × date) of a case of a scoped agency; as of T
    select e.region_code, e.agency_uscc, e.case_id, e.kind, e.evaluated_on, c.action_type,
      e.evaluated_on <= ${ctx.asOf} as evaluated,
      e.grade = any(${params.bind(ctx.profile.evaluation.passingGrades, 'text[]')}) as passed
    from evaluations e
    join scoped_agencies a on a.agency_uscc = e.agency_uscc and a.region_code = e.region_code
    join cases c on c.region_code = e.region_code and c.agency_uscc = e.agency_uscc and c.case_id = e.case_id
    where ${actionTypeConditionSql(ctx.scope, params, 'c')} and ${inWindowSql(ctx, 'e.evaluated_on')}`;
}

export const evaluationChecks: CheckRelation = {
  name: 'evaluation_checks',
  grain: 'one row per evaluation',
  dates: ['evaluated_on'],
  byActionType: true,
  // a case may be evaluated by each kind (自查, 抽查) more than once, on different days
  record: { key: `r.case_id || '/' || r.kind || '/' || r.evaluated_on`, caseId: 'r.case_id', noun: '次评查' },
  columns: ['evaluated', 'passed'],
  ctes: (ctx) => [{ name: 'evaluation_checks', sql: evaluationChecksSql(ctx) }],
};
