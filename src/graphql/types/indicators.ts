import { Field, Int, ObjectType } from 'type-graphql';
import type { IndicatorName } from '../../domain/profile/policy-profile';
import { indicatorLabel } from '../../metrics/indicators/indicator-catalog';
import { AppealKindEnum, AppealOutcomeEnum, IndicatorNameEnum } from '../enums';
import { DateScalar } from '../scalars';
import { PageInfo, Rate, PeriodOutput } from './common';

/** A field of Indicators, described by the indicator's label in its definition (the one place labels are kept). */
const rate = (name: IndicatorName) => Field(() => Rate, { description: indicatorLabel(name) });

/** The 18 indicators of DOMAIN.md §4, each as numerator, denominator and rate. */
@ObjectType({ description: '三项制度指标（DOMAIN.md §4），均为分子、分母与比率' })
export class Indicators {
  @rate('publicationTimeliness') publicationTimeliness!: Rate;
  @rate('publicationRate') publicationRate!: Rate;
  @rate('exemptionShare') exemptionShare!: Rate;
  @rate('withdrawalTimeliness') withdrawalTimeliness!: Rate;
  @rate('reviewCoverage') reviewCoverage!: Rate;
  @rate('correctionRate') correctionRate!: Rate;
  @rate('reconsiderationCorrectionRate') reconsiderationCorrectionRate!: Rate;
  @rate('litigationLossRate') litigationLossRate!: Rate;
  @rate('recordingCompliance') recordingCompliance!: Rate;
  @rate('uploadTimeliness') uploadTimeliness!: Rate;
  @rate('archiveTimeliness') archiveTimeliness!: Rate;
  @rate('decisionTimeliness') decisionTimeliness!: Rate;
  @rate('certifiedHandling') certifiedHandling!: Rate;
  @rate('certificateHolding') certificateHolding!: Rate;
  @rate('reviewerStaffing') reviewerStaffing!: Rate;
  @rate('evaluationPassRate') evaluationPassRate!: Rate;
  @rate('annualReportTimeliness') annualReportTimeliness!: Rate;
  @rate('rectificationTimeliness') rectificationTimeliness!: Rate;
}

@ObjectType({ description: '指标按期间的一点' })
export class IndicatorPoint {
  @Field(() => PeriodOutput) period!: PeriodOutput;
  @Field(() => Indicators) indicators!: Indicators;
}

@ObjectType({ description: '指标目录：页面与导出统一的指标名称' })
export class IndicatorInfo {
  @Field(() => IndicatorNameEnum) name!: string;
  @Field() label!: string;
  @Field({ description: '一条记录是什么，如「件案件」「条记录」「名执法人员」' }) recordNoun!: string;
  @Field(() => String, { nullable: true, description: '计入期间所依据的日期字段；快照指标为空' }) datedBy!: string | null;
}

/** One record behind an indicator's figures; agency and case are field resolvers (indicator-record-resolver.ts). */
@ObjectType({ description: '指标分子或分母背后的一条记录' })
export class IndicatorRecord {
  @Field() agencyUscc!: string;
  @Field() regionCode!: string;
  @Field(() => String, { nullable: true, description: '记录所属案件；监督文书、执法人员、人员配备与统计年报为空' }) caseId!: string | null;
  @Field({
    description: '记录标识（同一执法主体内唯一）：案件为案件编号，全过程记录为记录编号，复议诉讼为「案件编号/类别」，'
      + '案卷评查为「案件编号/类别/评查日期」，执法人员为人员编号，监督文书为文书编号，统计年报为报告年度，人员配备为执法主体的统一社会信用代码',
  }) recordKey!: string;
  @Field(() => DateScalar, { nullable: true, description: '使其计入期间的日期（见 indicatorCatalog 的 datedBy）；快照指标为空' }) datedOn!: string | null;
  @Field({ description: '是否计入分子' }) inNumerator!: boolean;
}

@ObjectType()
export class IndicatorRecordConnection {
  @Field(() => [IndicatorRecord]) nodes!: IndicatorRecord[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int, { description: '全部页的记录数：分子、分母与 indicators 的分子、分母一致' }) totalCount!: number;
}

@ObjectType({ description: '期间内办结的复议诉讼按结果计数（纠错率的构成）' })
export class AppealOutcomeCount {
  @Field(() => AppealKindEnum) kind!: string;
  @Field(() => String, { nullable: true, description: 'RECONSIDERATION、LITIGATION 或空（不计入纠错率）' }) side!: string | null;
  @Field(() => AppealOutcomeEnum) outcome!: string;
  @Field({ description: '纠错（撤销、变更、确认违法等，依方案）' }) corrected!: boolean;
  @Field({ description: '不计入分母（撤回、终止）' }) excluded!: boolean;
  @Field(() => Int) count!: number;
}
