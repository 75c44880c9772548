import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { DateScalar, DateTimeScalar } from '../scalars';
import { IndicatorNameEnum, RankingStatusEnum } from '../enums';
import { PeriodOutput } from './common';

@ObjectType({ description: '排名中的一项指标得分' })
export class RankingComponent {
  @Field(() => IndicatorNameEnum) indicator!: string;
  @Field(() => Float, { description: '方案权重' }) weight!: number;
  @Field(() => Float, { description: '归一化后的实际权重（0–1）' }) effectiveWeight!: number;
  @Field(() => Int, { nullable: true }) numerator!: number | null;
  @Field(() => Int, { nullable: true }) denominator!: number | null;
  @Field(() => Float, { nullable: true }) rate!: number | null;
  @Field(() => Float, { nullable: true, description: '计入得分的 Wilson 95% 界' }) bound!: number | null;
  @Field(() => Float, { nullable: true, description: '该项得分（0–100）；分母为 0 时为空（不计入，权重重新归一）' }) componentScore!: number | null;
}

@ObjectType({ description: '排名中的一个单位（区划或执法主体）' })
export class RankingEntry {
  @Field(() => Int, { nullable: true }) rank!: number | null;
  @Field() regionCode!: string;
  @Field() name!: string;
  @Field(() => Float, { nullable: true }) score!: number | null;
  @Field({ description: '样本不足：决定数少于方案最低数，不参与排名' }) insufficientSample!: boolean;
  @Field(() => String, { nullable: true }) agencyUscc!: string | null;
  @Field(() => RankingStatusEnum) status!: string;
  @Field(() => Int, { description: '期间内决定数' }) decisions!: number;
  @Field(() => [RankingComponent]) components!: RankingComponent[];
}

@ObjectType({ description: '排名（DOMAIN.md §5）' })
export class Ranking {
  @Field(() => [RankingEntry]) entries!: RankingEntry[];
  @Field(() => DateScalar) asOf!: string;
  @Field(() => PeriodOutput) period!: PeriodOutput;
  @Field({ description: '同一排名各版本共用的键（冻结时用）' }) rankingKey!: string;
  @Field({ description: 'rollups 或 facts' }) computedFrom!: string;
  @Field() profileName!: string;
}

@ObjectType({ description: '已冻结（发布）的排名版本' })
export class FrozenRanking {
  @Field(() => ID) id!: string;
  @Field() rankingKey!: string;
  @Field(() => Int) version!: number;
  @Field() title!: string;
  @Field(() => DateScalar) asOf!: string;
  @Field() profileName!: string;
  @Field(() => DateTimeScalar) frozenAt!: Date;
  @Field() frozenBy!: string;
  @Field({ description: '发布文本的 SHA-256' }) resultSha256!: string;
  @Field({ description: '发布文本（规范 JSON），逐字节不变' }) publishedText!: string;
  @Field(() => [RankingEntry]) entries!: RankingEntry[];
}
