import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Pool } from 'pg';
import { createPool } from '../../src/database/pg';
import { runSource } from '../../etl/pipeline/run-source';
import { writeCsv } from '../support/builders/feed-files';
import { expectNothingLost, tallyKeys } from '../support/faults/row-tally';
import { spawnHub, waitFor } from '../support/hub-process';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const agency = '91350500MA2Y0K3L8T';
const caseCount = 60000;

const caseIds = Array.from({ length: caseCount }, (_, i) => `QZ-${String(i).padStart(6, '0')}`);

/**
 * Where every delivered case ended up, by its natural key (agency|case number, as the pipeline keys it): in the
 * warehouse, or (its decision date is 2025-02-30) in open quarantine; a case in both places, or twice in one,
 * is a duplicate.
 */
async function casesAccountedFor(pool: Pool): Promise<string[]> {
  const { rows } = await pool.query<{ key: string }>(
    `select agency_uscc || '|' || case_id as key from cases
     union all select natural_key from quarantine where entity = 'cases' and status = 'QUARANTINED'`);
  return rows.map((row) => row.key);
}

/** What a load leaves behind, compared between a load that was killed and rerun and a clean one. */
async function fingerprint(pool: Pool) {
  const { rows } = await pool.query(`
    select (select count(*)::int from cases) as cases,
           (select sum(cardinality(handler_ids))::int from cases) as handlers,
           (select md5(string_agg(case_id || lineage_content_hash, ',' order by case_id)) from cases) as digest,
           (select count(*)::int from quarantine where status = 'QUARANTINED') as quarantined`);
  return rows[0];
}

describe('a load killed in the middle', () => {
  jest.setTimeout(180000);
  let folder: string;
  let killed: TestDatabase;
  let clean: TestDatabase;

  beforeAll(async () => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'etl-crash-'));
    writeCsv(path.join(folder, '执法主体.csv'), 'agencies', [
      { name: '泉州市市场监督管理局', uscc: agency, regionCode: '350500', tier: '市级', domain: '市场监管', kind: '法定', updatedAt: '2024-01-01 08:00:00' }]);
    writeCsv(path.join(folder, 'cases-2025.csv'), 'cases', Array.from({ length: caseCount }, (_, i) => ({
      caseId: caseIds[i]!, agencyUscc: agency, actionType: i % 3 ? '行政许可' : '行政处罚',
      filedOn: '2025-03-01', decidedOn: i % 97 ? '2025-03-12' : '2025-02-30', handlerIds: 'P001；P002',
      partyName: `当事人${i}`, amount: String(i % 5000), updatedAt: '2025-03-13 09:00:00' })), 'gbk');
    [killed, clean] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  });
  afterAll(async () => {
    await Promise.all([killed?.drop(), clean?.drop()]);
    fs.rmSync(folder, { recursive: true, force: true });
  });

  test('kill -9 mid-load, then rerun: no duplicates, no loss, the same warehouse as a clean load', async () => {
    const env = { ...process.env, DATABASE_URL: killed.url };
    const pool = createPool(killed.url);
    try {
      const hub = spawnHub(['etl', 'run', '--files', folder, '--batch-size', '2000'], env);
      // wait until some batches of cases are committed, then pull the plug
      await waitFor('a few committed batches', async () => {
        const { rows } = await pool.query<{ n: number }>('select count(*)::int as n from cases');
        return rows[0]!.n >= 4000 ? rows[0]!.n : undefined;
      }, hub);
      process.kill(-hub.child.pid!, 'SIGKILL');
      await hub.exited;
      const partial = (await pool.query<{ n: number }>('select count(*)::int as n from cases')).rows[0]!.n;
      expect(partial).toBeLessThan(caseCount);
      expect((await pool.query(`select status from etl_runs`)).rows).toEqual([{ status: 'RUNNING' }]);

      const rerun = spawnHub(['etl', 'run', '--files', folder], env);
      const code = await rerun.exited;
      if (code !== 0) throw new Error(`rerun failed (${code}):\n${rerun.output()}`);
      const runs = (await pool.query(`select status, error from etl_runs order by id`)).rows;
      expect(runs.map((run) => run.status)).toEqual(['FAILED', 'SUCCEEDED']);
      expect(runs[0].error).toMatch(/interrupted/);

      const cleanPool = createPool(clean.url);
      try {
        await runSource(cleanPool, { id: 'manual-files', name: 'clean', transport: 'FOLDER', location: folder, covers: {} }, { trigger: 'test' });
        const expected = await fingerprint(cleanPool);
        expect(expected.cases).toBe(caseCount - Math.ceil(caseCount / 97));
        expect(await fingerprint(pool)).toEqual(expected);
        expectNothingLost(tallyKeys('kill -9 of hub etl run mid-batch, then rerun', caseIds.map((id) => `${agency}|${id}`), await casesAccountedFor(pool)));
      } finally {
        await cleanPool.end();
      }
    } finally {
      await pool.end();
    }
  });
});
