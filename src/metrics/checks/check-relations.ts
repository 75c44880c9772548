import { annualReportChecks } from './annual-report-checks';
import { appealChecks } from './appeal-checks';
import { caseChecks } from './case-checks';
import type { CheckRelation } from './check-context';
import { evaluationChecks } from './evaluation-checks';
import { letterChecks } from './letter-checks';
import { recordingChecks } from './recording-checks';
import { agencyStaffing, officerSnapshots } from './staffing-checks';

/** Every relation of per-record checks an indicator may count over, by name. */
export const checkRelations = {
  case_checks: caseChecks,
  recording_checks: recordingChecks,
  appeal_checks: appealChecks,
  evaluation_checks: evaluationChecks,
  letter_checks: letterChecks,
  annual_report_checks: annualReportChecks,
  officer_snapshots: officerSnapshots,
  agency_staffing: agencyStaffing,
} as const satisfies Record<string, CheckRelation>;

export type CheckRelationName = keyof typeof checkRelations;
