import { inWindowSql, type CheckContext, type CheckRelation } from './check-context';

/**
 * The checks of a supervision letter (DOMAIN.md §4.6): rectified by its 整改期限? A letter issued after T has not
 * been sent; one without a deadline has nothing to be late for and is not checked.
 */
function letterChecksSql(ctx: CheckContext): string {
  const t = ctx.asOf;
  return `-- grain: one row per supervision letter to a scoped agency; status as of T
    select l.region_code, l.agency_uscc, l.letter_no, l.kind, l.issued_on, l.due_on, l.rectified_on,
      case when l.issued_on > ${t} or l.due_on is null then null
           when l.rectified_on <= ${t} then case when l.rectified_on <= l.due_on then 'ON_TIME' else 'LATE' end
           when l.due_on < ${t} then 'OVERDUE'
           else 'NOT_DUE' end as rectification_status
    from supervision_letters l
    join scoped_agencies a on a.agency_uscc = l.agency_uscc and a.region_code = l.region_code
    where ${inWindowSql(ctx, 'l.due_on')}`;
}

export const letterChecks: CheckRelation = {
  name: 'letter_checks',
  grain: 'one row per supervision letter',
  dates: ['due_on'],
  byActionType: false,
  record: { key: 'r.letter_no', caseId: null, noun: '份监督文书' },
  columns: ['rectification_status'],
  ctes: (ctx) => [{ name: 'letter_checks', sql: letterChecksSql(ctx) }],
};
