import { Field, Int, ObjectType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { DateScalar } from '../scalars';
import { ViolationKindEnum } from '../enums';
import { PageInfo } from './common';

@ObjectType({ description: '逾期天数' })
export class Lateness {
  @Field(() => Int) days!: number;
  @Field({ description: 'WORKING_DAYS 或 CALENDAR_DAYS' }) unit!: string;
  @Field() provisional!: boolean;
}

@ObjectType({ description: '问题清单中的一项' })
export class Violation {
  @Field(() => ViolationKindEnum) kind!: string;
  @Field() label!: string;
  @Field() regionCode!: string;
  @Field() agencyUscc!: string;
  @Field() agencyName!: string;
  @Field(() => String, { nullable: true }) caseId!: string | null;
  @Field(() => String, { nullable: true }) letterNo!: string | null;
  @Field(() => String, { nullable: true }) recordId!: string | null;
  @Field(() => DateScalar) datedOn!: string;
  @Field({ description: '决定计入期间所依据的日期字段' }) datedBy!: string;
  @Field(() => DateScalar, { nullable: true }) deadline!: string | null;
  @Field(() => Boolean, { nullable: true }) deadlineProvisional!: boolean | null;
  @Field(() => Lateness, { nullable: true }) lateness!: Lateness | null;
  @Field(() => GraphQLJSONObject, { description: '该类别特有的细节' }) detail!: Record<string, unknown>;
}

@ObjectType()
export class ViolationConnection {
  @Field(() => [Violation]) nodes!: Violation[];
  @Field(() => Int) totalCount!: number;
  @Field(() => PageInfo) pageInfo!: PageInfo;
}
