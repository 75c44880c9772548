import type { Queryable } from '../metrics/sql/sql-parameters';

/** An agency's ledger as the API shows it: how long its chain is, and how its last verification ended. */
export interface LedgerStatusRow {
  agencyUscc: string;
  entries: number;
  verified: boolean | null;
  verifiedAt: Date | null;
  brokenSeq: string | null;
  problem: string | null;
  lastCheckpointAt: Date | null;
}

/** The statuses of several agencies in one statement (the caller's row-level security applies). */
export async function readLedgerStatuses(db: Queryable, usccs: readonly string[]): Promise<LedgerStatusRow[]> {
  const { rows } = await db.query<LedgerStatusRow>(
    // each agency's chain length grouped once, not a subquery per agency (which a distributed warehouse cannot push down)
    `with heads as (select e.agency_uscc, max(e.seq) as seq from ledger_entries e where e.agency_uscc = any($1::text[]) group by e.agency_uscc)
     select a.uscc as "agencyUscc",
       coalesce(h.seq, 0)::int as entries,
       v.ok as verified, v.verified_at as "verifiedAt", v.broken_seq::text as "brokenSeq", v.problem,
       (select max(c.created_at) from ledger_checkpoints c where (c.signed_text::jsonb -> 'heads') ? a.uscc) as "lastCheckpointAt"
     from unnest($1::text[]) as a(uscc)
     left join heads h on h.agency_uscc = a.uscc
     left join lateral (select * from ledger_verifications x where x.agency_uscc = a.uscc order by x.verified_at desc, x.id desc limit 1) v on true`,
    [usccs]);
  return rows;
}

/** One recorded version of a row. */
export interface LedgerVersionRow {
  seq: string; entity: string; naturalKey: string; rowHash: string; entryHash: string; recordedAt: Date;
  source: string | null; position: string | null; run: string | null;
}

/**
 * A case's history: every version the ledger recorded of the case and of what hangs on it (publication, reviews,
 * appeals, evaluations by the case's id; recordings by their own ids), in the order they were accepted.
 */
export async function readCaseHistory(db: Queryable, agencyUscc: string, caseId: string): Promise<LedgerVersionRow[]> {
  const { rows } = await db.query<LedgerVersionRow>(
    `select e.seq::text, e.entity, e.natural_key as "naturalKey", e.row_hash as "rowHash", e.entry_hash as "entryHash",
       e.recorded_at as "recordedAt", e.source, e.position, e.run::text
     from ledger_entries e
     where e.agency_uscc = $1 and (
       (e.entity in ('cases', 'publications') and e.natural_key = $2)
       or (e.entity in ('legal_reviews', 'appeals', 'evaluations') and starts_with(e.natural_key, $2 || '|'))
       or (e.entity = 'recordings' and e.natural_key in (select r.record_id from recordings r where r.agency_uscc = $1 and r.case_id = $2)))
     order by e.seq`, [agencyUscc, caseId]);
  return rows;
}
