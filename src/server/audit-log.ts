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

export interface AuditLog {
  /** keeps one request's entry; it is in api_audit_log within `flushMilliseconds` */
  write(entry: AuditEntry): void;
  /** writes what is kept and stops (before the pool ends) */
  close(): Promise<void>;
}

export interface AuditLogOptions {
  /** how long an entry waits for others to go with it */
  flushMilliseconds: number;
  /** entries written by one statement at most */
  maxEntries: number;
}

/**
 * api_audit_log, appended by the API's own role (insert only; reading is for ADMIN): who ran which operation with
 * which variables, how it ended and what it cost, written after the request's transaction, so a failed request
 * is logged too; `at` is when the request ended. Entries wait up to `flushMilliseconds` and go in together, one INSERT for many requests: one
 * per request cost a round trip and a commit each, as much as answering from the rollups did. What is kept
 * when the process dies unexpectedly is lost (at most that many milliseconds of requests). A failure to write
 * is reported, not hidden, but does not fail an answer already sent.
 */
export function openAuditLog(pool: Pool, onError: (error: unknown) => void,
  options: AuditLogOptions = { flushMilliseconds: 50, maxEntries: 500 }): AuditLog {
  let kept: { entry: AuditEntry; at: string }[] = [];
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    const entries = kept;
    kept = [];
    if (entries.length === 0) return writing;
    // one statement at a time, in order: ids follow the requests' order
    writing = writing.then(() => insertEntries(pool, entries)).catch(onError);
    return writing;
  };

  return {
    write(entry) {
      kept.push({ entry, at: new Date().toISOString() });
      if (kept.length >= options.maxEntries) void flush();
      else timer ??= setTimeout(() => void flush(), options.flushMilliseconds);
    },
    async close() {
      await flush();
    },
  };
}

async function insertEntries(pool: Pool, entries: { entry: AuditEntry; at: string }[]): Promise<void> {
  const rows = entries.map(({ entry, at }, n) => ({
    n,
    at,
    viewer_role: entry.viewer.role,
    viewer_region: entry.viewer.regionCode ?? null,
    viewer_agency: entry.viewer.agencyUscc ?? null,
    viewer_subject: entry.viewer.subject ?? null,
    operation_kind: entry.kind,
    operation_name: entry.operationName?.slice(0, 200) ?? null,
    query_sha256: entry.query === null ? null : crypto.createHash('sha256').update(entry.query).digest('hex'),
    query: entry.query === null ? null : entry.query.slice(0, MAX_QUERY_TEXT),
    variables: entry.variables === undefined ? null : entry.variables,
    outcome: entry.outcome,
    error: entry.error?.slice(0, 2000) ?? null,
    sql_statements: entry.sqlStatements,
    duration_ms: Math.round(entry.durationMs),
    client_address: entry.clientAddress,
  }));
  const columns = Object.keys(rows[0]!).filter((column) => column !== 'n');
  await pool.query(
    `insert into api_audit_log (${columns.join(', ')})
     select ${columns.map((c) => `r.${c}`).join(', ')}
     from jsonb_to_recordset($1::jsonb) as r(n int, at timestamptz, viewer_role text, viewer_region text, viewer_agency text, viewer_subject text,
       operation_kind text, operation_name text, query_sha256 text, query text, variables jsonb, outcome text, error text,
       sql_statements int, duration_ms int, client_address text)
     order by r.n`,
    [JSON.stringify(rows)]);
}
