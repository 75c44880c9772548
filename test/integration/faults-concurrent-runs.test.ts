import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Pool } from 'pg';
import { startAgencyApiSimulator, type AgencyApiSimulator } from '../../etl/simulator/agency-api-simulator';
import { createPool } from '../../src/database/pg';
import { writeCsv } from '../support/builders/feed-files';
import { expectEveryReadRowAccounted, writeSourcesFile } from '../support/faults/etl-runs';
import { expectNothingLost, tallyKeys } from '../support/faults/row-tally';
import { spawnHub, type HubProcess } from '../support/hub-process';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * Two `hub etl run --source X` started at once (a clerk's manual run while the scheduled one is going, two
 * terminals). A run takes its source's advisory lock (etl/pipeline/run-lock.ts); the second waits up to 15 s
 * for it and then runs, or, when the first takes longer, is refused saying which run holds the source. Either
 * way the warehouse holds every row once.
 */
const agency = '91350500MA2Y0K3L8T';
const token = 'concurrent-test-token';
const folderCases = 60_000;
const apiCases = 50;

async function finished(hub: HubProcess): Promise<{ code: number | null; output: string }> {
  return { code: await hub.exited, output: hub.output() };
}

interface RunRow { id: string; source: string; status: string; started_at: Date; finished_at: Date; counts: Record<string, Record<string, number>> }

describe('two runs of one source started at once', () => {
  jest.setTimeout(180_000);
  let db: TestDatabase;
  let pool: Pool;
  let folder: string;
  let simulator: AgencyApiSimulator;
  let env: NodeJS.ProcessEnv;
  const caseIds = Array.from({ length: folderCases }, (_, i) => `CC-${String(i).padStart(6, '0')}`);
  const apiCaseIds = Array.from({ length: apiCases }, (_, i) => `API-${String(i).padStart(4, '0')}`);

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url);
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'faults-concurrent-'));
    writeCsv(path.join(folder, 'drop', '执法主体.csv'), 'agencies', [
      { name: '泉州市市场监督管理局', uscc: agency, regionCode: '350500', tier: '市级', domain: '市场监管', kind: '法定', updatedAt: '2024-01-01 08:00:00' }]);
    writeCsv(path.join(folder, 'drop', 'cases-2025.csv'), 'cases', caseIds.map((caseId, i) => ({
      caseId, agencyUscc: agency, actionType: '行政许可', filedOn: '2025-03-01', decidedOn: '2025-03-12', partyName: `当事人${i}`,
      updatedAt: '2025-03-13 09:00:00' })), 'gbk');
    simulator = await startAgencyApiSimulator({ token, data: { cases: apiCaseIds.map((caseId, i) => ({
      caseId, agencyUscc: agency, actionType: 'LICENSING', decidedOn: '2025-05-18', updatedAt: `2025-05-18T0${i % 10}:00:00+08:00` })) } });
    const sources = writeSourcesFile(folder, [
      { id: 'quanzhou-drop', name: '泉州市报送文件夹', transport: 'FOLDER', location: './drop', covers: { region: '350500' } },
      { id: 'quanzhou-api', name: '泉州市平台', transport: 'HTTP', location: simulator.url, covers: { region: '350500' },
        tokenEnv: 'QUANZHOU_TOKEN', entities: ['cases'], pageSize: 100 },
    ]);
    env = { ...process.env, DATABASE_URL: db.url, HUB_SOURCES: sources, QUANZHOU_TOKEN: token, HUB_DATA_DIR: path.join(folder, 'hub') };
  });
  afterAll(async () => {
    await simulator?.close();
    await pool?.end();
    await db?.drop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  const runsOf = async (source: string) => (await pool.query<RunRow>(
    `select id, source, status, started_at, finished_at, counts from etl_runs where source = $1 order by id`, [source])).rows;

  test('the second waits for the first, then finds everything loaded: the runs do not overlap and no row is there twice', async () => {
    const launchedAt = Date.now();
    const [one, two] = [spawnHub(['etl', 'run', '--source', 'quanzhou-drop', '--batch-size', '2000'], env),
      spawnHub(['etl', 'run', '--source', 'quanzhou-drop', '--batch-size', '2000'], env)];
    const outcomes = await Promise.all([finished(one), finished(two)]);
    for (const outcome of outcomes) expect(outcome).toEqual({ code: 0, output: expect.stringMatching(/quanzhou-drop: run \d+ 成功 SUCCEEDED/) });

    const [first, second] = await runsOf('quanzhou-drop');
    expect([first!.status, second!.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    // both processes were up while the first loaded (it took seconds), and the second began its run only when the
    // first had finished: it waited on the lock rather than loading alongside
    expect(first!.finished_at.getTime() - launchedAt).toBeGreaterThan(3000);
    expect(second!.started_at.getTime()).toBeGreaterThanOrEqual(first!.finished_at.getTime());
    expect(first!.counts.cases).toMatchObject({ read: folderCases, inserted: folderCases });
    expect(second!.counts.cases).toMatchObject({ read: folderCases, inserted: 0, updated: 0, unchanged: folderCases });
    await expectEveryReadRowAccounted(pool, 'quanzhou-drop');
    const { rows } = await pool.query<{ key: string }>(`select case_id as key from cases where case_id like 'CC-%'`);
    expectNothingLost(tallyKeys('two hub etl run of one source at once (the second waits)', caseIds, rows.map((row) => row.key)));
  });

  test('when the first holds the source longer than the wait, the second is refused saying which run holds it; the first loads every row once', async () => {
    // the platform takes 17 s over its first page: longer than the 15 s a second run waits for the lock
    simulator.setFaults({ slowMs: 17_000 });
    const hubs = [spawnHub(['etl', 'run', '--source', 'quanzhou-api'], env), spawnHub(['etl', 'run', '--source', 'quanzhou-api'], env)];
    const refused = await Promise.race(hubs.map(async (hub) => ({ hub, ...(await finished(hub)) })));
    simulator.setFaults({});
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/^hub: source quanzhou-api is being loaded by another run \(run \d+, started \d{4}-\d\d-\d\dT[\d:.]+Z\); wait for it to finish, or try again later$/m);
    const loader = await finished(hubs.find((hub) => hub !== refused.hub)!);
    expect({ code: loader.code, output: loader.output }).toEqual({ code: 0, output: expect.stringMatching(/quanzhou-api: run \d+ 成功 SUCCEEDED/) });

    // the refused process never started a run of its own
    const runs = await runsOf('quanzhou-api');
    expect(runs.map((run) => [run.status, run.counts.cases?.inserted])).toEqual([['SUCCEEDED', apiCases]]);
    expect(refused.output).toContain(`(run ${runs[0]!.id}, started`);
    await expectEveryReadRowAccounted(pool, 'quanzhou-api');
    const { rows } = await pool.query<{ key: string }>(`select case_id as key from cases where case_id like 'API-%'`);
    expectNothingLost(tallyKeys('two hub etl run of one source at once (the second refused)', apiCaseIds, rows.map((row) => row.key)));
  });
});
