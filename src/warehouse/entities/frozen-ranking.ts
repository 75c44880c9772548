import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * A published ranking (DOMAIN.md §5), frozen: the result as the exact text it was published as, with the request,
 * the policy profile and the inputs (each unit's decisions and indicator figures) it was computed from, so it
 * reads the same forever and can be re-derived and checked. Late data never changes it; a new run is a new
 * version of the same ranking (same units, parent and period). Texts are canonical JSON, kept as text rather
 * than jsonb because jsonb does not keep bytes.
 */
@Entity({ tableName: 'frozen_rankings' })
@Unique({ properties: ['rankingKey', 'version'] })
export class FrozenRanking {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  /** what is ranked: 'regions:350000:PREFECTURE:2025-01-01:2025-12-31', 'agencies:350500:市场监管:…' */
  @Property({ type: 'text' })
  rankingKey!: string;

  /** 1, 2, …: each freeze of the same ranking key */
  @Property({ type: 'integer' })
  version!: number;

  @Property({ type: 'text' })
  title!: string;

  @Property({ type: 'date' })
  asOf!: string;

  @Property({ type: 'string', length: 100 })
  profileName!: string;

  @Property({ type: 'string', length: 64 })
  profileFingerprint!: string;

  /** canonical JSON of the whole profile in force */
  @Property({ type: 'text' })
  profile!: string;

  /** canonical JSON of the request */
  @Property({ type: 'text' })
  request!: string;

  /** canonical JSON of the units' figures the ranking was computed from */
  @Property({ type: 'text' })
  inputs!: string;

  /** canonical JSON of the ranking as published */
  @Property({ type: 'text' })
  result!: string;

  @Property({ type: 'string', length: 64 })
  resultSha256!: string;

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  frozenAt!: Date;

  /** who froze it: the token's subject, or the OS user for `hub rank freeze` */
  @Property({ type: 'string', length: 200 })
  frozenBy!: string;
}
