import path from 'node:path';
import { readConfig } from '../../src/config';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { createPool } from '../../src/database/pg';
import { migrateWarehouse } from '../../src/warehouse/migrate';
import { openWarehouse } from '../../src/warehouse/orm';

/**
 * The server benchmarks run against: DATABASE_URL, or an embedded cluster of their own (.data/bench) so
 * that figures never mix with the demo's data. Each measurement gets a freshly migrated database.
 */
export interface BenchServer { url: string; describe: string; stop(): Promise<void> }

export async function startBenchServer(): Promise<BenchServer> {
  const config = readConfig();
  if (config.databaseUrl) return { url: config.databaseUrl, describe: 'DATABASE_URL', stop: async () => undefined };
  const embedded = await startEmbeddedPostgres({
    dataDir: path.join(config.dataDir, 'bench'), port: Number(process.env.HUB_BENCH_PG_PORT || 54349), database: 'postgres',
  });
  return { url: embedded.url, describe: 'embedded PostgreSQL 17', stop: () => embedded.stop() };
}

export function withDatabase(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A migrated database of its own, dropped first if an earlier run left it. */
export async function freshDatabase(serverUrl: string, name: string): Promise<string> {
  const admin = createPool(serverUrl, 1);
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  return migrated(withDatabase(serverUrl, name));
}

/**
 * The database an earlier run left, migrated to the current schema, when its comment is `marker` (what it
 * was built from); null when there is none or it was built otherwise.
 */
export async function keptDatabase(serverUrl: string, name: string, marker: string): Promise<string | null> {
  const admin = createPool(serverUrl, 1);
  try {
    const { rows } = await admin.query<{ comment: string | null }>(
      `select shobj_description(oid, 'pg_database') as comment from pg_database where datname = $1`, [name]);
    if (rows[0]?.comment !== marker) return null;
  } finally {
    await admin.end();
  }
  return migrated(withDatabase(serverUrl, name));
}

async function migrated(url: string): Promise<string> {
  const orm = await openWarehouse(url);
  try {
    await migrateWarehouse(orm);
  } finally {
    await orm.close(true);
  }
  return url;
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const admin = createPool(serverUrl, 1);
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end();
  }
}
