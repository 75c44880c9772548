import { Embeddable, Property } from '@mikro-orm/core';

/**
 * Where a stored row version came from, so that every number drills down to the file row or API page
 * behind it (DOMAIN.md §4). Plain columns, no foreign keys: fact tables are meant to be distributed by
 * region (see README, architecture) and may not reference the coordinator-only run and source tables.
 */
@Embeddable()
export class Lineage {
  /** id of the source (sources.id) the row version was loaded from */
  @Property({ type: 'string', length: 100 })
  source!: string;

  /** human-readable position: `cases-2024Q3.csv 第 12 行`, `cases.xlsx 工作表 案件 第 3 行`, `API page 4` */
  @Property({ type: 'text' })
  position!: string;

  /** etl_runs.id of the run that stored this version */
  @Property({ type: 'bigint', nullable: true })
  run?: string | null;

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  loadedAt: Date = new Date();

  /** SHA-256 of the row's canonical form: how a reload recognises an unchanged row */
  @Property({ type: 'string', length: 64 })
  contentHash!: string;
}
