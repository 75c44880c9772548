import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { listViolations, MAX_VIOLATION_PAGE } from '../../metrics/violations/violation-list';
import type { ViolationKind } from '../../metrics/violations/violation-kinds';
import type { ApiContext } from '../api-context';
import { asOfOr, pageSizeOf, periodOf, scopeOf } from '../arguments';
import { ViolationKindEnum } from '../enums';
import { DateScalar } from '../scalars';
import { PeriodInput, ScopeInput } from '../types/common';
import { ViolationConnection } from '../types/violation';

@Resolver()
export class ViolationResolver {
  @Query(() => ViolationConnection, {
    description: '问题清单：逾期未公示、迟延公示、未撤回、审核问题、持证问题、缺少记录、逾期整改（每页至多 500 条）',
    complexity: ({ args, childComplexity }) => 10 + Number(args.first ?? 50) * childComplexity,
  })
  async violations(
    @Arg('scope', () => ScopeInput) scope: ScopeInput,
    @Ctx() ctx: ApiContext,
    @Arg('period', () => PeriodInput, { nullable: true }) period?: PeriodInput,
    @Arg('kinds', () => [ViolationKindEnum], { nullable: true }) kinds?: string[],
    @Arg('asOf', () => DateScalar, { nullable: true }) asOf?: Date,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<ViolationConnection> {
    const page = await listViolations(ctx.db, {
      scope: scopeOf(scope), asOf: asOfOr(ctx.today, asOf),
      ...(period && { period: periodOf(period) }),
      ...(kinds && { kinds: kinds as ViolationKind[] }),
      after: after ?? null, limit: pageSizeOf(first, MAX_VIOLATION_PAGE),
    }, ctx.profile);
    return {
      nodes: page.items.map((item) => ({ ...item, detail: item.detail as unknown as Record<string, unknown> })),
      totalCount: page.total,
      pageInfo: { hasNextPage: page.nextCursor !== null, endCursor: page.nextCursor },
    };
  }
}
