import crypto from 'node:crypto';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import {
  AsyncByteQueue, Bool, DateDay, Field, Float64, Int32, List, makeBuilder, makeData, RecordBatch, RecordBatchStreamWriter,
  Schema, Struct, Utf8, type DataType,
} from 'apache-arrow';
import type { PoolClient } from 'pg';
import { assertCivilDate, toDayNumber } from '../domain/calendar/civil-date';
import { MAX_BUCKETS, periodBuckets } from '../domain/calendar/period-buckets';
import { ActionTypes, type ActionType } from '../domain/codes';
import { InvalidValueError } from '../domain/errors';
import { IndicatorNames, type PolicyProfile } from '../domain/profile/policy-profile';
import { regionDirectory } from '../domain/regions';
import { assertUscc } from '../domain/uscc';
import { caseCheckStatement, type CaseCheckStatementRow } from '../metrics/checks/case-check-statement';
import { computeIndicatorsByAgency, type AgencyIndicators, type NamedPeriod } from '../metrics/indicators/indicator-engine';
import type { Scope } from '../metrics/scope/scope';
import {
  checkRange, dateParameter, named, readParameters, refuseParameter as refuse, requiredDateParameter, type ExportSubject, type QueryParameters,
} from './query-parameters';

/**
 * Warehouse datasets as Apache Arrow IPC streams, for analysts' tools (pandas, DuckDB, R). The caller hands in a
 * connection already inside the viewer's transaction (access/viewer-transaction.ts): PostgreSQL's row-level
 * security decides which rows the statements see, so nothing here knows about jurisdictions. Rows are read a
 * page at a time through a cursor and written a record batch at a time, waiting for `out` to drain, so memory
 * stays bounded by one page whatever the size of the province.
 */

/** Rows per FETCH and per record batch: large enough that Arrow's per-batch overhead vanishes, small enough to hold. */
const PAGE_ROWS = 10_000;

// ---------------------------------------------------------------------------------------------------------------
// Query parameters (query-parameters.ts): every one named, checked, and refused in Chinese and English when wrong

const datasetSubject = (dataset: string): ExportSubject => ({ zh: `数据集 ${dataset}`, en: `dataset ${dataset}` });

const scopeParameters = ['regionCode', 'agencyUscc', 'domain', 'actionType'] as const;

/** The scope a request asks for; the viewer's jurisdiction narrows it further, in the database. */
function scopeOf(parameters: QueryParameters): Scope {
  const region = parameters.get('regionCode');
  const agency = parameters.get('agencyUscc');
  const domain = parameters.get('domain');
  const actionType = parameters.get('actionType');
  if (actionType !== undefined && !(ActionTypes.codes as readonly string[]).includes(actionType)) {
    throw refuse('UNKNOWN_CODE', actionType, `查询参数 actionType=${actionType} 不是行为类别（${ActionTypes.codes.join('、')}）`,
      `query parameter actionType=${actionType} is not an action type (${ActionTypes.codes.join(', ')})`);
  }
  return {
    ...(region !== undefined && { regionCode: named('regionCode', region, () => regionDirectory().require(region).code) }),
    ...(agency !== undefined && { agencyUscc: named('agencyUscc', agency, () => assertUscc(agency)) }),
    ...(domain !== undefined && { domain }),
    ...(actionType !== undefined && { actionType: actionType as ActionType }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Arrow columns and batches

/** One column of an export: its Arrow field and how a row gives its value (null where the field is nullable). */
interface ExportColumn<R> {
  field: Field;
  value(row: R): unknown;
}

const column = <R>(name: string, type: DataType, nullable: boolean, value: (row: R) => unknown): ExportColumn<R> =>
  ({ field: new Field(name, type, nullable), value });

const MS_PER_DAY = 86_400_000;

/** A civil date as the epoch milliseconds Arrow's DateDay builder takes (it stores the day number). */
function epochMs(date: string | null): number | null {
  return date === null ? null : toDayNumber(date) * MS_PER_DAY;
}

const utf8 = <R>(name: string, value: (row: R) => string | null, nullable = false) => column(name, new Utf8(), nullable, value);
const day = <R>(name: string, value: (row: R) => string | null, nullable = true) =>
  column<R>(name, new DateDay(), nullable, (row) => epochMs(value(row)));
const bool = <R>(name: string, value: (row: R) => boolean | null, nullable = true) => column(name, new Bool(), nullable, value);
const int32 = <R>(name: string, value: (row: R) => number) => column(name, new Int32(), false, value);
const float64 = <R>(name: string, value: (row: R) => number | null) => column(name, new Float64(), true, value);
const utf8List = <R>(name: string, value: (row: R) => readonly string[]) =>
  column(name, new List(new Field('item', new Utf8(), false)), false, value);

function schemaOf<R>(columns: readonly ExportColumn<R>[], metadata: Record<string, string>): Schema {
  return new Schema(columns.map((c) => c.field), new Map(Object.entries(metadata)));
}

function batchOf<R>(schema: Schema, columns: readonly ExportColumn<R>[], rows: readonly R[]): RecordBatch {
  const children = columns.map((c) => {
    const builder = makeBuilder({ type: c.field.type, nullValues: [null] });
    for (const row of rows) builder.append(c.value(row));
    return builder.finish().flush();
  });
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children }));
}

// ---------------------------------------------------------------------------------------------------------------
// Writing the IPC stream with backpressure

/**
 * The writer's bytes, held until taken. Arrow's own queue grows without bound when nobody reads it; taking the
 * bytes of each batch and waiting for `out` to drain before reading the next page is what bounds memory.
 */
class TakenBytes extends AsyncByteQueue {
  private chunks: Uint8Array[] = [];

  override write(value: Parameters<AsyncByteQueue['write']>[0]): void {
    if (!ArrayBuffer.isView(value)) throw new Error('the Arrow writer handed over something other than bytes');
    if (value.byteLength > 0) this.chunks.push(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  }

  take(): Buffer {
    const bytes = Buffer.concat(this.chunks);
    this.chunks = [];
    return bytes;
  }
}

const outputGone = () => new Error('the export output closed before the stream was written');

/**
 * `out` as the export writes it. Its fate is watched from the start (stream.finished), so that an error it
 * emits between two writes (a client gone away) ends the export with that error instead of going unheard, and a
 * full buffer is waited out unless the output dies first.
 */
class ExportOutput {
  private readonly settled: Promise<void>;

  constructor(private readonly out: NodeJS.WritableStream) {
    this.settled = finished(out);
    this.settled.catch(() => undefined); // awaited in send and end; until then a rejection is not unhandled
  }

  private dead(): boolean {
    const state = this.out as { destroyed?: boolean; writableEnded?: boolean };
    return state.destroyed === true || state.writableEnded === true;
  }

  async send(bytes: Buffer): Promise<void> {
    if (this.dead()) throw outputGone();
    if (bytes.length === 0 || this.out.write(bytes)) return;
    await Promise.race([once(this.out, 'drain'), this.settled.then(() => { throw outputGone(); })]);
  }

  /** Ends `out` and waits until every byte is handed on (or says why not). */
  async end(): Promise<void> {
    this.out.end();
    await this.settled;
  }
}

/**
 * Writes `schema` and one record batch per page to `out`, then the end-of-stream marker, and ends `out`. The
 * first page is read before any byte is written: a statement that fails does so while the caller can still
 * answer with an error. On failure `out` is left as it is (partly written) for the caller to destroy.
 */
async function writeIpcStream<R>(out: NodeJS.WritableStream, schema: Schema, columns: readonly ExportColumn<R>[],
  pages: AsyncIterable<readonly R[]>): Promise<number> {
  const iterator = pages[Symbol.asyncIterator]();
  let page = await iterator.next();
  const output = new ExportOutput(out);
  const sink = new TakenBytes();
  const writer = new RecordBatchStreamWriter();
  writer.reset(sink, schema); // writes the schema now, so that an empty export is still a readable stream
  let rows = 0;
  try {
    await output.send(sink.take());
    while (!page.done) {
      writer.write(batchOf(schema, columns, page.value));
      rows += page.value.length;
      await output.send(sink.take());
      page = await iterator.next();
    }
    writer.close();
    await output.send(sink.take());
  } finally {
    // stopped early (the output failed): let the source release what it holds (its cursor)
    if (!page.done) await iterator.return?.();
  }
  await output.end();
  return rows;
}

/** Pages of `size` items of rows made in memory. */
async function* pagesOf<R>(items: Iterable<R>, size = PAGE_ROWS): AsyncGenerator<R[]> {
  let page: R[] = [];
  for (const item of items) {
    page.push(item);
    if (page.length === size) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}

/**
 * The rows of a statement, a page at a time, through a server-side cursor of the caller's transaction (no
 * transaction of its own: the viewer's settings live in the caller's).
 */
async function* cursorPages<R>(db: PoolClient, statement: { text: string; values: unknown[] }): AsyncGenerator<R[]> {
  const cursor = `arrow_export_${crypto.randomBytes(6).toString('hex')}`;
  await db.query(`declare ${cursor} no scroll cursor for ${statement.text}`, statement.values);
  try {
    for (;;) {
      const { rows } = await db.query<R & object>(`fetch forward ${PAGE_ROWS} from ${cursor}`);
      if (rows.length > 0) yield rows;
      if (rows.length < PAGE_ROWS) return;
    }
  } finally {
    // the transaction's end closes it anyway; closing now frees the server's memory sooner. An aborted
    // transaction refuses the close, and has lost the cursor already.
    await db.query(`close ${cursor}`).catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Datasets

interface ExportRequest {
  db: PoolClient;
  parameters: QueryParameters;
  profile: PolicyProfile;
  asOf: string;
  out: NodeJS.WritableStream;
}

interface ExportDataset {
  name: string;
  description: string;
  parameters: readonly string[];
  write(request: ExportRequest): Promise<number>;
}

const caseColumns: readonly ExportColumn<CaseCheckStatementRow>[] = [
  utf8('region_code', (r) => r.region_code),
  utf8('agency_uscc', (r) => r.agency_uscc),
  utf8('case_id', (r) => r.case_id),
  utf8('action_type', (r) => r.action_type),
  day('decided_on', (r) => r.decided_on),
  bool('is_major', (r) => r.major_reasons.length > 0, false),
  utf8List('major_reasons', (r) => r.major_reasons),
  utf8('publication_status', (r) => r.publication_status, true),
  utf8('publication_exemption', (r) => r.publication_exemption, true),
  day('publication_deadline', (r) => r.publication_deadline),
  bool('deadline_provisional', (r) => r.publication_deadline_provisional, false),
  day('published_on', (r) => r.published_on),
  day('withdrawn_on', (r) => r.withdrawn_on),
  utf8('withdrawal_status', (r) => r.withdrawal_status, true),
  day('withdrawal_deadline', (r) => r.withdrawal_deadline),
  bool('review_required', (r) => r.review_required, false),
  bool('review_compliant', (r) => r.review_compliant),
  utf8List('review_violations', (r) => r.review_violations),
  bool('certified_handling', (r) => r.certified_handling),
  bool('decided_in_time', (r) => r.decided_in_time),
  utf8('archive_status', (r) => r.archive_status, true),
];

/** One row per case of the scope with its checks as of T (case-check-statement.ts), optionally by decision date. */
async function writeCases({ db, parameters, profile, asOf, out }: ExportRequest): Promise<number> {
  const from = dateParameter(parameters, 'from');
  const to = dateParameter(parameters, 'to');
  checkRange(from, to);
  const decided = from !== undefined || to !== undefined ? { ...(from && { from }), ...(to && { to }) } : undefined;
  // unordered: a sort would make the first FETCH compute every case (and meet the API's statement time limit)
  const statement = caseCheckStatement({ scope: scopeOf(parameters), asOf, ...(decided && { decided }), ordered: false }, profile);
  const schema = schemaOf(caseColumns, {
    'hub.dataset': 'cases', 'hub.as_of': asOf, 'hub.profile': profile.name,
    ...(from && { 'hub.decided_from': from }), ...(to && { 'hub.decided_to': to }),
  });
  return writeIpcStream(out, schema, caseColumns, cursorPages<CaseCheckStatementRow>(db, statement));
}

interface IndicatorRow {
  agency_uscc: string; region_code: string; month: string; period_from: string; period_to: string;
  indicator: string; numerator: number; denominator: number; rate: number | null;
}

const indicatorColumns: readonly ExportColumn<IndicatorRow>[] = [
  utf8('agency_uscc', (r) => r.agency_uscc),
  utf8('region_code', (r) => r.region_code),
  utf8('month', (r) => r.month),
  day('period_from', (r) => r.period_from, false),
  day('period_to', (r) => r.period_to, false),
  utf8('indicator', (r) => r.indicator),
  int32('numerator', (r) => r.numerator),
  int32('denominator', (r) => r.denominator),
  float64('rate', (r) => r.rate),
];

/**
 * The calendar months from..to touches, each clipped to from..to (period_from/period_to say so), by the one
 * period splitter the API uses; its limit (MAX_BUCKETS) is restated with the parameters that broke it.
 */
function monthPeriods(from: string, to: string): NamedPeriod[] {
  try {
    return periodBuckets({ from, to }, 'MONTH').map((bucket) => ({ id: bucket.label, from: bucket.from, to: bucket.to }));
  } catch (error) {
    if (!(error instanceof InvalidValueError)) throw error;
    throw refuse(error.code, { from, to }, `查询参数 from=${from} 至 to=${to} 无效：${error.message}`,
      `query parameters from=${from} to=${to} span more than ${MAX_BUCKETS} months`);
  }
}

/**
 * The agencies whose figures this connection may be shown. `agencies` is reference data every viewer reads, so
 * the indicator engine would list every agency of the scope, with zeros where row-level security hides the
 * facts; the database's own rule (hub_viewer_sees, the one its policies use) says which agencies are the
 * viewer's. A connection row-level security does not apply to (the hub's owner) sees every agency.
 */
async function visibleAgencies(db: PoolClient): Promise<string[]> {
  const { rows } = await db.query<{ uscc: string }>(
    `select a.uscc from agencies a where not row_security_active('cases') or hub_viewer_sees(a.region_code, a.uscc) order by a.uscc`);
  return rows.map((row) => row.uscc);
}

/** Every agency in scope × month of from..to × indicator, long format, computed by the one indicator engine. */
async function writeIndicatorsByAgencyMonth({ db, parameters, profile, asOf, out }: ExportRequest): Promise<number> {
  const dataset = 'indicators-by-agency-month';
  const from = requiredDateParameter(parameters, 'from', datasetSubject(dataset));
  const to = requiredDateParameter(parameters, 'to', datasetSubject(dataset));
  checkRange(from, to);
  const periods = monthPeriods(from, to);
  const scope = scopeOf(parameters);
  const schema = schemaOf(indicatorColumns, {
    'hub.dataset': dataset, 'hub.as_of': asOf, 'hub.profile': profile.name, 'hub.from': from, 'hub.to': to,
  });
  const agencies = await visibleAgencies(db);
  const figures = agencies.length === 0 ? new Map<string, AgencyIndicators>()
    : await computeIndicatorsByAgency(db, { scope: { ...scope, agencyUsccs: agencies }, periods, asOf }, profile);
  function* rows(): Generator<IndicatorRow> {
    for (const agency of [...figures.values()].sort((a, b) => (a.agencyUscc < b.agencyUscc ? -1 : 1))) {
      for (const period of periods) {
        const indicators = agency.periods[period.id]!;
        for (const indicator of IndicatorNames) {
          const { numerator, denominator, rate } = indicators[indicator];
          yield {
            agency_uscc: agency.agencyUscc, region_code: agency.regionCode, month: period.id, period_from: period.from,
            period_to: period.to, indicator, numerator, denominator, rate,
          };
        }
      }
    }
  }
  return writeIpcStream(out, schema, indicatorColumns, pagesOf(rows()));
}

const datasets: readonly ExportDataset[] = [
  {
    name: 'cases',
    description: '案件及其检查结果（截至 asOf）：每案一行（不排序），含公示、撤回、法制审核、持证办案、办案期限与归档状态；from/to 按决定日期筛选 / '
      + 'one row per case (unordered) with its checks as of asOf: publication, withdrawal, legal review, certified handling, '
      + '90-day and archive status; from/to select by decision date',
    parameters: ['asOf', ...scopeParameters, 'from', 'to'],
    write: writeCases,
  },
  {
    name: 'indicators-by-agency-month',
    description: `各执法主体逐月 ${IndicatorNames.length} 项指标（分子、分母、比率），from 至 to 不超过 ${MAX_BUCKETS} 个月 / `
      + `every agency × month of from..to (at most ${MAX_BUCKETS}) × the ${IndicatorNames.length} indicators, with numerator, denominator and rate`,
    parameters: ['asOf', ...scopeParameters, 'from', 'to'],
    write: writeIndicatorsByAgencyMonth,
  },
];

/** The datasets an export can name, for listings and error messages. */
export const exportDatasets: readonly { name: string; description: string }[] =
  datasets.map(({ name, description }) => Object.freeze({ name, description }));

/**
 * Writes `dataset` as an Arrow IPC stream to `out` and ends it. `db` is inside the viewer's transaction
 * (withViewer): what the viewer may not see is not there. Every value the query gives is checked before the
 * first statement runs; `today` is the as-of date when the query gives none.
 */
export async function writeArrowExport(db: PoolClient, dataset: string, query: URLSearchParams,
  profile: PolicyProfile, today: string, out: NodeJS.WritableStream): Promise<{ rows: number }> {
  assertCivilDate(today, 'today');
  const chosen = datasets.find((d) => d.name === dataset);
  if (!chosen) {
    const known = datasets.map((d) => d.name);
    throw refuse('UNKNOWN_DATASET', dataset, `导出数据集 dataset=${dataset} 不存在（可选：${known.join('、')}）`,
      `unknown export dataset dataset=${dataset} (known: ${known.join(', ')})`);
  }
  const parameters = readParameters(query, datasetSubject(chosen.name), chosen.parameters);
  const asOf = dateParameter(parameters, 'asOf') ?? today;
  return { rows: await chosen.write({ db, parameters, profile, asOf, out }) };
}
