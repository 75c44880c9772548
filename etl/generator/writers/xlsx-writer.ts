import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { stream as excelStream, type Worksheet } from 'exceljs';
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

const DATE_FORMAT = 'yyyy-mm-dd';
const TIME_FORMAT = 'yyyy-mm-dd hh:mm:ss';

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
 */
export class XlsxFeedWriter implements FeedWriter {
  private readonly output: WriteStream;
  private readonly workbook: PinnedWorkbookWriter;
  private readonly sheet: Worksheet;
  private rowNumber = 1;
  private readonly formats: (string | undefined)[];
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
  }

  write(row: WireRecord): string {
    const values = this.spec.fields.map((field) => cellOf(field, row[field.key], this.dialect));
    const added = this.sheet.addRow(values);
    values.forEach((value, i) => {
      if (value instanceof Date) added.getCell(i + 1).numFmt = this.formats[i] ?? DATE_FORMAT;
    });
    added.commit();
    this.rowNumber += 1;
    return `${this.fileName} 工作表「${this.layout.sheet}」第 ${this.rowNumber} 行`;
  }

  async close(): Promise<void> {
    this.sheet.commit();
    await this.workbook.commit();
    await this.closed;
  }
}
