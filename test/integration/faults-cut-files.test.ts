import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import type { Pool } from 'pg';
import { tableFromIPC, tableToIPC } from 'apache-arrow';
import { createPool } from '../../src/database/pg';
import { writeCsv, writeXlsx } from '../support/builders/feed-files';
import { writeArrowFeed } from '../support/faults/arrow-feed';
import { expectEveryReadRowAccounted, runEtl, writeSourcesFile } from '../support/faults/etl-runs';
import { expectNothingLost, tallyKeys } from '../support/faults/row-tally';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * Feed files cut off in the middle (a transfer broken, a copy not finished) and delivered whole later, through
 * a real `hub etl run`. A CSV is read row by row: its complete rows load and the cut last line is quarantined,
 * named by file and line. An XLSX or an Arrow file without its directory or footer is refused whole, saying so.
 * An Arrow stream loads the batches before the cut and names where it broke. Once the whole files arrive,
 * every row is there exactly once and the quarantined line is released.
 */
const agency = '91350500MA2Y0K3L8T';

type CaseRow = { caseId: string; agencyUscc: string; actionType: string; filedOn: string; decidedOn: string; partyName: string; updatedAt: string };
function someCases(prefix: string, count: number): CaseRow[] {
  return Array.from({ length: count }, (_, i) => ({
    caseId: `${prefix}-${String(i).padStart(4, '0')}`, agencyUscc: agency, actionType: '行政许可', filedOn: '2025-03-01',
    decidedOn: '2025-03-12', partyName: `泉州某某贸易有限公司第${i}分公司`, updatedAt: '2025-03-13 09:00:00' }));
}

const csvCases = someCases('CSV', 400);
const xlsxCases = someCases('XL', 300);
const arrowCases = someCases('AR', 300);
const streamCases = someCases('AS', 300);
const allCases = [...csvCases, ...xlsxCases, ...arrowCases, ...streamCases];
/** the data row of the CSV that the cut goes through, and the line a person sees it on (the header is line 1) */
const cutRow = 250;
const cutLine = cutRow + 2;

/** Writes the drop folder: whole files, or each cut off in the middle. */
async function writeDrop(folder: string, cut: boolean): Promise<void> {
  fs.rmSync(folder, { recursive: true, force: true });
  writeCsv(path.join(folder, '执法主体.csv'), 'agencies', [
    { name: '泉州市市场监督管理局', uscc: agency, regionCode: '350500', tier: '市级', domain: '市场监管', kind: '法定', updatedAt: '2024-01-01 08:00:00' }]);
  const csv = path.join(folder, 'cases-csv.csv');
  writeCsv(csv, 'cases', csvCases, 'gbk');
  const xlsx = path.join(folder, 'cases-xlsx.xlsx');
  await writeXlsx(xlsx, 'cases', xlsxCases);
  const arrow = path.join(folder, 'cases-arrow.arrow');
  writeArrowFeed(arrow, 'cases', arrowCases, 100);
  // the same kind of export in the IPC stream format (no footer: read batch by batch)
  const stream = path.join(folder, 'cases-stream.ipc');
  writeArrowFeed(stream, 'cases', streamCases, 100);
  fs.writeFileSync(stream, tableToIPC(tableFromIPC(fs.readFileSync(stream)), 'stream'));
  if (!cut) return;

  // the CSV ends inside the party's name of data row 250, between the two bytes of a GBK character
  const bytes = fs.readFileSync(csv);
  const lines = iconv.decode(bytes, 'gbk').split('\r\n');
  const lineStart = iconv.encode(lines.slice(0, cutLine - 1).map((line) => `${line}\r\n`).join(''), 'gbk').length;
  const beforeName = iconv.encode(lines[cutLine - 1]!.slice(0, lines[cutLine - 1]!.indexOf('泉州')), 'gbk').length;
  fs.writeFileSync(csv, bytes.subarray(0, lineStart + beforeName + 1));
  for (const [file, share] of [[xlsx, 0.6], [arrow, 0.7], [stream, 0.8]] as const) {
    const whole = fs.readFileSync(file);
    fs.writeFileSync(file, whole.subarray(0, Math.floor(whole.length * share)));
  }
}

describe('feed files cut in the middle', () => {
  jest.setTimeout(120_000);
  let db: TestDatabase;
  let pool: Pool;
  let folder: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url);
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'faults-cut-'));
    const sources = writeSourcesFile(folder, [{ id: 'cut-drop', name: '泉州市报送文件夹', transport: 'FOLDER', location: './drop', covers: { region: '350500' } }]);
    env = { ...process.env, DATABASE_URL: db.url, HUB_SOURCES: sources, HUB_DATA_DIR: path.join(folder, 'hub') };
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  const storedCases = async () => (await pool.query<{ key: string; party_name: string }>(
    `select case_id as key, party_name from cases where agency_uscc = $1`, [agency])).rows;

  test('complete rows load, the cut CSV line is quarantined by file and line, cut XLSX and Arrow files are refused by name; the whole files later load every row once', async () => {
    const drop = path.join(folder, 'drop');
    await writeDrop(drop, true);
    const first = await runEtl(env, 'cut-drop');
    expect({ code: first.code, output: first.output }).toEqual({ code: 0, output: expect.stringMatching(/cut-drop: run \d+ 成功 SUCCEEDED/) });
    expect(first.output).toMatch(/! cases-xlsx\.xlsx: cases-xlsx\.xlsx: 不是可读的 XLSX 文件：ZIP 压缩包结尾的目录缺失.*文件不完整/);
    expect(first.output).toMatch(/! cases-arrow\.arrow: cases-arrow\.arrow: 文件不完整：Arrow 文件应以 ARROW1 结尾/);
    expect(first.output).toMatch(/! cases-stream\.ipc: cases-stream\.ipc 第 200 条记录之后: .*文件不完整/);

    // what loaded: the CSV's rows before the cut, and the stream's two whole batches
    const loaded = new Set((await storedCases()).map((row) => row.key));
    expect(loaded).toEqual(new Set([...csvCases.slice(0, cutRow), ...streamCases.slice(0, 200)].map((row) => row.caseId)));
    const quarantined = (await pool.query<{ position: string; natural_key: string; codes: string[] }>(
      `select position, natural_key, array(select jsonb_array_elements(reasons)->>'code') as codes
       from quarantine where source = 'cut-drop' and status = 'QUARANTINED'`)).rows;
    expect(quarantined).toEqual([{
      position: `cases-csv.csv 第 ${cutLine} 行`, natural_key: `${agency}|${csvCases[cutRow]!.caseId}`,
      codes: expect.arrayContaining(['CSV_COLUMN_COUNT']),
    }]);

    // the agency sends the files again, whole
    await writeDrop(drop, false);
    const second = await runEtl(env, 'cut-drop');
    expect({ code: second.code, output: second.output }).toEqual({ code: 0, output: expect.stringMatching(/cut-drop: run \d+ 成功 SUCCEEDED/) });
    expect(second.output).not.toMatch(/^ {2}! /m);
    expect((await pool.query(`select status from quarantine where source = 'cut-drop'`)).rows).toEqual([{ status: 'RELEASED' }]);
    await expectEveryReadRowAccounted(pool, 'cut-drop');
    const stored = await storedCases();
    const names = new Map(allCases.map((row) => [row.caseId, row.partyName]));
    expect(stored.filter((row) => names.get(row.key) !== row.party_name)).toEqual([]);
    expectNothingLost(tallyKeys('feed files cut in the middle (CSV, XLSX, Arrow file and stream), then delivered whole',
      allCases.map((row) => row.caseId), stored.map((row) => row.key)));
  });
});
