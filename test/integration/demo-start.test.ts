import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPool } from '../../src/database/pg';
import { freePort, getJson, pressCtrlC, spawnHub, waitFor } from '../support/hub-process';
import { createTestDatabase } from '../support/test-database';

interface RefusedRow { source: string; entity: string; position: string; naturalKey: string | null; reasons: string[] }

describe('npm start on an empty warehouse', () => {
  jest.setTimeout(240000);

  test('generates the synthetic demo province, pulls it through the simulated platform and the folders, quarantines exactly the answer key\'s bad rows, and serves', async () => {
    const db = await createTestDatabase();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-demo-'));
    fs.chmodSync(dataDir, 0o755);
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: db.url, HUB_DATA_DIR: dataDir, PORT: String(port), HUB_DEMO_SCALE: '1500' };
    delete env.HUB_SOURCES;
    const pool = createPool(db.url);
    const hub = spawnHub(['start'], env);
    try {
      const health = await waitFor('health', async () => {
        const answer = await getJson(`http://127.0.0.1:${port}/healthz`);
        return answer.status === 200 ? answer.body : undefined;
      }, hub, 200000);
      expect(health).toMatchObject({ status: 'ok' });

      const manifest = JSON.parse(fs.readFileSync(path.join(dataDir, 'demo', 'manifest.json'), 'utf8'));
      expect(manifest.synthetic).toBe(true);
      const runs = (await pool.query<{ source: string; status: string }>(`select source, status from etl_runs order by id`)).rows;
      expect(runs.length).toBeGreaterThanOrEqual(2);
      expect(runs.every((run) => run.status === 'SUCCEEDED')).toBe(true);

      const key = JSON.parse(fs.readFileSync(path.join(dataDir, 'demo', 'answer-key', 'quarantine.json'), 'utf8')) as { refused: RefusedRow[] };
      const expected = key.refused.map((row) => `${row.source} | ${row.position} | ${[...row.reasons].sort().join(',')}`).sort();
      const stored = (await pool.query<{ source: string; position: string; codes: string[] }>(
        `select source, position, array(select distinct jsonb_array_elements(reasons)->>'code' order by 1) as codes
         from quarantine where status = 'QUARANTINED'`)).rows
        .map((row) => `${row.source} | ${row.position} | ${row.codes.join(',')}`).sort();
      expect(stored).toEqual(expected);
      expect((await pool.query(`select count(*)::int as n from held_rows where status = 'HELD'`)).rows[0]).toEqual({ n: 0 });
      expect((await pool.query(`select count(*)::int as n from cases`)).rows[0].n).toBeGreaterThan(1000);

      // the dashboards' page is served, and the demo offers a viewer per tier whose token the API accepts
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('行政执法监督数据中台');
      expect((await fetch(`http://127.0.0.1:${port}/app/main.js`)).status).toBe(200);
      const viewers = (await getJson(`http://127.0.0.1:${port}/demo-viewers.json`)).body as unknown as { role: string; token: string }[];
      expect(viewers.map((viewer) => viewer.role)).toEqual(['PROVINCE', 'SUPERVISOR', 'SUPERVISOR', 'AGENCY']);
      for (const viewer of viewers) {
        const me = await fetch(`http://127.0.0.1:${port}/graphql`, {
          method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${viewer.token}` },
          body: JSON.stringify({ query: '{ me { role } }' }),
        });
        expect(((await me.json()) as { data: { me: { role: string } } }).data.me.role).toBe(viewer.role);
      }
    } finally {
      pressCtrlC(hub);
      await hub.exited;
      await pool.end();
      await db.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
