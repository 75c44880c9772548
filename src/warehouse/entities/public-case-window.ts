import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The days a publicly disclosed, published case is in public view (DOMAIN.md §6): from its publication date until
 * the day before the earlier of its withdrawal and the end of its display period (`display_period_rules`). Kept
 * by the database's triggers on cases, publications and the rules (the PublicCaseWindows migration), never
 * written by the hub; the public's row policies compare it with today. Grain: one row per case.
 */
@Entity({ tableName: 'public_case_windows' })
export class PublicCaseWindow {
  @PrimaryKey({ type: 'string', length: 12 })
  regionCode!: string;

  @PrimaryKey({ type: 'string', length: 18 })
  agencyUscc!: string;

  @PrimaryKey({ type: 'string', length: 100 })
  caseId!: string;

  @Property({ type: 'date' })
  shownFrom!: string;

  /** null: shown without end */
  @Property({ type: 'date', nullable: true })
  shownUntil?: string | null;
}
