import type { IndicatorName } from '../../domain/profile/policy-profile';
import type { CheckRelationName } from '../checks/check-relations';

/**
 * The indicators of DOMAIN.md §4, one definition each, read by one engine (indicator-engine.ts): which check
 * relation is counted (its grain), which of its dates puts a record in a period (none: the relation is a
 * snapshot per period), and the conditions on its check columns that make a record count in the denominator
 * and, among those, in the numerator. A condition maps a column to `true` or to the values it may take; all
 * must hold. Adding an indicator is a line here and a test, not a new query.
 *
 * Every rule the conditions rest on — deadlines, exemptions, what is major, what corrects — is in the check
 * relations, parameterised by the policy profile; as of T, an event dated after T has not happened.
 */
export type Condition = Readonly<Record<string, true | readonly string[]>>;

export interface IndicatorDefinition {
  name: IndicatorName;
  label: string;
  relation: CheckRelationName;
  /** the date column that puts a record in a period; null: the relation carries its period (snapshots) */
  date: string | null;
  denominator: Condition;
  /** counted among the denominator's records */
  numerator: Condition;
}

const DUE = ['ON_TIME', 'LATE', 'OVERDUE'];

export const indicatorDefinitions: readonly IndicatorDefinition[] = [
  // §4.1 publication, by decision date; EXEMPT and NOT_DUE decisions are outside the denominator
  { name: 'publicationTimeliness', label: '公示及时率', relation: 'case_checks', date: 'decided_on',
    denominator: { publication_status: DUE }, numerator: { publication_status: ['ON_TIME'] } },
  { name: 'publicationRate', label: '公示率', relation: 'case_checks', date: 'decided_on',
    denominator: { publication_status: DUE }, numerator: { publication_status: ['ON_TIME', 'LATE'] } },
  { name: 'exemptionShare', label: '不予公示占比', relation: 'case_checks', date: 'decided_on',
    denominator: { decided: true }, numerator: { publication_status: ['EXEMPT'] } },
  // §4.1 withdrawal (APL art. 48), by the date of the outcome that obliges it; counted once withdrawn or overdue
  { name: 'withdrawalTimeliness', label: '撤回及时率', relation: 'case_checks', date: 'withdrawal_outcome_on',
    denominator: { withdrawal_due: true }, numerator: { withdrawal_status: ['WITHDRAWN_ON_TIME'] } },
  // §4.2 legal review of major decisions, by decision date
  { name: 'reviewCoverage', label: '法制审核覆盖率', relation: 'case_checks', date: 'decided_on',
    denominator: { review_required: true }, numerator: { review_compliant: true } },
  // §4.3 appeals with a ruling, by concluded date (撤回 and 终止 are counted apart, not here)
  { name: 'correctionRate', label: '纠错率', relation: 'appeal_checks', date: 'concluded_on',
    denominator: { ruled: true }, numerator: { corrected: true } },
  { name: 'reconsiderationCorrectionRate', label: '复议纠错率', relation: 'appeal_checks', date: 'concluded_on',
    denominator: { ruled: true, appeal_side: ['RECONSIDERATION'] }, numerator: { corrected: true } },
  { name: 'litigationLossRate', label: '诉讼败诉率', relation: 'appeal_checks', date: 'concluded_on',
    denominator: { ruled: true, appeal_side: ['LITIGATION'] }, numerator: { corrected: true } },
  // §4.4 whole-process recording, by the day each record was made
  { name: 'recordingCompliance', label: '全过程记录合规率', relation: 'recording_checks', date: 'recorded_on',
    denominator: { recorded: true, required_recording: ['fullAudioVideo', 'audioVideo'] }, numerator: { recording_compliant: true } },
  { name: 'uploadTimeliness', label: '记录上传及时率', relation: 'recording_checks', date: 'recorded_on',
    denominator: { upload_status: DUE }, numerator: { upload_status: ['ON_TIME'] } },
  { name: 'archiveTimeliness', label: '归档及时率', relation: 'case_checks', date: 'closed_on',
    denominator: { archive_status: DUE }, numerator: { archive_status: ['ON_TIME'] } },
  { name: 'decisionTimeliness', label: '办案期限内决定率', relation: 'case_checks', date: 'decided_on',
    denominator: { decided: true, decision_deadline_applies: true }, numerator: { decided_in_time: true } },
  // §4.5 personnel
  { name: 'certifiedHandling', label: '持证办案率', relation: 'case_checks', date: 'decided_on',
    denominator: { decided: true }, numerator: { certified_handling: true } },
  { name: 'certificateHolding', label: '执法人员持证率', relation: 'officer_snapshots', date: null,
    denominator: {}, numerator: { certificate_valid: true } },
  // §4.2 staffing: agencies whose legal unit is staffed as required / agencies
  { name: 'reviewerStaffing', label: '法制审核人员配备达标率', relation: 'agency_staffing', date: null,
    denominator: {}, numerator: { reviewers_sufficient: true } },
  // §4.6 evaluation and supervision
  { name: 'evaluationPassRate', label: '案卷评查合格率', relation: 'evaluation_checks', date: 'evaluated_on',
    denominator: { evaluated: true }, numerator: { passed: true } },
  // §4.7 annual statistics: the report year is the period
  { name: 'annualReportTimeliness', label: '统计年报按时报送公开率', relation: 'annual_report_checks', date: null,
    denominator: { report_status: DUE }, numerator: { report_status: ['ON_TIME'] } },
  { name: 'rectificationTimeliness', label: '监督整改按期完成率', relation: 'letter_checks', date: 'due_on',
    denominator: { rectification_status: DUE }, numerator: { rectification_status: ['ON_TIME'] } },
];

/** The definitions of the named indicators, in catalog order. */
export function definitionsOf(names: readonly IndicatorName[]): IndicatorDefinition[] {
  return indicatorDefinitions.filter((definition) => names.includes(definition.name));
}
