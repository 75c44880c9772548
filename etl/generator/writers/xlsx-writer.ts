import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { stream as excelStream, ValueType, type Worksheet } from 'exceljs';
import type { EntitySpec } from '../../feed/feed-entities';
import type { WireRecord } from '../bad-rows';
import { cellOf, type Dialect } from './encode';
import type { FeedWriter } from './feed-writer';

/** The entry date of the workbook being constructed (constructors are synchronous, so one at a time). */
let pinning: Date | null = null;

/**
 * exceljs stamps every zip entry with the time of writing and docProps/core.xml with "created now"; the
 * generator's output must be the same bytes on every run, so both are pinned. Entry times are written in UTC
 * (archiver's default), so the machine's time zone does not leak in either.
 */
class PinnedWorkbookWriter extends excelStream.xlsx.WorkbookWriter {
  // Called by the base constructor before anything is added to the archive: the first moment to pin dates.
  override addThemes(): Promise<void> {
    const zip = (this as unknown as { zip: { append(source: unknown, data: Record<string, unknown>): unknown } }).zip;
    const date = pinning;
    if (!date) throw new Error('PinnedWorkbookWriter is made by openPinnedWorkbook');
    const append = zip.append.bind(zip);
    zip.append = (source, data) => append(source, { ...data, date });
    return super.addThemes();
  }
}

function openPinnedWorkbook(output: WriteStream, date: Date): PinnedWorkbookWriter {
  pinning = date;
  try {
    // created/modified/creator are read by the streaming writer's constructor but missing from its typings
    const options = {
      stream: output, useStyles: true, useSharedStrings: false, created: date, modified: date,
      creator: 'hub generate（合成演示数据）', lastModifiedBy: 'hub generate',
    };
    return new PinnedWorkbookWriter(options as ConstructorParameters<typeof excelStream.xlsx.WorkbookWriter>[0]);
  } finally {
    pinning = null;
  }
}

const FLUSH_CHARS = 16 * 1024;
const DATE_FORMAT = 'yyyy-mm-dd';
const TIME_FORMAT = 'yyyy-mm-dd hh:mm:ss';

/**
 * Style objects shared by every cell of one kind. exceljs works a cell's style out from its style object and
 * remembers the answer by that object's identity, so each is worked out once per workbook. The style of a cell
 * without a format depends on its value's type, hence one object per type.
 */
const SHARED_STYLES = {
  row: Object.freeze({}),
  [ValueType.Null]: Object.freeze({}),
  [ValueType.String]: Object.freeze({}),
  [ValueType.Number]: Object.freeze({}),
  [DATE_FORMAT]: Object.freeze({ numFmt: DATE_FORMAT }),
  [TIME_FORMAT]: Object.freeze({ numFmt: TIME_FORMAT }),
} as const;

/** The parts of exceljs's streaming writer that the rows are written through (missing from its typings). */
interface StyleTable { addStyleModel(model: object, cellType?: ValueType): number }
/** Node's and readable-stream's (2.x, 3.x) streams alike keep their queued byte counts here. */
interface QueuedStream { _writableState?: { length: number }; _readableState?: { length: number } }
interface SheetStream { write(text: string): void; pipes: QueuedStream[] }

function queued(stream: QueuedStream | undefined): number {
  return (stream?._writableState?.length ?? 0) + (stream?._readableState?.length ?? 0);
}

/** Spreadsheet column names: A … Z, AA … */
function columnName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

const XML_SPECIAL = /[<>&'"\x7F\x00-\x08\x0B-\x0C\x0E-\x1F]/;
const XML_ESCAPES: Record<string, string> = { '"': '&quot;', '&': '&amp;', "'": '&apos;', '<': '&lt;', '>': '&gt;' };

/** Text as exceljs escapes it in XML: the five entities, and control characters XML cannot carry left out. */
function xmlText(text: string): string {
  if (!XML_SPECIAL.test(text)) return text;
  return text.replace(/[<>&'"\x7F\x00-\x08\x0B-\x0C\x0E-\x1F]/g, (ch) => XML_ESCAPES[ch] ?? '');
}

/** exceljs's Excel serial of a date (1900 date system). */
function excelSerial(date: Date): number {
  return 25569 + date.getTime() / (24 * 3600 * 1000);
}

/** An XLSX sheet holds at most this many rows, the header included. */
const MAX_SHEET_ROWS = 1_048_576;

/**
 * One sheet per workbook. (A notes sheet before the data, as agency templates have, is not written: the hub's
 * XLSX reader can then fail intermittently with ENOENT on exceljs's parked temp file of the skipped sheet.)
 */
export interface XlsxLayout {
  /** the sheet holding the rows */
  sheet: string;
}

/**
 * An XLSX feed, streamed with exceljs's WorkbookWriter and inline strings (no shared-string table held in
 * memory). Dates are real Excel date cells.
 *
 * exceljs writes the workbook, the sheet's frame and its header row; the data rows are rendered here, in
 * exactly the XML exceljs's row and cell renderers give them (with style ids from exceljs's own style table, in
 * the order it would ask for them), and handed to the sheet's stream 16 K characters at a time. Through exceljs's row
 * and cell objects every row cost several objects per cell and a buffer of its own, which made XLSX the
 * slowest and most memory-hungry of the formats; the bytes are the same.
 */
export class XlsxFeedWriter implements FeedWriter {
  private readonly output: WriteStream;
  private readonly workbook: PinnedWorkbookWriter;
  private readonly sheet: Worksheet;
  private rowNumber = 1;
  private readonly formats: (typeof DATE_FORMAT | typeof TIME_FORMAT | undefined)[];
  private readonly columns: string[];
  private readonly styles: StyleTable;
  private readonly stream: SheetStream;
  private pending: string[] = [];
  private pendingChars = 0;
  private readonly closed: Promise<void>;

  constructor(dir: string, readonly fileName: string, readonly spec: EntitySpec, private readonly dialect: Dialect,
    private readonly layout: XlsxLayout, pinnedDate: Date) {
    this.output = createWriteStream(join(dir, fileName));
    this.closed = new Promise((resolve, reject) => {
      this.output.once('close', () => resolve());
      this.output.once('error', reject);
    });
    this.workbook = openPinnedWorkbook(this.output, pinnedDate);
    this.sheet = this.workbook.addWorksheet(layout.sheet);
    this.sheet.addRow(spec.fields.map((field) => field.header)).commit();
    this.formats = spec.fields.map((field) => (field.form === 'date' ? DATE_FORMAT : field.form === 'timestamp' ? TIME_FORMAT : undefined));
    this.columns = spec.fields.map((_, i) => columnName(i));
    this.styles = (this.workbook as unknown as { styles: StyleTable }).styles;
    this.stream = (this.sheet as unknown as { stream: SheetStream }).stream;
  }

  write(row: WireRecord): string {
    if (this.rowNumber >= MAX_SHEET_ROWS) {
      throw new Error(`${this.fileName}: a sheet holds at most ${MAX_SHEET_ROWS} rows; this quarter's file would need more`);
    }
    this.rowNumber += 1;
    const xml = this.rowXml(this.spec.fields.map((field) => cellOf(field, row[field.key], this.dialect)));
    this.pending.push(xml);
    this.pendingChars += xml.length;
    if (this.pendingChars >= FLUSH_CHARS) this.flush();
    return `${this.fileName} 工作表「${this.layout.sheet}」第 ${this.rowNumber} 行`;
  }

  /** RowXform and CellXform of exceljs 4.4 (streaming, no shared strings), for string, number, date and empty cells. */
  private rowXml(values: (string | number | Date | null)[]): string {
    // a row without a value is not written (WorksheetWriter._writeRow), and no style is asked for
    if (values.every((value) => value === null)) return '';
    const r = this.rowNumber;
    const rowStyle = this.styles.addStyleModel(SHARED_STYLES.row);
    let xml = `<row r="${r}" spans="1:${values.length}"${rowStyle ? ` s="${rowStyle}" customFormat="1"` : ''} x14ac:dyDescent="0.25">`;
    values.forEach((value, i) => {
      const type = value === null ? ValueType.Null : value instanceof Date ? ValueType.Date
        : typeof value === 'number' ? ValueType.Number : ValueType.String;
      const style = value instanceof Date ? SHARED_STYLES[this.formats[i] ?? DATE_FORMAT]
        : SHARED_STYLES[type as ValueType.Null | ValueType.Number | ValueType.String];
      const id = this.styles.addStyleModel(style, type);
      const s = id ? ` s="${id}"` : '';
      const address = `${this.columns[i]}${r}`;
      if (value === null) {
        if (id) xml += `<c r="${address}"${s}/>`;
      } else if (value instanceof Date) {
        xml += `<c r="${address}"${s}><v>${excelSerial(value)}</v></c>`;
      } else if (typeof value === 'number') {
        xml += `<c r="${address}"${s}><v>${xmlText(String(value))}</v></c>`;
      } else {
        xml += `<c r="${address}"${s} t="str"><v>${xmlText(value)}</v></c>`;
      }
    });
    return `${xml}</row>`;
  }

  backlog(): number {
    // the sheet's text waiting to be deflated (exceljs hands it to archiver's pass-through without waiting), the
    // zip's output waiting for the file, and what the file has not written yet
    return queued(this.stream.pipes[0]) + queued((this.workbook as unknown as { zip: QueuedStream }).zip) + this.output.writableLength;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.stream.write(this.pending.join(''));
    this.pending = [];
    this.pendingChars = 0;
  }

  async close(): Promise<void> {
    this.flush();
    this.sheet.commit();
    await this.workbook.commit();
    await this.closed;
  }
}
