import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Pool } from 'pg';
import { createPool } from '../../src/database/pg';
import { writeCheckpoint } from '../../src/ledger/checkpoints';
import { ledgerSigningKey } from '../../src/ledger/signing-key';
import { spawnHub } from '../support/hub-process';
import { loadSyntheticProvince } from '../support/synthetic-province';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * `hub backup` and `hub restore` as an operator runs them: a warehouse with the synthetic province, its ledger and a
 * signed checkpoint is backed up, restored into a fresh database, and there every table holds the same rows and
 * `hub verify` finds every chain intact; a restore over a warehouse with facts is refused; a damaged file changes nothing.
 */
jest.setTimeout(180000);

let source: TestDatabase;
let target: TestDatabase;
let sourcePool: Pool;
let targetPool: Pool;
let dataDir: string;
let file: string;

async function hub(args: string[], db: TestDatabase): Promise<{ code: number | null; output: string }> {
  const run = spawnHub(args, { ...process.env, DATABASE_URL: db.url, HUB_DATA_DIR: dataDir });
  const code = await run.exited;
  return { code, output: run.output() };
}

/** Every table's row count and a digest of the ledger, as a fingerprint of a warehouse. */
async function fingerprint(pool: Pool): Promise<Record<string, string>> {
  const { rows: tables } = await pool.query<{ name: string }>(
    `select tablename as name from pg_tables where schemaname = 'public' and tablename <> 'schema_migrations' order by 1`);
  const counts: Record<string, string> = {};
  for (const { name } of tables) counts[name] = (await pool.query(`select count(*)::text as n from public."${name}"`)).rows[0].n;
  counts.ledgerDigest = (await pool.query(`select md5(string_agg(entry_hash, ',' order by agency_uscc, seq)) as d from ledger_entries`)).rows[0].d;
  counts.casesDigest = (await pool.query(`select md5(string_agg(ledger_row_hash(c), ',' order by agency_uscc, case_id)) as d from cases c`)).rows[0].d;
  return counts;
}

beforeAll(async () => {
  source = await createTestDatabase();
  target = await createTestDatabase();
  sourcePool = createPool(source.url);
  targetPool = createPool(target.url);
  await loadSyntheticProvince(sourcePool, { seed: 20261209, scale: 600, prefix: 'backup-' });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-backup-'));
  fs.chmodSync(dataDir, 0o755);
  await writeCheckpoint(sourcePool, ledgerSigningKey({ dataDir })!);
  file = path.join(dataDir, 'warehouse.gz');
});

afterAll(async () => {
  await sourcePool?.end();
  await targetPool?.end();
  await source?.drop();
  await target?.drop();
});

describe('backup and restore', () => {
  test('a backup restored into a fresh database holds the same rows, and every chain verifies intact there', async () => {
    const backup = await hub(['backup', '--out', file], source);
    expect(backup.code).toBe(0);
    expect(backup.output).toMatch(/backup .*warehouse\.gz: \d+ tables, \d+ rows/);
    const restore = await hub(['restore', file], target);
    expect(restore.output).toMatch(/restored/);
    expect(restore.code).toBe(0);
    expect(await fingerprint(targetPool)).toEqual(await fingerprint(sourcePool));
    const verify = await hub(['verify'], target);
    expect(verify.output).toMatch(/\d+ agencies, \d+ entries, 1 checkpoints: every chain intact/);
    expect(verify.code).toBe(0);
    // the restored warehouse goes on: new identities do not collide with restored ones
    await targetPool.query(`insert into ledger_checkpoints (signed_text, signature, public_key) values ('{}', 'x', 'x')`);
  });

  test('a restore over a warehouse that holds facts is refused, and a damaged file changes nothing', async () => {
    const before = await fingerprint(targetPool);
    const again = await hub(['restore', file], target);
    expect(again.code).not.toBe(0);
    expect(again.output).toMatch(/already holds cases or ledger entries/);
    const damaged = path.join(dataDir, 'damaged.gz');
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(damaged, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const broken = await hub(['restore', damaged, '--replace'], target);
    expect(broken.code).not.toBe(0);
    expect(await fingerprint(targetPool)).toEqual(before);
  });
});
