import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Pool } from 'pg';
import { startAgencyApiSimulator, type AgencyApiSimulator } from '../../etl/simulator/agency-api-simulator';
import { createPool } from '../../src/database/pg';
import { expectEveryReadRowAccounted, runEtl, writeSourcesFile } from '../support/faults/etl-runs';
import { expectNothingLost, tallyKeys } from '../support/faults/row-tally';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * An agency platform that misbehaves under a real `hub etl run`: 500s, bodies cut in the middle, the previous
 * page served again, pages shifting under the pull, slow answers; then an outage that begins mid-pull and
 * outlasts the retries. The pull must ride out what retries can fix, fail the run saying where and why when
 * they cannot, and once the platform is well, a rerun must leave every record exactly once, at its latest version.
 */
const agency = '11350582MB0000001F';
const token = 'fault-test-token';

type CaseItem = { caseId: string; agencyUscc: string; actionType: string; decidedOn: string; partyName: string; updatedAt: string };

const anAgency = { name: '晋江市市场监督管理局', uscc: agency, regionCode: '350582', tier: 'COUNTY', domain: '市场监管', kind: 'STATUTORY', updatedAt: '2024-01-01T00:00:00+08:00' };
/** cases numbered from..to-1, each stamped a minute after the one before from `stamp` */
function someCases(from: number, to: number, stamp: string, party = '当事人'): CaseItem[] {
  return Array.from({ length: to - from }, (_, k) => ({
    caseId: `JJ-${String(from + k).padStart(4, '0')}`, agencyUscc: agency, actionType: 'LICENSING', decidedOn: '2025-05-18',
    partyName: `${party}${from + k}`, updatedAt: new Date(Date.parse(stamp) + k * 60_000).toISOString() }));
}
const publicationOf = (item: CaseItem) => ({ caseId: item.caseId, publishedOn: '2025-05-20', platform: '信用中国（福建晋江）', updatedAt: item.updatedAt });

/** Every case and publication in the warehouse, as `entity:natural key`, one entry per stored row. */
async function storedKeys(pool: Pool): Promise<string[]> {
  const { rows } = await pool.query<{ key: string }>(
    `select 'cases:' || case_id as key from cases where agency_uscc = $1
     union all select 'publications:' || case_id from publications where agency_uscc = $1`, [agency]);
  return rows.map((row) => row.key);
}

describe('an agency API that fails, truncates, repeats and stalls', () => {
  jest.setTimeout(180_000);
  let db: TestDatabase;
  let pool: Pool;
  let folder: string;
  let simulator: AgencyApiSimulator;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url);
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'faults-api-'));
    simulator = await startAgencyApiSimulator({ token, data: { agencies: [anAgency], cases: [], publications: [] } });
    const sources = writeSourcesFile(folder, [{ id: 'jinjiang-api', name: '晋江市平台', transport: 'HTTP', location: simulator.url,
      covers: { region: '350582' }, tokenEnv: 'JINJIANG_TOKEN', entities: ['agencies', 'cases', 'publications'], pageSize: 20 }]);
    env = { ...process.env, DATABASE_URL: db.url, HUB_SOURCES: sources, JINJIANG_TOKEN: token, HUB_DATA_DIR: path.join(folder, 'hub') };
  });
  afterAll(async () => {
    await simulator?.close();
    await pool?.end();
    await db?.drop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  test('retries ride out 500s, cut bodies, a repeated page, shifting pages and slow answers: every record once', async () => {
    const cases = someCases(0, 120, '2025-05-18T01:00:00Z');
    simulator.replaceData('cases', cases);
    simulator.replaceData('publications', cases.slice(0, 60).map(publicationOf));
    simulator.setFaults({ failEveryNth: 6, truncateEveryNth: 5, repeatPreviousPageEveryNth: 4, duplicateAcrossPages: true, slowMs: 100 });
    const pulled = await runEtl(env, 'jinjiang-api');
    expect({ code: pulled.code, output: pulled.output }).toEqual({ code: 0, output: expect.stringMatching(/jinjiang-api: run \d+ 成功 SUCCEEDED/) });
    // each kind of fault was served at least once and ridden out
    const served = simulator.faultsServed();
    expect(Object.entries(served).filter(([, count]) => count === 0)).toEqual([]);
    expectNothingLost(tallyKeys('agency API with 500s, truncated JSON, repeated and shifting pages, slow answers',
      [...cases.map((item) => `cases:${item.caseId}`), ...cases.slice(0, 60).map((item) => `publications:${item.caseId}`)],
      await storedKeys(pool)));
  });

  test('an outage that outlasts the retries fails the run saying which page and why; once it clears, a rerun resumes there and loses nothing', async () => {
    // the platform has news: 80 new cases, 10 corrected ones and 40 new publications, all after the watermark
    const corrected = someCases(30, 40, '2025-06-01T01:00:00Z', '更正后当事人');
    const fresh = someCases(120, 200, '2025-06-02T01:00:00Z');
    const cases = [...someCases(0, 30, '2025-05-18T01:00:00Z'), ...corrected, ...someCases(40, 120, '2025-05-18T01:40:00Z'), ...fresh];
    const published = [...someCases(0, 60, '2025-05-18T01:00:00Z'), ...fresh.slice(0, 40)];
    simulator.replaceData('cases', cases);
    simulator.replaceData('publications', published.map(publicationOf));
    // the pull asks from the watermark's instant on (included), so the newest case of the first pull comes again:
    // 1 + 10 + 80 cases are 5 pages of 20; pages 1 and 2 load, page 3 fails every try
    simulator.setFaults({ failFromPage: 3 });
    const failed = await runEtl(env, 'jinjiang-api');
    expect(failed.code).toBe(1);
    expect(failed.output).toMatch(/jinjiang-api: run \d+ 失败 FAILED/);
    expect(failed.output).toMatch(/error: cases API 第 3 页: .*尝试 5 次仍未取到，最后一次：HTTP 500，平台答复：模拟故障：第 3 页起平台不可用。已提交的页不受影响，数据源恢复后再次拉取将从第 3 页继续/);
    const partial = (await pool.query<{ n: number }>(`select count(*)::int as n from cases where agency_uscc = $1`, [agency])).rows[0]!.n;
    expect(partial).toBe(120 + 29); // pages 1 and 2 brought the 10 corrections and the first 29 new cases

    simulator.setFaults({});
    const resumed = await runEtl(env, 'jinjiang-api');
    expect({ code: resumed.code, output: resumed.output }).toEqual({ code: 0, output: expect.stringMatching(/成功 SUCCEEDED/) });
    const runs = (await pool.query<{ status: string; counts: Record<string, Record<string, number>> }>(
      `select status, counts from etl_runs where source = 'jinjiang-api' order by id`)).rows;
    expect(runs.map((row) => row.status)).toEqual(['SUCCEEDED', 'FAILED', 'SUCCEEDED']);
    // the rerun began at page 3: it read the 51 cases of pages 3–5, not the 40 already committed
    expect(runs[2]!.counts.cases).toMatchObject({ read: 51, inserted: 51, updated: 0 });
    await expectEveryReadRowAccounted(pool, 'jinjiang-api');
    const parties = (await pool.query<{ case_id: string; party_name: string }>(
      `select case_id, party_name from cases where case_id = any($1) order by case_id`, [corrected.map((item) => item.caseId)])).rows;
    expect(parties).toEqual(corrected.map((item) => ({ case_id: item.caseId, party_name: item.partyName })));
    expectNothingLost(tallyKeys('agency API outage mid-pull, then rerun',
      [...cases.map((item) => `cases:${item.caseId}`), ...published.map((item) => `publications:${item.caseId}`)],
      await storedKeys(pool)));
  });
});
