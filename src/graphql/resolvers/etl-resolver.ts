import { Arg, Ctx, Field, FieldResolver, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { viewerMaySupervise } from '../../domain/access/viewer';
import { InvalidValueError } from '../../domain/errors';
import { countQuarantineReasons, type QuarantineReasonCount as ReasonCount } from '../../etl-status/quarantine-reasons';
import { DEFAULT_LATE_AFTER_HOURS, type EtlRunRow, type SourceHealth, type SourceStatus } from '../../etl-status/source-health';
import type { ApiContext } from '../api-context';
import { decodeCursor, encodeCursor, pageSizeOf } from '../arguments';
import { EtlRunStatusEnum, QuarantineStatusEnum, SourceHealthEnum } from '../enums';
import { DateTimeScalar } from '../scalars';
import { PageInfo } from '../types/common';
import { EtlRun, QuarantinedRow, QuarantineReasonCount, Source } from '../types/etl';

const MAX_PAGE = 200;

@ObjectType()
class EtlRunConnection {
  @Field(() => [EtlRun]) nodes!: EtlRun[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

@ObjectType()
class QuarantineConnection {
  @Field(() => [QuarantinedRow]) nodes!: QuarantinedRow[];
  @Field(() => Int, { description: '符合条件的全部行数' }) totalCount!: number;
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

@ObjectType({ description: '已受理的采集请求' })
class EtlRunRequest {
  @Field({ description: 'STARTED 或 REFUSED' }) status!: string;
  @Field(() => String, { nullable: true }) runId!: string | null;
  @Field() message!: string;
}

/** Newest first, keyset on id: lists the data-quality dashboard reads, inside the viewer's sources (RLS). */
function pageOf<T extends { id: string }>(rows: T[], size: number) {
  const nodes = rows.slice(0, size);
  return { nodes, pageInfo: { hasNextPage: rows.length > size, endCursor: nodes.length ? encodeCursor([nodes.at(-1)!.id]) : null } };
}

@Resolver(() => QuarantinedRow)
export class EtlResolver {
  @Query(() => [Source], { description: '数据来源（管辖范围内）' })
  async sources(@Ctx() ctx: ApiContext): Promise<Source[]> {
    const { rows } = await ctx.db.query<Source>(`select id, name, transport, covers_region_code as "coversRegionCode",
      covers_agency_uscc as "coversAgencyUscc", schedule, watermark from sources order by id`);
    return rows;
  }

  @Query(() => EtlRunConnection, { description: '采集运行，最新在前', complexity: ({ args }) => 1 + Number(args.first ?? 50) })
  async etlRuns(
    @Ctx() ctx: ApiContext,
    @Arg('source', () => String, { nullable: true }) source?: string,
    @Arg('status', () => EtlRunStatusEnum, { nullable: true }) status?: string,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<EtlRunConnection> {
    const size = pageSizeOf(first, MAX_PAGE);
    const cursor = decodeCursor(after, 1) as [string] | null;
    const { rows } = await ctx.db.query<EtlRun>(
      `select id::text, source, status, started_at as "startedAt", finished_at as "finishedAt", counts, error, trigger from etl_runs
       where ($1::text is null or source = $1) and ($2::text is null or status = $2) and ($3::bigint is null or id < $3)
       order by id desc limit ${size + 1}`, [source ?? null, status ?? null, cursor?.[0] ?? null]);
    return pageOf(rows, size);
  }

  @Query(() => QuarantineConnection, { description: '隔离区：被拒收的行及原因，最新在前', complexity: ({ args }) => 1 + Number(args.first ?? 50) })
  async quarantine(
    @Ctx() ctx: ApiContext,
    @Arg('source', () => String, { nullable: true }) source?: string,
    @Arg('status', () => QuarantineStatusEnum, { nullable: true }) status?: string,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<QuarantineConnection> {
    const size = pageSizeOf(first, MAX_PAGE);
    const cursor = decodeCursor(after, 1) as [string] | null;
    const filter = `($1::text is null or source = $1) and ($2::text is null or status = $2)`;
    const { rows } = await ctx.db.query<QuarantinedRow & { total: number }>(
      `select id::text, source, run::text, entity, position, natural_key as "naturalKey", reasons, status, quarantined_at as "quarantinedAt",
         count(*) over ()::int as total
       from quarantine where ${filter} and ($3::bigint is null or id < $3)
       order by id desc limit ${size + 1}`, [source ?? null, status ?? null, cursor?.[0] ?? null]);
    const total = cursor
      ? (await ctx.db.query<{ n: number }>(`select count(*)::int as n from quarantine where ${filter}`, [source ?? null, status ?? null])).rows[0]!.n
      : rows[0]?.total ?? 0;
    return { ...pageOf(rows.map(({ total: _total, ...row }) => row), size), totalCount: total };
  }

  @Query(() => [QuarantineReasonCount], {
    description: '隔离原因统计（管辖范围内的来源）：按来源、实体、字段与原因代码计数，最多的在前',
    complexity: 20,
  })
  async quarantineReasons(
    @Ctx() ctx: ApiContext,
    @Arg('source', () => String, { nullable: true }) source?: string,
    @Arg('status', () => QuarantineStatusEnum, { nullable: true, defaultValue: 'QUARANTINED', description: '默认 QUARANTINED（尚未放行）' }) status?: string,
  ): Promise<ReasonCount[]> {
    return countQuarantineReasons(ctx.db, { source: source ?? null, status: (status ?? 'QUARANTINED') as 'QUARANTINED' | 'RELEASED' });
  }

  @FieldResolver(() => GraphQLJSON, { nullable: true, description: '原始内容：仅系统管理员（ADMIN）可见，其他人为 null' })
  async raw(@Root() row: QuarantinedRow, @Ctx() ctx: ApiContext): Promise<unknown> {
    if (ctx.viewer.role !== 'ADMIN') return null;
    const { rows } = await ctx.db.query<{ raw: unknown }>(`select hub_quarantine_raw($1::bigint) as raw`, [row.id]);
    return rows[0]?.raw ?? null;
  }

  @Mutation(() => EtlRunRequest, { description: '立即采集一个数据来源（监督机关及以上，限其可见的来源）' })
  async runSource(@Arg('sourceId', () => String) sourceId: string, @Ctx() ctx: ApiContext): Promise<EtlRunRequest> {
    if (!viewerMaySupervise(ctx.viewer)) throw new InvalidValueError('FORBIDDEN', sourceId, '仅监督机关及以上可以发起采集');
    const { rows } = await ctx.db.query(`select 1 from sources where id = $1`, [sourceId]);
    // a source outside the viewer's reach is answered like one that does not exist
    if (!rows.length) throw new InvalidValueError('UNKNOWN_SOURCE', sourceId, `没有数据来源 ${sourceId}`);
    return ctx.actions.runSource(sourceId, ctx.viewer);
  }
}

const statusOf = (source: Source, ctx: ApiContext): Promise<SourceStatus | null> => ctx.loaders.sourceStatusById.load(source.id);

/**
 * What the data-quality dashboard shows beside each source, read for every source of the page in one statement
 * (the request's sourceStatusById DataLoader, src/etl-status/source-health.ts), inside the viewer's reach.
 */
@Resolver(() => Source)
export class SourceResolver {
  @FieldResolver(() => EtlRun, { nullable: true, description: '最近一次运行' })
  async lastRun(@Root() source: Source, @Ctx() ctx: ApiContext): Promise<EtlRunRow | null> {
    return (await statusOf(source, ctx))?.lastRun ?? null;
  }

  @FieldResolver(() => DateTimeScalar, { nullable: true, description: '最近一次成功运行的结束时间' })
  async lastSucceededAt(@Root() source: Source, @Ctx() ctx: ApiContext): Promise<Date | null> {
    return (await statusOf(source, ctx))?.lastSucceededAt ?? null;
  }

  @FieldResolver(() => SourceHealthEnum, {
    description: 'FAILING：最近一次运行失败；NEVER_RUN：从未运行；LATE：按计划（cron，北京时间）应运行的时间已过宽限期'
      + `（来源配置 lateAfterHours，默认 ${DEFAULT_LATE_AFTER_HOURS} 小时）仍无成功运行；否则 OK`,
  })
  async health(@Root() source: Source, @Ctx() ctx: ApiContext): Promise<SourceHealth> {
    return (await statusOf(source, ctx))?.health ?? 'NEVER_RUN';
  }

  @FieldResolver(() => Int, { description: '隔离区中尚未放行的行数' })
  async quarantined(@Root() source: Source, @Ctx() ctx: ApiContext): Promise<number> {
    return (await statusOf(source, ctx))?.quarantined ?? 0;
  }
}
