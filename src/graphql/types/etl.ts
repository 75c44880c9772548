import { Field, ID, Int, ObjectType } from 'type-graphql';
import { GraphQLJSON, GraphQLJSONObject } from 'graphql-scalars';
import { DateTimeScalar } from '../scalars';
import { EtlRunStatusEnum, QuarantineStatusEnum } from '../enums';

@ObjectType({ description: '数据来源' })
export class Source {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field({ description: 'HTTP、FOLDER 或 URL' }) transport!: string;
  @Field(() => String, { nullable: true }) coversRegionCode!: string | null;
  @Field(() => String, { nullable: true }) coversAgencyUscc!: string | null;
  @Field(() => String, { nullable: true, description: 'cron 计划' }) schedule!: string | null;
  @Field(() => DateTimeScalar, { nullable: true }) watermark!: Date | null;
}

@ObjectType({ description: '一次采集运行' })
export class EtlRun {
  @Field(() => ID) id!: string;
  @Field() source!: string;
  @Field(() => EtlRunStatusEnum) status!: string;
  @Field(() => DateTimeScalar) startedAt!: Date;
  @Field(() => DateTimeScalar, { nullable: true }) finishedAt!: Date | null;
  @Field(() => GraphQLJSONObject, { description: '读取、入库、隔离等计数' }) counts!: Record<string, unknown>;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field() trigger!: string;
}

@ObjectType({ description: '被隔离的一行数据及其原因' })
export class QuarantinedRow {
  @Field(() => ID) id!: string;
  @Field() source!: string;
  @Field(() => String, { nullable: true }) run!: string | null;
  @Field() entity!: string;
  @Field({ description: '文件与行号或接口页' }) position!: string;
  @Field(() => String, { nullable: true }) naturalKey!: string | null;
  @Field(() => GraphQLJSON, { description: '原因（字段与说明）' }) reasons!: unknown;
  @Field(() => QuarantineStatusEnum) status!: string;
  @Field(() => DateTimeScalar) quarantinedAt!: Date;
}

@ObjectType({ description: '隔离原因计数：按来源、实体、字段与原因代码' })
export class QuarantineReasonCount {
  @Field() source!: string;
  @Field() entity!: string;
  @Field(() => String, { nullable: true, description: '字段；整行的原因为空' }) field!: string | null;
  @Field({ description: '原因代码，如 USCC_CHECK_CHARACTER' }) code!: string;
  @Field({ description: '一条示例说明' }) example!: string;
  @Field(() => Int, { description: '行数' }) count!: number;
}
