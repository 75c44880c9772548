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
  onlyCases?: { agencyUsccs: string; caseIds: string; regions: string | null };
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
  /** what one row is as a record a reader looks up: the drill-down below every number (DOMAIN.md §4) */
  record: RecordIdentity;
  ctes(ctx: CheckContext): Cte[];
}

/**
 * How a row of a check relation is named as a record. Within one period, `key` tells a row apart from the
 * agency's other rows of the relation (the agency and region are the row's own columns), so (agency, key) is
 * the order a drill-down pages in.
 */
export interface RecordIdentity {
  /** SQL over a row `r`, text: the case id, the record id, 'caseId/kind', the person id, the letter number … */
  key: string;
  /** SQL over `r`: the case the row belongs to; null when rows belong to no case (letters, people, agencies) */
  caseId: string | null;
  /** what one row is called after a number (「12 件案件」): the noun with its measure word */
  noun: string;
}

/** `column between window` for a date column, or true without a window. */
export function inWindowSql(ctx: CheckContext, dateSql: string): string {
  return ctx.window ? `${dateSql} between ${ctx.window.from} and ${ctx.window.to}` : 'true';
}
