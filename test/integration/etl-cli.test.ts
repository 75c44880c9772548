import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeCsv } from '../support/builders/feed-files';
import { spawnHub } from '../support/hub-process';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const agency = '91350500MA2Y0K3L8T';
let db: TestDatabase;
let folder: string;
let env: NodeJS.ProcessEnv;

async function hub(...args: string[]) {
  const child = spawnHub(args, env);
  return { code: await child.exited, output: child.output() };
}

beforeAll(async () => {
  db = await createTestDatabase();
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'etl-cli-'));
  const drop = path.join(folder, 'drop');
  writeCsv(path.join(drop, '执法主体.csv'), 'agencies', [
    { name: '泉州市市场监督管理局', uscc: agency, regionCode: '350500', tier: '市级', domain: '市场监管', kind: '法定', updatedAt: '2024-01-01 08:00:00' }], 'gbk');
  writeCsv(path.join(drop, 'cases.csv'), 'cases', [
    { caseId: 'QZ-1', agencyUscc: agency, actionType: '行政处罚', decidedOn: '2024-09-27', updatedAt: '2024-09-28' },
    { caseId: 'QZ-2', agencyUscc: '91350500MA2Y0K3L85', actionType: '行政处罚', decidedOn: '2025-02-30', updatedAt: '2024-09-28' }]);
  fs.writeFileSync(path.join(folder, 'sources.yaml'),
    `sources:\n  - id: quanzhou-drop\n    name: 泉州市报送文件夹\n    transport: FOLDER\n    location: ./drop\n    covers: { region: '350500' }\n    schedule: '0 2 * * *'\n`);
  env = { ...process.env, DATABASE_URL: db.url, HUB_SOURCES: path.join(folder, 'sources.yaml') };
});
afterAll(async () => { await db?.drop(); fs.rmSync(folder, { recursive: true, force: true }); });

describe('the hub etl and quarantine commands', () => {
  jest.setTimeout(60000);

  test('hub etl run prints what became of every row, and hub etl sources shows the source\'s state', async () => {
    const run = await hub('etl', 'run');
    expect(run.code).toBe(0);
    expect(run.output).toMatch(/quanzhou-drop: run \d+ 成功 SUCCEEDED/);
    expect(run.output).toMatch(/cases\s+2\s+1\s+0\s+0\s+1\s+0\s+0/);
    const sources = await hub('etl', 'sources');
    expect(sources.output).toMatch(/quanzhou-drop\s+泉州市报送文件夹/);
    expect(sources.output).toMatch(/last run SUCCEEDED .* quarantined 1 · waiting 0/);
  });

  test('hub quarantine list names the row, its position and every reason; show prints it whole', async () => {
    const list = await hub('quarantine', 'list');
    expect(list.code).toBe(0);
    expect(list.output).toMatch(/cases\.csv 第 3 行/);
    expect(list.output).toMatch(/USCC_CHECK_CHARACTER: 主体代码：统一社会信用代码 91350500MA2Y0K3L85 校验位应为 T，实为 5/);
    expect(list.output).toMatch(/INVALID_DATE/);
    const id = /#(\d+)/.exec(list.output)![1]!;
    const show = await hub('quarantine', 'show', id);
    expect(show.output).toMatch(/position: cases\.csv 第 3 行/);
    expect(show.output).toMatch(/决定日期: 2025-02-30/);
  });

  test('an unknown source is refused with the known ones listed', async () => {
    const run = await hub('etl', 'run', '--source', 'no-such-source');
    expect(run.code).toBe(1);
    expect(run.output).toMatch(/no-such-source.*quanzhou-drop/s);
  });
});
