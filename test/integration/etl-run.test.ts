import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Pool } from 'pg';
import { runSource } from '../../etl/pipeline/run-source';
import { startAgencyApiSimulator } from '../../etl/simulator/agency-api-simulator';
import type { SourceDefinition } from '../../etl/sources/source-definition';
import { createPool } from '../../src/database/pg';
import { writeCsv, writeXlsx } from '../support/builders/feed-files';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let pool: Pool;
let folder: string;
const agency = '91350500MA2Y0K3L8T';

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url);
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'etl-run-'));
});
afterAll(async () => { await pool?.end(); await db?.drop(); fs.rmSync(folder, { recursive: true, force: true }); });

const count = async (table: string, where = 'true') =>
  (await pool.query<{ n: number }>(`select count(*)::int as n from ${table} where ${where}`)).rows[0]!.n;

const folderSource = (id: string, location: string): SourceDefinition =>
  ({ id, name: `测试来源 ${id}`, transport: 'FOLDER', location, covers: { region: '350500' } });

describe('an ETL run over a folder of feed files', () => {
  const quanzhou = () => path.join(folder, 'quanzhou');
  // a penalty as a clerk writes it: slashes and 年月日 in dates, thousands separators, Chinese list separators
  const goodCase = {
    caseId: 'QZ-001', agencyUscc: agency, actionType: '行政处罚', procedure: '普通', filedOn: '2024/9/1', decidedOn: '2024年9月27日',
    decisionNo: '泉市监罚〔2024〕1号', partyType: '自然人', partyName: '欧阳娜娜', amount: '12,000.00', penaltyKinds: '罚款；警告',
    handlerIds: 'P001、P002', updatedAt: '2024-09-28 10:00:00',
  };

  beforeAll(async () => {
    writeCsv(path.join(quanzhou(), '执法主体.csv'), 'agencies', [
      { name: '泉州市市场监督管理局', uscc: agency, regionCode: '350500', tier: '市级', domain: '市场监管', kind: '法定', updatedAt: '2024-01-01 08:00:00' },
    ], 'gbk');
    writeCsv(path.join(quanzhou(), 'cases-2024Q3-泉州市.csv'), 'cases', [
      goodCase,
      { caseId: 'QZ-002', agencyUscc: agency, actionType: '行政许可', filedOn: '2024-09-02', decidedOn: '2025-02-30', updatedAt: '2024-09-28 10:00:00' },
      { caseId: 'QZ-003', agencyUscc: agency, actionType: '行政处罚', filedOn: '2024-09-20', decidedOn: '2024-09-03', updatedAt: '2024-09-28 10:00:00' },
    ], 'gbk');
    // Excel serial dates (45562 = 2024-09-27) and 万 amounts, as clerks' spreadsheets have them
    await writeXlsx(path.join(quanzhou(), 'cases-2024Q4.xlsx'), 'cases', [
      { caseId: 'QZ-004', agencyUscc: agency, actionType: 'PENALTY', filedOn: 45550, decidedOn: 45562, amount: '1.5万', updatedAt: '2024-10-01 09:00' },
    ], '案件');
    writeCsv(path.join(quanzhou(), 'publications.csv'), 'publications', [
      { caseId: 'QZ-001', publishedOn: '2024-10-12', platform: '信用中国（福建泉州）', updatedAt: '2024-10-12 09:00:00' },
      { caseId: 'QZ-999', publishedOn: '2024-10-12', updatedAt: '2024-10-12 09:00:00' },
    ], 'utf8-bom');
  });

  test('loads a GBK CSV with Chinese headers, an XLSX with Excel serial dates and 万 amounts, and quarantines bad rows with every reason', async () => {
    const summary = await runSource(pool, folderSource('quanzhou-files', quanzhou()), { trigger: 'test' });
    expect(summary.status).toBe('SUCCEEDED');
    expect(summary.counts.agencies).toMatchObject({ read: 1, inserted: 1 });
    expect(summary.counts.cases).toMatchObject({ read: 4, inserted: 2, quarantined: 2 });
    expect(summary.counts.publications).toMatchObject({ read: 2, inserted: 1, held: 1 });

    const qz1 = (await pool.query(`select decided_on, amount, penalty_kinds, party_name from cases where case_id = 'QZ-001'`)).rows[0];
    expect(qz1).toEqual({ decided_on: '2024-09-27', amount: '12000.00', penalty_kinds: ['罚款', '警告'], party_name: '欧阳娜娜' });
    const qz4 = (await pool.query(`select filed_on, decided_on, amount, lineage_position from cases where case_id = 'QZ-004'`)).rows[0];
    expect(qz4).toEqual({ filed_on: '2024-09-15', decided_on: '2024-09-27', amount: '15000.00', lineage_position: 'cases-2024Q4.xlsx 工作表「案件」第 2 行' });

    const quarantined = (await pool.query<{ position: string; codes: string[] }>(
      `select position, array(select jsonb_array_elements(reasons)->>'code') as codes from quarantine where source = 'quanzhou-files' order by position`)).rows;
    expect(quarantined).toEqual([
      { position: 'cases-2024Q3-泉州市.csv 第 3 行', codes: ['INVALID_DATE'] },
      { position: 'cases-2024Q3-泉州市.csv 第 4 行', codes: ['DECIDED_BEFORE_FILED'] },
    ]);
    expect(await count('held_rows', `status = 'HELD' and natural_key = 'QZ-999'`)).toBe(1);
  });

  test('loading the same feed again changes nothing and keeps row counts', async () => {
    const before = { cases: await count('cases'), publications: await count('publications'), quarantine: await count('quarantine'), held: await count('held_rows') };
    const summary = await runSource(pool, folderSource('quanzhou-files', quanzhou()), { trigger: 'test' });
    for (const entity of ['agencies', 'cases', 'publications'] as const) {
      expect({ entity, inserted: summary.counts[entity]!.inserted, updated: summary.counts[entity]!.updated })
        .toEqual({ entity, inserted: 0, updated: 0 });
    }
    expect(summary.counts.cases).toMatchObject({ unchanged: 2, quarantined: 2 });
    expect({ cases: await count('cases'), publications: await count('publications'), quarantine: await count('quarantine'), held: await count('held_rows') })
      .toEqual(before);
  });

  test('fixing the source and loading again releases its quarantined rows', async () => {
    writeCsv(path.join(quanzhou(), 'cases-2024Q3-泉州市.csv'), 'cases', [
      goodCase,
      { caseId: 'QZ-002', agencyUscc: agency, actionType: '行政许可', filedOn: '2024-09-02', decidedOn: '2025-02-28', updatedAt: '2024-09-29 10:00:00' },
      { caseId: 'QZ-003', agencyUscc: agency, actionType: '行政处罚', filedOn: '2024-09-02', decidedOn: '2024-09-03', updatedAt: '2024-09-29 10:00:00' },
    ], 'gbk');
    const summary = await runSource(pool, folderSource('quanzhou-files', quanzhou()), { trigger: 'test' });
    expect(summary.counts.cases).toMatchObject({ inserted: 2, quarantined: 0 });
    expect(await count('quarantine', `source = 'quanzhou-files' and status = 'QUARANTINED'`)).toBe(0);
  });

  test('--strict fails a run that refused rows', async () => {
    const summary = await runSource(pool, folderSource('quanzhou-files', quanzhou()), { trigger: 'test', strict: true });
    expect(summary.status).toBe('FAILED');  // QZ-999's publication still waits for its case
  });

  test('a file whose entity cannot be told is reported by name, and the rest loads', async () => {
    const other = path.join(folder, 'other');
    writeCsv(path.join(other, '数据.csv'), 'cases', [{ caseId: 'X', agencyUscc: agency, actionType: 'PENALTY', updatedAt: '2024-01-01' }]);
    const summary = await runSource(pool, folderSource('other-files', other), { trigger: 'test' });
    expect(summary.problems).toEqual([expect.objectContaining({ where: '数据.csv' })]);
  });

  test('a file that cannot be read is reported by name, and the other files still load', async () => {
    const mixed = path.join(folder, 'mixed');
    fs.mkdirSync(mixed, { recursive: true });
    fs.writeFileSync(path.join(mixed, 'cases-broken.xlsx'), 'this is not a workbook');
    writeCsv(path.join(mixed, 'cases-good.csv'), 'cases', [{ caseId: 'MIX-1', agencyUscc: agency, actionType: 'PENALTY', updatedAt: '2024-01-01' }]);
    const summary = await runSource(pool, folderSource('mixed-files', mixed), { trigger: 'test' });
    expect(summary.problems).toEqual([expect.objectContaining({ where: 'cases-broken.xlsx' })]);
    expect(summary.counts.cases).toMatchObject({ inserted: 1 });
  });
});

describe('an ETL run of a source with its own layout', () => {
  test('a mapping turns other headers, codes and day-first dates into the standard, and refuses what is still wrong', async () => {
    const drop = path.join(folder, 'county-platform');
    fs.mkdirSync(drop, { recursive: true });
    fs.writeFileSync(path.join(drop, 'ajxx_20250318.csv'), [
      'case_no,org_code,type,proc,reg_date,decide_date,party,fine,officers,modified',
      `HA-1,${agency},处罚,一般,01/03/2025,18/03/2025,张三,"1,500",P1;P2,18/03/2025 18:00`,
      `HA-2,${agency},罚款,一般,01/03/2025,18/03/2025,李四,100,P1,18/03/2025 18:00`,
    ].join('\n') + '\n');
    const source: SourceDefinition = { id: 'county-platform', name: '某县平台导出', transport: 'FOLDER', location: drop,
      covers: { region: '350500' }, mapping: 'example-county-platform' };
    const summary = await runSource(pool, source, { trigger: 'test' });
    expect(summary.problems).toEqual([]);
    expect(summary.counts.cases).toMatchObject({ read: 2, inserted: 1, quarantined: 1 });
    expect((await pool.query(`select action_type, procedure, filed_on, decided_on, amount, handler_ids from cases where case_id = 'HA-1'`)).rows[0])
      .toEqual({ action_type: 'PENALTY', procedure: 'ORDINARY', filed_on: '2025-03-01', decided_on: '2025-03-18', amount: '1500.00', handler_ids: ['P1', 'P2'] });
    const refused = (await pool.query(`select reasons->0->>'code' as code from quarantine where source = 'county-platform'`)).rows;
    expect(refused).toEqual([{ code: 'UNKNOWN_CODE' }]);
  });
});

describe('an ETL run over an agency API', () => {
  test('pulls JSON pages through retries, then only what is newer', async () => {
    const simulator = await startAgencyApiSimulator({
      token: 'secret-token', faults: { failEveryNth: 3 },
      data: {
        agencies: [{ name: '晋江市市场监督管理局', uscc: '11350582MB0000001F', regionCode: '350582', tier: 'COUNTY', domain: '市场监管', kind: 'STATUTORY', updatedAt: '2024-01-01T00:00:00+08:00' }],
        cases: Array.from({ length: 7 }, (_, i) => ({
          caseId: `JJ-${i}`, agencyUscc: '11350582MB0000001F', actionType: 'LICENSING', decidedOn: '2024-05-18', updatedAt: `2024-05-18T1${i}:00:00+08:00` })),
      },
    });
    try {
      const source: SourceDefinition = { id: 'jinjiang-api', name: '晋江市平台', transport: 'HTTP', location: simulator.url,
        covers: { region: '350582' }, tokenEnv: 'JINJIANG_TOKEN', entities: ['agencies', 'cases'], pageSize: 3 };
      const env = { JINJIANG_TOKEN: 'secret-token' };
      const first = await runSource(pool, source, { trigger: 'test', env });
      expect(first.error).toBeNull();
      expect(first.counts.cases).toMatchObject({ read: 7, inserted: 7 });
      const second = await runSource(pool, source, { trigger: 'test', env });
      expect(second.counts.cases).toMatchObject({ inserted: 0, updated: 0 });
      expect(second.counts.cases!.read).toBeLessThan(7);
      expect(await count('cases', `agency_uscc = '11350582MB0000001F'`)).toBe(7);
    } finally {
      await simulator.close();
    }
  });
});
