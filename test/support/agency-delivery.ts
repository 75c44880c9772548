import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Pool } from 'pg';
import type { EntityName } from '../../etl/feed/entity-names';
import { runSource } from '../../etl/pipeline/run-source';
import { writeCsv } from './builders/feed-files';

/**
 * Feed rows one agency delivers late (FEEDS.md field names), loaded through the real ETL as that agency's folder
 * source, one CSV per entity: what marks changed days for the next rollup refresh. Returns the folder, for the
 * caller to remove; a run that does not succeed throws, saying why.
 */
export async function deliverAsAgency(pool: Pool, agencyUscc: string,
  files: Partial<Record<EntityName, Record<string, string | null>[]>>): Promise<string> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'agency-delivery-'));
  for (const [entity, rows] of Object.entries(files)) writeCsv(path.join(folder, `${entity}.csv`), entity as EntityName, rows);
  const summary = await runSource(pool, {
    id: `late-${agencyUscc}`, name: '补报', transport: 'FOLDER', location: folder, covers: { agency: agencyUscc },
  }, { trigger: 'test' });
  if (summary.status !== 'SUCCEEDED' || summary.error) {
    fs.rmSync(folder, { recursive: true, force: true });
    throw new Error(`delivery of ${agencyUscc}: ${summary.status} ${summary.error ?? ''}`);
  }
  return folder;
}
