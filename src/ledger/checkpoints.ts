import crypto from 'node:crypto';
import type { Pool } from 'pg';
import type { LedgerSigningKey } from './signing-key';

/** The heads a checkpoint signs: per agency, its last entry's number and hash. */
export type Heads = Record<string, [seq: string, entryHash: string]>;

export interface Checkpoint { id: string; createdAt: Date; signedText: string; signature: string; publicKey: string }

/**
 * Sign every chain's head now. A chain rewritten afterwards — even recomputed end to end, by someone who can
 * write the database — no longer has the signed hash at the signed entry, and `hub verify` says so.
 */
export async function writeCheckpoint(pool: Pool, key: LedgerSigningKey): Promise<{ id: string; agencies: number } | null> {
  const { rows } = await pool.query<{ agency_uscc: string; seq: string; entry_hash: string }>(
    `select distinct on (agency_uscc) agency_uscc, seq::text, entry_hash from ledger_entries order by agency_uscc, seq desc`);
  if (rows.length === 0) return null;
  const heads: Heads = Object.fromEntries(rows.map((row) => [row.agency_uscc, [row.seq, row.entry_hash]]));
  const signedText = JSON.stringify({ at: new Date().toISOString(), heads });
  const signature = crypto.sign(null, Buffer.from(signedText, 'utf8'), key.privateKey).toString('base64');
  const { rows: [stored] } = await pool.query<{ id: string }>(
    `insert into ledger_checkpoints (signed_text, signature, public_key) values ($1, $2, $3) returning id::text`,
    [signedText, signature, key.publicKeyPem]);
  return { id: stored!.id, agencies: rows.length };
}

export async function readCheckpoints(pool: Pool): Promise<Checkpoint[]> {
  const { rows } = await pool.query<Checkpoint>(
    `select id::text, created_at as "createdAt", signed_text as "signedText", signature, public_key as "publicKey" from ledger_checkpoints order by id`);
  return rows;
}

/** Whether a checkpoint's signature holds for its text under the given public key. */
export function checkpointSignatureHolds(checkpoint: Checkpoint, publicKeyPem: string): boolean {
  try {
    return crypto.verify(null, Buffer.from(checkpoint.signedText, 'utf8'), crypto.createPublicKey(publicKeyPem), Buffer.from(checkpoint.signature, 'base64'));
  } catch {
    return false;
  }
}
