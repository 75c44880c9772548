import fs from 'node:fs';
import { Writable } from 'node:stream';
import { tableFromIPC, type Table } from 'apache-arrow';
import type { Pool } from 'pg';
import { apiDatabaseUrl, createApiPool } from '../../src/access/api-login';
import { withViewer } from '../../src/access/viewer-transaction';
import { readConfig } from '../../src/config';
import { createPool } from '../../src/database/pg';
import { viewerSubtreePrefix, type Viewer } from '../../src/domain/access/viewer';
import { todayInShanghai } from '../../src/domain/calendar/civil-date';
import { InvalidValueError } from '../../src/domain/errors';
import { IndicatorNames, loadPolicyProfile, type PolicyProfile } from '../../src/domain/profile/policy-profile';
import { regionDirectory } from '../../src/domain/regions';
import { exportDatasets, writeArrowExport } from '../../src/exports/arrow-export';
import { caseChecksAsOf, type CaseCheck } from '../../src/metrics/checks/case-check-rows';
import { computeIndicators } from '../../src/metrics/indicators/indicator-engine';
import { writeDisplayPeriodRules } from '../../src/warehouse/display-period-rules';
import { loadSyntheticProvince, readAnswerKey } from '../support/synthetic-province';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * Arrow exports on a synthetic province pulled through the real ETL, run as the API's role (`hub_api`) inside a
 * viewer's transaction: each viewer's export holds exactly the rows row-level security lets it read, with the
 * same checks and figures the metrics compute as the owner, and bad requests are refused before a byte is written.
 */
jest.setTimeout(180000);

let db: TestDatabase;
let pool: Pool;
let apiPool: Pool;
let dir: string;
let profile: PolicyProfile;
let asOf: string;
let year: { from: string; to: string };
let county: string;
let agency: string;

const province: Viewer = { role: 'PROVINCE' };

/** A writable that keeps what it is given; `slow` takes each chunk a turn later, through a small buffer, so that the export has to wait for drain. */
function collector(options: { slow?: boolean } = {}) {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    highWaterMark: options.slow ? 1024 : 16384,
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      if (options.slow) setImmediate(done);
      else done();
    },
  });
  return { stream, bytes: () => Buffer.concat(chunks) };
}

async function exportAs(viewer: Viewer, dataset: string, query: Record<string, string>, options: { today?: string; slow?: boolean } = {}) {
  const out = collector(options);
  const started = process.hrtime.bigint();
  const { rows } = await withViewer(apiPool, viewer, (client) =>
    writeArrowExport(client, dataset, new URLSearchParams(query), profile, options.today ?? asOf, out.stream));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const bytes = out.bytes();
  return { rows, seconds, bytes, table: tableFromIPC(bytes) };
}

/** Every row of a table as plain values: dates as 'YYYY-MM-DD', lists as arrays. */
function rowsOf(table: Table): Record<string, unknown>[] {
  const dateColumns = table.schema.fields.filter((f) => f.type.toString().startsWith('Date')).map((f) => f.name);
  return table.toArray().map((row: { toJSON(): Record<string, unknown> }) => {
    const plain = row.toJSON();
    for (const name of dateColumns) {
      const value = plain[name];
      plain[name] = value === null ? null : new Date(value as number).toISOString().slice(0, 10);
    }
    for (const [name, value] of Object.entries(plain)) {
      if (value !== null && typeof value === 'object' && 'toArray' in value) plain[name] = [...(value as unknown as Iterable<unknown>)];
    }
    return plain;
  });
}

/** What the export should say of a case, from caseChecksAsOf run as the owner. */
function expectedRow(check: CaseCheck): Record<string, unknown> {
  return {
    region_code: check.regionCode, agency_uscc: check.agencyUscc, case_id: check.caseId, action_type: check.actionType,
    decided_on: check.decidedOn, is_major: check.major, major_reasons: check.majorReasons,
    publication_status: check.publication.status, publication_exemption: check.publication.exemption,
    publication_deadline: check.publication.deadline, deadline_provisional: check.publication.deadlineProvisional,
    published_on: check.publication.publishedOn, withdrawal_status: check.publication.withdrawalStatus,
    withdrawal_deadline: check.publication.withdrawalDeadline, review_required: check.review.required,
    review_compliant: check.review.compliant, review_violations: check.review.violations,
    certified_handling: check.certifiedHandling, decided_in_time: check.decidedInTime, archive_status: check.archiveStatus,
  };
}

const without = (row: Record<string, unknown>, ...names: string[]) =>
  Object.fromEntries(Object.entries(row).filter(([name]) => !names.includes(name)));

/** Rows by agency and case, one order for both sides (the export streams its rows unsorted). */
const byCase = (rows: Record<string, unknown>[]) => {
  const key = (row: Record<string, unknown>) => `${row.agency_uscc as string}|${row.case_id as string}`;
  return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
};
/** The export's rows without the column caseChecksAsOf does not give. */
const comparable = (table: Table) => byCase(rowsOf(table).map((row) => without(row, 'withdrawn_on')));

async function refusal(viewer: Viewer, dataset: string, query: Record<string, string>): Promise<{ error: unknown; written: number }> {
  const out = collector();
  try {
    await withViewer(apiPool, viewer, (client) => writeArrowExport(client, dataset, new URLSearchParams(query), profile, asOf, out.stream));
  } catch (error) {
    return { error, written: out.bytes().length };
  }
  throw new Error(`${dataset} ${JSON.stringify(query)} was not refused`);
}

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url);
  dir = await loadSyntheticProvince(pool, { seed: 20261128, scale: 2000, prefix: 'arrow-export-' });
  const { key } = readAnswerKey(dir);
  profile = loadPolicyProfile({ name: key.profile });
  asOf = key.asOf;
  year = key.periods.filter((period) => /^\d{4}$/.test(period.id)).map(({ from, to }) => ({ from, to })).at(-1)!;
  await writeDisplayPeriodRules(pool, profile);
  apiPool = createApiPool(await apiDatabaseUrl(pool, db.url, readConfig().api));
  // the county and the agency with the most cases, so that their exports have something to hold
  county = (await pool.query<{ county: string }>(`select substr(region_code, 1, 6) as county from cases
    where substr(region_code, 5, 2) <> '00' group by 1 order by count(*) desc, 1 limit 1`)).rows[0]!.county;
  agency = (await pool.query<{ uscc: string }>(`select agency_uscc as uscc from cases group by 1 order by count(*) desc, 1 limit 1`)).rows[0]!.uscc;
}, 300000);

afterAll(async () => {
  await apiPool?.end();
  await pool?.end();
  await db?.drop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('cases', () => {
  test('the province\'s export is caseChecksAsOf as the owner computes it, row for row, with typed columns', async () => {
    const started = process.hrtime.bigint();
    const expected = await caseChecksAsOf(pool, { scope: {}, asOf }, profile);
    const querySeconds = Number(process.hrtime.bigint() - started) / 1e9;
    await exportAs(province, 'cases', {}); // warm: the measure below is the steady state, not the first compilation
    const { rows, seconds, bytes, table } = await exportAs(province, 'cases', {});
    console.log(`arrow export of cases: ${rows} rows, ${bytes.length} bytes in ${seconds.toFixed(3)} s = ${Math.round(rows / seconds)} rows/s `
      + `(caseChecksAsOf alone, as the owner: ${Math.round(expected.length / querySeconds)} rows/s)`);
    expect(rows).toBe(expected.length);
    expect(table.numRows).toBe(expected.length);
    expect(Object.fromEntries(table.schema.fields.map((f) => [f.name, `${f.type}${f.nullable ? '?' : ''}`]))).toMatchObject({
      region_code: 'Utf8', agency_uscc: 'Utf8', case_id: 'Utf8', decided_on: 'Date32<DAY>?', is_major: 'Bool',
      publication_status: 'Utf8?', publication_deadline: 'Date32<DAY>?', deadline_provisional: 'Bool', published_on: 'Date32<DAY>?',
      review_violations: 'List<Utf8>', review_compliant: 'Bool?', certified_handling: 'Bool?', archive_status: 'Utf8?',
    });
    expect(table.schema.metadata.get('hub.as_of')).toBe(asOf);
    expect(comparable(table)).toEqual(byCase(expected.map(expectedRow)));
  });

  test('a decision-date range and a scope narrow it as caseChecksAsOf\'s rows say', async () => {
    const expected = (await caseChecksAsOf(pool, { scope: { actionType: 'PENALTY' }, asOf }, profile))
      .filter((c) => c.decidedOn !== null && c.decidedOn >= year.from && c.decidedOn <= year.to);
    const { table } = await exportAs(province, 'cases', { actionType: 'PENALTY', from: year.from, to: year.to });
    expect(expected.length).toBeGreaterThan(0);
    expect(comparable(table)).toEqual(byCase(expected.map(expectedRow)));
  });

  test('a county supervisor gets its county\'s cases, all of them, and none of another', async () => {
    const viewer: Viewer = { role: 'SUPERVISOR', regionCode: county };
    expect(regionDirectory().require(county).level).toBe('COUNTY');
    const prefix = viewerSubtreePrefix(viewer);
    const { table } = await exportAs(viewer, 'cases', {});
    const regions = new Set(rowsOf(table).map((row) => row.region_code as string));
    expect(table.numRows).toBeGreaterThan(0);
    expect([...regions].filter((code) => !code.startsWith(prefix))).toEqual([]);
    expect(table.numRows).toBe((await caseChecksAsOf(pool, { scope: { regionCode: county }, asOf }, profile)).length);
    // asking for more than the jurisdiction gives no more
    const { table: wider } = await exportAs(viewer, 'cases', { regionCode: county.slice(0, 2) + '0000' });
    expect(wider.numRows).toBe(table.numRows);
  });

  test('an agency gets its own cases only', async () => {
    const { table } = await exportAs({ role: 'AGENCY', agencyUscc: agency }, 'cases', {});
    expect(table.numRows).toBeGreaterThan(0);
    expect(new Set(rowsOf(table).map((row) => row.agency_uscc))).toEqual(new Set([agency]));
    expect(table.numRows).toBe((await caseChecksAsOf(pool, { scope: { agencyUscc: agency }, asOf }, profile)).length);
  });

  test('the public gets the decisions publicly shown today, published and not withdrawn, and nothing else', async () => {
    const today = todayInShanghai();
    const { table } = await exportAs({ role: 'PUBLIC' }, 'cases', {}, { today });
    const rows = rowsOf(table);
    const { rows: shown } = await pool.query<{ agency_uscc: string; case_id: string }>(`select c.agency_uscc, c.case_id from cases c
      join publications p using (region_code, agency_uscc, case_id)
      where c.disclosure = 'PUBLIC' and p.published_on <= current_date and (p.withdrawn_on is null or p.withdrawn_on > current_date)
        and hub_display_open(p.published_on, c.action_type, c.penalty_kinds)`);
    const { rows: [all] } = await pool.query<{ n: number }>(`select count(*)::int as n from cases`);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(all!.n);
    expect(rows.map((row) => `${row.agency_uscc}|${row.case_id}`).sort()).toEqual(shown.map((r) => `${r.agency_uscc}|${r.case_id}`).sort());
    expect(rows.filter((row) => row.published_on === null || (row.published_on as string) > today || row.withdrawn_on !== null)).toEqual([]);
  });

  test('a slow reader gets the same rows: the export waits for it to drain', async () => {
    const fast = await exportAs(province, 'cases', { asOf });
    const slow = await exportAs(province, 'cases', { asOf }, { slow: true });
    expect(slow.rows).toBe(fast.rows);
    expect(comparable(slow.table)).toEqual(comparable(fast.table));
  });

  test('an output that fails in the middle ends the export with an error, and the connection serves the next one', async () => {
    let writes = 0;
    const failing = new Writable({
      write(_chunk, _encoding, done) {
        done(++writes > 1 ? new Error('client went away') : null);
      },
    });
    await expect(withViewer(apiPool, province, (client) =>
      writeArrowExport(client, 'cases', new URLSearchParams(), profile, asOf, failing))).rejects.toThrow(/client went away|closed before/);
    const { rows } = await exportAs(province, 'cases', { agencyUscc: agency });
    expect(rows).toBeGreaterThan(0);
  });

  test('a scope nothing matches is still a readable stream, with its schema and no rows', async () => {
    const { rows, table } = await exportAs(province, 'cases', { from: '1990-01-01', to: '1990-12-31' });
    expect(rows).toBe(0);
    expect(table.numRows).toBe(0);
    expect(table.schema.fields.map((f) => f.name)).toContain('review_violations');
  });
});

describe('indicators-by-agency-month', () => {
  test('every agency of the county × month × indicator, with the figures computeIndicators gives for that agency and month', async () => {
    const viewer: Viewer = { role: 'SUPERVISOR', regionCode: county };
    const prefix = viewerSubtreePrefix(viewer);
    const { table } = await exportAs(viewer, 'indicators-by-agency-month', { from: year.from, to: year.to });
    const rows = rowsOf(table);
    const { rows: agencies } = await pool.query<{ uscc: string }>(`select uscc from agencies where region_code like $1 || '%'`, [prefix]);
    expect(agencies.length).toBeGreaterThan(0);
    expect(rows.length).toBe(agencies.length * 12 * IndicatorNames.length);
    expect(new Set(rows.map((row) => row.agency_uscc))).toEqual(new Set(agencies.map((a) => a.uscc)));
    expect(rows.filter((row) => !(row.region_code as string).startsWith(prefix))).toEqual([]);
    expect(rows.filter((row) => row.rate !== (row.denominator === 0 ? null : (row.numerator as number) / (row.denominator as number)))).toEqual([]);

    // the busiest agency-months of the export, and a quiet one, against the engine run as the owner
    const byAgencyMonth = new Map<string, Record<string, unknown>[]>();
    for (const row of rows) {
      const key = `${row.agency_uscc}|${row.month}`;
      byAgencyMonth.set(key, [...(byAgencyMonth.get(key) ?? []), row]);
    }
    const weight = (figures: Record<string, unknown>[]) => figures.reduce((sum, row) => sum + (row.denominator as number), 0);
    const ranked = [...byAgencyMonth.entries()].sort((a, b) => weight(b[1]) - weight(a[1]));
    expect(weight(ranked[0]![1])).toBeGreaterThan(0);
    for (const [key, figures] of [...ranked.slice(0, 3), ranked.at(-1)!]) {
      const [uscc] = key.split('|');
      const { period_from: from, period_to: to } = figures[0]! as { period_from: string; period_to: string };
      const expected = await computeIndicators(pool, { scope: { agencyUscc: uscc! }, period: { from, to }, asOf }, profile);
      expect(Object.fromEntries(figures.map((row) => [row.indicator, [row.numerator, row.denominator]])))
        .toEqual(Object.fromEntries(IndicatorNames.map((name) => [name, [expected[name].numerator, expected[name].denominator]])));
    }
  });

  test('months are clipped to from..to; an agency sees its own figures; the public, whose viewer sees no agency\'s facts, none', async () => {
    const { table } = await exportAs({ role: 'AGENCY', agencyUscc: agency }, 'indicators-by-agency-month', { from: '2025-03-15', to: '2025-05-10' });
    const rows = rowsOf(table);
    expect(new Set(rows.map((row) => row.agency_uscc))).toEqual(new Set([agency]));
    expect([...new Set(rows.map((row) => `${row.month} ${row.period_from}..${row.period_to}`))])
      .toEqual(['2025-03 2025-03-15..2025-03-31', '2025-04 2025-04-01..2025-04-30', '2025-05 2025-05-01..2025-05-10']);
    expect(table.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      'agency_uscc:Utf8', 'region_code:Utf8', 'month:Utf8', 'period_from:Date32<DAY>', 'period_to:Date32<DAY>',
      'indicator:Utf8', 'numerator:Int32', 'denominator:Int32', 'rate:Float64',
    ]);
    const { table: none } = await exportAs({ role: 'PUBLIC' }, 'indicators-by-agency-month', { from: year.from, to: year.to });
    expect(none.numRows).toBe(0);
  });
});

describe('refusals', () => {
  test('the datasets are listed', () => {
    expect(exportDatasets.map((d) => d.name)).toEqual(expect.arrayContaining(['cases', 'indicators-by-agency-month']));
  });

  test.each([
    ['an unknown dataset', 'case', {}, 'UNKNOWN_DATASET', 'dataset'],
    ['a malformed as-of date', 'cases', { asOf: '2025-13-01' }, 'INVALID_DATE', 'asOf'],
    ['a day that does not exist', 'cases', { from: '2025-02-30' }, 'INVALID_DATE', 'from'],
    ['a reversed range', 'cases', { from: '2025-03-01', to: '2025-02-01' }, 'PERIOD_REVERSED', 'from'],
    ['an unknown parameter', 'cases', { regioncode: '350000' }, 'UNKNOWN_PARAMETER', 'regioncode'],
    ['an unknown region', 'cases', { regionCode: '359999' }, 'REGION_UNKNOWN', 'regionCode'],
    ['a malformed USCC', 'cases', { agencyUscc: '123' }, undefined, 'agencyUscc'],
    ['an unknown action type', 'cases', { actionType: 'FINE' }, 'UNKNOWN_CODE', 'actionType'],
    ['indicators without to', 'indicators-by-agency-month', { from: '2025-01-01' }, 'MISSING_PARAMETER', 'to'],
    ['indicators over 36 months', 'indicators-by-agency-month', { from: '2022-01-01', to: '2025-01-31' }, 'TOO_MANY_BUCKETS', 'from'],
  ] as const)('%s is refused with InvalidValueError naming the parameter, before a byte is written', async (_, dataset, query, code, parameter) => {
    const { error, written } = await refusal(province, dataset, query);
    expect(error).toBeInstanceOf(InvalidValueError);
    if (code) expect((error as InvalidValueError).code).toBe(code);
    expect((error as InvalidValueError).message).toContain(parameter);
    expect((error as InvalidValueError).message).toMatch(/[\u4e00-\u9fff]/);
    expect(written).toBe(0);
  });
});
