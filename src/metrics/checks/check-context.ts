import type { PolicyProfile } from '../../domain/profile/policy-profile';
import type { Scope } from '../scope/scope';
import type { Cte, SqlParameters } from '../sql/sql-parameters';

/** What every check relation is built from: the statement's parameters, the rules in force, whose records, as of when. */
export interface CheckContext {
  params: SqlParameters;
  profile: PolicyProfile;
  scope: Scope;
  /** T, bound (`$n::date`): events dated after it have not happened (DOMAIN.md §4) */
  asOf: string;
  /**
   * Bound dates (`$n::date`) outside which no record of this statement is dated: a check may skip records
   * none of whose dating fields fall inside. Absent: every record.
   */
  window?: { from: string; to: string };
  /**
   * Only these cases (bound `text[]` arrays of agency USCCs and case ids, pairwise): the checks of a page of
   * cases without computing the whole scope's. Absent: every case of the scope.
   */
  onlyCases?: { agencyUsccs: string; caseIds: string };
}

/**
 * A relation of per-record checks as one or more named steps, the last of which is the relation. `columns`
 * are those indicator definitions may name; `dates` the columns that may put a record in a period. A relation
 * without dates is computed per period itself (a snapshot as of the period's end): it reads the statement's
 * `periods` step and carries `period_id`.
 */
export interface CheckRelation {
  name: string;
  /** what one row is */
  grain: string;
  dates: readonly string[];
  /** rows carry their case's `action_type` (a scope's action type narrows them; rollups keep it) */
  byActionType: boolean;
  columns: readonly string[];
  /** relations whose steps this one reads */
  requires?: readonly CheckRelation[];
  ctes(ctx: CheckContext): Cte[];
}

/** `column between window` for a date column, or true without a window. */
export function inWindowSql(ctx: CheckContext, dateSql: string): string {
  return ctx.window ? `${dateSql} between ${ctx.window.from} and ${ctx.window.to}` : 'true';
}
