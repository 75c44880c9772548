import { assertCivilDate } from '../../domain/calendar/civil-date';
import type { ActionType } from '../../domain/codes';
import type { PolicyProfile } from '../../domain/profile/policy-profile';
import { checkScope, scopedAgenciesCte } from '../scope/scope';
import { SqlParameters, withCtes } from '../sql/sql-parameters';
import type { CaseCheck, CaseCheckRequest, DeadlineStatus, PublicationStatus, ReviewViolation, WithdrawalStatus } from './case-check-rows';
import { caseChecks } from './case-checks';
import type { CheckContext } from './check-context';

/**
 * The one statement behind per-case checks (caseChecksAsOf, the Arrow export): built once, then either run
 * whole or read through a cursor page by page, so both readers agree on every column.
 */

export interface CaseCheckStatementRequest extends CaseCheckRequest {
  /** only cases decided, as of T, within these bounds (inclusive); either bound may be absent */
  decided?: { from?: string; to?: string };
  /**
   * false: rows in whatever order they are computed. Sorting makes the first row wait for the last, which a
   * cursor read page by page (the export) should not; default true (by agency and case id).
   */
  ordered?: boolean;
}

/** One row of the statement; dates are 'YYYY-MM-DD' strings (src/database/pg.ts). */
export interface CaseCheckStatementRow {
  region_code: string; agency_uscc: string; case_id: string; action_type: ActionType; decided_on: string | null;
  major_reasons: string[]; publication_status: PublicationStatus | null; publication_exemption: CaseCheck['publication']['exemption'];
  publication_deadline: string | null; publication_deadline_provisional: boolean; published_on: string | null;
  /** as of T: null when not withdrawn by T */
  withdrawn_on: string | null;
  withdrawal_status: WithdrawalStatus | null; withdrawal_deadline: string | null; withdrawal_deadline_provisional: boolean | null;
  withdrawal_due: boolean; review_required: boolean; review_compliant: boolean | null; review_violations: ReviewViolation[];
  certified_handling: boolean | null; decided_in_time: boolean | null; archive_status: DeadlineStatus | null;
}

function checkDecidedBounds(decided: CaseCheckStatementRequest['decided']): void {
  if (decided?.from !== undefined) assertCivilDate(decided.from, 'decided.from');
  if (decided?.to !== undefined) assertCivilDate(decided.to, 'decided.to');
}

/**
 * The checks of the cases of a scope as of T, one row per case, by agency and case id unless asked otherwise. A
 * decision range also bounds the checks' window: a case decided in it is dated in it, so nothing it needs is missed.
 */
export function caseCheckStatement(request: CaseCheckStatementRequest, profile: PolicyProfile): { text: string; values: unknown[] } {
  assertCivilDate(request.asOf, 'asOf');
  checkDecidedBounds(request.decided);
  const scope = checkScope(request.scope);
  const params = new SqlParameters();
  const asOf = params.bind(request.asOf, 'date');
  const from = request.decided?.from !== undefined ? params.bind(request.decided.from, 'date') : undefined;
  const to = request.decided?.to !== undefined ? params.bind(request.decided.to, 'date') : undefined;
  // no case decided as of T is decided after T, so T closes a range left open
  const window = from !== undefined ? { from, to: to ?? asOf } : undefined;
  // the cases named are picked before their facts are computed, not filtered out of the whole scope's
  const onlyCases = request.cases && {
    agencyUsccs: params.bind(request.cases.map((c) => c.agencyUscc), 'text[]'),
    caseIds: params.bind(request.cases.map((c) => c.caseId), 'text[]'),
    regions: regionCondition(request.cases, params),
  };
  const ctx: CheckContext = { params, profile, scope, asOf, ...(window && { window }), ...(onlyCases && { onlyCases }) };
  const ctes = [scopedAgenciesCte(scope, params), ...caseChecks.ctes(ctx)];

  const conditions: string[] = [];
  if (from !== undefined) conditions.push(`r.decided and r.decided_on >= ${from}`);
  if (to !== undefined) conditions.push(`r.decided and r.decided_on <= ${to}`);
  const where = conditions.length ? `where ${conditions.join(' and ')}` : '';

  const text = withCtes(ctes, `select r.region_code, r.agency_uscc, r.case_id, r.action_type,
      case when r.decided then r.decided_on::text end as decided_on,
      r.major_reasons_as_of as major_reasons,
      r.publication_status, r.publication_exemption,
      r.publication_deadline::text as publication_deadline, r.publication_deadline_provisional,
      r.published_on_as_of::text as published_on,
      case when r.withdrawn_on <= ${asOf} then r.withdrawn_on::text end as withdrawn_on,
      r.withdrawal_status,
      case when r.withdrawal_status is not null then r.withdrawal_deadline::text end as withdrawal_deadline,
      case when r.withdrawal_status is not null then r.withdrawal_deadline_provisional end as withdrawal_deadline_provisional,
      r.withdrawal_due, r.review_required, r.review_compliant, r.review_violations_as_of as review_violations,
      case when r.decided then r.certified_handling end as certified_handling, r.decided_in_time, r.archive_status
    from case_checks r ${where}
    ${request.ordered === false ? '' : 'order by r.agency_uscc, r.case_id'}`);
  return { text, values: params.values };
}

/**
 * `c.region_code` pinned to the named cases' regions, when every case names one: `= $n` for one region (the
 * planner carries an equality to every table joined on region_code), `= any($n)` for several; null otherwise.
 */
function regionCondition(cases: readonly { regionCode?: string }[], params: SqlParameters): string | null {
  const regions = [...new Set(cases.map((c) => c.regionCode))];
  if (regions.length === 0 || regions.includes(undefined)) return null;
  return regions.length === 1 ? `c.region_code = ${params.bind(regions[0], 'text')}` : `c.region_code = any(${params.bind(regions, 'text[]')})`;
}
