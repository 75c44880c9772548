import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, Field, Info, ObjectType, Query, Resolver } from 'type-graphql';
import { periodBuckets, type Granularity } from '../../domain/calendar/period-buckets';
import { viewerMaySupervise, viewerSeesAgency } from '../../domain/access/viewer';
import { ActionTypes, type ActionType } from '../../domain/codes';
import { InvalidValueError } from '../../domain/errors';
import type { IndicatorName } from '../../domain/profile/policy-profile';
import { regionDirectory, type Region, type RegionLevel } from '../../domain/regions';
import { countAppealOutcomes } from '../../metrics/appeals/appeal-outcomes';
import { indicatorCatalog, type IndicatorInfo as CatalogEntry } from '../../metrics/indicators/indicator-catalog';
import { rateOf, type Rate as MetricRate } from '../../metrics/indicators/indicator-engine';
import { agencyRegionCodes } from '../../metrics/scope/scope';
import type { ApiContext } from '../api-context';
import { actionTypeCodes, asOfOr, periodOf, scopeOf, scopeWithin } from '../arguments';
import { AggregateDimensionEnum, GranularityEnum, IndicatorNameEnum } from '../enums';
import { indicatorsByAgencyFor, indicatorsBySubtreeFor, indicatorsForPeriods } from '../indicator-answers';
import { selectedIndicators } from '../selected-indicators';
import { DateScalar } from '../scalars';
import { PeriodInput, Rate, ScopeInput } from '../types/common';
import { AppealOutcomeCount, IndicatorInfo, IndicatorPoint, Indicators } from '../types/indicators';

type Dimension = 'PREFECTURE' | 'COUNTY' | 'AGENCY' | 'DOMAIN' | 'ACTION_TYPE' | 'MONTH' | 'QUARTER' | 'YEAR';
const timeDimensions: readonly Dimension[] = ['MONTH', 'QUARTER', 'YEAR'];
const isRegion = (dimension: Dimension): dimension is 'PREFECTURE' | 'COUNTY' => dimension === 'PREFECTURE' || dimension === 'COUNTY';

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

/**
 * The group of a region code along a region level: its ancestor (or itself) at that level, or, when it has none
 * there (it sits above the level, or a township directly under a prefecture sits beside it), itself alone: 本级,
 * the agencies whose region code it is.
 */
function groupAt(regionCode: string, level: RegionLevel): { region: Region; own: boolean } {
  const directory = regionDirectory();
  const region = directory.require(regionCode);
  const match = [...directory.ancestors(region.code), region].find((candidate) => candidate.level === level);
  return match ? { region: match, own: false } : { region, own: true };
}

/** The group of an agency along a region level, as a key (a region above the level is its own group: 本级). */
function regionKey(agency: Pick<AgencyFacts, 'regionCode'>, level: RegionLevel): AggregateKey {
  const { region, own } = groupAt(agency.regionCode, level);
  return { dimension: level, value: region.code, label: own ? `${region.name}（本级）` : region.name };
}

/**
 * The groups of a table of regions at `level`, one for each group of the region codes with an agency in the scope,
 * each with what it reads: a region of the level with everything below it, narrowed to the scope's region when
 * that lies inside it (`within`); or a region by its own agencies (本级). `keyCode` gives the group's keys.
 */
function regionGroups(regionCodes: readonly string[], level: RegionLevel, within: string | undefined): { keyCode: string; readCode: string; own: boolean }[] {
  const directory = regionDirectory();
  const groups = new Map<string, { keyCode: string; readCode: string; own: boolean }>();
  for (const regionCode of regionCodes) {
    const { region, own } = groupAt(regionCode, level);
    const readCode = !own && within !== undefined && directory.isWithin(within, region.code) ? within : region.code;
    groups.set(region.code, { keyCode: region.code, readCode, own });
  }
  return [...groups.values()];
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
    // grouped by regions (and time) only: each group's own rows of the rollups, every bucket at once
    if (viewerMaySupervise(ctx.viewer) && dimensions.every((d) => isRegion(d) || timeDimensions.includes(d))) {
      // the finest region asked (a county determines its prefecture); none: each province whole
      const level: RegionLevel = dimensions.includes('COUNTY') ? 'COUNTY' : dimensions.includes('PREFECTURE') ? 'PREFECTURE' : 'PROVINCE';
      // the viewer's jurisdiction as a scope: what the viewer sees of the scope is one region's subtree, or nothing
      const within = scopeWithin(ctx.viewer, checked);
      const groups = regionGroups(await agencyRegionCodes(ctx.db, within), level, within.regionCode);
      const figures = await indicatorsBySubtreeFor(ctx, {
        scope: within, regionCodes: groups.filter((group) => !group.own).map((group) => group.readCode),
        ownRegionCodes: groups.filter((group) => group.own).map((group) => group.readCode),
        periods: buckets.map((bucket) => ({ id: bucket.label, from: bucket.from, to: bucket.to })), asOf: asOfDate,
      }, [indicator as IndicatorName]);
      const rows = new Map<string, AggregateRow>();
      for (const bucket of buckets) {
        for (const group of groups) {
          const keys = dimensions.map((dimension): AggregateKey => (isRegion(dimension)
            ? regionKey({ regionCode: group.keyCode }, dimension) : { dimension, value: bucket.label, label: bucket.label }));
          add(rows, keys, figures.get(bucket.label)!.get(group.readCode)![indicator as IndicatorName]);
        }
      }
      return sortedRows(rows);
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
