import type { Pool, PoolClient } from 'pg';
import type { SourceScope } from '../../etl/pipeline/batch-types';
import { createTestPool, type TestDatabase } from './test-database';

/**
 * What a test of loading batches by hand needs: a database of its own, a source (泉州市's files, covering 350500)
 * with one run, and a connection held for the file's batches.
 */
export interface BatchFixture {
  db: TestDatabase;
  pool: Pool;
  client: PoolClient;
  runId: string;
  scope: SourceScope;
  close(): Promise<void>;
}

export async function openBatchFixture(): Promise<BatchFixture> {
  const { db, pool, close } = await createTestPool();
  const client = await pool.connect();
  await client.query(`insert into sources (id, name, transport, location, covers_region_code) values ('quanzhou-files', '泉州市文件', 'FOLDER', '/tmp', '350500')`);
  const runId = (await client.query<{ id: string }>(`insert into etl_runs (source) values ('quanzhou-files') returning id`)).rows[0]!.id;
  return {
    db, pool, client, runId,
    scope: { sourceId: 'quanzhou-files', agencyUscc: null, regionPrefix: '3505' },
    close: async () => { client.release(); await close(); },
  };
}
