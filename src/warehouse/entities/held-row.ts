import { Entity, Enum, Index, Property } from '@mikro-orm/core';
import { KeptRow } from './kept-row';

export const heldRowStatuses = ['HELD', 'RELEASED'] as const;

/**
 * A valid row whose parent has not arrived yet: a publication of a case not yet loaded, a case of an agency
 * not yet registered (FEEDS.md: held until its parent arrives, not rejected forever). Each later batch and
 * run looks for its parent and, once found, loads it as if it had just arrived.
 */
@Entity({ tableName: 'held_rows' })
@Index({ properties: ['status', 'entity', 'parentKey'] })
// One waiting version per source and natural key: a newer delivery of a held row replaces the older one.
@Index({
  name: 'held_rows_open_key_unique',
  expression: `create unique index "held_rows_open_key_unique" on "held_rows" ("source", "entity", "natural_key") where "status" = 'HELD'`,
})
export class HeldRow extends KeptRow {
  @Property({ type: 'text' })
  naturalKey!: string;

  /** what it waits for: the agency's USCC, or the case's id (with the agency when the row names it) */
  @Property({ type: 'string', length: 10 })
  parentKind!: 'agency' | 'case';

  @Property({ type: 'text' })
  parentKey!: string;

  /** the parsed record, ready to load */
  @Property({ type: 'json' })
  record!: Record<string, unknown>;


  @Enum({ items: () => [...heldRowStatuses], default: 'HELD' })
  status: (typeof heldRowStatuses)[number] = 'HELD';

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  heldAt: Date = new Date();
}
