import type { PoolClient } from 'pg';
import type { SourceDefinition } from '../sources/source-definition';
import type { EntityCounts } from './batch-types';

export interface RunProblem { where: string; message: string }

/** Mirrors the source's definition into `sources` (credentials never: only the name of their variable). */
export async function registerSource(client: PoolClient, source: SourceDefinition): Promise<void> {
  await client.query(
    `insert into sources (id, name, transport, covers_region_code, covers_agency_uscc, location, schedule, mapping, definition)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     on conflict (id) do update set name = excluded.name, transport = excluded.transport,
       covers_region_code = excluded.covers_region_code, covers_agency_uscc = excluded.covers_agency_uscc,
       location = excluded.location, schedule = excluded.schedule, mapping = excluded.mapping,
       definition = excluded.definition, updated_at = now()`,
    [source.id, source.name, source.transport, source.covers.region ?? null, source.covers.agency ?? null,
      source.location, source.schedule ?? null, source.mapping ?? null, JSON.stringify(source)]);
}

/**
 * Runs of the source still marked RUNNING when a new one holds its lock were cut off (the process was killed
 * or the machine stopped): say so. What they committed stays; the new run carries on from there.
 */
export async function closeInterruptedRuns(client: PoolClient, sourceId: string): Promise<number> {
  const { rowCount } = await client.query(
    `update etl_runs set status = 'FAILED', finished_at = now(),
       error = 'interrupted: the process ended before the run finished (what it had committed is kept)'
     where source = $1 and status = 'RUNNING'`, [sourceId]);
  return rowCount ?? 0;
}

export async function startRun(client: PoolClient, sourceId: string, trigger: string): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    `insert into etl_runs (source, trigger) values ($1, $2) returning id`, [sourceId, trigger]);
  return rows[0]!.id;
}

export async function finishRun(client: PoolClient, runId: string, outcome: {
  status: 'SUCCEEDED' | 'FAILED'; counts: Record<string, EntityCounts>; problems: RunProblem[]; error?: string | null;
}): Promise<Date> {
  const { rows } = await client.query<{ finished_at: Date }>(
    `update etl_runs set status = $2, finished_at = now(), counts = $3, problems = $4, error = $5 where id = $1
     returning finished_at`,
    [runId, outcome.status, JSON.stringify(outcome.counts), JSON.stringify(outcome.problems), outcome.error ?? null]);
  return rows[0]!.finished_at;
}

/** Counts committed so far, so a crashed run's row says how far it got. */
export async function saveRunCounts(client: PoolClient, runId: string, counts: Record<string, EntityCounts>): Promise<void> {
  await client.query(`update etl_runs set counts = $2 where id = $1`, [runId, JSON.stringify(counts)]);
}
