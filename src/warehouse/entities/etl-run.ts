import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';

export const etlRunStatuses = ['RUNNING', 'SUCCEEDED', 'FAILED'] as const;

/** One ETL run of one source: when, how it ended, and what became of every row it read. */
@Entity({ tableName: 'etl_runs' })
@Index({ properties: ['source', 'startedAt'] })
export class EtlRun {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'string', length: 100 })
  source!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  startedAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  finishedAt?: Date | null;

  @Enum({ items: () => [...etlRunStatuses], default: 'RUNNING' })
  status: (typeof etlRunStatuses)[number] = 'RUNNING';

  /** entity name → counts (etl/pipeline/batch-types.ts EntityCounts) */
  @Property({ type: 'json', default: '{}' })
  counts: Record<string, Record<string, number>> = {};

  @Property({ type: 'text', nullable: true })
  error?: string | null;

  /** problems that are no single row's, each naming its file or page: `{ where, message }` */
  @Property({ type: 'json', default: '[]' })
  problems: { where: string; message: string }[] = [];

  /** what started it: cli, schedule, api, start (the demo load) */
  @Property({ type: 'string', length: 20, default: 'cli' })
  trigger: string = 'cli';
}
