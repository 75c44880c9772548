import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Pool } from 'pg';
import { createPool } from '../../src/database/pg';
import { loadPolicyProfile } from '../../src/domain/profile/policy-profile';
import { writeCheckpoint } from '../../src/ledger/checkpoints';
import { entryHashOf } from '../../src/ledger/ledger-chain';
import { ledgeredTables } from '../../src/ledger/ledgered-tables';
import { ledgerSigningKey, type LedgerSigningKey } from '../../src/ledger/signing-key';
import { recordVerification, verifyLedger } from '../../src/ledger/verify-ledger';
import { ledgeredAtMigration } from '../../src/warehouse/migrations/Migration20261129000000Ledger';
import { startTestApi } from '../support/api-server';
import { spawnHub } from '../support/hub-process';
import { loadSyntheticProvince, readAnswerKey } from '../support/synthetic-province';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * The tamper-evident ledger (issue 8): every accepted fact row version is in its agency's hash chain; an untouched
 * warehouse verifies clean; editing a recording's hash or deleting a publication directly in the database makes
 * `hub verify` name the agency and the entry; the ledger refuses changes; a chain rewritten end to end is caught
 * by the signed checkpoint; the API shows each agency's status and a case's versions.
 */
jest.setTimeout(240000);

let db: TestDatabase;
let pool: Pool;
let dataDir: string;
let key: LedgerSigningKey;
let dir: string;

async function hubVerify(args: string[] = []): Promise<{ code: number | null; output: string }> {
  const hub = spawnHub(['verify', ...args], { ...process.env, DATABASE_URL: db.url, HUB_DATA_DIR: dataDir });
  const code = await hub.exited;
  return { code, output: hub.output() };
}

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url);
  dir = await loadSyntheticProvince(pool, { seed: 20261208, scale: 800, prefix: 'ledger-' });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-key-'));
  fs.chmodSync(dataDir, 0o755);
  key = ledgerSigningKey({ dataDir })!;
  await writeCheckpoint(pool, key);
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('the ledger', () => {
  test('every stored fact row has its version in its agency\'s chain, and an untouched warehouse verifies clean', async () => {
    let rows = 0;
    for (const { table } of ledgeredTables()) rows += Number((await pool.query(`select count(*) from "${table}"`)).rows[0].count);
    const { rows: [{ entries }] } = await pool.query<{ entries: string }>('select count(*) as entries from ledger_entries');
    expect(Number(entries)).toBeGreaterThanOrEqual(rows);
    expect(rows).toBeGreaterThan(1000);
    const report = await verifyLedger(pool, { trustedPublicKey: key.publicKeyPem });
    expect(report.agencies.filter((a) => !a.ok)).toEqual([]);
    expect(report.checkpointProblems).toEqual([]);
    expect(report.entries).toBe(Number(entries));
    const cli = await hubVerify();
    expect(cli.code).toBe(0);
    expect(cli.output).toMatch(/every chain intact/);
  });

  test('the ledger keeps the tables the ETL loads, keyed as at its migration', () => {
    expect(ledgeredTables()).toEqual(ledgeredAtMigration);
  });

  test('the database and the verifier compute the same chain', async () => {
    const { rows } = await pool.query(`select seq::text, entity, natural_key, row_hash, source, position, run::text, prev_hash, entry_hash
      from ledger_entries order by random() limit 20`);
    for (const row of rows) {
      expect(entryHashOf(row.prev_hash, { seq: row.seq, entity: row.entity, naturalKey: row.natural_key, rowHash: row.row_hash,
        source: row.source, position: row.position, run: row.run })).toBe(row.entry_hash);
    }
    // the ETL chains in Node (etl/pipeline/append-ledger.ts); ledger_append, which wrote the first chains of a
    // warehouse migrated with data, must chain alike: one more entry on an agency's chain, rolled back
    const client = await pool.connect();
    try {
      await client.query('begin');
      const { rows: [head] } = await client.query<{ region_code: string; agency_uscc: string; seq: string; entry_hash: string }>(
        `select distinct on (e.agency_uscc) e.region_code, e.agency_uscc, e.seq::text as seq, e.entry_hash
         from ledger_entries e order by e.agency_uscc, e.seq desc limit 1`);
      const rowHash = 'ab'.repeat(32);
      await client.query(`select ledger_append($1, $2, 'cases', 'K-LEDGER-TEST', $3, null, 'row 7', null)`, [head!.region_code, head!.agency_uscc, rowHash]);
      const { rows: [added] } = await client.query<{ seq: string; prev_hash: string; entry_hash: string }>(
        `select e.seq::text as seq, e.prev_hash, e.entry_hash from ledger_entries e where e.region_code = $1 and e.agency_uscc = $2 order by e.seq desc limit 1`,
        [head!.region_code, head!.agency_uscc]);
      expect(added).toEqual({
        seq: String(BigInt(head!.seq) + 1n), prev_hash: head!.entry_hash,
        entry_hash: entryHashOf(head!.entry_hash, { seq: String(BigInt(head!.seq) + 1n), entity: 'cases', naturalKey: 'K-LEDGER-TEST',
          rowHash, source: null, position: 'row 7', run: null }),
      });
    } finally {
      await client.query('rollback');
      client.release();
    }
  });

  test('loading the same feeds again appends nothing: an unchanged row is no new version', async () => {
    const before = Number((await pool.query('select count(*) from ledger_entries')).rows[0].count);
    await loadSyntheticProvince(pool, { seed: 20261208, scale: 800, prefix: 'ledger-again-' });
    expect(Number((await pool.query('select count(*) from ledger_entries')).rows[0].count)).toBe(before);
  });

  test('the ledger refuses to be changed, and the API\'s role cannot write it', async () => {
    await expect(pool.query(`update ledger_entries set row_hash = repeat('0', 64) where seq = 1`)).rejects.toThrow(/append-only/);
    await expect(pool.query(`delete from ledger_entries where seq = 1`)).rejects.toThrow(/append-only/);
    await expect(pool.query(`truncate ledger_entries`)).rejects.toThrow(/append-only/);
    await expect(pool.query(`delete from ledger_checkpoints`)).rejects.toThrow(/append-only/);
    const client = await pool.connect();
    try {
      await client.query('begin; set local role hub_api');
      await expect(client.query(`insert into ledger_entries (region_code, agency_uscc, seq, entity, natural_key, row_hash, prev_hash, entry_hash)
        values ('350000', 'x', 1, 'cases', 'x', 'x', 'x', 'x')`)).rejects.toThrow(/permission denied/);
    } finally {
      await client.query('rollback');
      client.release();
    }
  });

  test('editing a recording\'s hash in place names the agency and the entry', async () => {
    const { rows: [target] } = await pool.query<{ agency_uscc: string; record_id: string }>(
      `select agency_uscc, record_id from recordings where sha256 is not null order by agency_uscc, record_id limit 1`);
    const { rows: [entry] } = await pool.query<{ seq: string }>(
      `select max(seq)::text as seq from ledger_entries where agency_uscc = $1 and entity = 'recordings' and natural_key = $2`, [target!.agency_uscc, target!.record_id]);
    await pool.query(`update recordings set sha256 = repeat('a', 64) where agency_uscc = $1 and record_id = $2`, [target!.agency_uscc, target!.record_id]);
    const report = await verifyLedger(pool, { trustedPublicKey: key.publicKeyPem });
    const broken = report.agencies.filter((a) => !a.ok);
    expect(broken.map((a) => a.agencyUscc)).toEqual([target!.agency_uscc]);
    expect(broken[0]!.problem).toMatchObject({ kind: 'ROW_CHANGED', entity: 'recordings', naturalKey: target!.record_id, seq: entry!.seq });
    const cli = await hubVerify(['--agency', target!.agency_uscc]);
    expect(cli.code).toBe(1);
    expect(cli.output).toContain(`BROKEN ${target!.agency_uscc}`);
    expect(cli.output).toContain(`entry ${entry!.seq} (recordings ${target!.record_id}) ROW_CHANGED`);
  });

  test('deleting a publication row names the agency and the entry', async () => {
    const { rows: [target] } = await pool.query<{ agency_uscc: string; case_id: string }>(
      `select p.agency_uscc, p.case_id from publications p
       where p.agency_uscc not in (select agency_uscc from ledger_verifications where not ok)
       order by p.agency_uscc desc, p.case_id limit 1`);
    await pool.query(`delete from publications where agency_uscc = $1 and case_id = $2`, [target!.agency_uscc, target!.case_id]);
    const report = await verifyLedger(pool, { agencyUscc: target!.agency_uscc, trustedPublicKey: key.publicKeyPem });
    expect(report.agencies[0]).toMatchObject({ agencyUscc: target!.agency_uscc, ok: false });
    expect(report.agencies[0]!.problem).toMatchObject({ kind: 'ROW_DELETED', entity: 'publications', naturalKey: target!.case_id });
  });

  test('a chain rewritten end to end by someone who can write the database is caught by the signed checkpoint', async () => {
    const { rows: [victim] } = await pool.query<{ region_code: string; agency_uscc: string }>(
      `select region_code, agency_uscc from ledger_entries
       where agency_uscc not in (select agency_uscc from ledger_verifications where not ok)
       group by 1, 2 having count(*) > 5 order by 2 limit 1`);
    // the attacker edits a case, disables the triggers, re-hashes the case's entry and every one after it
    const client = await pool.connect();
    try {
      await client.query('begin');
      await client.query('alter table ledger_entries disable trigger user');
      const { rows: [first] } = await client.query<{ seq: string; natural_key: string }>(
        `select seq::text, natural_key from ledger_entries where region_code = $1 and agency_uscc = $2 and entity = 'cases' order by ledger_entries.seq limit 1`,
        [victim!.region_code, victim!.agency_uscc]);
      await client.query(`update cases set amount = coalesce(amount, 0) + 1000 where agency_uscc = $1 and case_id = $2`, [victim!.agency_uscc, first!.natural_key]);
      await client.query(`update ledger_entries e set row_hash = (select ledger_row_hash(c) from cases c where c.agency_uscc = e.agency_uscc and c.case_id = e.natural_key)
        where region_code = $1 and agency_uscc = $2 and seq = $3`, [victim!.region_code, victim!.agency_uscc, first!.seq]);
      const { rows: chain } = await client.query(`select seq::text, entity, natural_key, row_hash, source, position, run::text, prev_hash
        from ledger_entries where region_code = $1 and agency_uscc = $2 and seq >= $3 order by ledger_entries.seq`, [victim!.region_code, victim!.agency_uscc, first!.seq]);
      let prev = chain[0]!.prev_hash as string;
      for (const row of chain) {
        const hash = entryHashOf(prev, { seq: row.seq, entity: row.entity, naturalKey: row.natural_key, rowHash: row.row_hash, source: row.source, position: row.position, run: row.run });
        await client.query('update ledger_entries set prev_hash = $4, entry_hash = $5 where region_code = $1 and agency_uscc = $2 and seq = $3',
          [victim!.region_code, victim!.agency_uscc, row.seq, prev, hash]);
        prev = hash;
      }
      await client.query('alter table ledger_entries enable trigger user');
      await client.query('commit');
    } finally {
      client.release();
    }
    const report = await verifyLedger(pool, { agencyUscc: victim!.agency_uscc, trustedPublicKey: key.publicKeyPem });
    expect(report.agencies[0]).toMatchObject({ agencyUscc: victim!.agency_uscc, ok: false });
    expect(report.agencies[0]!.problem!.kind).toBe('CHECKPOINT_MISMATCH');
    expect(report.agencies[0]!.problem!.message).toMatch(/检查点 \d+ 签署的摘要不符/);
  });

  test('the API shows each agency\'s ledger status and a case\'s versions, to its jurisdiction only', async () => {
    const profile = loadPolicyProfile({ name: readAnswerKey(dir).key.profile });
    await recordVerification(pool, await verifyLedger(pool, { trustedPublicKey: key.publicKeyPem }));
    const api = await startTestApi(db, pool, profile);
    try {
      const { rows: [c] } = await pool.query<{ agency_uscc: string; case_id: string; region_code: string }>(
        `select c.agency_uscc, c.case_id, c.region_code from cases c join publications p using (region_code, agency_uscc, case_id) order by 1, 2 limit 1`);
      const province = await api.token({ role: 'PROVINCE' });
      const answer = await api.gql<{ case: { history: { entity: string; seq: string; position: string }[]; agency: { ledger: { entries: number; verified: boolean } } } }>(
        `query ($a: String!, $c: String!) { case(agencyUscc: $a, caseId: $c) { history { entity seq position } agency { ledger { entries verified } } } }`,
        { a: c!.agency_uscc, c: c!.case_id }, province);
      expect(answer.errors).toBeUndefined();
      const history = answer.data!.case.history;
      expect(history.map((v) => v.entity)).toEqual(expect.arrayContaining(['cases', 'publications']));
      expect(history.every((v) => v.position)).toBe(true);
      expect(answer.data!.case.agency.ledger.entries).toBeGreaterThan(0);
      expect(typeof answer.data!.case.agency.ledger.verified).toBe('boolean');
      // another prefecture's bureau reads no ledger of this agency
      const elsewhere = `${c!.region_code.slice(0, 2)}${c!.region_code.slice(2, 4) === '01' ? '02' : '01'}00`;
      const other = await api.token({ role: 'SUPERVISOR', region: elsewhere });
      const outside = await api.gql<{ agency: { ledger: unknown } | null }>(`query ($a: String!) { agency(uscc: $a) { ledger { entries } } }`, { a: c!.agency_uscc }, other);
      expect(outside.data?.agency?.ledger ?? null).toBeNull();
    } finally {
      await api.close();
    }
  });
});
