import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tableFromIPC, Type } from 'apache-arrow';
import { ValueType, Workbook } from 'exceljs';
import type { Pool } from 'pg';
import { createPool } from '../../src/database/pg';
import { loadPolicyProfile } from '../../src/domain/profile/policy-profile';
import { startTestApi, type TestApi } from '../support/api-server';
import {
  formulaAgencies, formulaTexts, writeCleanFeed, writeHostileFeeds,
  type CleanFeed, type ExpectedAgency, type ExpectedCase, type HostileCase,
} from '../support/hostile-feeds';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * The hostile input battery (issue 8, part 3). A clean feed is loaded, then a folder of malformed feeds
 * (test/support/hostile-feeds.ts: wrong and mixed encodings, formula injection in CSV, XLSX and Arrow, 5 MB
 * cells, a line of a million columns, invalid UTF-8, NUL bytes, a BOM mid-file, 2025-02-30, negative amounts,
 * wrong USCC check characters, good rows among them), both by the real `hub etl run --files` as a child process
 * under the CLI's heap cap. Then: every bad row is in quarantine at its position with a reason naming the
 * field, or the run names the file and where it could not be read; every good row is stored exactly; the rows
 * stored before are untouched; the process's peak RSS stays under PEAK_RSS_BOUND_MB; the API still answers,
 * and formula-looking text comes out of the Arrow export as a plain string and out of the Excel ranking as a
 * string cell, never a formula.
 */
jest.setTimeout(180_000);

const root = path.resolve(__dirname, '..', '..');
const SOURCE = 'manual-files';
/** the CLI's own cap for `hub etl` (bin/hub.js), stated so that the bound below is measured under it */
const HEAP_CAP_MB = 160;
/**
 * Peak RSS of the ETL process over the hostile folder: measured 212–228 MiB (16.5 MiB of files: four 5 MB cells in
 * CSV, XLSX and Arrow, a million-column line, a row filled to XFD), against 148 MiB for the two-file clean
 * folder, under the CLI's 160 MB heap cap. The bound is the project's ETL memory goal (README, Benchmarks:
 * < 300 MB); a reader that held a file or a line whole would cross it or hit the heap cap and fail the run.
 */
const PEAK_RSS_BOUND_MB = 300;
const RUN_TIME_BOUND_S = 90;

let db: TestDatabase;
let pool: Pool;
let folder: string;
let clean: CleanFeed;
let battery: HostileCase[];
let cleanRun: EtlProcess;
let hostileRun: EtlProcess;
let before: StoredRows;

interface EtlProcess {
  code: number | null; output: string; seconds: number; runId: string;
  /** the larger of the two measures below */
  peakRssMb: number; sampledMb: number; timedMb: number;
}
interface StoredRows { agencies: Record<string, unknown>[]; cases: Record<string, unknown>[] }

// ---------------------------------------------------------------------------------------------------------------
// The ETL as a child process, with its peak memory

/** Peak resident set (VmHWM) of a process, in KiB, or 0 once it is gone. */
function highWaterKb(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** A process and everything it started (bin/hub.js re-executes itself with the heap cap). */
function processTree(pid: number): number[] {
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) {
    try {
      for (const task of fs.readdirSync(`/proc/${pids[i]}/task`)) {
        const children = fs.readFileSync(`/proc/${pids[i]}/task/${task}/children`, 'utf8').trim();
        if (children) pids.push(...children.split(/\s+/).map(Number));
      }
    } catch { /* ended meanwhile */ }
  }
  return pids;
}

/**
 * `node bin/hub.js etl run --files <folder>` as an operator runs it, under the CLI's heap cap (HUB_MAX_HEAP_MB).
 * Peak RSS is the larger of GNU time's maximum resident set (which covers the re-executed child it waits for)
 * and VmHWM sampled from /proc every 50 ms over the process tree.
 */
async function runEtl(dir: string): Promise<EtlProcess> {
  const hub = [path.join(root, 'bin', 'hub.js'), 'etl', 'run', '--files', dir];
  const timed = fs.existsSync('/usr/bin/time');
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: db.url, HUB_MAX_HEAP_MB: String(HEAP_CAP_MB) };
  delete env.HUB_HEAP_CAPPED;
  const started = process.hrtime.bigint();
  const child = spawn(timed ? '/usr/bin/time' : process.execPath, timed ? ['-f', 'HUB_PEAK_RSS_KB=%M', process.execPath, ...hub] : hub, {
    cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  let sampledKb = 0;
  const sampler = setInterval(() => {
    for (const pid of processTree(child.pid!)) sampledKb = Math.max(sampledKb, highWaterKb(pid));
  }, 50);
  const deadline = setTimeout(() => {
    // only the process group this test started
    try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ }
  }, RUN_TIME_BOUND_S * 1000);
  const code = await new Promise<number | null>((resolve) => child.on('close', (exitCode) => resolve(exitCode)));
  clearInterval(sampler);
  clearTimeout(deadline);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const timedKb = Number(/HUB_PEAK_RSS_KB=(\d+)/.exec(output)?.[1] ?? 0);
  const { rows: [run] } = await pool.query<{ id: string }>(`select id from etl_runs where source = $1 order by id desc limit 1`, [SOURCE]);
  return {
    code, output, seconds, runId: run?.id ?? '',
    peakRssMb: Math.max(sampledKb, timedKb) / 1024, sampledMb: sampledKb / 1024, timedMb: timedKb / 1024,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the warehouse

async function storedRows(): Promise<StoredRows> {
  const usccs = clean.agencies.map((agency) => agency.uscc);
  const agencies = await pool.query<{ row: Record<string, unknown> }>(
    `select to_jsonb(a) as row from agencies a where uscc = any($1) order by uscc`, [usccs]);
  const cases = await pool.query<{ row: Record<string, unknown> }>(
    `select to_jsonb(c) as row from cases c where agency_uscc = any($1) and case_id like 'CLEAN-%' order by agency_uscc, case_id`, [usccs]);
  return { agencies: agencies.rows.map((r) => r.row), cases: cases.rows.map((r) => r.row) };
}

/** Long text compared by length and digest, so that a failure does not print half a megabyte. */
function comparable(text: string | null): string | null {
  if (text === null || text.length <= 200) return text;
  return `${text.length} characters, sha256 ${crypto.createHash('sha256').update(text).digest('hex')}`;
}

async function storedCase(agencyUscc: string, caseId: string): Promise<ExpectedCase | null> {
  const { rows: [row] } = await pool.query<{ party_name: string | null; amount: string | null; decided_on: string | null; exempt_reason: string | null }>(
    `select party_name, amount::text, decided_on::text, exempt_reason from cases where agency_uscc = $1 and case_id = $2`, [agencyUscc, caseId]);
  if (!row) return null;
  return {
    agencyUscc, caseId, partyName: row.party_name, amount: row.amount, decidedOn: row.decided_on, exemptReason: comparable(row.exempt_reason),
  };
}

const isCase = (row: ExpectedCase | ExpectedAgency): row is ExpectedCase => 'caseId' in row;

interface QuarantinedRow { position: string; entity: string; reasons: { code: string; field?: string; message: string }[] }

async function quarantinedBy(runId: string): Promise<Map<string, QuarantinedRow>> {
  const { rows } = await pool.query<QuarantinedRow>(
    `select position, entity, reasons from quarantine where run = $1 and status = 'QUARANTINED' order by id`, [runId]);
  return new Map(rows.map((row) => [row.position, row]));
}

// ---------------------------------------------------------------------------------------------------------------

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url);
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-feeds-'));
  clean = writeCleanFeed(path.join(folder, 'clean'));
  cleanRun = await runEtl(path.join(folder, 'clean'));
  if (cleanRun.code !== 0) throw new Error(`the clean feed did not load:\n${cleanRun.output}`);
  before = await storedRows();
  battery = await writeHostileFeeds(path.join(folder, 'hostile'));
  hostileRun = await runEtl(path.join(folder, 'hostile'));
  console.log([
    `hostile battery: ${battery.length} files, ${(dirSize(path.join(folder, 'hostile')) / 2 ** 20).toFixed(1)} MiB; ` +
      `hub etl run exit ${hostileRun.code} in ${hostileRun.seconds.toFixed(1)} s, peak RSS ${hostileRun.peakRssMb.toFixed(0)} MiB ` +
      `(VmHWM sampled ${hostileRun.sampledMb.toFixed(0)}, GNU time ${hostileRun.timedMb.toFixed(0)}; clean feed ${cleanRun.peakRssMb.toFixed(0)} MiB; ` +
      `bound ${PEAK_RSS_BOUND_MB} MiB, heap cap ${HEAP_CAP_MB} MB)`,
    ...await outcomes(),
  ].join('\n'));
}, 240_000);

afterAll(async () => {
  await pool?.end();
  await db?.drop();
  if (folder) fs.rmSync(folder, { recursive: true, force: true });
});

/** How each hostile file ended, for the log: its rows stored and refused (with reason codes and fields), or its problem. */
async function outcomes(): Promise<string[]> {
  const quarantined = await quarantinedBy(hostileRun.runId);
  const { rows: [run] } = await pool.query<{ problems: { where: string; message: string }[] }>(`select problems from etl_runs where id = $1`, [hostileRun.runId]);
  return battery.flatMap((c) => {
    const problem = run?.problems.find((p) => p.where === c.file);
    const refused = [...quarantined.values()].filter((row) => row.position.startsWith(`${c.file} `)).map((row) =>
      `    ${row.position.slice(c.file.length + 1)}: ${row.reasons.map((r) => `${r.code}${r.field ? `(${r.field})` : ''}`).join(' ')}`);
    return [`  ${c.file} — ${c.what}`, `    good rows ${c.good.length}, quarantined ${refused.length}${problem ? `; problem: ${problem.message}` : ''}`, ...refused];
  });
}

function dirSize(dir: string): number {
  return fs.readdirSync(dir).reduce((sum, name) => sum + fs.statSync(path.join(dir, name)).size, 0);
}

describe('the hostile battery through `hub etl run --files`', () => {
  test('the run finishes in bounded time and memory, and succeeds with what it could not read named as problems', () => {
    expect(hostileRun.code).toBe(0);
    expect(hostileRun.output).toMatch(new RegExp(`${SOURCE}: run ${hostileRun.runId} 成功 SUCCEEDED`));
    expect(hostileRun.seconds).toBeLessThan(RUN_TIME_BOUND_S);
    expect(hostileRun.peakRssMb).toBeGreaterThan(0);
    expect(hostileRun.peakRssMb).toBeLessThan(PEAK_RSS_BOUND_MB);
  });

  test('every bad row is in quarantine at its position, with a reason naming the field; nothing else is refused', async () => {
    const quarantined = await quarantinedBy(hostileRun.runId);
    const expected = battery.flatMap((c) => c.refused);
    for (const refusal of expected) {
      const row = quarantined.get(refusal.position);
      expect({ position: refusal.position, found: row !== undefined }).toEqual({ position: refusal.position, found: true });
      for (const want of refusal.reasons) {
        const matching = row!.reasons.filter((reason) =>
          (typeof want.code === 'string' ? reason.code === want.code : want.code.test(reason.code)) && (want.field === null || reason.field === want.field));
        expect({ position: refusal.position, code: String(want.code), field: want.field, reasons: matching.length > 0 ? 'found' : row!.reasons })
          .toEqual({ position: refusal.position, code: String(want.code), field: want.field, reasons: 'found' });
      }
      // a row whose cells are wrong names the cell's field; only damage to the line as a whole (its column count) has none
      if (refusal.reasons.some((reason) => reason.field !== null)) {
        expect({ position: refusal.position, fields: row!.reasons.filter((reason) => !reason.field).map((reason) => reason.code) })
          .toEqual({ position: refusal.position, fields: [] });
      }
    }
    expect([...quarantined.keys()].sort()).toEqual(expected.map((refusal) => refusal.position).sort());
  });

  test('a file that cannot be read is a run problem naming the file and where; every other file is read', async () => {
    const { rows: [run] } = await pool.query<{ status: string; error: string | null; problems: { where: string; message: string }[] }>(
      `select status, error, problems from etl_runs where id = $1`, [hostileRun.runId]);
    expect({ status: run!.status, error: run!.error }).toEqual({ status: 'SUCCEEDED', error: null });
    const expected = battery.filter((c) => c.problem).map((c) => c.problem!);
    for (const problem of expected) {
      const found = run!.problems.filter((p) => p.where === problem.file && problem.message.test(p.message));
      expect({ file: problem.file, found: found.length === 1 ? 'one' : run!.problems }).toEqual({ file: problem.file, found: 'one' });
    }
    expect(run!.problems.map((p) => p.where).sort()).toEqual(expected.map((p) => p.file).sort());
    expect(hostileRun.output).toContain(`! ${expected[0]!.file}: `);
  });

  test('every good row is stored exactly as delivered: formula-looking text as the text it is', async () => {
    for (const good of battery.flatMap((c) => c.good)) {
      if (isCase(good)) {
        expect(await storedCase(good.agencyUscc, good.caseId)).toEqual({ ...good, exemptReason: comparable(good.exemptReason) });
      } else {
        const { rows: [agency] } = await pool.query(`select uscc, name, region_code as "regionCode" from agencies where uscc = $1`, [good.uscc]);
        expect(agency).toEqual(good);
      }
    }
  });

  test('the run counts every row read as stored or quarantined: read = inserted + quarantined, nothing held or updated', async () => {
    const { rows: [run] } = await pool.query<{ counts: Record<string, Record<string, number>> }>(`select counts from etl_runs where id = $1`, [hostileRun.runId]);
    for (const entity of ['agencies', 'cases'] as const) {
      const files = battery.filter((c) => c.entity === entity && !c.problem);
      const good = files.reduce((n, c) => n + c.good.length, 0);
      const refused = files.reduce((n, c) => n + c.refused.length, 0);
      expect({ entity, ...run!.counts[entity] }).toEqual({
        entity, read: good + refused, inserted: good, updated: 0, unchanged: 0, quarantined: refused, held: 0, released: 0,
      });
    }
  });

  test('rows stored before the hostile feed are untouched, including those it re-delivered newer with bad content', async () => {
    expect(battery.flatMap((c) => c.redelivers ?? []).length).toBeGreaterThan(0);
    expect(await storedRows()).toEqual(before);
    const { rows: [count] } = await pool.query<{ cases: number }>(`select count(*)::int as cases from cases`);
    expect(count!.cases).toBe(clean.cases.length + battery.flatMap((c) => c.good).filter(isCase).length);
  });
});

describe('after the battery, the API answers and exports formula-looking text as inert strings', () => {
  let api: TestApi;
  let province: string;
  const year = { from: '2025-01-01', to: '2025-12-31' };

  beforeAll(async () => {
    api = await startTestApi(db, pool, loadPolicyProfile({ name: 'default' }));
    province = await api.token({ role: 'PROVINCE', sub: 'hostile-test' });
  });
  afterAll(async () => { await api?.close(); });

  test('/healthz and GraphQL answer; a formula-looking case id and party name come back as the text stored', async () => {
    const health = await fetch(`${api.url}/healthz`);
    expect(health.status).toBe(200);
    const answer = await api.gql<{ case: { caseId: string; partyName: string } | null }>(
      `query ($agency: String!, $caseId: String!) { case(agencyUscc: $agency, caseId: $caseId) { caseId partyName } }`,
      { agency: formulaAgencies[0].uscc, caseId: formulaTexts.hyperlink }, province);
    expect(answer).toEqual({ status: 200, data: { case: { caseId: formulaTexts.hyperlink, partyName: formulaTexts.dde } } });
  });

  test('the quarantine answers with every refused row and its reasons by field', async () => {
    const admin = await api.token({ role: 'ADMIN', sub: 'hostile-test' });
    const answer = await api.gql<{ quarantine: { totalCount: number }; quarantineReasons: { code: string; field: string | null }[] }>(
      `query ($source: String!) { quarantine(source: $source, first: 10) { totalCount } quarantineReasons(source: $source) { code field } }`,
      { source: SOURCE }, admin);
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.quarantine.totalCount).toBe(battery.flatMap((c) => c.refused).length);
    expect(answer.data!.quarantineReasons).toEqual(expect.arrayContaining([
      { code: 'INVALID_CHARACTER', field: '相对人名称' }, { code: 'ENCODING_INVALID', field: '相对人名称' },
      { code: 'CELL_TOO_LARGE', field: '不公开理由' }, { code: 'NEGATIVE_AMOUNT', field: '罚没金额' },
    ]));
  });

  test('the Arrow export carries a formula-looking case id as a plain Utf8 string', async () => {
    const response = await fetch(`${api.url}/export/cases.arrow?${new URLSearchParams({ ...year, agencyUscc: formulaAgencies[0].uscc })}`,
      { headers: { authorization: `Bearer ${province}` } });
    expect(response.status).toBe(200);
    const table = tableFromIPC(new Uint8Array(await response.arrayBuffer()));
    expect(table.schema.fields.find((field) => field.name === 'case_id')!.type.typeId).toBe(Type.Utf8);
    const ids = table.getChild('case_id')!.toArray() as string[];
    expect(ids).toContain(formulaTexts.hyperlink);
  });

  test('the Excel ranking writes formula-named agencies as Text-formatted string cells, and the file holds no formula', async () => {
    const response = await fetch(`${api.url}/export/ranking.xlsx?${new URLSearchParams({ parent: '350502', ...year })}`,
      { headers: { authorization: `Bearer ${province}` } });
    expect(response.status).toBe(200);
    const bytes = Buffer.from(await response.arrayBuffer());
    const workbook = new Workbook();
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('排名')!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    const nameColumn = header.indexOf('单位') + 1;
    const codeColumn = header.indexOf('代码') + 1;
    expect(nameColumn * codeColumn).toBeGreaterThan(0);
    for (const agency of formulaAgencies) {
      let found: { type: ValueType; value: unknown; numFmt: string } | undefined;
      for (let r = 2; r <= sheet.rowCount; r++) {
        if (sheet.getCell(r, codeColumn).value !== agency.uscc) continue;
        const cell = sheet.getCell(r, nameColumn);
        found = { type: cell.type, value: cell.value, numFmt: cell.numFmt };
      }
      expect({ agency: agency.uscc, cell: found }).toEqual({ agency: agency.uscc, cell: { type: ValueType.String, value: agency.name, numFmt: '@' } });
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- unzipper ships no types
    const unzipper = require('unzipper') as { Open: { buffer(b: Buffer): Promise<{ files: { path: string; buffer(): Promise<Buffer> }[] }> } };
    for (const file of (await unzipper.Open.buffer(bytes)).files.filter((f) => /^xl\/worksheets\/.*\.xml$/.test(f.path))) {
      expect({ part: file.path, formula: /<f[ >]/.test((await file.buffer()).toString('utf8')) }).toEqual({ part: file.path, formula: false });
    }
  });
});
