import type { Pool, PoolClient } from 'pg';
import { viewerSubtreePrefix, type Viewer } from '../domain/access/viewer';

/**
 * One transaction as one viewer: the API's role sees rows through the policies of the ApiAccess migration, which
 * read the viewer from these transaction-local settings. `set_config(…, true)` ends with the transaction, so a
 * pooled connection never carries one request's viewer into the next.
 *
 * BEGIN and the settings go as one simple-protocol message (values as escaped literals, not parameters): every
 * request pays this, and a round trip to PostgreSQL costs more than both statements do.
 */
export async function beginAsViewer(client: PoolClient, viewer: Viewer, options: { readOnly: boolean }): Promise<void> {
  const literal = (value: string) => client.escapeLiteral(value);
  await client.query(`${options.readOnly ? 'begin isolation level repeatable read read only' : 'begin'};
    select set_config('hub.viewer_role', ${literal(viewer.role)}, true), set_config('hub.viewer_subtree', ${literal(viewerSubtreePrefix(viewer))}, true),
      set_config('hub.viewer_agency', ${literal(viewer.agencyUscc ?? '')}, true)`);
}

/** Runs `body` in a transaction as `viewer` on a connection of the API's pool; commits when it succeeds. */
export async function withViewer<T>(pool: Pool, viewer: Viewer, body: (client: PoolClient) => Promise<T>,
  options: { readOnly?: boolean } = {}): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await beginAsViewer(client, viewer, { readOnly: options.readOnly ?? true });
    const result = await body(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => { broken = true; });
    throw error;
  } finally {
    client.release(broken);
  }
}
