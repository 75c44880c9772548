import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The key the hub signs and checks its API tokens with when configuration gives none (the embedded default):
 * created on first use, kept in the warehouse so that `hub token` and the running hub agree without set-up.
 * Readable by the owner only; the API's role has no grant on it.
 */
@Entity({ tableName: 'api_signing_keys' })
export class ApiSigningKey {
  @PrimaryKey({ type: 'string', length: 40 })
  id!: string;

  /** HS256 */
  @Property({ type: 'string', length: 20 })
  algorithm!: string;

  /** base64url */
  @Property({ type: 'text' })
  secret!: string;

  @Property({ type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt!: Date;
}
