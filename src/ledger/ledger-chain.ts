import crypto from 'node:crypto';

/**
 * The ledger's chain formula: an entry's hash is the SHA-256 of `prev_hash|seq|entity|natural_key|row_hash|source|
 * position|run`, the first entry's prev_hash 64 zeros. The ETL chains its batches with it (etl/pipeline/
 * append-ledger.ts) and verification recomputes with it; the migration's `ledger_append`, which wrote the first
 * chains, states the same formula in SQL. A test checks that the database and this function agree.
 */
export const GENESIS_HASH = '0'.repeat(64);

export interface ChainEntry {
  seq: string;
  entity: string;
  naturalKey: string;
  rowHash: string;
  source: string | null;
  position: string | null;
  run: string | null;
}

export function entryHashOf(prevHash: string, entry: ChainEntry): string {
  const text = [prevHash, entry.seq, entry.entity, entry.naturalKey, entry.rowHash, entry.source ?? '', entry.position ?? '', entry.run ?? ''].join('|');
  return crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A row's key within its agency as the ledger names it: its key columns as text, joined by | (SQL over `alias`). */
export function ledgerKeySql(keys: readonly string[], alias: string): string {
  return keys.map((k) => `${alias}."${k}"::text`).join(` || '|' || `);
}
