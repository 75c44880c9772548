import { Field, ObjectType } from 'type-graphql';
import { Rate, PeriodOutput } from './common';

/** The 18 indicators of DOMAIN.md §4, each as numerator, denominator and rate. */
@ObjectType({ description: '三项制度指标（DOMAIN.md §4），均为分子、分母与比率' })
export class Indicators {
  @Field(() => Rate, { description: '公示及时率' }) publicationTimeliness!: Rate;
  @Field(() => Rate, { description: '公示率' }) publicationRate!: Rate;
  @Field(() => Rate, { description: '不予公示占比' }) exemptionShare!: Rate;
  @Field(() => Rate, { description: '撤回公示及时率' }) withdrawalTimeliness!: Rate;
  @Field(() => Rate, { description: '法制审核覆盖率' }) reviewCoverage!: Rate;
  @Field(() => Rate, { description: '纠错率（复议与诉讼）' }) correctionRate!: Rate;
  @Field(() => Rate, { description: '复议纠错率' }) reconsiderationCorrectionRate!: Rate;
  @Field(() => Rate, { description: '诉讼败诉率' }) litigationLossRate!: Rate;
  @Field(() => Rate, { description: '全过程记录合规率' }) recordingCompliance!: Rate;
  @Field(() => Rate, { description: '记录 24 小时内上传率' }) uploadTimeliness!: Rate;
  @Field(() => Rate, { description: '30 日内归档率' }) archiveTimeliness!: Rate;
  @Field(() => Rate, { description: '90 日内作出决定率' }) decisionTimeliness!: Rate;
  @Field(() => Rate, { description: '持证执法率' }) certifiedHandling!: Rate;
  @Field(() => Rate, { description: '执法证持证率' }) certificateHolding!: Rate;
  @Field(() => Rate, { description: '法制审核人员配备达标率' }) reviewerStaffing!: Rate;
  @Field(() => Rate, { description: '案卷评查合格率' }) evaluationPassRate!: Rate;
  @Field(() => Rate, { description: '统计年报按时报送率' }) annualReportTimeliness!: Rate;
  @Field(() => Rate, { description: '监督整改按期率' }) rectificationTimeliness!: Rate;
}

@ObjectType({ description: '指标按期间的一点' })
export class IndicatorPoint {
  @Field(() => PeriodOutput) period!: PeriodOutput;
  @Field(() => Indicators) indicators!: Indicators;
}
