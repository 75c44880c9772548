import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SourceDefinition } from '../../etl/sources/source-definition';
import { createPool } from '../../src/database/pg';
import { loadPolicyProfile } from '../../src/domain/profile/policy-profile';
import { startEtlScheduler } from '../../src/jobs/etl-scheduler';
import { writeCsv } from '../support/builders/feed-files';
import { createTestDatabase } from '../support/test-database';

describe('the ETL scheduler', () => {
  jest.setTimeout(60000);

  test('runs a source as a pg-boss job and records the run; its cron is kept in Asia/Shanghai; an unknown source is refused', async () => {
    const db = await createTestDatabase();
    const pool = createPool(db.url);
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'etl-scheduler-'));
    writeCsv(path.join(folder, '执法主体.csv'), 'agencies', [
      { name: '泉州市市场监督管理局', uscc: '91350500MA2Y0K3L8T', regionCode: '350500', tier: '市级', domain: '市场监管', kind: '法定', updatedAt: '2024-01-01 08:00:00' }]);
    const source: SourceDefinition = { id: 'quanzhou-drop', name: '泉州市报送', transport: 'FOLDER', location: folder,
      covers: { region: '350500' }, schedule: '0 2 * * *' };
    const lines: string[] = [];
    const scheduler = await startEtlScheduler({ databaseUrl: db.url, pool, sources: [source], log: (line) => lines.push(line), profile: loadPolicyProfile() });
    try {
      const job = await scheduler.runNow('quanzhou-drop');
      expect(job).toEqual(expect.any(String));
      const deadline = Date.now() + 30000;
      let runs: { status: string; trigger: string }[] = [];
      while (Date.now() < deadline) {
        runs = (await pool.query(`select status, trigger from etl_runs`)).rows;
        if (runs.length && runs[0]!.status !== 'RUNNING') break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(runs).toEqual([{ status: 'SUCCEEDED', trigger: 'api' }]);
      expect(lines.join('\n')).toMatch(/quanzhou-drop: run \d+ 成功 SUCCEEDED/);
      // the run is followed by a rollup refresh (the first one full: there were no rollups yet)
      const refreshed = Date.now() + 15000;
      while (Date.now() < refreshed && !lines.some((line) => line.startsWith('汇总表'))) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(lines.find((line) => line.startsWith('汇总表'))).toMatch(/full refresh/);
      const schedules = (await pool.query(`select name, cron, timezone from pgboss.schedule order by name`)).rows;
      expect(schedules).toEqual([
        { name: 'etl.quanzhou-drop', cron: '0 2 * * *', timezone: 'Asia/Shanghai' },
        { name: 'rollups.refresh', cron: '5 0 * * *', timezone: 'Asia/Shanghai' },
      ]);
      await expect(scheduler.runNow('no-such-source')).rejects.toThrow(/no source no-such-source/);
    } finally {
      await scheduler.stop();
      await pool.end();
      await db.drop();
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});
