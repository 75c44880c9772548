import { Field, Float, Int, ObjectType } from 'type-graphql';
import { DateScalar, DateTimeScalar } from '../scalars';
import {
  ActionTypeEnum, AppealKindEnum, AppealOutcomeEnum, DeadlineStatusEnum, ProcedureEnum, PublicationStatusEnum,
  RecordingActivityEnum, RecordingMethodEnum, RecordingStageEnum, ReviewViolationEnum, WithdrawalStatusEnum,
} from '../enums';

/**
 * A case as the API shows it. The source object is a CaseRow (warehouse columns the viewer may see, the party's
 * name already masked for the public); checks, agency, region and what hangs on the case are field resolvers
 * batched by DataLoader (case-resolver.ts).
 */
@ObjectType({ description: '公示检查（截至今日）' })
export class PublicationCheck {
  @Field(() => PublicationStatusEnum) status!: string;
  @Field(() => DateScalar, { nullable: true }) deadline!: string | null;
  @Field({ description: '期限超出节假日安排已知范围，为暂定（DOMAIN.md §3）' }) deadlineProvisional!: boolean;
  @Field(() => DateScalar, { nullable: true }) publishedOn!: string | null;
  @Field(() => WithdrawalStatusEnum, { nullable: true, description: 'null when no withdrawal is needed' }) withdrawalStatus!: string | null;
  @Field(() => DateScalar, { nullable: true }) withdrawalDeadline!: string | null;
  @Field(() => String, { nullable: true, description: 'UNDISCLOSED（依法不予公开）或 SUMMARY_PENALTY（简易程序）' }) exemption!: string | null;
}

@ObjectType({ description: '法制审核检查（截至今日）' })
export class ReviewCheck {
  @Field() required!: boolean;
  @Field(() => Boolean, { nullable: true }) compliant!: boolean | null;
  @Field(() => [ReviewViolationEnum]) violations!: string[];
}

@ObjectType({ description: '办案与期限检查（截至今日）' })
export class HandlingCheck {
  @Field(() => Boolean, { nullable: true, description: '持证执法：承办人均持有效执法证且不少于两人' }) certifiedHandling!: boolean | null;
  @Field(() => Boolean, { nullable: true, description: '普通程序处罚 90 日内作出决定' }) decidedInTime!: boolean | null;
  @Field(() => DeadlineStatusEnum, { nullable: true, description: '结案后 30 日内归档' }) archiveStatus!: string | null;
}

@ObjectType({ description: '数据来源：来源、文件行或接口页、批次、入库时间、内容摘要' })
export class Lineage {
  @Field() source!: string;
  @Field() position!: string;
  @Field(() => String, { nullable: true }) run!: string | null;
  @Field(() => DateTimeScalar) loadedAt!: Date;
  @Field() contentHash!: string;
}

@ObjectType({ description: '法制审核轮次' })
export class ReviewRound {
  @Field(() => Int) round!: number;
  @Field(() => DateScalar, { nullable: true }) submittedOn!: string | null;
  @Field(() => DateScalar, { nullable: true }) completedOn!: string | null;
  @Field(() => String, { nullable: true, description: 'APPROVE 同意 / ISSUES 存在问题 / REJECT 不同意' }) opinion!: string | null;
  @Field(() => [String]) reviewerIds!: string[];
}

@ObjectType({ description: '行政复议或行政诉讼' })
export class Appeal {
  @Field(() => AppealKindEnum) kind!: string;
  @Field(() => DateScalar, { nullable: true }) filedOn!: string | null;
  @Field(() => DateScalar, { nullable: true }) concludedOn!: string | null;
  @Field(() => AppealOutcomeEnum, { nullable: true }) outcome!: string | null;
  @Field(() => String, { nullable: true }) body!: string | null;
}

@ObjectType({ description: '全过程记录' })
export class Recording {
  @Field() recordId!: string;
  @Field(() => RecordingStageEnum) stage!: string;
  @Field(() => RecordingActivityEnum) activity!: string;
  @Field(() => RecordingMethodEnum) method!: string;
  @Field(() => DateTimeScalar) recordedAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true }) uploadedAt!: Date | null;
  @Field(() => String, { nullable: true, description: '内容 SHA-256（防删改）' }) sha256!: string | null;
}

@ObjectType({ description: '行政执法案件（决定）' })
export class Case {
  @Field() caseId!: string;
  @Field() agencyUscc!: string;
  @Field() regionCode!: string;
  @Field(() => ActionTypeEnum) actionType!: string;
  @Field(() => ProcedureEnum, { nullable: true }) procedure!: string | null;
  @Field(() => DateScalar, { nullable: true }) filedOn!: string | null;
  @Field(() => DateScalar, { nullable: true }) decidedOn!: string | null;
  @Field(() => String, { nullable: true, description: '决定文书号' }) decisionNo!: string | null;
  @Field(() => String, { nullable: true, description: '当事人；公众视图中自然人姓名已遮蔽' }) partyName!: string | null;
  @Field(() => String, { nullable: true }) partyType!: string | null;
  @Field(() => Float, { nullable: true, description: '罚没金额（元）' }) amount!: number | null;
  @Field(() => [String]) penaltyKinds!: string[];
  @Field(() => DateScalar, { nullable: true }) closedOn!: string | null;
  @Field(() => DateScalar, { nullable: true }) archivedOn!: string | null;
  @Field(() => [String], { description: '承办人员编号；公众视图为空' }) handlerIds!: string[];
}
