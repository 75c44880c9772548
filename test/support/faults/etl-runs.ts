import fs from 'node:fs';
import path from 'node:path';
import type { Pool } from 'pg';
import { stringify } from 'yaml';
import type { SourceDefinition } from '../../../etl/sources/source-definition';
import { spawnHub } from '../hub-process';

/** A sources file (etl/sources.example.yaml's format) in `folder`, for HUB_SOURCES; a folder location is relative to it. */
export function writeSourcesFile(folder: string, sources: Omit<SourceDefinition, 'synthetic'>[]): string {
  const file = path.join(folder, 'sources.yaml');
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(file, stringify({ sources }));
  return file;
}

/** One `hub etl run --source <id>` as a person types it, to its end: exit code and everything it printed. */
export async function runEtl(env: NodeJS.ProcessEnv, sourceId: string, ...args: string[]): Promise<{ code: number | null; output: string }> {
  const hub = spawnHub(['etl', 'run', '--source', sourceId, ...args], env);
  return { code: await hub.exited, output: hub.output() };
}

/**
 * FEEDS.md's rule that nothing is lost inside a run: of every entity a run read, each row was inserted, updated,
 * unchanged, quarantined or held (as each run recorded it, a failed run's committed batches included).
 */
export async function expectEveryReadRowAccounted(pool: Pool, sourceId: string): Promise<void> {
  const { rows } = await pool.query<{ id: string; counts: Record<string, Record<string, number>> }>(
    'select id, counts from etl_runs where source = $1 order by id', [sourceId]);
  expect(rows.length).toBeGreaterThan(0);
  for (const { id, counts } of rows) {
    for (const [entity, c] of Object.entries(counts)) {
      expect({ run: id, entity, read: c.read }).toEqual({ run: id, entity, read: c.inserted + c.updated + c.unchanged + c.quarantined + c.held });
    }
  }
}
