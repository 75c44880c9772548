import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import type { IndicatorName } from '../../domain/profile/policy-profile';
import { listIndicatorRecords, type IndicatorRecord as MetricRecord, type RecordPart } from '../../metrics/indicators/indicator-records';
import type { ApiContext } from '../api-context';
import { asOfOr, decodeCursor, encodeCursor, pageSizeOf, periodOf, scopeOf, scopeWithin } from '../arguments';
import { caseKey, type CaseRow } from '../case-rows';
import { IndicatorNameEnum, RecordPartEnum } from '../enums';
import { DateScalar } from '../scalars';
import { Case } from '../types/case';
import { PeriodInput, ScopeInput } from '../types/common';
import { IndicatorRecord, IndicatorRecordConnection } from '../types/indicators';
import { Agency } from '../types/organisation';
import { MAX_CASE_PAGE } from './case-resolver';

/**
 * The drill-down below every indicator figure (DOMAIN.md §4): the records of the indicator's check relation that
 * its denominator, numerator or shortfall counts, as the metrics list them (indicator-records.ts), over the scope
 * narrowed to the viewer's jurisdiction as `indicators` narrows it, so the counts are its figures. Each record's
 * agency and case come through the request's DataLoaders (a case the viewer may not see is null).
 */
@Resolver(() => IndicatorRecord)
export class IndicatorRecordResolver {
  @Query(() => IndicatorRecordConnection, {
    description: '指标的分母、分子或差额（在分母而不在分子）背后的记录，按执法主体、记录标识排序，每页至多 200 条',
    complexity: ({ args, childComplexity }) => 10 + Number(args.first ?? 50) * childComplexity,
  })
  async indicatorRecords(
    @Arg('indicator', () => IndicatorNameEnum) indicator: string,
    @Arg('part', () => RecordPartEnum) part: string,
    @Arg('scope', () => ScopeInput) scope: ScopeInput,
    @Arg('period', () => PeriodInput) period: PeriodInput,
    @Ctx() ctx: ApiContext,
    @Arg('asOf', () => DateScalar, { nullable: true }) asOf?: Date,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<IndicatorRecordConnection> {
    const limit = pageSizeOf(first, MAX_CASE_PAGE);
    const cursor = decodeCursor(after, 2) as [string, string] | null;
    const page = await listIndicatorRecords(ctx.db, {
      indicator: indicator as IndicatorName, part: part as RecordPart,
      scope: scopeWithin(ctx.viewer, scopeOf(scope)), period: periodOf(period), asOf: asOfOr(ctx.today, asOf),
      after: cursor ? { agencyUscc: String(cursor[0]), recordKey: String(cursor[1]) } : null, limit,
    }, ctx.profile);
    const last = page.records.at(-1);
    return {
      nodes: page.records,
      totalCount: page.total,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: last ? encodeCursor([last.agencyUscc, last.recordKey]) : null },
    };
  }

  @FieldResolver(() => Agency, { nullable: true })
  agency(@Root() record: MetricRecord, @Ctx() ctx: ApiContext) {
    return ctx.loaders.agencyByUscc.load(record.agencyUscc);
  }

  @FieldResolver(() => Case, { nullable: true, description: '记录所属案件（含检查、来源等）；无所属案件或不在管辖范围内时为空' })
  case(@Root() record: MetricRecord, @Ctx() ctx: ApiContext): Promise<CaseRow | null> | null {
    return record.caseId === null ? null : ctx.loaders.caseByKey.load(caseKey(record.agencyUscc, record.caseId));
  }
}
