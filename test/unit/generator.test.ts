import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pullEntityPages } from '../../etl/connectors/http-api';
import { entityNames, type EntityName } from '../../etl/feed/entity-names';
import { parseFeedRow, type CaseRecord, type EvaluationRecord } from '../../etl/feed/parse-row';
import type { IndicatorsFile } from '../../etl/generator/answer-key';
import { API_SCALE_CAP, generateProvince, volumeScales } from '../../etl/generator/generate-province';
import type { DuplicateRow, HeldRow, RefusedRow } from '../../etl/generator/output';
import type { RawRow } from '../../etl/raw-row';
import { listFeedFiles, openFeedFile } from '../../etl/readers/feed-file';
import { loadSimulatorData, startAgencyApiSimulator } from '../../etl/simulator/agency-api-simulator';
import { quarterOf, RememberingCalendar } from '../../etl/generator/dates';
import { organisationCode, uscc } from '../../etl/generator/names';
import { Random } from '../../etl/generator/random';
import { ApiFeedWriter } from '../../etl/generator/writers/api-writer';
import { XlsxFeedWriter } from '../../etl/generator/writers/xlsx-writer';
import { feedEntities } from '../../etl/feed/feed-entities';
import { addCalendarDays } from '../../src/domain/calendar/civil-date';
import { loadCalendar } from '../../src/domain/calendar/working-day-calendar';

jest.setTimeout(120_000);

interface QuarantineFile { apiPageSize: number; refused: RefusedRow[]; heldThenReleased: HeldRow[]; duplicates: DuplicateRow[] }
interface Manifest {
  synthetic: boolean; asOf: string; apiPageSize: number;
  sources: { id: string; transport: 'HTTP' | 'FOLDER'; location: string }[];
  counts: { bySource: Record<string, Partial<Record<EntityName, { rows: number; bad: number }>>> };
}

/** One row as the hub's readers deliver it and its validator judges it. */
interface ReadRow { source: string; entity: EntityName; position: string; parsed: ReturnType<typeof parseFeedRow> }

const scratch: string[] = [];
async function aFolder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hub-generate-'));
  scratch.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out.sort();
}

async function fingerprint(dir: string): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  for (const file of await filesUnder(dir)) hashes.set(relative(dir, file), createHash('sha256').update(await readFile(file)).digest('hex'));
  return hashes;
}

/** Every row of the generated province, read with the hub's own readers, connector and simulator. */
async function readProvince(dir: string, manifest: Manifest): Promise<ReadRow[]> {
  const rows: ReadRow[] = [];
  const judge = (source: string, entity: EntityName, row: RawRow) =>
    rows.push({ source, entity, position: row.position.label, parsed: parseFeedRow(entity, row) });
  for (const source of manifest.sources) {
    if (source.transport === 'FOLDER') {
      for (const file of await listFeedFiles(join(dir, source.location))) {
        const feed = await openFeedFile(file);
        if (!feed.entity) throw new Error(`${file}: no entity`);
        for await (const row of feed.rows) judge(source.id, feed.entity, row);
      }
      continue;
    }
    const simulator = await startAgencyApiSimulator({ data: await loadSimulatorData(join(dir, 'api')) });
    try {
      for (const entity of entityNames) {
        for await (const page of pullEntityPages({ baseUrl: simulator.url, entity, updatedSince: null, pageSize: manifest.apiPageSize })) {
          for (const row of page.rows) judge(source.id, entity, row);
        }
      }
    } finally {
      await simulator.close();
    }
  }
  return rows;
}

const where = (row: { source: string; entity: string; position: string }) => `${row.source} ${row.entity} ${row.position}`;

describe('hub generate: a synthetic province and its answer key', () => {
  let dir: string;
  let manifest: Manifest;
  let key: QuarantineFile;
  let rows: ReadRow[];

  beforeAll(async () => {
    dir = await aFolder();
    await generateProvince({ seed: 7, scale: 1500, out: dir, badShare: 0.04 });
    manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    key = JSON.parse(await readFile(join(dir, 'answer-key', 'quarantine.json'), 'utf8')) as QuarantineFile;
    rows = await readProvince(dir, manifest);
  });

  test('the same seed and scale write the same bytes; another seed does not', async () => {
    const again = await aFolder();
    await generateProvince({ seed: 7, scale: 1500, out: again, badShare: 0.04 });
    const first = await fingerprint(dir);
    expect(Object.fromEntries(await fingerprint(again))).toEqual(Object.fromEntries(first));
    const other = await aFolder();
    await generateProvince({ seed: 8, scale: 1500, out: other, badShare: 0.04 });
    expect((await fingerprint(other)).get('api/cases.jsonl')).not.toBe(first.get('api/cases.jsonl'));
  });

  test('everything is marked synthetic', async () => {
    expect(manifest.synthetic).toBe(true);
    expect(await readFile(join(dir, 'README.txt'), 'utf8')).toContain('本数据为合成演示数据');
    const agencies = rows.filter((row) => row.entity === 'agencies' && row.parsed.ok);
    expect(agencies.length).toBeGreaterThan(0);
    for (const row of agencies) expect((row.parsed.ok && (row.parsed.record as { name: string }).name)).toContain('（演示）');
  });

  test('the rows the validator refuses are exactly the answer key\'s, at the same positions, with the same keys and reasons', () => {
    const refused = rows.filter((row) => !row.parsed.ok).map((row) => ({
      at: where(row),
      naturalKey: row.parsed.naturalKey,
      reasons: row.parsed.ok ? [] : row.parsed.reasons.map((reason) => reason.code).sort(),
    }));
    const expected = key.refused.map((row) => ({ at: where(row), naturalKey: row.naturalKey, reasons: row.reasons }));
    const byPosition = (a: { at: string }, b: { at: string }) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0);
    expect(refused.sort(byPosition)).toEqual(expected.sort(byPosition));
    expect(refused.length).toBeGreaterThan(50);
  });

  test('bad rows come in many kinds, in every transport and file format', () => {
    const codes = new Set(key.refused.flatMap((row) => row.reasons));
    for (const code of ['USCC_CHECK_CHARACTER', 'UNKNOWN_REGION', 'INVALID_DATE', 'UNKNOWN_CODE', 'DECIDED_BEFORE_FILED', 'NEGATIVE_AMOUNT', 'REQUIRED']) {
      expect(codes).toContain(code);
    }
    const positions = key.refused.map((row) => row.position);
    expect(positions.some((p) => / API 第 \d+ 页第 \d+ 条$/.test(p))).toBe(true);
    expect(positions.some((p) => /\.csv 第 \d+ 行$/.test(p))).toBe(true);
    expect(positions.some((p) => /\.xlsx 工作表「.+」第 \d+ 行$/.test(p))).toBe(true);
    expect(positions.some((p) => /\.arrow 第 \d+ 条记录$/.test(p))).toBe(true);
  });

  test('held and duplicated rows are good rows at the positions the key gives, with its natural keys', () => {
    const good = new Map(rows.filter((row) => row.parsed.ok).map((row) => [where(row), row.parsed.naturalKey]));
    expect(key.heldThenReleased.length).toBeGreaterThan(0);
    for (const held of key.heldThenReleased) expect(good.get(where(held))).toBe(held.naturalKey);
    expect(key.duplicates.length).toBeGreaterThan(0);
    for (const duplicate of key.duplicates) {
      expect(duplicate.positions).toHaveLength(2);
      for (const position of duplicate.positions) expect(good.get(where({ ...duplicate, position }))).toBe(duplicate.naturalKey);
    }
  });

  test('the manifest counts every row the readers deliver', () => {
    for (const source of manifest.sources) {
      for (const [entity, count] of Object.entries(manifest.counts.bySource[source.id] ?? {})) {
        const read = rows.filter((row) => row.source === source.id && row.entity === entity);
        expect({ source: source.id, entity, rows: read.length, bad: read.filter((row) => !row.parsed.ok).length })
          .toEqual({ source: source.id, entity, rows: count!.rows, bad: count!.bad });
      }
    }
  });

  test('the answer key counts exactly the decisions and evaluations that load (duplicates once)', async () => {
    const indicators = JSON.parse(await readFile(join(dir, 'answer-key', 'indicators.json'), 'utf8')) as IndicatorsFile;
    const asOf = indicators.asOf;
    const cases = new Map<string, CaseRecord>();
    for (const row of rows) if (row.parsed.ok && row.entity === 'cases') cases.set(row.parsed.naturalKey, row.parsed.record as CaseRecord);
    const agencyOfCase = new Map([...cases.values()].map((c) => [c.caseId, c.agencyUscc]));
    const decisions = new Map<string, number>();
    for (const c of cases.values()) {
      if (!c.decidedOn || c.decidedOn > asOf) continue;
      const cell = `${c.agencyUscc}|${quarterOf(c.decidedOn)}`;
      decisions.set(cell, (decisions.get(cell) ?? 0) + 1);
    }
    const evaluations = new Map<string, EvaluationRecord>();
    for (const row of rows) if (row.parsed.ok && row.entity === 'evaluations') evaluations.set(row.parsed.naturalKey, row.parsed.record as EvaluationRecord);
    const evaluated = new Map<string, number>();
    for (const e of evaluations.values()) {
      if (e.evaluatedOn > asOf) continue;
      const cell = `${agencyOfCase.get(e.caseId)}|${quarterOf(e.evaluatedOn)}`;
      evaluated.set(cell, (evaluated.get(cell) ?? 0) + 1);
    }
    let checked = 0;
    for (const [uscc, agency] of Object.entries(indicators.agencies)) {
      for (const [period, figures] of Object.entries(agency.periods)) {
        if (!/Q/.test(period)) continue;
        expect([period, figures.indicators.exemptionShare[1]]).toEqual([period, decisions.get(`${uscc}|${period}`) ?? 0]);
        expect([period, figures.indicators.certifiedHandling[1]]).toEqual([period, decisions.get(`${uscc}|${period}`) ?? 0]);
        expect([period, figures.indicators.evaluationPassRate[1]]).toEqual([period, evaluated.get(`${uscc}|${period}`) ?? 0]);
        for (const [numerator, denominator] of Object.values(figures.indicators)) expect(numerator).toBeLessThanOrEqual(denominator);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});

describe('hub generate at scale: the same answers and bytes with bounded memory', () => {
  test('the remembering calendar answers as the hub calendar does, inside and past its horizon, in regions with their own holidays too', () => {
    const hub = loadCalendar();
    const remembering = RememberingCalendar.load();
    const rng = Random.seeded('calendar');
    const regions = ['350502', '350500', '350502001', '650102', undefined];
    const differences: string[] = [];
    for (let i = 0; i < 4000; i++) {
      const date = addCalendarDays('2023-06-01', rng.int(0, 1900));
      const region = rng.pick(regions);
      const n = rng.int(1, 60);
      if (remembering.isWorkingDay(date, region) !== hub.isWorkingDay(date, region)) differences.push(`isWorkingDay ${date} ${region}`);
      const [mine, theirs] = [remembering.addWorkingDays(date, n, region), hub.addWorkingDays(date, n, region)];
      if (mine.date !== theirs.date || mine.provisional !== theirs.provisional) differences.push(`addWorkingDays ${date} +${n} ${region}`);
    }
    expect(differences).toEqual([]);
    expect(remembering.addWorkingDays('2026-12-20', 30, '350502').provisional).toBe(true);
  });

  test('a month of API items split by day on disk comes out in the same order, at the same positions, as one sorted in memory', async () => {
    const spec = feedEntities.publications;
    const write = async (limits?: ConstructorParameters<typeof ApiFeedWriter>[4]) => {
      const dir = await aFolder();
      const writer = new ApiFeedWriter(dir, join(dir, 'spill'), spec, 7, limits);
      const rng = Random.seeded('api-order');
      const labels: string[] = [];
      for (let i = 0; i < 3000; i++) {
        // made in month m (as the generator makes them), last changed then or later; many ties to the minute
        const madeIn = Math.floor(i / 1000);
        const updatedAt = new Date(Date.UTC(2025, madeIn, 1) - 8 * 3_600_000 + rng.int(0, (3 - madeIn) * 28 * 24 * 60) * 60_000);
        const row = { caseId: `C${i}`, publishedOn: '2025-01-01', platform: `平台「${i % 7}」`, updatedAt };
        writer.write(row, i % 50 === 0 ? (label) => labels.push(`C${i} ${label}`) : undefined);
        if (i % 1000 === 999) writer.flushThrough(`2025-0${(i + 1) / 1000}`);
      }
      await writer.close();
      return { file: await readFile(join(dir, 'publications.jsonl'), 'utf8'), labels: labels.sort() };
    };
    const inMemory = await write();
    const splitByDay = await write({ spillChars: 300, sortInMemoryBytes: 1000, splitChars: 500, readChunkBytes: 333 });
    expect(splitByDay.file).toBe(inMemory.file);
    expect(splitByDay.labels).toEqual(inMemory.labels);
    expect(inMemory.file.split('\n').filter(Boolean)).toHaveLength(3000);
  });

  test('XLSX rows written past exceljs\'s row objects read back as written: escaped text, dates, empty cells', async () => {
    const dir = await aFolder();
    const writer = new XlsxFeedWriter(dir, '监督文书.xlsx', feedEntities.letters,
      { dates: 'iso', booleans: ['是', '否'], listSeparator: '、', money: 'wan' }, { sheet: '监督文书' }, new Date('2026-11-29T00:00:00Z'));
    const subject = 'A&B <整改> "限期" \'复查\' 完毕';
    const agencyUscc = uscc('11', '350500', organisationCode(Random.seeded('xlsx'), 'digits'));
    writer.write({ letterNo: '泉司监意〔2025〕1号', kind: 'OPINION', agencyUscc, issuedOn: '2025-03-04', dueOn: null, rectifiedOn: '2025-03-20', subject: `${subject}\u0001` });
    await writer.close();
    const feed = await openFeedFile(join(dir, '监督文书.xlsx'));
    const read = [];
    for await (const row of feed.rows) read.push(parseFeedRow('letters', row));
    expect(read.map((row) => (row.ok ? [] : row.reasons.map((reason) => reason.code)))).toEqual([[]]);
    expect(read[0]!.ok && read[0]!.record).toMatchObject({ agencyUscc, letterNo: '泉司监意〔2025〕1号', issuedOn: '2025-03-04', dueOn: null, rectifiedOn: '2025-03-20', subject });
  });

  test('past API_SCALE_CAP the city platform carries what it would at the cap, and the folders the rest', () => {
    const weights = { total: 10, http: 2 };
    expect(volumeScales(500_000, weights)).toEqual({ http: 500_000, folders: 500_000, capped: false });
    const scales = volumeScales(20_000_000, weights);
    expect(scales.http).toBe(API_SCALE_CAP);
    expect(scales.http * 0.2 + scales.folders * 0.8).toBeCloseTo(20_000_000, 3);
  });
});
