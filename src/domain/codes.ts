/**
 * The code lists of FEEDS.md: each enumeration's codes with the Chinese label an agency may send instead.
 * One table per list; parsers and the API read these, nothing else spells them out.
 */
function codeList<const T extends Record<string, string>>(labels: T) {
  const codes = Object.keys(labels) as (keyof T & string)[];
  return { labels, codes };
}

export const ActionTypes = codeList({
  LICENSING: '行政许可', PENALTY: '行政处罚', COERCION: '行政强制', INSPECTION: '行政检查',
  EXPROPRIATION: '行政征收征用', CONFIRMATION: '行政确认', BENEFIT: '行政给付', OTHER: '其他',
});
export type ActionType = (typeof ActionTypes.codes)[number];

export const Procedures = codeList({ SUMMARY: '简易', ORDINARY: '普通' });
export type Procedure = (typeof Procedures.codes)[number];

export const AgencyTiers = codeList({ CITY: '市级', COUNTY: '县级', TOWNSHIP: '乡镇级' });
export type AgencyTier = (typeof AgencyTiers.codes)[number];

export const AgencyKinds = codeList({ STATUTORY: '法定', AUTHORIZED: '授权', ENTRUSTED: '委托' });
export type AgencyKind = (typeof AgencyKinds.codes)[number];

export const PersonnelRoles = codeList({ OFFICER: '执法人员', LEGAL_REVIEWER: '法制审核人员', SUPERVISOR: '监督人员' });
export type PersonnelRole = (typeof PersonnelRoles.codes)[number];

export const CertificateStatuses = codeList({ VALID: '有效', SUSPENDED: '暂扣', REVOKED: '注销' });
export type CertificateStatus = (typeof CertificateStatuses.codes)[number];

export const PartyTypes = codeList({ PERSON: '自然人', LEGAL_PERSON: '法人', SOLE_TRADER: '个体工商户', OTHER_ORG: '其他组织' });
export type PartyType = (typeof PartyTypes.codes)[number];

export const MajorGrounds = codeList({
  PUBLIC_INTEREST: '公共利益', MAJOR_RIGHTS: '重大权益', HEARING: '听证', COMPLEX: '疑难复杂', STATUTORY: '法定',
});
export type MajorGround = (typeof MajorGrounds.codes)[number];

export const Disclosures = codeList({ PUBLIC: '主动公开', EXEMPT: '依法不予公开' });
export type Disclosure = (typeof Disclosures.codes)[number];

export const ReviewOpinions = codeList({ APPROVE: '同意', ISSUES: '存在问题', REJECT: '不同意' });
export type ReviewOpinion = (typeof ReviewOpinions.codes)[number];

export const AppealKinds = codeList({
  RECONSIDERATION: '行政复议', LITIGATION_FIRST: '行政诉讼一审', LITIGATION_SECOND: '行政诉讼二审', RETRIAL: '再审',
});
export type AppealKind = (typeof AppealKinds.codes)[number];

export const AppealOutcomes = codeList({
  UPHELD: '维持', DISMISSED: '驳回', REVOKED: '撤销', PARTLY_REVOKED: '部分撤销', CHANGED: '变更',
  CONFIRMED_ILLEGAL: '确认违法', CONFIRMED_VOID: '确认无效', ORDERED_TO_PERFORM: '责令履行', ORDERED_TO_REDO: '责令重新作出',
  MEDIATED: '调解', SETTLED: '和解', WITHDRAWN: '撤回', TERMINATED: '终止',
});
export type AppealOutcome = (typeof AppealOutcomes.codes)[number];

export const RecordingStages = codeList({ START: '启动', INVESTIGATION: '调查取证', DECISION: '审核决定', SERVICE: '送达执行' });
export type RecordingStage = (typeof RecordingStages.codes)[number];

export const RecordingActivities = codeList({
  ON_SITE_INSPECTION: '现场检查', RANDOM_CHECK: '随机抽查', INTERVIEW: '询问', SEIZURE: '查封扣押', DEMOLITION: '强制拆除',
  HEARING: '听证', LEFT_SERVICE: '留置送达', PUBLIC_SERVICE: '公告送达', OTHER: '其他',
});
export type RecordingActivity = (typeof RecordingActivities.codes)[number];

export const RecordingMethods = codeList({ TEXT: '文字', AUDIO_VIDEO: '音像', FULL_AUDIO_VIDEO: '全程音像' });
export type RecordingMethod = (typeof RecordingMethods.codes)[number];

export const EvaluationKinds = codeList({ SELF: '自查', SPOT: '抽查' });
export type EvaluationKind = (typeof EvaluationKinds.codes)[number];

export const EvaluationGrades = codeList({ EXCELLENT: '优秀', PASS: '合格', FAIL: '不合格' });
export type EvaluationGrade = (typeof EvaluationGrades.codes)[number];

export const LetterKinds = codeList({ OPINION: '监督意见书', DECISION: '监督决定书' });
export type LetterKind = (typeof LetterKinds.codes)[number];

/** APL art. 9 penalty kinds; a list, not a code table (the feed sends the Chinese words). */
export const PenaltyKinds = [
  '警告', '通报批评', '罚款', '没收违法所得', '没收非法财物', '暂扣许可证件', '降低资质等级', '吊销许可证件',
  '限制开展生产经营活动', '责令停产停业', '责令关闭', '限制从业', '行政拘留', '其他',
] as const;
export type PenaltyKind = (typeof PenaltyKinds)[number];
