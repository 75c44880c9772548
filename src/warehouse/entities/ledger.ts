import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The tamper-evident ledger (seeds 002 and 004: records kept so that they cannot be deleted or altered): every
 * accepted version of a fact row, appended to its agency's hash chain. An entry hashes the previous entry, the
 * row's canonical form (`ledger_row_hash`) and where the row came from, so changing or removing any stored row
 * or entry shows at the first entry that no longer recomputes. Append-only: triggers refuse UPDATE, DELETE and
 * TRUNCATE, and the API's role only reads.
 */
@Entity({ tableName: 'ledger_entries' })
@Index({ properties: ['agencyUscc', 'entity', 'naturalKey'] })
export class LedgerEntry {
  @PrimaryKey({ type: 'string', length: 12 })
  regionCode!: string;

  @PrimaryKey({ type: 'string', length: 18 })
  agencyUscc!: string;

  /** 1, 2, … within the agency's chain */
  @PrimaryKey({ type: 'bigint' })
  seq!: string;

  /** the fact table: cases, publications, recordings, … */
  @Property({ type: 'string', length: 40 })
  entity!: string;

  /** the row's key within its agency: its primary key columns after region and agency, joined by | */
  @Property({ type: 'text' })
  naturalKey!: string;

  /** SHA-256 of the row's canonical form (ledger_row_hash) */
  @Property({ type: 'string', length: 64 })
  rowHash!: string;

  @Property({ type: 'string', length: 100, nullable: true })
  source?: string | null;

  /** the file line or API page the version came from */
  @Property({ type: 'text', nullable: true })
  position?: string | null;

  @Property({ type: 'bigint', nullable: true })
  run?: string | null;

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  recordedAt!: Date;

  @Property({ type: 'string', length: 64 })
  prevHash!: string;

  @Property({ type: 'string', length: 64 })
  entryHash!: string;
}

/** A signed statement of every chain's head at one moment (Ed25519): a chain rewritten after it no longer matches. */
@Entity({ tableName: 'ledger_checkpoints' })
export class LedgerCheckpoint {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt!: Date;

  /** canonical JSON {"at": …, "heads": {agencyUscc: [seq, entryHash]}}, exactly the bytes signed */
  @Property({ type: 'text' })
  signedText!: string;

  /** base64 Ed25519 signature of signedText */
  @Property({ type: 'text' })
  signature!: string;

  /** the signing key's public half (SPKI PEM) */
  @Property({ type: 'text' })
  publicKey!: string;
}

/** The outcome of one verification of one agency's chain (`hub verify`), for the dashboards and the API. */
@Entity({ tableName: 'ledger_verifications' })
@Index({ properties: ['agencyUscc', 'verifiedAt'] })
export class LedgerVerification {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'string', length: 12 })
  regionCode!: string;

  @Property({ type: 'string', length: 18 })
  agencyUscc!: string;

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  verifiedAt!: Date;

  @Property({ type: 'boolean' })
  ok!: boolean;

  @Property({ type: 'bigint' })
  entries!: string;

  /** the first entry that does not verify */
  @Property({ type: 'bigint', nullable: true })
  brokenSeq?: string | null;

  /** what is wrong, in words */
  @Property({ type: 'text', nullable: true })
  problem?: string | null;
}
