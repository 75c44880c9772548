import { PrimaryKey, Property } from '@mikro-orm/core';

/** Why a row was refused: a stable code for machines, the field, and a message a clerk acts on. */
export interface QuarantineReason { code: string; field?: string; message: string }


/**
 * A delivered row the ETL keeps aside, whole and with where it came from: in quarantine (refused) or held
 * (waiting for its parent). What both keep.
 */
export abstract class KeptRow {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'string', length: 100 })
  source!: string;

  @Property({ type: 'bigint', nullable: true })
  run?: string | null;

  /** FEEDS.md entity name: cases, publications, … */
  @Property({ type: 'string', length: 30 })
  entity!: string;

  /** human-readable position, as in lineage */
  @Property({ type: 'text' })
  position!: string;

  /** the same, structured: { file, sheet, row } or { page, item } */
  @Property({ type: 'json', default: '{}' })
  positionDetail: Record<string, unknown> = {};

  /** the row exactly as delivered (header → cell, or the JSON item) */
  @Property({ type: 'json' })
  raw!: Record<string, unknown>;

  /** why it was refused, or why it waits */
  @Property({ type: 'json' })
  reasons!: QuarantineReason[];

  /** when a corrected delivery (quarantine) or the arrived parent (held) let it go, and which run did */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  releasedAt?: Date | null;

  @Property({ type: 'bigint', nullable: true })
  releasedByRun?: string | null;
}
