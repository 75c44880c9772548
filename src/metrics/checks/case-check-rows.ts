import { assertCivilDate } from '../../domain/calendar/civil-date';
import type { ActionType } from '../../domain/codes';
import type { PolicyProfile } from '../../domain/profile/policy-profile';
import { checkScope, scopedAgenciesCte, type Scope } from '../scope/scope';
import { SqlParameters, withCtes, type Queryable } from '../sql/sql-parameters';
import { caseChecks } from './case-checks';

export type PublicationStatus = 'ON_TIME' | 'LATE' | 'OVERDUE' | 'NOT_DUE' | 'EXEMPT';
export type WithdrawalStatus = 'WITHDRAWN_ON_TIME' | 'WITHDRAWN_LATE' | 'NOT_WITHDRAWN';
export type ReviewViolation = 'NO_REVIEW' | 'REVIEW_AFTER_DECISION' | 'DECIDED_WITHOUT_APPROVAL' | 'REVIEWER_IS_HANDLER' | 'REVIEWER_NOT_REGISTERED';
export type DeadlineStatus = 'ON_TIME' | 'LATE' | 'OVERDUE' | 'NOT_DUE';

/** What the checks say about one case as of T: the drill-down below every case-based indicator. */
export interface CaseCheck {
  regionCode: string;
  agencyUscc: string;
  caseId: string;
  actionType: ActionType;
  /** null: not decided, or decided after T */
  decidedOn: string | null;
  major: boolean;
  /** why it is major: SOURCE_FLAG, GROUND:<code>, HEARING, FINE_THRESHOLD, PENALTY_KIND:<kind>, CATALOG:<name> */
  majorReasons: string[];
  publication: {
    /** null for a case not decided by T */
    status: PublicationStatus | null;
    exemption: 'UNDISCLOSED' | 'SUMMARY_PENALTY' | null;
    deadline: string | null;
    deadlineProvisional: boolean;
    /** as of T: null when unpublished or published after T */
    publishedOn: string | null;
    /** null when no withdrawal is owed as of T */
    withdrawalStatus: WithdrawalStatus | null;
    withdrawalDeadline: string | null;
    withdrawalDeadlineProvisional: boolean | null;
    /** counted in withdrawal timeliness: withdrawn by T, or its deadline before T */
    withdrawalDue: boolean;
  };
  review: { required: boolean; compliant: boolean | null; violations: ReviewViolation[] };
  /** null for a case not decided by T */
  certifiedHandling: boolean | null;
  /** null where the 90-day rule does not apply */
  decidedInTime: boolean | null;
  archiveStatus: DeadlineStatus | null;
}

export interface CaseCheckRequest {
  scope: Scope;
  asOf: string;
  /** only these cases; absent: every case of the scope */
  cases?: readonly { agencyUscc: string; caseId: string }[];
}

interface Row {
  region_code: string; agency_uscc: string; case_id: string; action_type: ActionType; decided_on: string | null;
  major_reasons: string[]; publication_status: PublicationStatus | null; publication_exemption: CaseCheck['publication']['exemption'];
  publication_deadline: string | null; publication_deadline_provisional: boolean; published_on: string | null;
  withdrawal_status: WithdrawalStatus | null; withdrawal_deadline: string | null; withdrawal_deadline_provisional: boolean | null;
  withdrawal_due: boolean; review_required: boolean; review_compliant: boolean | null; review_violations: ReviewViolation[];
  certified_handling: boolean | null; decided_in_time: boolean | null; archive_status: DeadlineStatus | null;
}

/** The checks of the cases of a scope (or of the cases named) as of T. Grain of the answer: one row per case. */
export async function caseChecksAsOf(db: Queryable, request: CaseCheckRequest, profile: PolicyProfile): Promise<CaseCheck[]> {
  assertCivilDate(request.asOf, 'asOf');
  const scope = checkScope(request.scope);
  const params = new SqlParameters();
  const ctx = { params, profile, scope, asOf: params.bind(request.asOf, 'date') };
  const ctes = [scopedAgenciesCte(scope, params), ...caseChecks.ctes(ctx)];
  const only = request.cases
    ? `where (r.agency_uscc, r.case_id) in (select * from unnest(${params.bind(request.cases.map((c) => c.agencyUscc), 'text[]')},
        ${params.bind(request.cases.map((c) => c.caseId), 'text[]')}))`
    : '';
  const text = withCtes(ctes, `select r.region_code, r.agency_uscc, r.case_id, r.action_type,
      case when r.decided then r.decided_on::text end as decided_on,
      r.major_reasons_as_of as major_reasons,
      r.publication_status, r.publication_exemption,
      r.publication_deadline::text as publication_deadline, r.publication_deadline_provisional,
      r.published_on_as_of::text as published_on,
      r.withdrawal_status,
      case when r.withdrawal_status is not null then r.withdrawal_deadline::text end as withdrawal_deadline,
      case when r.withdrawal_status is not null then r.withdrawal_deadline_provisional end as withdrawal_deadline_provisional,
      r.withdrawal_due, r.review_required, r.review_compliant, r.review_violations_as_of as review_violations,
      case when r.decided then r.certified_handling end as certified_handling, r.decided_in_time, r.archive_status
    from case_checks r ${only}
    order by r.agency_uscc, r.case_id`);
  const { rows } = await db.query<Row>(text, params.values);
  return rows.map((row) => ({
    regionCode: row.region_code, agencyUscc: row.agency_uscc, caseId: row.case_id, actionType: row.action_type,
    decidedOn: row.decided_on, major: row.major_reasons.length > 0, majorReasons: row.major_reasons,
    publication: {
      status: row.publication_status, exemption: row.publication_exemption, deadline: row.publication_deadline,
      deadlineProvisional: row.publication_deadline_provisional, publishedOn: row.published_on,
      withdrawalStatus: row.withdrawal_status, withdrawalDeadline: row.withdrawal_deadline,
      withdrawalDeadlineProvisional: row.withdrawal_deadline_provisional, withdrawalDue: row.withdrawal_due,
    },
    review: { required: row.review_required, compliant: row.review_compliant, violations: row.review_violations },
    certifiedHandling: row.certified_handling, decidedInTime: row.decided_in_time, archiveStatus: row.archive_status,
  }));
}
