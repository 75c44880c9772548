import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import { Field, ObjectType } from 'type-graphql';
import { regionDirectory } from '../../domain/regions';
import { assertUscc } from '../../domain/uscc';
import { scopedAgenciesCte } from '../../metrics/scope/scope';
import { SqlParameters, withCtes } from '../../metrics/sql/sql-parameters';
import type { ApiContext } from '../api-context';
import { decodeCursor, encodeCursor, pageSizeOf, periodOf, scopeOf } from '../arguments';
import { caseColumnsSql, caseKey, toCaseRow, type CaseRow } from '../case-rows';
import { Appeal, Case, HandlingCheck, Lineage, PublicationCheck, Recording, ReviewCheck, ReviewRound } from '../types/case';
import { PageInfo, PeriodInput, ScopeInput } from '../types/common';
import { Agency, Region } from '../types/organisation';
import { regionOf } from './organisation-resolver';

export const MAX_CASE_PAGE = 200;

@ObjectType()
class CaseConnection {
  @Field(() => [Case]) nodes!: CaseRow[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

async function checksOf(ctx: ApiContext, row: CaseRow) {
  const check = await ctx.loaders.checksByCase.load(caseKey(row.agencyUscc, row.caseId));
  if (!check) throw new Error(`case ${row.agencyUscc}/${row.caseId}: its checks are missing`);
  return check;
}

@Resolver(() => Case)
export class CaseResolver {
  @Query(() => Case, { nullable: true, description: '一个案件；不在访问者管辖范围内时为 null（与不存在无法区分）' })
  async case(@Arg('agencyUscc', () => String) agencyUscc: string, @Arg('caseId', () => String) caseId: string,
    @Ctx() ctx: ApiContext): Promise<CaseRow | null> {
    return ctx.loaders.caseByKey.load(caseKey(assertUscc(agencyUscc), caseId));
  }

  @Query(() => CaseConnection, {
    description: '案件列表（按执法主体、案件编号排序），每页至多 200 条',
    complexity: ({ args, childComplexity }) => 1 + Number(args.first ?? 50) * childComplexity,
  })
  async cases(
    @Ctx() ctx: ApiContext,
    @Arg('scope', () => ScopeInput, { nullable: true }) scope?: ScopeInput,
    @Arg('decided', () => PeriodInput, { nullable: true, description: '决定日期在此期间内' }) decided?: PeriodInput,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<CaseConnection> {
    const size = pageSizeOf(first, MAX_CASE_PAGE);
    const params = new SqlParameters();
    const checked = scopeOf(scope);
    const where: string[] = [];
    if (checked.actionType) where.push(`c.action_type = ${params.bind(checked.actionType, 'text')}`);
    if (decided) {
      const period = periodOf(decided);
      where.push(`c.decided_on between ${params.bind(period.from, 'date')} and ${params.bind(period.to, 'date')}`);
    }
    const cursor = decodeCursor(after, 2) as [string, string] | null;
    if (cursor) where.push(`(c.agency_uscc, c.case_id) > (${params.bind(cursor[0], 'text')}, ${params.bind(cursor[1], 'text')})`);
    const text = withCtes([scopedAgenciesCte(checked, params)],
      `select ${caseColumnsSql(ctx.viewer)} from cases c
       join scoped_agencies a on a.agency_uscc = c.agency_uscc and a.region_code = c.region_code
       where ${where.length ? where.join(' and ') : 'true'}
       order by c.agency_uscc, c.case_id limit ${size + 1}`);
    const { rows } = await ctx.db.query<Record<string, unknown>>(text, params.values);
    const nodes = rows.slice(0, size).map((row) => toCaseRow(row, ctx.viewer, ctx.profile));
    for (const node of nodes) ctx.loaders.caseByKey.prime(caseKey(node.agencyUscc, node.caseId), node);
    const last = nodes.at(-1);
    return { nodes, pageInfo: { hasNextPage: rows.length > size, endCursor: last ? encodeCursor([last.agencyUscc, last.caseId]) : null } };
  }

  @FieldResolver(() => Boolean, { description: '重大执法决定（来源标注或符合目录，截至今日）' })
  async isMajor(@Root() row: CaseRow, @Ctx() ctx: ApiContext): Promise<boolean> {
    return (await checksOf(ctx, row)).major;
  }

  @FieldResolver(() => [String], { description: '认定为重大的理由' })
  async majorReasons(@Root() row: CaseRow, @Ctx() ctx: ApiContext): Promise<string[]> {
    return (await checksOf(ctx, row)).majorReasons;
  }

  @FieldResolver(() => PublicationCheck)
  async publication(@Root() row: CaseRow, @Ctx() ctx: ApiContext): Promise<PublicationCheck> {
    const { publication } = await checksOf(ctx, row);
    return {
      // a case not yet decided owes no publication: not due
      status: publication.status ?? 'NOT_DUE',
      deadline: publication.deadline, deadlineProvisional: publication.deadlineProvisional, publishedOn: publication.publishedOn,
      withdrawalStatus: publication.withdrawalStatus, withdrawalDeadline: publication.withdrawalDeadline, exemption: publication.exemption,
    };
  }

  @FieldResolver(() => ReviewCheck)
  async review(@Root() row: CaseRow, @Ctx() ctx: ApiContext): Promise<ReviewCheck> {
    return (await checksOf(ctx, row)).review;
  }

  @FieldResolver(() => HandlingCheck)
  async handling(@Root() row: CaseRow, @Ctx() ctx: ApiContext): Promise<HandlingCheck> {
    const check = await checksOf(ctx, row);
    return { certifiedHandling: check.certifiedHandling, decidedInTime: check.decidedInTime, archiveStatus: check.archiveStatus };
  }

  @FieldResolver(() => Agency, { nullable: true })
  agency(@Root() row: CaseRow, @Ctx() ctx: ApiContext) {
    return ctx.loaders.agencyByUscc.load(row.agencyUscc);
  }

  @FieldResolver(() => Region, { nullable: true })
  region(@Root() row: CaseRow): Region | null {
    const region = regionDirectory().get(row.regionCode);
    return region ? regionOf(region) : null;
  }

  @FieldResolver(() => Lineage, { nullable: true, description: '来源文件行或接口页；公众视图为空' })
  lineage(@Root() row: CaseRow): Lineage | null {
    return row.lineage;
  }

  @FieldResolver(() => [ReviewRound])
  async reviews(@Root() row: CaseRow, @Ctx() ctx: ApiContext) {
    return ctx.loaders.reviewsByCase.load(caseKey(row.agencyUscc, row.caseId));
  }

  @FieldResolver(() => [Appeal])
  async appeals(@Root() row: CaseRow, @Ctx() ctx: ApiContext) {
    return ctx.loaders.appealsByCase.load(caseKey(row.agencyUscc, row.caseId));
  }

  @FieldResolver(() => [Recording])
  async recordings(@Root() row: CaseRow, @Ctx() ctx: ApiContext) {
    return ctx.loaders.recordingsByCase.load(caseKey(row.agencyUscc, row.caseId));
  }
}
