import crypto from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Pool } from 'pg';
import { createPool } from '../../src/database/pg';
import { openWarehouse } from '../../src/warehouse/orm';
import { databaseUrl, templateDatabase, withAdminClient } from './test-cluster';

/** A database of its own for one test file, cloned from the migrated template; dropped by `drop()`. */
export interface TestDatabase { url: string; name: string; orm: MikroORM; drop(): Promise<void> }

function serverUrl(): string {
  const url = process.env.HUB_TEST_SERVER_URL;
  if (!url) throw new Error('HUB_TEST_SERVER_URL is not set: integration tests run through jest\'s global setup');
  return url;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const server = serverUrl();
  const name = `hub_test_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  await withAdminClient(server, (client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${templateDatabase}`));
  const url = databaseUrl(server, name);
  const orm = await openWarehouse(url);
  return {
    url, name, orm,
    drop: async () => {
      await orm.close(true);
      await withAdminClient(server, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/** A database of its own for one test file and a pool on it; `close()` ends the pool and drops the database. */
export interface TestPool { db: TestDatabase; pool: Pool; close(): Promise<void> }

export async function createTestPool(size?: number): Promise<TestPool> {
  const db = await createTestDatabase();
  const pool = createPool(db.url, size);
  return { db, pool, close: async () => { await pool.end(); await db.drop(); } };
}

/** A database created empty (not from the template), for tests of migrating from nothing. */
export async function createEmptyDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const server = serverUrl();
  const name = `hub_test_empty_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  await withAdminClient(server, (client) => client.query(`CREATE DATABASE ${name}`));
  return {
    url: databaseUrl(server, name),
    drop: () => withAdminClient(server, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
