import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** One API request: who ran which operation with which variables, how it ended and what it cost. */
@Entity({ tableName: 'api_audit_log' })
export class ApiAuditEntry {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()', index: true })
  at!: Date;

  /** PUBLIC, AGENCY, SUPERVISOR, PROVINCE, ADMIN */
  @Property({ type: 'string', length: 20 })
  viewerRole!: string;

  @Property({ type: 'string', length: 12, nullable: true })
  viewerRegion?: string | null;

  @Property({ type: 'string', length: 18, nullable: true })
  viewerAgency?: string | null;

  /** the token's subject */
  @Property({ type: 'string', length: 200, nullable: true })
  viewerSubject?: string | null;

  /** query, mutation, export, refused */
  @Property({ type: 'string', length: 20 })
  operationKind!: string;

  @Property({ type: 'string', length: 200, nullable: true })
  operationName?: string | null;

  @Property({ type: 'string', length: 64, nullable: true })
  querySha256?: string | null;

  @Property({ type: 'text', nullable: true })
  query?: string | null;

  @Property({ type: 'json', nullable: true })
  variables?: unknown;

  /** OK, ERROR, REFUSED */
  @Property({ type: 'string', length: 20 })
  outcome!: string;

  @Property({ type: 'text', nullable: true })
  error?: string | null;

  @Property({ type: 'integer', default: 0 })
  sqlStatements!: number;

  @Property({ type: 'integer', default: 0 })
  durationMs!: number;

  @Property({ type: 'string', length: 100, nullable: true })
  clientAddress?: string | null;
}
