import { registerEnumType } from 'type-graphql';
import { ViewerRoles } from '../domain/access/viewer';
import { ActionTypes, AgencyKinds, AgencyTiers, AppealKinds, AppealOutcomes, CertificateStatuses, PersonnelRoles, Procedures,
  RecordingActivities, RecordingMethods, RecordingStages } from '../domain/codes';
import { IndicatorNames } from '../domain/profile/policy-profile';
import { SourceHealths } from '../etl-status/source-health';
import { RecordParts } from '../metrics/indicators/indicator-records';
import { ViolationKinds } from '../metrics/violations/violation-kinds';

/**
 * The schema's enums, each from the list the rest of the hub already keeps (codes, indicator names, violation
 * kinds), so that the API cannot drift from the warehouse. Descriptions carry the Chinese labels.
 */
type EnumObject = Record<string, string>;
function enumOf(codes: readonly string[]): EnumObject {
  return Object.fromEntries(codes.map((code) => [code, code]));
}
function labelled(list: { codes: readonly string[]; labels: Readonly<Record<string, string>> }, name: string, description: string): EnumObject {
  const values = enumOf(list.codes);
  registerEnumType(values, {
    name, description,
    valuesConfig: Object.fromEntries(list.codes.map((code) => [code, { description: list.labels[code] }])),
  });
  return values;
}
function plain(codes: readonly string[], name: string, description: string): EnumObject {
  const values = enumOf(codes);
  registerEnumType(values, { name, description });
  return values;
}

export const ActionTypeEnum = labelled(ActionTypes, 'ActionType', '行为类别');
export const ProcedureEnum = labelled(Procedures, 'Procedure', '程序');
export const AgencyTierEnum = labelled(AgencyTiers, 'AgencyTier', '执法主体层级');
export const AgencyKindEnum = labelled(AgencyKinds, 'AgencyKind', '执法主体类别');
export const PersonnelRoleEnum = labelled(PersonnelRoles, 'PersonnelRole', '人员类别');
export const CertificateStatusEnum = labelled(CertificateStatuses, 'CertificateStatus', '执法证状态');
export const AppealKindEnum = labelled(AppealKinds, 'AppealKind', '复议诉讼类别');
export const AppealOutcomeEnum = labelled(AppealOutcomes, 'AppealOutcome', '复议诉讼结果');
export const RecordingStageEnum = labelled(RecordingStages, 'RecordingStage', '执法环节');
export const RecordingActivityEnum = labelled(RecordingActivities, 'RecordingActivity', '执法活动');
export const RecordingMethodEnum = labelled(RecordingMethods, 'RecordingMethod', '记录方式');
export const RegionLevelEnum = plain(['PROVINCE', 'PREFECTURE', 'COUNTY', 'TOWNSHIP'], 'RegionLevel', '行政区划层级');
export const PublicationStatusEnum = plain(['ON_TIME', 'LATE', 'OVERDUE', 'NOT_DUE', 'EXEMPT'], 'PublicationStatus', '公示状态（DOMAIN.md §4.1）');
export const WithdrawalStatusEnum = plain(['WITHDRAWN_ON_TIME', 'WITHDRAWN_LATE', 'NOT_WITHDRAWN'], 'WithdrawalStatus', '撤回公示状态');
export const ReviewViolationEnum = plain(['NO_REVIEW', 'REVIEW_AFTER_DECISION', 'DECIDED_WITHOUT_APPROVAL', 'REVIEWER_IS_HANDLER', 'REVIEWER_NOT_REGISTERED'],
  'ReviewViolation', '法制审核问题（DOMAIN.md §4.2）');
export const DeadlineStatusEnum = plain(['ON_TIME', 'LATE', 'OVERDUE', 'NOT_DUE'], 'DeadlineStatus', '期限状态');
export const IndicatorNameEnum = plain(IndicatorNames, 'IndicatorName', '指标');
export const ViolationKindEnum = plain(ViolationKinds, 'ViolationKind', '问题清单类别');
export const ViewerRoleEnum = plain(ViewerRoles, 'ViewerRole', '访问者角色');
export const RankingStatusEnum = plain(['RANKED', 'INSUFFICIENT_SAMPLE', 'NO_SCORE'], 'RankingStatus', '排名状态：参与排名、样本不足、无可计分指标');
export const GranularityEnum = plain(['MONTH', 'QUARTER', 'YEAR'], 'Granularity', '时间粒度');
export const AggregateDimensionEnum = plain(['PREFECTURE', 'COUNTY', 'AGENCY', 'DOMAIN', 'ACTION_TYPE', 'MONTH', 'QUARTER', 'YEAR'],
  'AggregateDimension', '分组维度：地市、区县、执法主体、执法领域、行为类别、月、季、年');
export const EtlRunStatusEnum = plain(['RUNNING', 'SUCCEEDED', 'FAILED'], 'EtlRunStatus', '采集运行状态');
export const QuarantineStatusEnum = plain(['QUARANTINED', 'RELEASED'], 'QuarantineStatus', '隔离状态');
export const RecordPartEnum = labelled({
  codes: RecordParts,
  labels: { DENOMINATOR: '计入分母的记录', NUMERATOR: '计入分子的记录', SHORTFALL: '计入分母而未计入分子的记录' },
}, 'RecordPart', '指标分子或分母背后的记录');
export const SourceHealthEnum = labelled(SourceHealths, 'SourceHealth', '数据来源状态');
