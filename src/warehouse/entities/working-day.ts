import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The working-day calendar in SQL (DOMAIN.md §3), filled by `hub migrate` from the domain calendar (national
 * schedule of chinese-days plus the regional overrides of policy/calendars/). Reference data: rewritten from
 * the files on every migrate, replicated to every node under Citus like the region tree.
 *
 * A variant is one set of overrides in force (the national calendar alone, Xinjiang's, …); regions find theirs
 * by their longest matching code prefix (`calendar_region_prefixes`, none: national).
 */
@Entity({ tableName: 'calendar_variants' })
export class CalendarVariant {
  /** 'national', or the override ids in force, most specific first, joined by '+' ('xinjiang') */
  @PrimaryKey({ type: 'string', length: 100 })
  id!: string;

  /** '全国', '新疆' */
  @Property({ type: 'string', length: 100 })
  name!: string;

  /** ids of the override files (policy/calendars/<id>.yaml) in force, most specific first */
  @Property({ type: 'string[]' })
  overrides!: string[];

  /** last day of the published national schedule: later days are provisional (Monday–Friday assumed) */
  @Property({ type: 'date' })
  horizonTo!: string;
}

/** A code prefix of the regional overrides (the '65' of Xinjiang): regions starting with it use `variant`. */
@Entity({ tableName: 'calendar_region_prefixes' })
export class CalendarRegionPrefix {
  @PrimaryKey({ type: 'string', length: 12 })
  prefix!: string;

  @Property({ type: 'string', length: 100 })
  variant!: string;
}

/**
 * Grain: one row per calendar variant per day, from the national horizon's first day to some years past its
 * last (those rows provisional). `ordinal` counts the variant's working days up to and including the day, so
 * the N-th working day after D is the working day whose ordinal is ordinal(D) + N: one indexed lookup.
 */
@Entity({ tableName: 'working_days' })
@Index({ properties: ['variant', 'ordinal'] })
export class WorkingDay {
  @PrimaryKey({ type: 'string', length: 100 })
  variant!: string;

  @PrimaryKey({ type: 'date' })
  day!: string;

  @Property({ type: 'boolean' })
  working!: boolean;

  @Property({ type: 'integer' })
  ordinal!: number;

  /** past the national horizon: Monday–Friday assumed, never to be shown as final (DOMAIN.md §3) */
  @Property({ type: 'boolean' })
  provisional!: boolean;

  /** '工作日', '周末', '国庆节', '调休上班 (国庆节)', '肉孜节 (新疆)', '暂按工作日 (超出日历范围 2026-12-31)' */
  @Property({ type: 'text' })
  reason!: string;
}
