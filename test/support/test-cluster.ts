import path from 'node:path';
import { Client } from 'pg';
import { readConfig } from '../../src/config';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { freePort } from './free-port';

/**
 * The PostgreSQL server the integration tests use: DATABASE_URL when set (e.g. the system server on
 * 127.0.0.1:5432), otherwise an embedded cluster of its own (not the hub's demo data) on its own port.
 */
export const templateDatabase = 'hub_test_template';

export async function startTestServer(log: (line: string) => void) {
  const config = readConfig();
  if (config.databaseUrl) return { url: config.databaseUrl, stop: async () => undefined, kind: 'DATABASE_URL' };
  const embedded = await startEmbeddedPostgres({
    dataDir: path.join(config.dataDir, 'test'),
    // a free port unless one is given: another checkout's tests may be running beside these
    port: Number(process.env.HUB_TEST_PG_PORT) || await freePort(),
    database: 'postgres',
    log,
  });
  return { url: embedded.url, stop: () => embedded.stop(), kind: 'embedded' };
}

export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function withAdminClient<T>(serverUrl: string, body: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}

