import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/core';

export const sourceTransports = ['HTTP', 'FOLDER', 'URL'] as const;

/**
 * A feed the hub pulls from. Defined in the sources file (data, see etl/); this table mirrors it and keeps
 * what the hub learns while pulling, above all the watermark of the last committed incremental pull.
 */
@Entity({ tableName: 'sources' })
export class Source {
  @PrimaryKey({ type: 'string', length: 100 })
  id!: string;

  @Property({ type: 'string', length: 200 })
  name!: string;

  @Enum({ items: () => [...sourceTransports] })
  transport!: (typeof sourceTransports)[number];

  /** the region whose agencies the source covers, or null when it covers one agency */
  @Property({ type: 'string', length: 12, nullable: true })
  coversRegionCode?: string | null;

  @Property({ type: 'string', length: 18, nullable: true })
  coversAgencyUscc?: string | null;

  /** base URL or folder */
  @Property({ type: 'text' })
  location!: string;

  /** cron expression of scheduled pulls, Asia/Shanghai */
  @Property({ type: 'string', length: 100, nullable: true })
  schedule?: string | null;

  @Property({ type: 'string', length: 200, nullable: true })
  mapping?: string | null;

  /** the largest `updatedAt` committed from an incremental pull: the next pull asks for what is newer */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  watermark?: Date | null;

  /**
   * Progress of an unfinished pull, committed with each batch so that a crashed run resumes where it stopped
   * without re-reading what it committed: for the HTTP transport { entity, updatedSince, nextPage, maxSeen }.
   */
  @Property({ type: 'json', nullable: true })
  checkpoint?: Record<string, unknown> | null;

  /** the source's entry in the sources file as last read, credentials excluded */
  @Property({ type: 'json', default: '{}' })
  definition: Record<string, unknown> = {};

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
