import { Arg, Ctx, Field, ID, InputType, Mutation, Query, Resolver } from 'type-graphql';
import { viewerMaySupervise } from '../../domain/access/viewer';
import { InvalidValueError } from '../../domain/errors';
import type { RankingRequest, RankingResultEntry, RegionLevel } from '../../metrics/rankings/compute-ranking';
import { freezeRanking, listFrozenRankings, rankingKeyOf, readFrozenRanking, type FrozenRankingRecord } from '../../metrics/rankings/frozen-rankings';
import { publishedRankingOf, rankingForViewer, rankingRequestOf, viewerMayRank } from '../../metrics/rankings/ranking-request';
import type { ApiContext } from '../api-context';
import { asOfOr, periodOf } from '../arguments';
import { RegionLevelEnum } from '../enums';
import { DateScalar } from '../scalars';
import { PeriodInput } from '../types/common';
import { FrozenRanking, Ranking, RankingEntry } from '../types/ranking';

@InputType({ description: '要冻结（发布）的排名' })
class FreezeRankingInput {
  @Field({ description: '上级区划' }) parentRegionCode!: string;
  @Field(() => RegionLevelEnum, { nullable: true, description: '对区划排名时的层级；不给则对执法主体排名' }) level?: string;
  @Field(() => String, { nullable: true, description: '对执法主体排名时限定执法领域' }) domain?: string;
  @Field(() => PeriodInput) period!: PeriodInput;
  @Field(() => DateScalar, { nullable: true }) asOf?: Date;
  @Field({ description: '标题，如「2025 年度法治政府建设考评 设区市排名」' }) title!: string;
}

function entryOf(entry: RankingResultEntry): RankingEntry {
  return {
    rank: entry.rank, regionCode: entry.regionCode, name: entry.name, score: entry.score,
    insufficientSample: entry.status === 'INSUFFICIENT_SAMPLE', agencyUscc: entry.agencyUscc, status: entry.status,
    decisions: entry.decisions, components: entry.components,
  };
}

/** Who may have which ranking computed is ranking-request.ts's rule (shared with the Excel export): none, empty. */
async function rankingOf(ctx: ApiContext, request: RankingRequest): Promise<Ranking> {
  const base = { asOf: request.asOf, period: { label: `${request.period.from}..${request.period.to}`, ...request.period },
    rankingKey: rankingKeyOf(request), profileName: ctx.profile.name };
  const ranking = await rankingForViewer(ctx.db, ctx.viewer, request, ctx.profile);
  if (!ranking) return { ...base, entries: [], computedFrom: 'none' };
  return { ...base, entries: ranking.entries.map(entryOf), computedFrom: ranking.computedFrom };
}

function frozenOf(record: FrozenRankingRecord): FrozenRanking {
  return { ...record, publishedText: record.result, entries: publishedRankingOf(record).entries.map(entryOf) };
}

function requestOf(input: { parentRegionCode: string; level?: string | undefined; domain?: string | undefined; period: PeriodInput; asOf?: Date | undefined }, today: string): RankingRequest {
  return rankingRequestOf({
    parentRegionCode: input.parentRegionCode, level: input.level as RegionLevel | undefined, domain: input.domain,
    period: periodOf(input.period), asOf: asOfOr(today, input.asOf),
  });
}

@Resolver()
export class RankingResolver {
  @Query(() => Ranking, { description: '上级区划内某一层级区划的排名（DOMAIN.md §5）', complexity: 300 })
  async ranking(
    @Arg('parentRegionCode', () => String) parentRegionCode: string,
    @Arg('level', () => RegionLevelEnum) level: string,
    @Arg('period', () => PeriodInput) period: PeriodInput,
    @Ctx() ctx: ApiContext,
    @Arg('asOf', () => DateScalar, { nullable: true }) asOf?: Date,
  ): Promise<Ranking> {
    return rankingOf(ctx, requestOf({ parentRegionCode, level, period, asOf }, ctx.today));
  }

  @Query(() => Ranking, { description: '区划内执法主体的排名，可限定执法领域', complexity: 300 })
  async agencyRanking(
    @Arg('parentRegionCode', () => String) parentRegionCode: string,
    @Arg('period', () => PeriodInput) period: PeriodInput,
    @Ctx() ctx: ApiContext,
    @Arg('domain', () => String, { nullable: true }) domain?: string,
    @Arg('asOf', () => DateScalar, { nullable: true }) asOf?: Date,
  ): Promise<Ranking> {
    return rankingOf(ctx, requestOf({ parentRegionCode, domain, period, asOf }, ctx.today));
  }

  @Query(() => [FrozenRanking], { description: '已冻结的排名版本（可按 rankingKey 筛选）', complexity: 100 })
  async frozenRankings(@Ctx() ctx: ApiContext, @Arg('rankingKey', () => String, { nullable: true }) rankingKey?: string): Promise<FrozenRanking[]> {
    return (await listFrozenRankings(ctx.db, rankingKey ? { rankingKey } : {})).map(frozenOf);
  }

  @Query(() => FrozenRanking, { nullable: true, complexity: 20 })
  async frozenRanking(@Arg('id', () => ID) id: string, @Ctx() ctx: ApiContext): Promise<FrozenRanking | null> {
    const record = await readFrozenRanking(ctx.db, id);
    return record ? frozenOf(record) : null;
  }

  @Mutation(() => FrozenRanking, { description: '冻结（发布）一个排名：存其截至日、方案与输入，此后逐字节可复现（监督机关及以上）' })
  async freezeRanking(@Arg('input', () => FreezeRankingInput) input: FreezeRankingInput, @Ctx() ctx: ApiContext): Promise<FrozenRanking> {
    const request = requestOf(input, ctx.today);
    if (!viewerMaySupervise(ctx.viewer) || !viewerMayRank(ctx.viewer, request.parentRegionCode)) {
      throw new InvalidValueError('FORBIDDEN', request.parentRegionCode, `无权冻结 ${request.parentRegionCode} 的排名：仅其监督机关及上级可以`);
    }
    const record = await freezeRanking(ctx.db, request, ctx.profile,
      { title: input.title, frozenBy: ctx.viewer.subject ?? ctx.viewer.role });
    return frozenOf(record);
  }
}
