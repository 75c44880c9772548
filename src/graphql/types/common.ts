import { Field, Float, InputType, Int, ObjectType } from 'type-graphql';
import { DateScalar } from '../scalars';
import { ActionTypeEnum } from '../enums';

@ObjectType({ description: 'numerator / denominator; rate is null when the denominator is 0' })
export class Rate {
  @Field(() => Int) numerator!: number;
  @Field(() => Int) denominator!: number;
  @Field(() => Float, { nullable: true }) rate!: number | null;
}

@InputType({ description: '范围：每个给出的条件都须满足；区划含其全部下级（DOMAIN.md §1）' })
export class ScopeInput {
  @Field(() => String, { nullable: true }) regionCode?: string;
  @Field(() => String, { nullable: true }) agencyUscc?: string;
  @Field(() => String, { nullable: true, description: '执法领域' }) domain?: string;
  @Field(() => ActionTypeEnum, { nullable: true }) actionType?: string;
}

@InputType({ description: 'inclusive; each indicator dates its records by its own field' })
export class PeriodInput {
  @Field(() => DateScalar) from!: Date;
  @Field(() => DateScalar) to!: Date;
}

@ObjectType({ description: '一个期间（含首尾）' })
export class PeriodOutput {
  @Field(() => String, { description: '2025、2025Q1、2025-03 或 2025-01-01..2025-06-30' }) label!: string;
  @Field(() => DateScalar) from!: string;
  @Field(() => DateScalar) to!: string;
}

@ObjectType()
export class PageInfo {
  @Field() hasNextPage!: boolean;
  @Field(() => String, { nullable: true, description: '作为 after 传入以取下一页' }) endCursor!: string | null;
}
