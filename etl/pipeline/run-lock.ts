import type { PoolClient } from 'pg';

/**
 * One run per source at a time: a session-level advisory lock held by the run's own connection, so it is
 * released even when the process dies (the connection closes with it).
 */
export class SourceBusyError extends Error {
  constructor(readonly sourceId: string, detail: string) {
    super(`source ${sourceId} is being loaded by another run${detail}; wait for it to finish, or try again later`);
    this.name = 'SourceBusyError';
  }
}

/**
 * Waits up to `waitMs` for the lock before refusing: a run killed a moment ago may still hold it until its
 * server process notices the connection is gone, which takes as long as its last statement.
 */
export async function lockSource(client: PoolClient, sourceId: string, waitMs = 15000): Promise<() => Promise<void>> {
  const deadline = Date.now() + waitMs;
  let locked = false;
  for (;;) {
    const { rows } = await client.query<{ locked: boolean }>(
      `select pg_try_advisory_lock(hashtext('hub-etl-source'), hashtext($1)) as locked`, [sourceId]);
    locked = rows[0]!.locked;
    if (locked || Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  if (!locked) {
    const running = await client.query<{ id: string; started_at: Date }>(
      `select id, started_at from etl_runs where source = $1 and status = 'RUNNING' order by id desc limit 1`, [sourceId]);
    const run = running.rows[0];
    throw new SourceBusyError(sourceId, run ? ` (run ${run.id}, started ${run.started_at.toISOString()})` : '');
  }
  return async () => {
    await client.query(`select pg_advisory_unlock(hashtext('hub-etl-source'), hashtext($1))`, [sourceId]);
  };
}
