import type { Pool, PoolClient } from 'pg';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type { EntityName } from '../../etl/feed/entity-names';
import { Random } from '../../etl/generator/random';
import type { BatchItem, SourceScope } from '../../etl/pipeline/batch-types';
import { copyLine, copyValue } from '../../etl/pipeline/copy-text';
import { ledgerRowLayout } from '../../etl/pipeline/ledger-row';
import { loadBatch } from '../../etl/pipeline/load-batch';
import { loadSpecs, type LoadColumn, type LoadSpec, type PgType } from '../../etl/pipeline/load-specs';
import { releaseHeldRows } from '../../etl/pipeline/release-held';
import { ledgerKeySql } from '../../src/ledger/ledger-chain';
import { verifyLedger } from '../../src/ledger/verify-ledger';
import { aLetter, anAnnualReport, anAppeal, anEvaluation, aPerson, aRecording, aReview } from '../support/builders/fact-records';
import { aCase, anAgency, aPublication, quanzhouMarketBureau } from '../support/builders/feed-records';
import { openBatchFixture, type BatchFixture } from '../support/batch-fixture';

/**
 * The ledger's row hash is taken in Node where a batch is prepared (etl/pipeline/ledger-row.ts) and verified in SQL
 * by `ledger_row_hash` over the stored rows: the two must agree byte for byte, or `hub verify` would call untouched
 * rows tampered with. Checked three ways: the tables hold no column the load specs do not know; Node's jsonb text
 * and hash of generated hostile rows equal PostgreSQL's; rows loaded through the ETL carry ledger hashes equal to
 * their stored rows' and verify clean. Where Node does not vouch for a value, PostgreSQL hashes its row; the tests
 * also check that Node vouches for every value it should, so that agreement is not won by leaving all to SQL.
 */
jest.setTimeout(180000);

let fixture: BatchFixture;
let pool: Pool;
let client: PoolClient;
let scope: SourceScope;
let runId = '';
/** a source covering every region (the fixture's covers 泉州市 only) */
let everywhere: SourceScope;

beforeAll(async () => {
  fixture = await openBatchFixture();
  ({ pool, client, scope, runId } = fixture);
  everywhere = { ...scope, regionPrefix: null };
});
afterAll(() => fixture?.close());

const ledgered = Object.values(loadSpecs).filter((spec) => spec.parent !== 'none');
const lineage = ['lineage_source', 'lineage_position', 'lineage_run', 'lineage_loaded_at', 'lineage_content_hash'];

interface StoredColumn { name: string; type: string; notNull: boolean; generated: string; maxLength: number | null }

async function storedColumns(table: string): Promise<StoredColumn[]> {
  const { rows } = await client.query<{ name: string; type: string; not_null: boolean; generated: string }>(
    `select a.attname as name, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as not_null, a.attgenerated as generated
     from pg_attribute a where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped order by a.attnum`, [table]);
  return rows.map((r) => ({
    name: r.name, type: r.type, notNull: r.not_null, generated: r.generated,
    maxLength: Number(/^character varying\((\d+)\)$/.exec(r.type)?.[1]) || null,
  }));
}

/** whether the catalog's type of a column is what its load spec type stages: a text may be a varchar(n) */
function stagedAsStored(type: PgType, catalogType: string): boolean {
  switch (type) {
    case 'text': return /^(text|character varying\(\d+\))$/.test(catalogType);
    case 'timestamptz': return catalogType === 'timestamp with time zone';
    default: return catalogType === type.replace(/\s/g, '');
  }
}

/** where two texts part, for a message a reader can act on */
function firstDifference(node: string, pg: string): string {
  let i = 0;
  while (i < node.length && node[i] === pg[i]) i++;
  return `at ${i}: Node …${JSON.stringify(node.slice(Math.max(0, i - 30), i + 30))}… PostgreSQL …${JSON.stringify(pg.slice(Math.max(0, i - 30), i + 30))}…`;
}

// ---------------------------------------------------------------------------------------------------------------
// Hostile values, each with whether Node must vouch for it (plain) or leave its row to PostgreSQL

interface Generated { value: unknown; plain: boolean }

const CONTROLS = Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)).concat('\u007f', '\u0080', '\u009f');
const ODD = ['"', '\\', '/', "'", ' ', ',', '{', '}', '[', ']', ':', 'é', 'e\u0301', '\u2028', '\u2029', '\ufeff', '\ufffd', '😀', '𠀀',
  '\ud800', '\udfff', '\\N', '\\.', 'NULL', 'null', '中', '文'];

function hostileText(random: Random, maxLength: number | null): Generated {
  const limit = maxLength ?? 20000;
  if (random.chance(0.03)) {
    // as long as the column allows, or beyond it by spaces, which a varchar drops (the stored text is shorter)
    const long = Array.from({ length: limit }, () => random.pick(['x', '中', '😀', '\u0001', '"', '\\'])).join('');
    return maxLength && random.chance(0.5) ? { value: `${long}   `, plain: false } : { value: long, plain: true };
  }
  const length = random.int(0, Math.min(limit, 24));
  let text = '';
  while ([...text].length < length) {
    const next = random.chance(0.3) ? random.pick(CONTROLS) : random.chance(0.6) ? random.pick(ODD) : random.pick(['a', 'b', 'Z', '0', '9']);
    if ([...(text + next)].length > limit) break;
    text += next;
  }
  return { value: text, plain: !text.endsWith(' ') };
}

function isoDate(random: Random, minYear: number): string {
  const year = random.int(minYear, 9999);
  return `${String(year).padStart(4, '0')}-${String(random.int(1, 12)).padStart(2, '0')}-${String(random.int(1, 28)).padStart(2, '0')}`;
}

function hostileDate(random: Random): Generated {
  if (random.chance(0.03)) return { value: random.pick(['0999-12-31', '2024-5-1', '2024-02-29 ']), plain: false };
  return { value: random.chance(0.1) ? '2024-02-29' : isoDate(random, 1000), plain: true };
}

function hostileTimestamp(random: Random): Generated {
  const roll = random.next();
  if (roll < 0.04) {
    return { value: random.pick(['2024-03-01 08:00:00+08', '2024-03-01T00:00:00.1234567Z', '2024-03-01 00:00:00', new Date(Date.UTC(999, 5, 1, 12))]), plain: false };
  }
  const ms = Date.UTC(random.int(1000, 9998), random.int(0, 11), random.int(1, 28), random.int(0, 23), random.int(0, 59), random.int(0, 59))
    + random.pick([0, 0, 100, 120, 123, 500, 999]);
  if (roll < 0.55) return { value: new Date(ms), plain: true };
  // the text a held row's record carries (Date.toJSON), and the same with microseconds and trailing zeros
  const fraction = random.pick(['', '.5', '.50', '.120000', '.000001', '.000000', '.123456', '.1']);
  return { value: `${new Date(ms).toISOString().slice(0, 19)}${fraction}Z`, plain: true };
}

function hostileNumeric(random: Random, type: PgType): Generated {
  const [precision, scale] = /^numeric\((\d+),(\d+)\)$/.exec(type)!.slice(1).map(Number) as [number, number];
  const roll = random.next();
  if (roll < 0.04) return { value: random.pick([' 12.5', 'NaN', '12.5 ']), plain: false };
  if (roll < 0.3) {
    return { value: random.pick(['-0', '-0.000', '00012.50', '0.005', '-0.005', '0.0049', '-0.0049', '1e2', '9.995', '-9.995', '.5', '5.',
      '+.5', '-.5e1', '1E-2', '12345e-3', '0.0000001', '+7', 0.1 + 0.2, -0, 5e-7, 12.345, -12.5, 99.995, 1e-7]), plain: true };
  }
  // digits that cannot round beyond the column's precision, in the forms the parsers and String(number) give
  const whole = Array.from({ length: random.int(0, precision - scale - 1) }, () => random.int(0, 9)).join('');
  const fraction = Array.from({ length: random.int(whole ? 0 : 1, 6) }, () => random.int(0, 9)).join('');
  const sign = random.pick(['', '', '-', '+']);
  const zeros = '0'.repeat(random.int(0, 3));
  switch (random.int(0, 3)) {
    case 0: return { value: `${sign}${zeros}${whole}${fraction ? `.${fraction}` : ''}`, plain: true };
    case 1: return { value: `${sign}0.${whole}${fraction}e${whole.length}`, plain: true };
    case 2: return { value: `${sign}${whole}${fraction}E-${fraction.length}`, plain: true };
    default: return { value: `${sign}${whole || '0'}.${fraction}`, plain: true };
  }
}

function hostileSmallint(random: Random): Generated {
  if (random.chance(0.04)) return { value: random.pick([' 7', '7 ']), plain: false };
  return { value: random.pick(['7', '+7', '007', '-0', '-32768', '32767', 12, 0, String(random.int(-32768, 32767))]), plain: true };
}

function hostileList(random: Random): Generated {
  if (random.chance(0.1)) return { value: hostileText(random, 30).value, plain: true }; // one value, staged as a list of it
  const items = Array.from({ length: random.int(0, 4) }, () =>
    random.chance(0.1) ? random.pick([null, undefined, '', 'NULL']) : hostileText(random, 30).value);
  return { value: items, plain: true };
}

function hostileValue(random: Random, column: LoadColumn, stored: StoredColumn): Generated {
  if (!stored.notNull && random.chance(0.15)) return { value: null, plain: true };
  switch (column.type) {
    case 'text': return hostileText(random, stored.maxLength);
    case 'date': return hostileDate(random);
    case 'timestamptz': return hostileTimestamp(random);
    case 'boolean': return { value: random.pick([true, false, 'false', 0, 1, '', 'f']), plain: true };
    case 'smallint': return hostileSmallint(random);
    case 'text[]': return hostileList(random);
    default: return hostileNumeric(random, column.type);
  }
}

interface HostileRow { regionCode: string; agencyUscc: string; record: Record<string, unknown>; plain: boolean }

function hostileRow(random: Random, spec: LoadSpec, columns: Map<string, StoredColumn>): HostileRow {
  const record: Record<string, unknown> = {};
  let plain = true;
  for (const column of [...spec.keys, ...spec.columns]) {
    const generated = hostileValue(random, column, columns.get(column.column)!);
    record[column.field] = generated.value;
    plain &&= generated.plain;
  }
  // the parent's codes are given as stored (they come from stored rows): any text the column keeps as it is
  return { regionCode: keptAsGiven(random, 12), agencyUscc: keptAsGiven(random, 18), record, plain };
}

function keptAsGiven(random: Random, maxLength: number): string {
  for (;;) {
    const text = hostileText(random, maxLength);
    if (text.plain) return String(text.value);
  }
}

describe('the ledger\'s row hash, taken in Node', () => {
  test('every ledgered table stores only its load spec\'s columns, the lineage and the spec\'s unloaded columns, typed as staged', async () => {
    const problems: string[] = [];
    for (const spec of ledgered) {
      const columns = await storedColumns(spec.table);
      const loaded = new Map<string, LoadColumn>([...spec.keys, ...spec.columns].map((c) => [c.column, c]));
      const known = new Set(['region_code', 'agency_uscc', ...lineage, ...loaded.keys(), ...(spec.unloadedColumns ?? [])]);
      for (const column of columns) {
        if (!known.has(column.name)) problems.push(`${spec.table}.${column.name}: neither loaded nor in the spec's unloadedColumns`);
        if (column.generated) problems.push(`${spec.table}.${column.name}: a generated column, which Node does not compute`);
        const load = loaded.get(column.name);
        if (load && !stagedAsStored(load.type, column.type)) problems.push(`${spec.table}.${column.name}: stored as ${column.type}, staged as ${load.type}`);
        if (spec.unloadedColumns?.includes(column.name) && column.notNull) problems.push(`${spec.table}.${column.name}: unloaded, yet not null`);
      }
      for (const name of known) if (!columns.some((c) => c.name === name)) problems.push(`${spec.table}.${name}: in the spec, not in the table`);
    }
    expect(problems).toEqual([]);
  });

  test('Node\'s jsonb text and hash equal PostgreSQL\'s for generated hostile rows of every ledgered entity; Node vouches for every plain row', async () => {
    const differences: string[] = [];
    for (const spec of ledgered) {
      const random = Random.seeded('ledger-row-hash').fork(spec.entity);
      const columns = new Map((await storedColumns(spec.table)).map((c) => [c.name, c]));
      const data = [...spec.keys, ...spec.columns];
      const rows = Array.from({ length: 300 }, () => hostileRow(random, spec, columns));
      // the table's own column types, without its keys and checks: every value lands as the upsert would store it
      await client.query(`create temp table probe (like ${spec.table} including defaults)`);
      try {
        const copyColumns = ['region_code', 'agency_uscc', ...data.map((c) => c.column), 'lineage_source', 'lineage_position', 'lineage_content_hash'];
        const text = rows.map((row, i) => copyLine([copyValue(row.regionCode, 'text'), copyValue(row.agencyUscc, 'text'),
          ...data.map((c) => copyValue(row.record[c.field], c.type)), 'probe', String(i), 'x'])).join('');
        await pipeline(Readable.from([text]), client.query(copyFrom(`copy probe (${copyColumns.map((c) => `"${c}"`).join(', ')}) from stdin`)));
        // the text in UTC, as ledger_row_hash renders it
        await client.query(`begin; set local timezone = 'UTC'`);
        const { rows: stored } = await client.query<{ i: string; jsonb: string; hash: string }>(
          `select lineage_position as i, jsonb_strip_nulls(to_jsonb(p) - array[${lineage.map((c) => `'${c}'`).join(', ')}])::text as jsonb,
             ledger_row_hash(p) as hash from probe p`);
        await client.query('commit');
        const layout = ledgerRowLayout(spec);
        let compared = 0;
        for (const pg of stored) {
          const row = rows[Number(pg.i)]!;
          const node = layout.jsonb(row.record, row.regionCode, row.agencyUscc);
          if ((node !== null) !== row.plain) {
            differences.push(`${spec.entity} row ${pg.i}: Node ${node ? 'vouched for' : 'left to PostgreSQL'} ${JSON.stringify(row.record)}`);
          }
          if (node === null) continue;
          compared++;
          if (node !== pg.jsonb) differences.push(`${spec.entity} row ${pg.i}: jsonb text differs ${firstDifference(node, pg.jsonb)}`);
          else if (layout.hash(row.record, row.regionCode, row.agencyUscc) !== pg.hash) differences.push(`${spec.entity} row ${pg.i}: same text, other hash`);
        }
        expect({ entity: spec.entity, compared: compared >= 100 }).toEqual({ entity: spec.entity, compared: true });
      } finally {
        await client.query('drop table probe');
      }
    }
    expect(differences.slice(0, 10)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Through the ETL

const EVERY_CONTROL = CONTROLS.join('');
const hostile = {
  quotes: 'He said "it\'s \\ fine"\\',
  controls: `a${EVERY_CONTROL}b`,
  astral: '😀𠀀 e\u0301 \u2028\u2029\ufeff 中文',
  copyLike: '\\N\t\\.\n\r{a,b}"null"',
  long: `长文本\u0001"\\${'x'.repeat(1000)}`.repeat(50),
};
const otherBureau = '91350500MA2Y0K3L9B';
const fuzhouBureau = '91350100M000100Y43';

/** rows whose hash Node leaves to PostgreSQL, by design */
const leftToSql = new Set<BatchItem>();
const inSql = (item: BatchItem) => { leftToSql.add(item); return item; };

/** loads a batch, after checking which of its rows Node hashes */
async function load(entity: EntityName, items: BatchItem[], loadScope = scope) {
  if (loadSpecs[entity].parent !== 'none') {
    const layout = ledgerRowLayout(loadSpecs[entity]);
    const record = (item: BatchItem) => (item.parsed as { record: Record<string, unknown> }).record;
    expect({ entity, vouched: items.map((item) => layout.jsonb(record(item), '350500', quanzhouMarketBureau) !== null) })
      .toEqual({ entity, vouched: items.map((item) => !leftToSql.has(item)) });
  }
  return loadBatch(client, { runId, scope: loadScope, entity, items });
}

describe('rows loaded through the ETL', () => {
  test('every ledgered entity\'s stored rows carry, as their last ledger version, the hash PostgreSQL computes of them, and the ledger verifies', async () => {
    await load('agencies', [anAgency(), anAgency({ uscc: otherBureau, name: '泉州市"其他"局\\' })]);
    await load('personnel', [
      aPerson({ name: hostile.controls, certificateNo: hostile.quotes, certificateCategory: hostile.astral, legalQualification: true,
        updatedAt: new Date('2024-01-01T00:00:00.120Z') }),
      aPerson({ personId: 'P002', agencyUscc: otherBureau, name: hostile.copyLike, certificateNo: null, certificateStatus: null }),
      inSql(aPerson({ personId: 'P-SPACE ' })),
      // a key longer than its varchar(64) by spaces is stored cut: no staged row has the stored key
      inSql(aPerson({ personId: `${'P'.repeat(64)}  ` })),
    ]);
    await load('cases', [
      aCase({ partyName: hostile.quotes, decisionNo: hostile.astral, exemptReason: hostile.long, amount: '00012.50', extended: true,
        penaltyKinds: ['罚款', 'a"b', 'x\\y', '', 'null', 'NULL', '{,}', hostile.controls], majorGrounds: [],
        handlerIds: ['P001', '😀', '\u0001 '], updatedAt: '2024-09-28T02:00:00.120Z' }),
      // each control character alone in its text, so that no other character sends it down another path
      aCase({ caseId: 'QZ-2024-002', amount: '1e3', partyIdNo: '', penaltyKinds: [], handlerIds: [], majorGrounds: CONTROLS.map((c) => `x${c}y`) }),
      aCase({ caseId: 'QZ-2024-003', amount: 12.345, disclosure: 'EXEMPT', exemptReason: hostile.copyLike }),
      aCase({ caseId: 'QZ-2024-004', amount: '-0', updatedAt: new Date('2024-09-28T10:00:00.5+08:00') }),
      aCase({ caseId: 'QZ-2024-005', amount: '0.005', agencyUscc: otherBureau }),
      inSql(aCase({ caseId: 'QZ-SPACE', partyName: `某公司${' '.repeat(250)}` })),
      inSql(aCase({ caseId: 'QZ-DATE', closedOn: '2024-9-30' })),
      inSql(aCase({ caseId: 'QZ-AMOUNT', amount: ' 12' })),
    ]);
    // a newer version of a case replaces it: the ledger's new version is of the updated row
    await load('cases', [aCase({ partyName: hostile.controls, amount: '7.5', updatedAt: new Date('2024-10-01T00:00:00Z') })]);
    await load('publications', [aPublication({ url: hostile.copyLike, withdrawReason: hostile.controls, platform: hostile.astral, withdrawnOn: '2024-11-01' })]);
    await load('reviews', [
      aReview({ note: hostile.long, reviewerIds: ['a,b', '{x}', '"'] }),
      aReview({ round: '+2', reviewerIds: [] }),
      aReview({ caseId: 'QZ-2024-002', round: '003', note: hostile.quotes }),
    ]);
    await load('appeals', [anAppeal({ body: hostile.quotes, decisionNo: '😀'.repeat(150) }), anAppeal({ kind: 'LITIGATION_FIRST', outcome: null, body: null })]);
    await load('recordings', [
      aRecording({ recordedAt: new Date('2024-09-05T01:30:00.5Z'), uploadedAt: '2024-09-05T10:00:00.123450Z', sha256: null }),
      inSql(aRecording({ recordId: 'R-0002', uploadedAt: '2024-09-05 18:00:00' })),
    ]);
    await load('evaluations', [
      anEvaluation({ score: '092.5', evaluator: hostile.controls, findings: hostile.long }),
      anEvaluation({ kind: 'SPOT', score: '99.995' }),
      anEvaluation({ evaluatedOn: '2024-12-21', score: '-0' }),
      inSql(anEvaluation({ evaluatedOn: '2024-12-22', score: 'NaN' })),
    ]);
    await load('annualReports', [anAnnualReport({ year: '2024' }), anAnnualReport({ year: 2023, publishedOn: null })]);
    await load('letters', [aLetter({ letterNo: hostile.quotes, subject: hostile.long }), aLetter({ letterNo: '泉法督〔2024〕4号', subject: hostile.controls })]);

    // a publication that waited for its case comes back from held_rows as JSON: its timestamps are text then
    expect(await load('publications', [aPublication({ caseId: 'QZ-LATE', url: hostile.controls })])).toMatchObject({ held: 1 });
    await load('cases', [aCase({ caseId: 'QZ-LATE' })]);
    expect((await releaseHeldRows(client, runId)).publications).toMatchObject({ released: 1 });

    // a column the load never writes, set by someone else: the next version's hash is PostgreSQL's, of the row as stored
    await client.query(`update annual_reports set updated_at = '2025-02-01T08:00:00.25Z' where year = 2024`);
    await load('annualReports', [anAnnualReport({ year: 2024, submittedOn: '2025-01-21' })]);

    const differing: unknown[] = [];
    let rows = 0;
    for (const spec of ledgered) {
      const key = ledgerKeySql(spec.keys.map((k) => k.column), 't');
      const { rows: versions } = await client.query<{ natural_key: string; stored: string; recorded: string | null }>(
        `select ${key} as natural_key, ledger_row_hash(t) as stored,
           (select e.row_hash from ledger_entries e where e.region_code = t.region_code and e.agency_uscc = t.agency_uscc
              and e.entity = $1 and e.natural_key = ${key} order by e.seq desc limit 1) as recorded
         from ${spec.table} t`, [spec.table]);
      expect({ table: spec.table, rows: versions.length > 0 }).toEqual({ table: spec.table, rows: true });
      rows += versions.length;
      differing.push(...versions.filter((v) => v.recorded !== v.stored).map((v) => ({ table: spec.table, ...v })));
    }
    expect(differing).toEqual([]);
    expect(rows).toBe(30);
    const report = await verifyLedger(pool);
    expect(report.agencies.filter((a) => !a.ok)).toEqual([]);
    expect(report.agencies.map((a) => a.agencyUscc).sort()).toEqual([otherBureau, quanzhouMarketBureau].sort());
  });
});

describe('finding a child\'s case', () => {
  test('a case id that two agencies of the source use makes its child ambiguous, unless the child names its agency; an agency out of scope does not count', async () => {
    await load('agencies', [anAgency({ uscc: fuzhouBureau, name: '福州市市场监督管理局', regionCode: '350100' })], everywhere);
    await load('cases', [aCase({ caseId: 'SHARED-1' }), aCase({ caseId: 'SHARED-1', agencyUscc: otherBureau }), aCase({ caseId: 'SHARED-OUT' })]);
    await load('cases', [aCase({ caseId: 'SHARED-OUT', agencyUscc: fuzhouBureau })], everywhere);
    const counts = await load('publications', [
      aPublication({ caseId: 'SHARED-1' }, 'shared.csv 第 2 行'),
      aPublication({ caseId: 'SHARED-1', agencyUscc: otherBureau }),
      aPublication({ caseId: 'SHARED-OUT' }),
    ]);
    expect(counts).toMatchObject({ inserted: 2, quarantined: 1 });
    const { rows: [refused] } = await client.query(`select reasons->0->>'code' as code from quarantine where position = 'shared.csv 第 2 行'`);
    expect(refused).toEqual({ code: 'CASE_AMBIGUOUS' });
    const { rows: stored } = await client.query(
      `select case_id, agency_uscc from publications where case_id in ('SHARED-1', 'SHARED-OUT') order by case_id, agency_uscc`);
    expect(stored).toEqual([{ case_id: 'SHARED-1', agency_uscc: otherBureau }, { case_id: 'SHARED-OUT', agency_uscc: quanzhouMarketBureau }]);
  });
});
