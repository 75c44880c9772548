/**
 * The entities of FEEDS.md as data: each field's JSON name, Chinese header, form, code list, whether a row
 * without it is refused, and its warehouse column's length; each entity's natural key, parent and date-order
 * rules. The row parser, the mapping loader and the JSON Schema files are all read from here, so the
 * standard format is stated once.
 *
 * Required or not: a field is required when the warehouse cannot store the row without it (a key, a NOT NULL
 * column of src/warehouse/entities) or FEEDS.md's rules need it (更新时间 decides which delivery wins). A field
 * that is legitimately unknown for part of a record's life (a pending case's 决定日期, an appeal's 审结日期)
 * is optional. Flags with a warehouse default (是否重大 否, 公开属性 主动公开) take it when empty.
 */
import {
  ActionTypes, AgencyKinds, AgencyTiers, AppealKinds, AppealOutcomes, CertificateStatuses, Disclosures,
  EvaluationGrades, EvaluationKinds, LetterKinds, MajorGrounds, PartyTypes, PenaltyKinds, PersonnelRoles,
  Procedures, RecordingActivities, RecordingMethods, RecordingStages, ReviewOpinions,
} from '../../src/domain/codes';
import type { CodeList } from './field-parsers';
import type { EntityName } from './entity-names';

export type FieldForm = 'text' | 'date' | 'timestamp' | 'money' | 'boolean' | 'list' | 'enum' | 'integer' | 'decimal';

/** Checks of one value beyond its form, each a rule of FEEDS.md "Rules every load keeps". */
export type FieldRule =
  /** GB 32100 check character (DOMAIN.md §1) */
  | 'uscc'
  /** a GB/T 2260 code of the region tree; 12-digit 统计用区划代码 shortened */
  | 'regionCode'
  /** 64 hexadecimal characters, stored lower-case (防删改, DOMAIN.md §4.4) */
  | 'sha256';

export interface FieldSpec {
  /** the JSON field name of FEEDS.md */
  readonly key: string;
  /** the Chinese header of FEEDS.md */
  readonly header: string;
  readonly form: FieldForm;
  /** enum: its code list; list: the code list or word list each item must come from */
  readonly codes?: CodeList | readonly string[];
  readonly required: boolean;
  /** the value an empty cell stands for (the warehouse column's default) */
  readonly default?: string | boolean;
  /** text and list items: the warehouse column's length */
  readonly maxLength?: number;
  /** integers and decimals: inclusive bounds */
  readonly min?: number;
  readonly max?: number;
  /** decimals: digits after the point (the column's scale) */
  readonly scale?: number;
  readonly rule?: FieldRule;
}

/** `later` may not be dated before `earlier` (both optional: checked when both are given). */
export interface OrderRule {
  readonly earlier: string;
  readonly later: string;
  readonly code: string;
}

export interface EntitySpec {
  readonly name: EntityName;
  /** the Chinese name of FEEDS.md */
  readonly chineseName: string;
  readonly fields: readonly FieldSpec[];
  /** the fields identifying a record within its source, in the order the key string joins them */
  readonly naturalKey: readonly string[];
  /**
   * The record this one hangs on, resolved by the pipeline (it needs the database): an agency by its USCC,
   * or a case by its caseId within the source's agencies. Null for agencies themselves.
   */
  readonly parent: { readonly entity: 'agencies'; readonly field: 'agencyUscc' } | { readonly entity: 'cases'; readonly field: 'caseId' } | null;
  readonly order: readonly OrderRule[];
}

/** Lengths of the warehouse columns (src/warehouse/entities), so a row that fits is a row that stores. */
const ID = 100;
const PERSON_ID = 64;
const USCC = 18;
const NAME = 200;

export const feedEntities = {
  agencies: {
    name: 'agencies',
    chineseName: '执法主体',
    // Every column of the agencies table is NOT NULL, and an agency without region, tier or kind cannot be
    // placed in the supervision tree (DOMAIN.md §1), so every field is required.
    fields: [
      { key: 'name', header: '主体名称', form: 'text', required: true, maxLength: NAME },
      { key: 'uscc', header: '统一社会信用代码', form: 'text', required: true, maxLength: USCC, rule: 'uscc' },
      { key: 'regionCode', header: '行政区划代码', form: 'text', required: true, maxLength: 12, rule: 'regionCode' },
      { key: 'tier', header: '主体层级', form: 'enum', codes: AgencyTiers, required: true },
      { key: 'domain', header: '执法领域', form: 'text', required: true, maxLength: 50 },
      { key: 'kind', header: '主体性质', form: 'enum', codes: AgencyKinds, required: true },
      { key: 'updatedAt', header: '更新时间', form: 'timestamp', required: true },
    ],
    naturalKey: ['uscc'],
    parent: null,
    order: [],
  },
  personnel: {
    name: 'personnel',
    chineseName: '执法人员',
    fields: [
      { key: 'personId', header: '人员编号', form: 'text', required: true, maxLength: PERSON_ID },
      { key: 'name', header: '姓名', form: 'text', required: true, maxLength: 100 },
      { key: 'agencyUscc', header: '所属主体代码', form: 'text', required: true, maxLength: USCC, rule: 'uscc' },
      { key: 'role', header: '人员类别', form: 'enum', codes: PersonnelRoles, required: true },
      // Certificate fields are optional: legal reviewers and supervisors need not hold an enforcement
      // certificate, and an officer whose certificate is missing is what §4.5 counts, not a bad row.
      { key: 'certificateNo', header: '执法证号', form: 'text', required: false, maxLength: PERSON_ID },
      { key: 'certificateCategory', header: '执法类别', form: 'text', required: false, maxLength: 100 },
      { key: 'issuedOn', header: '发证日期', form: 'date', required: false },
      { key: 'expiresOn', header: '有效期至', form: 'date', required: false },
      { key: 'certificateStatus', header: '证件状态', form: 'enum', codes: CertificateStatuses, required: false },
      { key: 'suspendedFrom', header: '暂扣起', form: 'date', required: false },
      { key: 'suspendedTo', header: '暂扣止', form: 'date', required: false },
      // Empty means no qualification on record (column default false); APL art. 58 asks it of first-time reviewers.
      { key: 'legalQualification', header: '法律职业资格', form: 'boolean', required: false, default: false },
      { key: 'updatedAt', header: '更新时间', form: 'timestamp', required: true },
    ],
    naturalKey: ['agencyUscc', 'personId'],
    parent: { entity: 'agencies', field: 'agencyUscc' },
    order: [
      { earlier: 'issuedOn', later: 'expiresOn', code: 'EXPIRES_BEFORE_ISSUED' },
      { earlier: 'suspendedFrom', later: 'suspendedTo', code: 'SUSPENSION_ENDS_BEFORE_START' },
    ],
  },
  cases: {
    name: 'cases',
    chineseName: '执法案件',
    fields: [
      { key: 'caseId', header: '案件编号', form: 'text', required: true, maxLength: ID },
      { key: 'agencyUscc', header: '主体代码', form: 'text', required: true, maxLength: USCC, rule: 'uscc' },
      // Every indicator splits by action type (publication deadline, review, 90-day rule): required.
      { key: 'actionType', header: '行为类别', form: 'enum', codes: ActionTypes, required: true },
      { key: 'procedure', header: '程序类型', form: 'enum', codes: Procedures, required: false },
      // Dates are optional: a case is delivered as it moves (filed, then decided, closed, archived), and an
      // inspection or benefit may have no 立案 step at all. Their order is checked when both are given.
      { key: 'filedOn', header: '立案日期', form: 'date', required: false },
      { key: 'decidedOn', header: '决定日期', form: 'date', required: false },
      { key: 'decisionNo', header: '决定文书号', form: 'text', required: false, maxLength: NAME },
      { key: 'partyType', header: '相对人类型', form: 'enum', codes: PartyTypes, required: false },
      { key: 'partyName', header: '相对人名称', form: 'text', required: false, maxLength: NAME },
      { key: 'partyIdNo', header: '相对人证件号码', form: 'text', required: false, maxLength: PERSON_ID },
      { key: 'amount', header: '罚没金额', form: 'money', required: false },
      // FEEDS.md: empty for decisions that are not penalties.
      { key: 'penaltyKinds', header: '处罚种类', form: 'list', codes: PenaltyKinds, required: false },
      { key: 'isMajor', header: '是否重大', form: 'boolean', required: false, default: false },
      { key: 'majorGrounds', header: '重大情形', form: 'list', codes: MajorGrounds, required: false },
      { key: 'hearingHeld', header: '是否听证', form: 'boolean', required: false, default: false },
      // Optional: a case without handlers is what §4.5 counts (fewer than two handlers), not a bad row.
      { key: 'handlerIds', header: '承办人员', form: 'list', required: false, maxLength: PERSON_ID },
      { key: 'closedOn', header: '结案日期', form: 'date', required: false },
      { key: 'archivedOn', header: '归档日期', form: 'date', required: false },
      // Active publication is the rule of the 公示 system; exemption must be stated.
      { key: 'disclosure', header: '公开属性', form: 'enum', codes: Disclosures, required: false, default: 'PUBLIC' },
      { key: 'exemptReason', header: '不公开理由', form: 'text', required: false },
      { key: 'extended', header: '延期', form: 'boolean', required: false, default: false },
      { key: 'updatedAt', header: '更新时间', form: 'timestamp', required: true },
    ],
    naturalKey: ['agencyUscc', 'caseId'],
    parent: { entity: 'agencies', field: 'agencyUscc' },
    order: [
      { earlier: 'filedOn', later: 'decidedOn', code: 'DECIDED_BEFORE_FILED' },
      { earlier: 'decidedOn', later: 'closedOn', code: 'CLOSED_BEFORE_DECIDED' },
      { earlier: 'closedOn', later: 'archivedOn', code: 'ARCHIVED_BEFORE_CLOSED' },
    ],
  },
  publications: {
    name: 'publications',
    chineseName: '公示记录',
    fields: [
      { key: 'caseId', header: '案件编号', form: 'text', required: true, maxLength: ID },
      { key: 'decisionNo', header: '决定文书号', form: 'text', required: false, maxLength: NAME },
      // A publication is the fact that a decision was published on a day (§4.1): without the day there is nothing.
      { key: 'publishedOn', header: '公示日期', form: 'date', required: true },
      { key: 'platform', header: '公示平台', form: 'text', required: false, maxLength: NAME },
      { key: 'url', header: '公示网址', form: 'text', required: false },
      { key: 'withdrawnOn', header: '撤回日期', form: 'date', required: false },
      { key: 'withdrawReason', header: '撤回原因', form: 'text', required: false },
      { key: 'updatedAt', header: '更新时间', form: 'timestamp', required: true },
    ],
    naturalKey: ['caseId'],
    parent: { entity: 'cases', field: 'caseId' },
    order: [{ earlier: 'publishedOn', later: 'withdrawnOn', code: 'WITHDRAWN_BEFORE_PUBLISHED' }],
  },
  reviews: {
    name: 'reviews',
    chineseName: '法制审核',
    fields: [
      { key: 'caseId', header: '案件编号', form: 'text', required: true, maxLength: ID },
      // Part of the key; the column is a smallint and review rounds are a handful.
      { key: 'round', header: '审核轮次', form: 'integer', required: true, min: 1, max: 99 },
      // Dates and opinion are optional: a round is delivered when submitted, before it is completed.
      { key: 'submittedOn', header: '送审日期', form: 'date', required: false },
      { key: 'completedOn', header: '审核完成日期', form: 'date', required: false },
      { key: 'reviewerIds', header: '审核人员', form: 'list', required: false, maxLength: PERSON_ID },
      { key: 'opinion', header: '审核意见', form: 'enum', codes: ReviewOpinions, required: false },
      { key: 'note', header: '意见说明', form: 'text', required: false },
      { key: 'updatedAt', header: '更新时间', form: 'timestamp', required: true },
    ],
    naturalKey: ['caseId', 'round'],
    parent: { entity: 'cases', field: 'caseId' },
    order: [{ earlier: 'submittedOn', later: 'completedOn', code: 'REVIEW_COMPLETED_BEFORE_SUBMITTED' }],
  },
  appeals: {
    name: 'appeals',
    chineseName: '复议诉讼',
    fields: [
      { key: 'caseId', header: '案件编号', form: 'text', required: true, maxLength: ID },
      { key: 'decisionNo', header: '决定文书号', form: 'text', required: false, maxLength: NAME },
      // Part of the key, and 复议 and 诉讼 are counted apart (§4.3).
      { key: 'kind', header: '类型', form: 'enum', codes: AppealKinds, required: true },
      { key: 'filedOn', header: '收案日期', form: 'date', required: false },
      // Pending until concluded: the concluded date and outcome arrive later.
      { key: 'concludedOn', header: '审结日期', form: 'date', required: false },
      { key: 'outcome', header: '结果', form: 'enum', codes: AppealOutcomes, required: false },
      { key: 'body', header: '审理机关', form: 'text', required: false, maxLength: NAME },
      { key: 'updatedAt', header: '更新时间', form: 'timestamp', required: true },
    ],
    naturalKey: ['caseId', 'kind'],
    parent: { entity: 'cases', field: 'caseId' },
    order: [{ earlier: 'filedOn', later: 'concludedOn', code: 'APPEAL_CONCLUDED_BEFORE_FILED' }],
  },
  recordings: {
    name: 'recordings',
    chineseName: '全过程记录',
    // Stage, activity, method and time are what §4.4 checks a record by, and NOT NULL in the warehouse.
    fields: [
      { key: 'recordId', header: '记录编号', form: 'text', required: true, maxLength: ID },
      { key: 'caseId', header: '案件编号', form: 'text', required: true, maxLength: ID },
      { key: 'stage', header: '环节', form: 'enum', codes: RecordingStages, required: true },
      { key: 'activity', header: '执法活动', form: 'enum', codes: RecordingActivities, required: true },
      { key: 'method', header: '记录方式', form: 'enum', codes: RecordingMethods, required: true },
      { key: 'recordedAt', header: '记录时间', form: 'timestamp', required: true },
      // Not yet uploaded is what the 24-hour indicator counts, not a bad row.
      { key: 'uploadedAt', header: '上传时间', form: 'timestamp', required: false },
      { key: 'sha256', header: '文件摘要', form: 'text', required: false, rule: 'sha256' },
      { key: 'updatedAt', header: '更新时间', form: 'timestamp', required: true },
    ],
    // The record number identifies a record; its case is kept as a field (and resolved to the parent).
    naturalKey: ['recordId'],
    parent: { entity: 'cases', field: 'caseId' },
    order: [{ earlier: 'recordedAt', later: 'uploadedAt', code: 'UPLOADED_BEFORE_RECORDED' }],
  },
  evaluations: {
    name: 'evaluations',
    chineseName: '案卷评查',
    fields: [
      { key: 'caseId', header: '案件编号', form: 'text', required: true, maxLength: ID },
      { key: 'kind', header: '评查类型', form: 'enum', codes: EvaluationKinds, required: true },
      { key: 'evaluator', header: '评查机关', form: 'text', required: false, maxLength: NAME },
      { key: 'evaluatedOn', header: '评查日期', form: 'date', required: true },
      // Some evaluations only grade; the pass rate (§4.6) reads the grade, which is therefore required.
      { key: 'score', header: '得分', form: 'decimal', required: false, min: 0, max: 100, scale: 2 },
      { key: 'grade', header: '等次', form: 'enum', codes: EvaluationGrades, required: true },
      { key: 'findings', header: '问题', form: 'text', required: false },
      { key: 'updatedAt', header: '更新时间', form: 'timestamp', required: true },
    ],
    naturalKey: ['caseId', 'kind', 'evaluatedOn'],
    parent: { entity: 'cases', field: 'caseId' },
    order: [],
  },
  annualReports: {
    name: 'annualReports',
    chineseName: '统计年报',
    // No 更新时间 in FEEDS.md: the later delivery wins. Submission and publication dates are what §4.7 checks,
    // and a report delivered before it is published is not a bad row.
    fields: [
      { key: 'agencyUscc', header: '主体代码', form: 'text', required: true, maxLength: USCC, rule: 'uscc' },
      // The hub's data starts this century; a 2-digit or mistyped year is refused, not stored.
      { key: 'year', header: '年度', form: 'integer', required: true, min: 2000, max: 2100 },
      { key: 'submittedOn', header: '报送日期', form: 'date', required: false },
      { key: 'publishedOn', header: '公开日期', form: 'date', required: false },
    ],
    naturalKey: ['agencyUscc', 'year'],
    parent: { entity: 'agencies', field: 'agencyUscc' },
    order: [],
  },
  letters: {
    name: 'letters',
    chineseName: '监督文书',
    // No 更新时间 in FEEDS.md. Kind and issue date are NOT NULL in the warehouse and the overdue list (§4.6)
    // counts from them; the deadline and rectification may be absent or still to come.
    fields: [
      { key: 'letterNo', header: '文书号', form: 'text', required: true, maxLength: ID },
      { key: 'kind', header: '类型', form: 'enum', codes: LetterKinds, required: true },
      { key: 'agencyUscc', header: '被监督主体代码', form: 'text', required: true, maxLength: USCC, rule: 'uscc' },
      { key: 'issuedOn', header: '发出日期', form: 'date', required: true },
      { key: 'dueOn', header: '整改期限', form: 'date', required: false },
      { key: 'rectifiedOn', header: '整改完成日期', form: 'date', required: false },
      { key: 'subject', header: '事由', form: 'text', required: false },
    ],
    // The letter number identifies a letter; the supervised agency is kept as a field (and is the parent).
    naturalKey: ['letterNo'],
    parent: { entity: 'agencies', field: 'agencyUscc' },
    order: [
      { earlier: 'issuedOn', later: 'dueOn', code: 'DUE_BEFORE_ISSUED' },
      { earlier: 'issuedOn', later: 'rectifiedOn', code: 'RECTIFIED_BEFORE_ISSUED' },
    ],
  },
} as const satisfies { readonly [E in EntityName]: EntitySpec & { readonly name: E } };

export type FeedEntitySpecs = typeof feedEntities;

export function entitySpec(entity: EntityName): EntitySpec {
  return feedEntities[entity];
}

/** The field of `entity` a delivered header or JSON field name stands for, or undefined. */
export function fieldNamed(entity: EntityName, name: string): FieldSpec | undefined {
  return entitySpec(entity).fields.find((field) => field.key === name || field.header === name);
}

// ---------------------------------------------------------------------------------------------------------
// The record type each spec describes: parse-row.ts checks its hand-written record interfaces against it
// ---------------------------------------------------------------------------------------------------------

type CodeOf<L> = L extends { readonly codes: readonly (infer C)[] } ? C : L extends readonly (infer W)[] ? W : never;

type FormValue<F> =
  F extends { form: 'enum'; codes: infer L } ? CodeOf<L>
    : F extends { form: 'list'; codes: infer L } ? CodeOf<L>[]
      : F extends { form: 'list' } ? string[]
        : F extends { form: 'timestamp' } ? Date
          : F extends { form: 'boolean' } ? boolean
            : F extends { form: 'integer' } ? number
              : string;

/** Lists are never null (empty is []); a field that is required or has a default is never null. */
type FieldValue<F> =
  F extends { form: 'list' } ? FormValue<F>
    : F extends { required: true } ? FormValue<F>
      : F extends { default: unknown } ? FormValue<F>
        : FormValue<F> | null;

export type SpecRecord<E extends EntityName> = {
  [F in FeedEntitySpecs[E]['fields'][number] as F['key']]: FieldValue<F>;
};
