import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, Field, Info, ObjectType, Query, Resolver } from 'type-graphql';
import { periodBuckets, type Granularity } from '../../domain/calendar/period-buckets';
import { viewerMaySupervise, viewerSeesAgency, viewerSeesRegion } from '../../domain/access/viewer';
import { ActionTypes, type ActionType } from '../../domain/codes';
import { InvalidValueError } from '../../domain/errors';
import type { IndicatorName } from '../../domain/profile/policy-profile';
import { regionDirectory, type RegionLevel } from '../../domain/regions';
import { countAppealOutcomes } from '../../metrics/appeals/appeal-outcomes';
import { indicatorCatalog, type IndicatorInfo as CatalogEntry } from '../../metrics/indicators/indicator-catalog';
import { rateOf, type Rate as MetricRate } from '../../metrics/indicators/indicator-engine';
import type { ApiContext } from '../api-context';
import { actionTypeCodes, asOfOr, periodOf, scopeOf, scopeWithin } from '../arguments';
import { AggregateDimensionEnum, GranularityEnum, IndicatorNameEnum } from '../enums';
import { indicatorsByAgencyFor, indicatorsByRegionFor, indicatorsForPeriods } from '../indicator-answers';
import { selectedIndicators } from '../selected-indicators';
import { DateScalar } from '../scalars';
import { PeriodInput, Rate, ScopeInput } from '../types/common';
import { AppealOutcomeCount, IndicatorInfo, IndicatorPoint, Indicators } from '../types/indicators';

type Dimension = 'PREFECTURE' | 'COUNTY' | 'AGENCY' | 'DOMAIN' | 'ACTION_TYPE' | 'MONTH' | 'QUARTER' | 'YEAR';
const timeDimensions: readonly Dimension[] = ['MONTH', 'QUARTER', 'YEAR'];

@ObjectType({ description: '分组的一个取值' })
class AggregateKey {
  @Field(() => AggregateDimensionEnum) dimension!: string;
  @Field({ description: '区划代码、统一社会信用代码、领域、行为类别或期间标签' }) value!: string;
  @Field({ description: '中文名称' }) label!: string;
}

@ObjectType({ description: '即席汇总的一行' })
class AggregateRow {
  @Field(() => [AggregateKey]) keys!: AggregateKey[];
  @Field(() => Rate) rate!: Rate;
}

interface AgencyFacts { uscc: string; name: string; regionCode: string; domain: string }

/** The group of an agency along a region level: its ancestor at that level, or its own region when it sits above (本级). */
function regionKey(agency: Pick<AgencyFacts, 'regionCode'>, level: RegionLevel): AggregateKey {
  const directory = regionDirectory();
  const own = directory.require(agency.regionCode);
  const match = [...directory.ancestors(own.code), own].find((region) => region.level === level);
  return match
    ? { dimension: level, value: match.code, label: match.name }
    : { dimension: level, value: own.code, label: `${own.name}（本级）` };
}

function add(into: Map<string, AggregateRow>, keys: AggregateKey[], rate: MetricRate): void {
  const id = keys.map((key) => key.value).join('\u0000');
  const row = into.get(id) ?? { keys, rate: rateOf(0, 0) };
  row.rate = rateOf(row.rate.numerator + rate.numerator, row.rate.denominator + rate.denominator);
  into.set(id, row);
}

@Resolver()
export class IndicatorResolver {
  @Query(() => Indicators, { description: '范围与期间内的全部指标，截至 asOf（默认今日，Asia/Shanghai）', complexity: 50 })
  async indicators(
    @Arg('scope', () => ScopeInput) scope: ScopeInput,
    @Arg('period', () => PeriodInput) period: PeriodInput,
    @Ctx() ctx: ApiContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('asOf', () => DateScalar, { nullable: true }) asOf?: Date,
  ) {
    return ctx.loaders.indicators.load({
      scope: scopeWithin(ctx.viewer, scopeOf(scope)), period: periodOf(period), asOf: asOfOr(ctx.today, asOf), names: selectedIndicators(info),
    });
  }

  @Query(() => [IndicatorInfo], { description: '指标目录：名称、中文名、记录的量词与名词、计入期间所依据的日期字段' })
  indicatorCatalog(): CatalogEntry[] {
    return indicatorCatalog();
  }

  @Query(() => [AppealOutcomeCount], {
    description: '期间内办结（截至 asOf 已有结果）的复议诉讼，按类别与结果计数；与纠错率、复议纠错率、诉讼败诉率的分子分母一致',
    complexity: 50,
  })
  async appealOutcomes(
    @Arg('scope', () => ScopeInput) scope: ScopeInput,
    @Arg('period', () => PeriodInput) period: PeriodInput,
    @Ctx() ctx: ApiContext,
    @Arg('asOf', () => DateScalar, { nullable: true }) asOf?: Date,
  ): Promise<AppealOutcomeCount[]> {
    return countAppealOutcomes(ctx.db, { scope: scopeWithin(ctx.viewer, scopeOf(scope)), period: periodOf(period), asOf: asOfOr(ctx.today, asOf) }, ctx.profile);
  }

  @Query(() => [IndicatorPoint], { description: '指标按月、季或年的序列（至多 36 段）', complexity: 400 })
  async indicatorSeries(
    @Arg('scope', () => ScopeInput) scope: ScopeInput,
    @Arg('period', () => PeriodInput) period: PeriodInput,
    @Arg('granularity', () => GranularityEnum) granularity: string,
    @Ctx() ctx: ApiContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('asOf', () => DateScalar, { nullable: true }) asOf?: Date,
  ): Promise<IndicatorPoint[]> {
    const buckets = periodBuckets(periodOf(period), granularity as Granularity);
    // every point at once: one rollup plan and one sum for the whole series
    const figures = await indicatorsForPeriods(ctx, {
      scope: scopeWithin(ctx.viewer, scopeOf(scope)), asOf: asOfOr(ctx.today, asOf), periods: buckets.map((bucket) => ({ id: bucket.label, from: bucket.from, to: bucket.to })),
    }, selectedIndicators(info, ['indicators']));
    return buckets.map((bucket) => ({ period: bucket, indicators: figures.get(bucket.label) as Indicators }));
  }

  @Query(() => [AggregateRow], {
    description: '即席汇总：一个指标按一或两个维度分组（地市、区县、执法主体、领域、行为类别、月/季/年）',
    complexity: 800,
  })
  async aggregate(
    @Arg('indicator', () => IndicatorNameEnum) indicator: string,
    @Arg('groupBy', () => [AggregateDimensionEnum]) groupBy: string[],
    @Arg('scope', () => ScopeInput) scope: ScopeInput,
    @Arg('period', () => PeriodInput) period: PeriodInput,
    @Ctx() ctx: ApiContext,
    @Arg('asOf', () => DateScalar, { nullable: true }) asOf?: Date,
  ): Promise<AggregateRow[]> {
    const dimensions = groupBy as Dimension[];
    if (dimensions.length < 1 || dimensions.length > 2 || new Set(dimensions).size !== dimensions.length) {
      throw new InvalidValueError('BAD_GROUP_BY', groupBy, 'groupBy 须为一或两个不同的维度');
    }
    const time = dimensions.filter((d) => timeDimensions.includes(d));
    if (time.length > 1) throw new InvalidValueError('BAD_GROUP_BY', groupBy, 'groupBy 至多含一个时间维度（MONTH、QUARTER 或 YEAR）');
    const checked = scopeOf(scope);
    const whole = periodOf(period);
    const asOfDate = asOfOr(ctx.today, asOf);
    const buckets = time.length ? periodBuckets(whole, time[0] as Granularity) : [{ label: `${whole.from}..${whole.to}`, ...whole }];
    const actionTypes = dimensions.includes('ACTION_TYPE') ? (checked.actionType ? [checked.actionType] : actionTypeCodes) : [checked.actionType];
    // grouped by regions (and time) only: summed per region code, without going through every agency
    if (viewerMaySupervise(ctx.viewer) && dimensions.every((d) => d === 'PREFECTURE' || d === 'COUNTY' || timeDimensions.includes(d))) {
      const groups = new Map<string, AggregateRow>();
      for (const bucket of buckets) {
        const regions = await indicatorsByRegionFor(ctx, { scope: checked, period: bucket, asOf: asOfDate }, [indicator as IndicatorName]);
        for (const [regionCode, indicators] of regions) {
          if (!viewerSeesRegion(ctx.viewer, regionCode)) continue;
          const keys = dimensions.map((dimension): AggregateKey => (dimension === 'PREFECTURE' || dimension === 'COUNTY'
            ? regionKey({ regionCode }, dimension) : { dimension, value: bucket.label, label: bucket.label }));
          add(groups, keys, indicators[indicator as IndicatorName]);
        }
      }
      return sortedRows(groups);
    }
    const { rows: agencyRows } = await ctx.db.query<AgencyFacts>(`select uscc, name, region_code as "regionCode", domain from agencies`);
    const agencies = new Map(agencyRows.map((agency) => [agency.uscc, agency]));

    const groups = new Map<string, AggregateRow>();
    for (const bucket of buckets) {
      for (const actionType of actionTypes) {
        const figures = await indicatorsByAgencyFor(ctx, {
          scope: { ...checked, ...(actionType && { actionType: actionType as typeof checked.actionType }) }, period: bucket, asOf: asOfDate,
        }, [indicator as IndicatorName]);
        for (const figure of figures.values()) {
          const agency = agencies.get(figure.agencyUscc);
          if (!agency || !viewerSeesAgency(ctx.viewer, { uscc: agency.uscc, regionCode: agency.regionCode })) continue;
          const keys = dimensions.map((dimension): AggregateKey => {
            switch (dimension) {
              case 'PREFECTURE': case 'COUNTY': return regionKey(agency, dimension);
              case 'AGENCY': return { dimension, value: agency.uscc, label: agency.name };
              case 'DOMAIN': return { dimension, value: agency.domain, label: agency.domain };
              case 'ACTION_TYPE': return { dimension, value: actionType!, label: ActionTypes.labels[actionType as ActionType] };
              default: return { dimension, value: bucket.label, label: bucket.label };
            }
          });
          add(groups, keys, figure.indicators[indicator as IndicatorName]);
        }
      }
    }
    return sortedRows(groups);
  }
}

function sortedRows(groups: Map<string, AggregateRow>): AggregateRow[] {
  return [...groups.values()].sort((a, b) => a.keys.map((k) => k.value).join('/').localeCompare(b.keys.map((k) => k.value).join('/')));
}
