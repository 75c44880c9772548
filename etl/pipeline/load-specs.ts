import type { EntityName } from '../feed/entity-names';

/**
 * How each FEEDS.md entity lands in the warehouse: its table, the key columns after (region_code,
 * agency_uscc), its data columns with the record field each comes from, and what it hangs on. One
 * description per entity; the staging and merge SQL is generated from it (etl/pipeline/merge-sql.ts),
 * never written per entity by hand.
 */
export type PgType = 'text' | 'date' | 'timestamptz' | NumericType | 'boolean' | 'smallint' | 'text[]';
/**
 * A numeric column's type as its table declares it: the staged value is rounded to the same scale as the stored one,
 * and the ledger's row hash, taken in Node, writes the value as stored (etl/pipeline/ledger-row.ts).
 */
export type NumericType = `numeric(${number},${number})`;

export interface LoadColumn { column: string; field: string; type: PgType }

export interface LoadSpec {
  entity: EntityName;
  table: string;
  /**
   * 'none': the row is an agency (its own region code is a field); 'agency': the record names its agency
   * (agencyUscc), whose region it takes; 'case': the record names a case by caseId only, resolved within the
   * source's agencies, taking the case's agency and region.
   */
  parent: 'none' | 'agency' | 'case';
  /** key columns after region_code and agency_uscc (for agencies: the whole key) */
  keys: LoadColumn[];
  columns: LoadColumn[];
  /** false where FEEDS.md gives no 更新时间 (annual reports, letters): the later delivery wins */
  hasUpdatedAt: boolean;
  /** personnel: keep each certificate state in certificate_history */
  certificateHistory?: boolean;
  /**
   * Columns of the table the load never writes (reports and letters have an updated_at their feeds do not give):
   * null when inserted, kept when updated. A row where one is not null has its ledger hash taken by PostgreSQL.
   */
  unloadedColumns?: string[];
}

const col = (column: string, field: string, type: PgType = 'text'): LoadColumn => ({ column, field, type });
const updatedAt = col('updated_at', 'updatedAt', 'timestamptz');

export const loadSpecs: Record<EntityName, LoadSpec> = {
  agencies: {
    entity: 'agencies', table: 'agencies', parent: 'none', hasUpdatedAt: true,
    keys: [col('uscc', 'uscc')],
    columns: [col('name', 'name'), col('region_code', 'regionCode'), col('tier', 'tier'), col('domain', 'domain'),
      col('kind', 'kind'), updatedAt],
  },
  personnel: {
    entity: 'personnel', table: 'personnel', parent: 'agency', hasUpdatedAt: true, certificateHistory: true,
    keys: [col('person_id', 'personId')],
    columns: [col('name', 'name'), col('role', 'role'), col('certificate_no', 'certificateNo'),
      col('certificate_category', 'certificateCategory'), col('certificate_issued_on', 'issuedOn', 'date'),
      col('certificate_expires_on', 'expiresOn', 'date'), col('certificate_status', 'certificateStatus'),
      col('certificate_suspended_from', 'suspendedFrom', 'date'), col('certificate_suspended_to', 'suspendedTo', 'date'),
      col('legal_qualification', 'legalQualification', 'boolean'), updatedAt],
  },
  cases: {
    entity: 'cases', table: 'cases', parent: 'agency', hasUpdatedAt: true,
    keys: [col('case_id', 'caseId')],
    columns: [col('action_type', 'actionType'), col('procedure', 'procedure'), col('filed_on', 'filedOn', 'date'),
      col('decided_on', 'decidedOn', 'date'), col('decision_no', 'decisionNo'), col('party_type', 'partyType'),
      col('party_name', 'partyName'), col('party_id_no', 'partyIdNo'), col('amount', 'amount', 'numeric(18,2)'),
      col('penalty_kinds', 'penaltyKinds', 'text[]'), col('is_major', 'isMajor', 'boolean'),
      col('major_grounds', 'majorGrounds', 'text[]'), col('hearing_held', 'hearingHeld', 'boolean'),
      col('closed_on', 'closedOn', 'date'), col('archived_on', 'archivedOn', 'date'),
      col('disclosure', 'disclosure'), col('exempt_reason', 'exemptReason'), col('extended', 'extended', 'boolean'),
      col('handler_ids', 'handlerIds', 'text[]'), updatedAt],
  },
  publications: {
    entity: 'publications', table: 'publications', parent: 'case', hasUpdatedAt: true,
    keys: [col('case_id', 'caseId')],
    columns: [col('decision_no', 'decisionNo'), col('published_on', 'publishedOn', 'date'), col('platform', 'platform'),
      col('url', 'url'), col('withdrawn_on', 'withdrawnOn', 'date'), col('withdraw_reason', 'withdrawReason'), updatedAt],
  },
  reviews: {
    entity: 'reviews', table: 'legal_reviews', parent: 'case', hasUpdatedAt: true,
    keys: [col('case_id', 'caseId'), col('round', 'round', 'smallint')],
    columns: [col('submitted_on', 'submittedOn', 'date'), col('completed_on', 'completedOn', 'date'),
      col('opinion', 'opinion'), col('note', 'note'), col('reviewer_ids', 'reviewerIds', 'text[]'), updatedAt],
  },
  appeals: {
    entity: 'appeals', table: 'appeals', parent: 'case', hasUpdatedAt: true,
    keys: [col('case_id', 'caseId'), col('kind', 'kind')],
    columns: [col('decision_no', 'decisionNo'), col('filed_on', 'filedOn', 'date'), col('concluded_on', 'concludedOn', 'date'),
      col('outcome', 'outcome'), col('body', 'body'), updatedAt],
  },
  recordings: {
    entity: 'recordings', table: 'recordings', parent: 'case', hasUpdatedAt: true,
    keys: [col('record_id', 'recordId')],
    columns: [col('case_id', 'caseId'), col('stage', 'stage'), col('activity', 'activity'), col('method', 'method'),
      col('recorded_at', 'recordedAt', 'timestamptz'), col('uploaded_at', 'uploadedAt', 'timestamptz'),
      col('sha256', 'sha256'), updatedAt],
  },
  evaluations: {
    entity: 'evaluations', table: 'evaluations', parent: 'case', hasUpdatedAt: true,
    keys: [col('case_id', 'caseId'), col('kind', 'kind'), col('evaluated_on', 'evaluatedOn', 'date')],
    columns: [col('evaluator', 'evaluator'), col('score', 'score', 'numeric(5,2)'), col('grade', 'grade'),
      col('findings', 'findings'), updatedAt],
  },
  annualReports: {
    entity: 'annualReports', table: 'annual_reports', parent: 'agency', hasUpdatedAt: false, unloadedColumns: ['updated_at'],
    keys: [col('year', 'year', 'smallint')],
    columns: [col('submitted_on', 'submittedOn', 'date'), col('published_on', 'publishedOn', 'date')],
  },
  letters: {
    entity: 'letters', table: 'supervision_letters', parent: 'agency', hasUpdatedAt: false, unloadedColumns: ['updated_at'],
    keys: [col('letter_no', 'letterNo')],
    columns: [col('kind', 'kind'), col('issued_on', 'issuedOn', 'date'), col('due_on', 'dueOn', 'date'),
      col('rectified_on', 'rectifiedOn', 'date'), col('subject', 'subject')],
  },
};

/**
 * Load order within a run: parents before children, so that children rarely wait (FEEDS.md lets them wait
 * when they must).
 */
export const loadOrder: EntityName[] = [
  'agencies', 'personnel', 'cases', 'publications', 'reviews', 'appeals', 'recordings', 'evaluations',
  'annualReports', 'letters',
];
