import crypto from 'node:crypto';
import type { Pool } from 'pg';
import type { Viewer } from '../domain/access/viewer';

export interface AuditEntry {
  viewer: Viewer;
  kind: 'query' | 'mutation' | 'export' | 'refused';
  operationName: string | null;
  query: string | null;
  variables: unknown;
  outcome: 'OK' | 'ERROR' | 'REFUSED';
  error: string | null;
  sqlStatements: number;
  durationMs: number;
  clientAddress: string | null;
}

/** Queries are kept whole up to this size (a hostile one is refused long before; its hash is always kept). */
const MAX_QUERY_TEXT = 20_000;

/**
 * Appends one request to api_audit_log: who ran which operation with which variables, how it ended and what it
 * cost. Written by the API's own role (insert only; reading is for ADMIN) after the request's transaction, so a
 * failed request is logged too. A failure to log is reported, not hidden, but does not fail the answer sent.
 */
export async function writeAuditEntry(pool: Pool, entry: AuditEntry, onError: (error: unknown) => void): Promise<void> {
  try {
    await pool.query(
      `insert into api_audit_log (viewer_role, viewer_region, viewer_agency, viewer_subject, operation_kind, operation_name,
         query_sha256, query, variables, outcome, error, sql_statements, duration_ms, client_address)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12, $13, $14)`,
      [entry.viewer.role, entry.viewer.regionCode ?? null, entry.viewer.agencyUscc ?? null, entry.viewer.subject ?? null,
        entry.kind, entry.operationName?.slice(0, 200) ?? null,
        entry.query === null ? null : crypto.createHash('sha256').update(entry.query).digest('hex'),
        entry.query === null ? null : entry.query.slice(0, MAX_QUERY_TEXT),
        entry.variables === undefined ? null : JSON.stringify(entry.variables), entry.outcome,
        entry.error?.slice(0, 2000) ?? null, entry.sqlStatements, Math.round(entry.durationMs), entry.clientAddress]);
  } catch (error) {
    onError(error);
  }
}
