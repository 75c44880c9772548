import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { entryHashOf, GENESIS_HASH } from '../../src/ledger/ledger-chain';
import { copyLine, copyValue } from './copy-text';

/**
 * A row version a batch stored, as the ledger records it (merge-sql.ts `ledgerVersions`, in key order), its row hash
 * `ledger_row_hash` of the stored row, taken in Node (ledger-row.ts) or by PostgreSQL.
 */
export interface LedgerVersion {
  region_code: string;
  agency_uscc: string;
  natural_key: string;
  row_hash: string;
  source: string | null;
  position: string | null;
  run: string | null;
}

const entryColumns = ['region_code', 'agency_uscc', 'seq', 'entity', 'natural_key', 'row_hash', 'source', 'position', 'run',
  'prev_hash', 'entry_hash'];

/**
 * Appends a batch's row versions to their agencies' hash chains (issue 8, 防删改), in the order given. The chain is
 * the one `ledger_append` (migration Ledger) writes a row at a time — the same lock per agency, the same seq and
 * entry_hash formula (src/ledger/ledger-chain.ts) — but each agency's head is read once per batch, the hashes
 * are chained here, and the entries go in by one COPY: per row, the function's lock, head lookup and INSERT
 * cost several times what the COPY does.
 *
 * The per-agency advisory locks are taken before the heads are read and held to the end of the transaction, so
 * a concurrent load of the same agency (another source) waits and then chains after this batch's entries. They
 * are taken in USCC order, so that two batches never deadlock (one waits for the other).
 */
export async function appendToLedger(client: PoolClient, entity: string, versions: LedgerVersion[]): Promise<number> {
  if (versions.length === 0) return 0;
  const chains = new Map<string, { region: string; agency: string; seq: bigint; hash: string }>();
  for (const version of versions) {
    const key = `${version.region_code}|${version.agency_uscc}`;
    if (!chains.has(key)) chains.set(key, { region: version.region_code, agency: version.agency_uscc, seq: 0n, hash: GENESIS_HASH });
  }
  const agencies = [...new Set([...chains.values()].map((chain) => chain.agency))].sort();
  await client.query(`select pg_advisory_xact_lock(hashtextextended('ledger:' || a, 0)) from unnest($1::text[]) with ordinality as u(a, i) order by i`,
    [agencies]);
  // read after the locks: a head committed by a load that held them is the one to chain on
  const heads = await client.query<{ region_code: string; agency_uscc: string; seq: string; entry_hash: string }>(
    `select a.region_code, a.agency_uscc, h.seq::text, h.entry_hash
     from unnest($1::text[], $2::text[]) as a(region_code, agency_uscc)
     join lateral (select e.seq, e.entry_hash from ledger_entries e
                   where e.region_code = a.region_code and e.agency_uscc = a.agency_uscc order by e.seq desc limit 1) h on true`,
    [[...chains.values()].map((chain) => chain.region), [...chains.values()].map((chain) => chain.agency)]);
  for (const head of heads.rows) {
    const chain = chains.get(`${head.region_code}|${head.agency_uscc}`)!;
    chain.seq = BigInt(head.seq);
    chain.hash = head.entry_hash;
  }

  const lines: string[] = [];
  for (const version of versions) {
    const chain = chains.get(`${version.region_code}|${version.agency_uscc}`)!;
    const seq = (chain.seq + 1n).toString();
    const entryHash = entryHashOf(chain.hash, {
      seq, entity, naturalKey: version.natural_key, rowHash: version.row_hash,
      source: version.source, position: version.position, run: version.run,
    });
    lines.push(copyLine([version.region_code, version.agency_uscc, seq, entity, version.natural_key, version.row_hash,
      version.source, version.position, version.run, chain.hash, entryHash].map((value) => copyValue(value, 'text'))));
    chain.seq += 1n;
    chain.hash = entryHash;
  }
  await pipeline(Readable.from([lines.join('')]), client.query(copyFrom(
    `copy ledger_entries (${entryColumns.map((c) => `"${c}"`).join(', ')}) from stdin`)));
  return versions.length;
}
