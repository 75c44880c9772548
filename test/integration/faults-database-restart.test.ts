import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeCsv } from '../support/builders/feed-files';
import { writeSourcesFile } from '../support/faults/etl-runs';
import { startPostgresProcess, type PostgresProcess } from '../support/faults/postgres-process';
import { expectNothingLost, tallyKeys } from '../support/faults/row-tally';
import { freePort, pressCtrlC, spawnHub, waitFor, type HubProcess } from '../support/hub-process';

/**
 * The database restarted while the hub serves: a PostgreSQL of the test's own under a real `hub start`, stopped
 * (fast shutdown, as a restart or a failover does) and started again. While it is down the API must answer
 * every request promptly with an error a person can read; once it is back, requests must succeed again
 * without the hub being restarted, and the warehouse must hold every row it held before.
 */
const agency = '91350500MA2Y0K3L8T';
const caseCount = 250;
const caseIds = Array.from({ length: caseCount }, (_, i) => `DB-${String(i).padStart(4, '0')}`);
/** the longest any request may take to be answered, database down or not */
const answerBoundMs = 10_000;
/** how long the hub may take to notice the database is back */
const recoveryBoundMs = 30_000;

/** The hub must ride out the outage in the same process: one that died says why in the failure. */
function expectStillServing(hub: HubProcess): void {
  if (hub.child.exitCode !== null || hub.child.signalCode !== null) {
    throw new Error(`the hub exited (${hub.child.exitCode ?? hub.child.signalCode}) during the outage:\n${hub.output()}`);
  }
}

interface Answer { status: number; elapsedMs: number; body: { data?: Record<string, unknown>; errors?: { message: string; extensions?: { code?: string } }[] } | null; text: string }

describe('the database restarted while the API serves', () => {
  jest.setTimeout(180_000);
  let folder: string;
  let postgres: PostgresProcess | undefined;
  let hub: HubProcess | undefined;

  beforeAll(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'faults-db-restart-'));
    // PostgreSQL runs as the postgres user when the tests run as root: it must be able to enter the folder
    fs.chmodSync(folder, 0o755);
  });
  afterAll(async () => {
    if (hub && hub.child.exitCode === null) {
      process.kill(-hub.child.pid!, 'SIGKILL');
      await hub.exited;
    }
    await postgres?.stop().catch(() => undefined);
    fs.rmSync(folder, { recursive: true, force: true });
  });

  test('requests fail cleanly (5xx, JSON, in plain words, within a bound) while it is down, and succeed again once it is back, without restarting the hub', async () => {
    const dataDir = path.join(folder, 'pg');
    const pgPort = await freePort();
    postgres = await startPostgresProcess({ dataDir, port: pgPort });
    const port = await freePort();
    const drop = path.join(folder, 'drop');
    writeCsv(path.join(drop, '执法主体.csv'), 'agencies', [
      { name: '泉州市市场监督管理局', uscc: agency, regionCode: '350500', tier: '市级', domain: '市场监管', kind: '法定', updatedAt: '2024-01-01 08:00:00' }]);
    writeCsv(path.join(drop, 'cases-2025.csv'), 'cases', caseIds.map((caseId) => ({
      caseId, agencyUscc: agency, actionType: '行政许可', filedOn: '2025-03-01', decidedOn: '2025-03-12', updatedAt: '2025-03-13 09:00:00' })));
    // a scheduled source too, so that pg-boss is running through the outage as it does in a deployment
    const sourcesFile = writeSourcesFile(folder, [
      { id: 'quanzhou-drop', name: '泉州市报送', transport: 'FOLDER', location: './drop', covers: { region: '350500' }, schedule: '0 2 1 1 *' }]);
    const env = {
      ...process.env, DATABASE_URL: postgres.url, PORT: String(port), HUB_DATA_DIR: path.join(folder, 'hub'),
      HUB_SOURCES: sourcesFile, HUB_JWT_SECRET: crypto.randomBytes(32).toString('hex'),
      // the traffic below is four clients asking as fast as the hub answers, not one viewer's clicks: a 503 comes
      // back in a millisecond, and the per-viewer rate limit is not what this test is about
      HUB_RATE_LIMIT_PER_MINUTE: '1000000',
    };

    for (const args of [['migrate'], ['etl', 'run', '--source', 'quanzhou-drop']]) {
      const step = spawnHub(args, env);
      const code = await step.exited;
      if (code !== 0) throw new Error(`hub ${args.join(' ')} failed (${code}):\n${step.output()}`);
    }
    hub = spawnHub(['start', '--no-demo'], env);
    const started = hub;
    await waitFor('the hub serving', async () => ((await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200 ? true : undefined), started);
    const tokenCommand = spawnHub(['token', '--role', 'PROVINCE'], env);
    expect(await tokenCommand.exited).toBe(0);
    const token = tokenCommand.output().trim().split('\n').pop()!;

    const ask = async (query: string, variables: Record<string, unknown> = {}): Promise<Answer> => {
      const begun = Date.now();
      let response: Response;
      try {
        response = await fetch(`http://127.0.0.1:${port}/graphql`, {
          method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query, variables }), signal: AbortSignal.timeout(answerBoundMs),
        });
      } catch (error) {
        throw new Error(`no answer from the hub within ${answerBoundMs} ms (${String((error as Error).cause ?? error)}):\n${started.output()}`);
      }
      const text = await response.text();
      let body: Answer['body'] = null;
      try { body = JSON.parse(text) as Answer['body']; } catch { /* judged by the caller */ }
      return { status: response.status, elapsedMs: Date.now() - begun, body, text };
    };
    /** Every case the API lists, page by page, by case number; null when a page fails. */
    const listCases = async (): Promise<string[] | null> => {
      const found: string[] = [];
      let after: string | null = null;
      for (;;) {
        const answer = await ask(`query Cases($after: String) { cases(first: 200, after: $after) { nodes { caseId } pageInfo { endCursor hasNextPage } } }`, { after });
        if (answer.status !== 200 || answer.body?.errors) return null;
        const page = (answer.body!.data as { cases: { nodes: { caseId: string }[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } } }).cases;
        found.push(...page.nodes.map((node) => node.caseId));
        if (!page.pageInfo.hasNextPage) return found;
        after = page.pageInfo.endCursor;
      }
    };
    expect((await listCases())?.length).toBe(caseCount);

    // requests keep coming, several at a time, while the database goes away (some are in the middle of their
    // transaction when it does): each must be answered, none may hang or bring the hub down
    const answers: Answer[] = [];
    let asking = true;
    const client = async () => {
      while (asking) answers.push(await ask('{ cases(first: 200) { nodes { caseId agency { name } } } }'));
    };
    const traffic = Promise.all(Array.from({ length: 4 }, client));
    await new Promise((resolve) => setTimeout(resolve, 500));
    await postgres.stop();
    const down = await ask('{ cases(first: 5) { nodes { caseId } } }');
    const health = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(answerBoundMs) });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    asking = false;
    await traffic;

    expectStillServing(started);
    expect({ status: down.status, error: down.body?.errors?.[0] }).toEqual({ status: 503, error: {
      message: expect.stringMatching(/^数据库暂不可用.*请稍后重试$/), extensions: { code: 'DATABASE_UNAVAILABLE' } } });
    expect(down.elapsedMs).toBeLessThan(answerBoundMs);
    expect({ status: health.status, database: ((await health.json()) as { database: string }).database }).toEqual({ status: 503, database: 'unreachable' });
    // every answer in the outage: a success from before it, or the same 503 in JSON and plain words, never a hang
    const failed = answers.filter((answer) => answer.status !== 200);
    expect(failed.length).toBeGreaterThan(0);
    expect(new Set(failed.map((answer) => `${answer.status} ${answer.body?.errors?.[0]?.extensions?.code}: ${answer.body?.errors?.[0]?.message}`)))
      .toEqual(new Set([`503 DATABASE_UNAVAILABLE: ${down.body!.errors![0]!.message}`]));
    expect(Math.max(...answers.map((answer) => answer.elapsedMs))).toBeLessThan(answerBoundMs);

    // the database comes back on the same port and folder; the same hub process must find it again
    postgres = await startPostgresProcess({ dataDir, port: pgPort });
    const recovered = await waitFor('GraphQL answering again', async () => (await listCases()) ?? undefined, started, recoveryBoundMs);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expectStillServing(started);
    expectNothingLost(tallyKeys('database restarted while the API serves', caseIds, recovered));

    pressCtrlC(started);
    expect({ code: await started.exited, output: started.output() }).toEqual({ code: 0, output: expect.stringMatching(/stopped/) });
  });
});
