import { Field, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../scalars';

@ObjectType({ description: '执法主体的防删改账本：链长与最近一次校验（hub verify）的结果' })
export class LedgerStatus {
  @Field(() => Int, { description: '链中的条目数（已接收的行版本）' }) entries!: number;
  @Field(() => Boolean, { nullable: true, description: '最近一次校验是否完好；从未校验为空' }) verified!: boolean | null;
  @Field(() => DateTimeScalar, { nullable: true }) verifiedAt!: Date | null;
  @Field(() => String, { nullable: true, description: '第一处断裂的条目号' }) brokenSeq!: string | null;
  @Field(() => String, { nullable: true, description: '问题说明' }) problem!: string | null;
  @Field(() => DateTimeScalar, { nullable: true, description: '最近一次签署本链链头的检查点时间' }) lastCheckpointAt!: Date | null;
}

@ObjectType({ description: '账本记录的一个行版本：何时、来自哪一来源的哪一行' })
export class LedgerVersion {
  @Field({ description: '条目号（该执法主体的链中）' }) seq!: string;
  @Field({ description: '数据表：cases、publications、legal_reviews、appeals、recordings、evaluations' }) entity!: string;
  @Field({ description: '行在执法主体内的键' }) naturalKey!: string;
  @Field({ description: '行规范形式的 SHA-256' }) rowHash!: string;
  @Field({ description: '条目摘要（含前一条）' }) entryHash!: string;
  @Field(() => DateTimeScalar) recordedAt!: Date;
  @Field(() => String, { nullable: true }) source!: string | null;
  @Field(() => String, { nullable: true, description: '来源文件行或接口页' }) position!: string | null;
  @Field(() => String, { nullable: true, description: '采集运行' }) run!: string | null;
}
