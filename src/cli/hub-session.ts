import type { MikroORM } from '@mikro-orm/postgresql';
import type { Pool } from 'pg';
import { readConfig, type HubConfig } from '../config';
import { acquireDatabase, type DatabaseHandle } from '../database/database';
import { createPool } from '../database/pg';
import { openWarehouse } from '../warehouse/orm';

/**
 * What a command works with: configuration, the database (started if embedded), the warehouse ORM, and a
 * plain connection pool for the bulk paths (COPY, generated SQL) that go around the ORM.
 */
export interface HubSession { config: HubConfig; database: DatabaseHandle; orm: MikroORM; pool(): Pool; close(): Promise<void> }

export const log = (line: string) => process.stderr.write(`${line}\n`);

export async function openHubSession(config: HubConfig = readConfig()): Promise<HubSession> {
  const database = await acquireDatabase(config, log);
  let orm: MikroORM;
  try {
    orm = await openWarehouse(database.url);
  } catch (error) {
    await database.release();
    throw error;
  }
  let closed = false;
  let pool: Pool | undefined;
  return {
    config, database, orm,
    pool: () => (pool ??= createPool(database.url)),
    close: async () => {
      if (closed) return;
      closed = true;
      await pool?.end();
      await orm.close(true);
      await database.release();
    },
  };
}

/** Runs a command's body inside a session and always closes it, also when the body fails. */
export async function withHubSession<T>(body: (session: HubSession) => Promise<T>): Promise<T> {
  const session = await openHubSession();
  try {
    return await body(session);
  } finally {
    await session.close();
  }
}
