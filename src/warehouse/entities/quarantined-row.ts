import { Entity, Enum, Index, Property } from '@mikro-orm/core';
import { KeptRow } from './kept-row';

export const quarantineStatuses = ['QUARANTINED', 'RELEASED'] as const;

export type { QuarantineReason } from './kept-row';

/**
 * A row that failed validation, kept whole with every reason (FEEDS.md: never dropped, never half-loaded).
 * Loading the fixed row again from the same source and position releases it.
 */
@Entity({ tableName: 'quarantine' })
@Index({ properties: ['source', 'status'] })
@Index({ properties: ['source', 'entity', 'naturalKey'] })
// One open quarantine entry per source position: loading the same bad file again updates it, not adds to it.
@Index({
  name: 'quarantine_open_position_unique',
  expression: `create unique index "quarantine_open_position_unique" on "quarantine" ("source", "entity", "position") where "status" = 'QUARANTINED'`,
})
export class QuarantinedRow extends KeptRow {
  /** the row's natural key when it could be read, so a corrected reload finds and releases it */
  @Property({ type: 'text', nullable: true })
  naturalKey?: string | null;


  @Enum({ items: () => [...quarantineStatuses], default: 'QUARANTINED' })
  status: (typeof quarantineStatuses)[number] = 'QUARANTINED';

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  quarantinedAt: Date = new Date();
}
