import { Ctx, Field, ObjectType, Query, Resolver } from 'type-graphql';
import type { ApiContext } from '../api-context';
import { ViewerRoleEnum } from '../enums';
import { DateScalar } from '../scalars';

@ObjectType({ description: '当前访问者' })
class Me {
  @Field(() => ViewerRoleEnum) role!: string;
  @Field(() => String, { nullable: true }) regionCode!: string | null;
  @Field(() => String, { nullable: true }) agencyUscc!: string | null;
  @Field(() => String, { nullable: true }) subject!: string | null;
  @Field(() => DateScalar, { description: '今日（Asia/Shanghai），未给 asOf 时的截至日' }) today!: string;
}

@Resolver()
export class ViewerResolver {
  @Query(() => Me)
  me(@Ctx() ctx: ApiContext): Me {
    const { viewer } = ctx;
    return { role: viewer.role, regionCode: viewer.regionCode ?? null, agencyUscc: viewer.agencyUscc ?? null, subject: viewer.subject ?? null, today: ctx.today };
  }
}
