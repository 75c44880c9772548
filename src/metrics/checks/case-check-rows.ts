import type { ActionType } from '../../domain/codes';
import type { PolicyProfile } from '../../domain/profile/policy-profile';
import type { Scope } from '../scope/scope';
import type { Queryable } from '../sql/sql-parameters';
import { caseCheckStatement, type CaseCheckStatementRow } from './case-check-statement';

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
  /**
   * only these cases; absent: every case of the scope. With their agencies' region codes, the read is pinned to
   * them (one region: one shard of a distributed warehouse).
   */
  cases?: readonly { agencyUscc: string; caseId: string; regionCode?: string }[];
}

/** The checks of the cases of a scope (or of the cases named) as of T. Grain of the answer: one row per case. */
export async function caseChecksAsOf(db: Queryable, request: CaseCheckRequest, profile: PolicyProfile): Promise<CaseCheck[]> {
  const statement = caseCheckStatement(request, profile);
  const { rows } = await db.query<CaseCheckStatementRow>(statement.text, statement.values);
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
