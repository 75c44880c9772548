import type { Pool } from 'pg';
import { checkpointSignatureHolds, readCheckpoints, type Heads } from './checkpoints';
import { entryHashOf, GENESIS_HASH, ledgerKeySql } from './ledger-chain';
import { ledgeredTables } from './ledgered-tables';

/**
 * `hub verify`: recompute every agency's chain from its first entry, check the signed checkpoints against it, and
 * compare what the fact tables hold now with the last version the ledger recorded of each row. The first entry of
 * an agency that fails is named — a changed or removed entry, a stored row that differs from its recorded version
 * (edited in place), one that is gone (deleted), or one the ledger never saw (written around the ETL).
 */

export type LedgerProblemKind = 'CHAIN_BROKEN' | 'CHECKPOINT_MISMATCH' | 'ROW_CHANGED' | 'ROW_DELETED' | 'ROW_UNRECORDED';

export interface LedgerProblem {
  kind: LedgerProblemKind;
  agencyUscc: string;
  regionCode: string;
  /** the ledger entry concerned (the row's last recorded version); null for a row the ledger never saw */
  seq: string | null;
  entity: string;
  naturalKey: string;
  message: string;
}

export interface AgencyVerification {
  agencyUscc: string;
  regionCode: string;
  entries: number;
  ok: boolean;
  /** the first problem by entry number (unrecorded rows last) */
  problem: LedgerProblem | null;
  problems: number;
}

export interface LedgerVerificationReport {
  agencies: AgencyVerification[];
  entries: number;
  checkpoints: number;
  /** problems with the checkpoints themselves: a bad signature, or a key other than the trusted one */
  checkpointProblems: string[];
}

const PAGE = 20000;

interface EntryRow {
  region_code: string; agency_uscc: string; seq: string; entity: string; natural_key: string; row_hash: string;
  source: string | null; position: string | null; run: string | null; prev_hash: string; entry_hash: string;
}

export async function verifyLedger(pool: Pool, options: { agencyUscc?: string; trustedPublicKey?: string | null } = {}): Promise<LedgerVerificationReport> {
  const agencies = new Map<string, AgencyVerification>();
  const problemsOf = new Map<string, LedgerProblem[]>();
  const note = (problem: LedgerProblem) => {
    const key = `${problem.regionCode}|${problem.agencyUscc}`;
    problemsOf.set(key, [...(problemsOf.get(key) ?? []), problem]);
  };
  const agencyOf = (region: string, agency: string) => {
    const key = `${region}|${agency}`;
    let found = agencies.get(key);
    if (!found) agencies.set(key, (found = { agencyUscc: agency, regionCode: region, entries: 0, ok: true, problem: null, problems: 0 }));
    return found;
  };

  // the checkpoints: each signature, and which (agency, entry) must carry which hash
  const checkpointProblems: string[] = [];
  const signed = new Map<string, { hash: string; checkpoint: string }[]>();
  const checkpoints = await readCheckpoints(pool);
  for (const checkpoint of checkpoints) {
    if (!checkpointSignatureHolds(checkpoint, checkpoint.publicKey)) {
      checkpointProblems.push(`检查点 ${checkpoint.id} 的签名不成立：其内容在签名后被改动`);
      continue;
    }
    if (options.trustedPublicKey && options.trustedPublicKey.trim() !== checkpoint.publicKey.trim()) {
      checkpointProblems.push(`检查点 ${checkpoint.id} 不是由本系统的签名密钥签署的`);
      continue;
    }
    const { heads } = JSON.parse(checkpoint.signedText) as { heads: Heads };
    for (const [agency, [seq, hash]] of Object.entries(heads)) {
      if (options.agencyUscc && agency !== options.agencyUscc) continue;
      const key = `${agency}|${seq}`;
      signed.set(key, [...(signed.get(key) ?? []), { hash, checkpoint: checkpoint.id }]);
    }
  }

  // the chains, page by page in (agency, region, seq) order
  let after: [string, string, string] | null = null;
  let current = null as { key: string; lastSeq: bigint; lastHash: string; broken: boolean } | null;
  let total = 0;
  for (;;) {
    const params: unknown[] = [];
    const where: string[] = [];
    if (options.agencyUscc) where.push(`agency_uscc = $${params.push(options.agencyUscc)}`);
    if (after) where.push(`(agency_uscc, region_code, seq) > ($${params.push(after[0])}, $${params.push(after[1])}, $${params.push(after[2])}::bigint)`);
    const { rows } = await pool.query<EntryRow>(
      `select region_code, agency_uscc, seq::text, entity, natural_key, row_hash, source, position, run::text, prev_hash, entry_hash
       from ledger_entries ${where.length ? `where ${where.join(' and ')}` : ''}
       order by agency_uscc, region_code, ledger_entries.seq limit ${PAGE}`, params);
    for (const row of rows) {
      total++;
      const agency = agencyOf(row.region_code, row.agency_uscc);
      agency.entries++;
      const key = `${row.region_code}|${row.agency_uscc}`;
      if (current?.key !== key) current = { key, lastSeq: 0n, lastHash: GENESIS_HASH, broken: false };
      if (current.broken) continue;
      const seq = BigInt(row.seq);
      const recomputed = entryHashOf(current.lastHash, {
        seq: row.seq, entity: row.entity, naturalKey: row.natural_key, rowHash: row.row_hash, source: row.source, position: row.position, run: row.run,
      });
      let message: string | null = null;
      if (seq !== current.lastSeq + 1n) message = `第 ${current.lastSeq + 1n} 条之后缺少条目（下一条为第 ${row.seq} 条）：条目被删除`;
      else if (row.prev_hash !== current.lastHash) message = `第 ${row.seq} 条的前一条摘要与链不符：前面的条目被改动或删除`;
      else if (recomputed !== row.entry_hash) message = `第 ${row.seq} 条的摘要重新计算不符：该条目被改动`;
      let kind: LedgerProblemKind = 'CHAIN_BROKEN';
      for (const claim of signed.get(`${row.agency_uscc}|${row.seq}`) ?? []) {
        if (!message && claim.hash !== row.entry_hash) {
          message = `第 ${row.seq} 条与检查点 ${claim.checkpoint} 签署的摘要不符：链在签署后被重写`;
          kind = 'CHECKPOINT_MISMATCH';
        }
      }
      if (message) {
        current.broken = true;
        note({ kind, agencyUscc: row.agency_uscc, regionCode: row.region_code,
          seq: row.seq, entity: row.entity, naturalKey: row.natural_key, message });
      }
      current.lastSeq = seq;
      current.lastHash = row.entry_hash;
    }
    if (rows.length < PAGE) break;
    const last = rows[rows.length - 1]!;
    after = [last.agency_uscc, last.region_code, last.seq];
  }
  // a signed head whose entry is gone: the chain was cut back
  const byUscc = new Map([...agencies.values()].map((a) => [a.agencyUscc, a]));
  for (const [key, claims] of signed) {
    const [agency, seq] = key.split('|') as [string, string];
    const present = byUscc.get(agency);
    if (!present || BigInt(present.entries) < BigInt(seq)) {
      note({ kind: 'CHECKPOINT_MISMATCH', agencyUscc: agency, regionCode: present?.regionCode ?? '', seq, entity: '', naturalKey: '',
        message: `检查点 ${claims[0]!.checkpoint} 签署了第 ${seq} 条，但链中已没有该条：条目被删除` });
    }
  }

  // the rows now against their last recorded versions
  for (const { table, keys } of ledgeredTables()) {
    const params: unknown[] = [table];
    const agencyFilter = options.agencyUscc ? ` and agency_uscc = $${params.push(options.agencyUscc)}` : '';
    const { rows } = await pool.query<{ region_code: string; agency_uscc: string; natural_key: string; seq: string | null; recorded: string | null; stored: string | null }>(
      `with latest as (
         select distinct on (region_code, agency_uscc, natural_key) region_code, agency_uscc, natural_key, seq, row_hash
         from ledger_entries where entity = $1${agencyFilter}
         order by region_code, agency_uscc, natural_key, seq desc),
       stored as (
         select t.region_code, t.agency_uscc, ${ledgerKeySql(keys, 't')} as natural_key, ledger_row_hash(t) as row_hash
         from "${table}" t where true${agencyFilter.replace('agency_uscc', 't.agency_uscc')})
       select region_code, agency_uscc, natural_key, l.seq::text, l.row_hash as recorded, s.row_hash as stored
       from latest l full join stored s using (region_code, agency_uscc, natural_key)
       where l.row_hash is distinct from s.row_hash
       order by agency_uscc, l.seq nulls last`, params);
    for (const row of rows) {
      const what = `${table} ${row.natural_key}`;
      const kind: LedgerProblemKind = row.stored === null ? 'ROW_DELETED' : row.recorded === null ? 'ROW_UNRECORDED' : 'ROW_CHANGED';
      const message = kind === 'ROW_DELETED' ? `${what}：账本第 ${row.seq} 条记录的这一行已不在库中（被删除）`
        : kind === 'ROW_CHANGED' ? `${what}：库中的行与账本第 ${row.seq} 条记录的版本不同（被改动）`
          : `${what}：库中有这一行，账本中没有（绕过采集写入）`;
      agencyOf(row.region_code, row.agency_uscc);
      note({ kind, agencyUscc: row.agency_uscc, regionCode: row.region_code, seq: row.seq, entity: table, naturalKey: row.natural_key, message });
    }
  }

  for (const [key, agency] of agencies) {
    const problems = (problemsOf.get(key) ?? []).sort((a, b) =>
      (a.seq === null ? Infinity : Number(a.seq)) - (b.seq === null ? Infinity : Number(b.seq)));
    agency.ok = problems.length === 0;
    agency.problem = problems[0] ?? null;
    agency.problems = problems.length;
  }
  const sorted = [...agencies.values()].sort((a, b) => a.agencyUscc.localeCompare(b.agencyUscc));
  return { agencies: sorted, entries: total, checkpoints: checkpoints.length, checkpointProblems };
}

/** Keep each agency's outcome, for the API and the dashboards (ledger_verifications). */
export async function recordVerification(pool: Pool, report: LedgerVerificationReport): Promise<void> {
  if (report.agencies.length === 0) return;
  await pool.query(
    `insert into ledger_verifications (region_code, agency_uscc, ok, entries, broken_seq, problem)
     select * from unnest($1::text[], $2::text[], $3::boolean[], $4::bigint[], $5::bigint[], $6::text[])`,
    [report.agencies.map((a) => a.regionCode), report.agencies.map((a) => a.agencyUscc), report.agencies.map((a) => a.ok && report.checkpointProblems.length === 0),
      report.agencies.map((a) => a.entries), report.agencies.map((a) => a.problem?.seq ?? null),
      report.agencies.map((a) => a.problem?.message ?? (report.checkpointProblems[0] ?? null))]);
}
