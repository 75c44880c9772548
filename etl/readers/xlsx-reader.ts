import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { stream as excelStream, ValueType } from 'exceljs';
import { entityNamed } from '../feed/entity-names';
import type { EntityName } from '../feed/entity-names';
import { FeedReadError } from '../raw-row';
import type { CellValue, RawRow, ReadProblem } from '../raw-row';
import { unnamedColumn } from './csv-reader';

export interface XlsxReadOptions {
  /** the entity the file is known to hold: a sheet named after it (any alias) is read in preference */
  entity?: EntityName | null;
}

/** A sheet as listed in the workbook (xl/workbook.xml), in tab order. */
export interface SheetListing {
  name: string;
  /** 'visible' (or absent), 'hidden' or 'veryHidden' */
  state?: string;
}

/**
 * Which sheet of a workbook holds the feed (FEEDS.md: "first sheet, or a sheet named after the entity").
 * Hidden sheets are passed over for "first": agency templates keep their drop-down lists in a hidden first
 * sheet, and the clerk's "first sheet" is the first tab they see. Without a known entity, a sheet named after
 * any entity is taken, because then its name says what the file holds.
 */
export function chooseSheet(sheets: readonly SheetListing[], entity?: EntityName | null): string | undefined {
  const visible = sheets.filter((sheet) => sheet.state !== 'hidden' && sheet.state !== 'veryHidden');
  const named = visible.find((sheet) => {
    const named = entityNamed(sheet.name);
    return entity ? named === entity : named !== null;
  });
  return (named ?? visible[0] ?? sheets[0])?.name;
}

/**
 * XLSX, Arrow and our Dates: a spreadsheet's date-time has no zone (exceljs hands it over as a Date whose UTC
 * fields are the wall clock), and FEEDS.md says a time without a zone is Asia/Shanghai time. The field parsers
 * take a Date as the instant it is, so readers turn wall-clock milliseconds into the instant here, once.
 * Asia/Shanghai has kept UTC+8 without daylight saving since 1991, so a fixed offset is exact.
 */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
export function instantOfShanghaiWallClock(wallClockMs: number): Date {
  return new Date(wallClockMs - SHANGHAI_OFFSET_MS);
}

/** What exceljs's streaming WorkbookReader has at run time beyond its published types. */
interface WorkbookInternals {
  model?: { sheets?: (SheetListing & { rId?: string })[] };
  workbookRels?: { Id: string; Target: string }[];
  _parseRels(entry: Readable): Promise<void>;
  _parseWorkbook(entry: Readable): Promise<void>;
  _parseSharedStrings(entry: Readable): AsyncGenerator<unknown>;
  _parseStyles(entry: Readable): Promise<void>;
  _parseWorksheet(sheetXml: Readable, sheetNo: string): Generator<{ value: StreamedSheet }>;
}
interface StreamedSheet {
  [Symbol.asyncIterator](): AsyncIterator<StreamedRow>;
}
/** exceljs's Row: `values` as a sparse array by column, and its cells with their value models */
interface StreamedRow {
  number: number;
  values: unknown;
  _cells?: ({ col: number; _value?: { model?: { type?: number; result?: unknown } } } | undefined)[];
}

/** unzipper (exceljs's own unzip library): a zip read through its central directory. */
interface ZipEntry { path: string; stream(): Readable }
// eslint-disable-next-line @typescript-eslint/no-require-imports -- unzipper ships no types
const unzipper = require('unzipper') as { Open: { file(path: string): Promise<{ files: ZipEntry[] }> } };

interface SheetHeader {
  keys: string[];
}

/**
 * The rows of one sheet of an XLSX feed, streamed (never the whole workbook in memory). The header is the
 * first row with any content; data rows keep Excel's row numbers. Cell values: text, numbers (amounts and
 * undated serials stay numbers for the field parsers), booleans, date cells as instants (see
 * instantOfShanghaiWallClock), rich text as its plain text, a formula as its cached result, a hyperlink as
 * its text. Error values (#N/A …) and formulas saved without a result are readProblems.
 *
 * The archive is opened through its central directory, so the workbook's sheet list, shared strings and styles
 * are read first and only the wanted sheet is inflated, whatever order the writer stored the parts in. exceljs's
 * own one-pass reader is not used for the archive: it intermittently loses the last entry of the zip (exceljs
 * issues #3064, #2663) — for exceljs-written files that is xl/workbook.xml, so the sheet's name and with it the
 * choice of sheet came out wrong — and it parks sheets stored before the shared strings in temp files. exceljs
 * still parses each part. What is not bounded: the shared-string table (each distinct text of the workbook,
 * once) is held in memory, because cells refer to it by index. Workbooks written with inline strings (Apache
 * POI's SXSSF, most bulk exporters) have no such table.
 */
export async function* readXlsxFile(path: string, options: XlsxReadOptions = {}): AsyncGenerator<RawRow> {
  const file = basename(path);
  await refuseNonXlsx(path, file);
  const { sheetName, sheet, sheetXml } = await openSheet(path, file, options.entity);
  try {
    yield* sheetRows(file, sheetName, sheet);
  } finally {
    // also reached when the consumer stops early: close the sheet's part of the file
    sheetXml.destroy();
  }
}

async function openSheet(path: string, file: string, entity: EntityName | null | undefined):
  Promise<{ sheetName: string; sheet: StreamedSheet; sheetXml: Readable }> {
  const unreadable = (error: unknown) =>
    new FeedReadError(file, `不是可读的 XLSX 文件（${error instanceof Error ? error.message : String(error)}）`);
  const workbook = new excelStream.xlsx.WorkbookReader(path, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    // styles tell date cells from numbers; hyperlinks are left as the text the cell shows
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  }) as unknown as WorkbookInternals;
  const parts = new Map<string, ZipEntry>();
  try {
    // some writers store part names with a leading slash
    for (const entry of (await unzipper.Open.file(path)).files) parts.set(entry.path.replace(/^\/+/, ''), entry);
    const rels = parts.get('xl/_rels/workbook.xml.rels');
    if (rels) await workbook._parseRels(rels.stream());
    const listing = parts.get('xl/workbook.xml');
    if (listing) await workbook._parseWorkbook(listing.stream());
    const sharedStrings = parts.get('xl/sharedStrings.xml');
    if (sharedStrings) for await (const _ of workbook._parseSharedStrings(sharedStrings.stream())) { /* cached */ }
    const styles = parts.get('xl/styles.xml');
    if (styles) await workbook._parseStyles(styles.stream());
  } catch (error) {
    throw unreadable(error);
  }

  const sheets = sheetParts(workbook, parts);
  if (sheets.length === 0) throw new FeedReadError(file, '工作簿里没有工作表');
  const sheetName = chooseSheet(sheets, entity)!;
  const chosen = sheets.find((sheet) => sheet.name === sheetName)!;
  const part = parts.get(chosen.part);
  if (!part) throw new FeedReadError(file, `找不到工作表「${sheetName}」的内容（${chosen.part}）`);
  const sheetXml = part.stream();
  const emitted = workbook._parseWorksheet(sheetXml, chosen.part.match(/(\d+)\.xml$/)?.[1] ?? '1').next();
  if (emitted.done) throw new Error('exceljs did not emit the worksheet (worksheets: "emit" expected)');
  return { sheetName, sheet: emitted.value.value, sheetXml };
}

/**
 * The workbook's sheets in tab order with the part holding each. Without a readable sheet list (a writer that
 * left out xl/workbook.xml) the sheet parts are taken in their numbering, named as Excel would show them.
 */
function sheetParts(workbook: WorkbookInternals, parts: Map<string, ZipEntry>): (SheetListing & { part: string })[] {
  const targets = new Map((workbook.workbookRels ?? []).map((rel) => [rel.Id, rel.Target]));
  const listed = (workbook.model?.sheets ?? []).flatMap((sheet) => {
    const target = sheet.rId ? targets.get(sheet.rId) : undefined;
    if (!target) return [];
    // a relationship target is relative to xl/, or absolute from the package root
    const part = target.startsWith('/') ? target.slice(1) : `xl/${target.replace(/^\.\//, '')}`;
    return [{ name: sheet.name, state: sheet.state, part }];
  });
  if (listed.length > 0) return listed;
  return [...parts.keys()]
    .map((part) => ({ part, number: Number(part.match(/^xl\/worksheets\/sheet(\d+)\.xml$/)?.[1]) }))
    .filter(({ number }) => Number.isInteger(number))
    .sort((a, b) => a.number - b.number)
    .map(({ part, number }) => ({ name: `Sheet${number}`, part }));
}

async function* sheetRows(file: string, sheetName: string, sheet: StreamedSheet): AsyncGenerator<RawRow> {
  const rows = sheet[Symbol.asyncIterator]();
  let header: SheetHeader | undefined;
  /** the last row read whole: a sheet that breaks further on was read up to there */
  let lastRow = 0;
  try {
    for (;;) {
      let next: IteratorResult<StreamedRow>;
      try {
        next = await rows.next();
      } catch (error) {
        // exceljs parses a sheet in blocks of rows, so rows read before the damage in its block are not given
        // either: "after row N" is where reading stopped, not necessarily the damaged row
        const where = `${file} 工作表「${sheetName}」${lastRow > 0 ? `第 ${lastRow} 行之后` : '第 1 行起'}`;
        throw new FeedReadError(where, `无法读取（${error instanceof Error ? error.message : String(error)}）`);
      }
      if (next.done) return;
      const { number } = next.value;
      lastRow = number;
      // exceljs: a sparse array indexed by column number (1 = A)
      const sparse = cellValues(next.value);
      if (!header) {
        if (!isBlankRow(sparse)) header = headerOf(file, sheetName, number, sparse);
        continue;
      }
      const row = rowOf(file, sheetName, header, number, sparse);
      if (row) yield row;
    }
  } finally {
    await rows.return?.(undefined).catch(() => undefined);
  }
}

/**
 * The row's values, with every formula's cached result. exceljs's formula value keeps only truthy fields
 * (FormulaValue._copyModel), so a formula whose result is 0, '' or an error (which it parses as NaN) would read
 * as saved without a result: an amount summed to 0 refused, a #REF! reported as "open and save it again". The
 * cell's own model still has the result.
 */
function cellValues(row: StreamedRow): unknown[] {
  const values = row.values as unknown[];
  for (const cell of row._cells ?? []) {
    const model = cell?._value?.model;
    if (!cell || model?.type !== ValueType.Formula || model.result === undefined) continue;
    const shown = values[cell.col];
    if (typeof shown === 'object' && shown !== null && (shown as { result?: unknown }).result === undefined) {
      values[cell.col] = { ...shown, result: model.result };
    }
  }
  return values;
}

function isBlankRow(cells: unknown[]): boolean {
  for (let column = 1; column < cells.length; column++) {
    const cell = cells[column];
    if (cell !== undefined && cell !== null && cell !== '') return false;
  }
  return true;
}

/**
 * Same rules as CSV headers: trimmed, a blank header named by its position, and a repeated header makes the
 * sheet unreadable (which of two 案件编号 columns is meant is a question for the agency, asked once).
 */
function headerOf(file: string, sheet: string, rowNumber: number, cells: unknown[]): SheetHeader {
  const keys: string[] = [];
  const firstColumn = new Map<string, number>();
  for (let column = 1; column < cells.length; column++) {
    const raw = cells[column];
    // a date typed as a header (a month column, say) is named as the clerk typed it, not as an instant
    const value = raw instanceof Date ? raw.toISOString().slice(0, 10) : plainValue(raw, undefined);
    const text = value === null || value === undefined ? '' : String(value);
    const key = text.trim() || unnamedColumn(column - 1);
    const earlier = firstColumn.get(key);
    if (earlier !== undefined) {
      throw new FeedReadError(`${file} 工作表「${sheet}」第 ${rowNumber} 行（表头）`,
        `表头「${key}」重复（${columnLetter(earlier)} 列和 ${columnLetter(column)} 列），无法确定用哪一列`);
    }
    firstColumn.set(key, column);
    keys.push(key);
  }
  return { keys };
}

type CellProblem = 'ERROR_VALUE' | 'FORMULA_ERROR' | 'FORMULA_NO_RESULT';
interface ProblemSink {
  problem: CellProblem | undefined;
  errorText: string | undefined;
}

function rowOf(file: string, sheet: string, header: SheetHeader, rowNumber: number, cells: unknown[]): RawRow | null {
  const { keys } = header;
  const values: Record<string, CellValue> = {};
  let problems: ReadProblem[] | undefined;
  /** cells with content right of the header: reported once for the row, however many */
  let outside: { first: number; last: number; count: number } | undefined;
  let blank = true;
  const sink: ProblemSink = { problem: undefined, errorText: undefined };
  const width = Math.max(keys.length + 1, cells.length);
  for (let column = 1; column < width; column++) {
    const key = column <= keys.length ? keys[column - 1] : unnamedColumn(column - 1);
    const raw = cells[column];
    if (raw === undefined || raw === null) {
      if (column <= keys.length) values[key] = null;
      continue;
    }
    sink.problem = undefined;
    sink.errorText = undefined;
    const value = plainValue(raw, sink);
    values[key] = value;
    if (value !== null && value !== '') blank = false;
    const where = `第 ${rowNumber} 行 ${columnLetter(column)} 列「${key}」`;
    if (sink.problem) {
      blank = false;
      (problems ??= []).push({ ...cellProblem(sink, where), ...(column <= keys.length && { field: key }) });
    }
    if (column > keys.length && value !== null && value !== '') {
      if (outside) {
        outside.last = column;
        outside.count++;
      } else {
        outside = { first: column, last: column, count: 1 };
      }
    }
  }
  if (outside) {
    (problems ??= []).push({
      code: 'XLSX_CELL_OUTSIDE_HEADER',
      message: outside.count === 1
        ? `第 ${rowNumber} 行 ${columnLetter(outside.first)} 列有内容，但这一列没有表头`
        : `第 ${rowNumber} 行 ${columnLetter(outside.first)}–${columnLetter(outside.last)} 列有 ${outside.count} 个单元格有内容，但这些列没有表头`,
    });
  }
  // a row with no content (formatting only, or cells emptied) is what a clerk sees as a blank line
  if (blank) return null;
  const row: RawRow = {
    values,
    position: { file, sheet, row: rowNumber, label: `${file} 工作表「${sheet}」第 ${rowNumber} 行` },
  };
  if (problems) row.readProblems = problems;
  return row;
}

function cellProblem(sink: ProblemSink, where: string): { code: string; message: string } {
  switch (sink.problem) {
    case 'ERROR_VALUE':
      return { code: 'XLSX_CELL_ERROR', message: `${where} 是错误值 ${sink.errorText}` };
    case 'FORMULA_ERROR':
      return { code: 'XLSX_CELL_ERROR', message: `${where} 的公式结果是错误值${sink.errorText ? ` ${sink.errorText}` : ''}` };
    default:
      return {
        code: 'XLSX_FORMULA_NO_RESULT',
        message: `${where} 是公式，文件里没有保存计算结果（请在 Excel 或 WPS 中打开、保存后再导出）`,
      };
  }
}

/**
 * An exceljs cell value as a plain value. Never the formula text: the cached result is what the clerk saw,
 * and a formula like `=cmd|...` is data to keep, not something to evaluate.
 */
function plainValue(value: unknown, sink: ProblemSink | undefined): CellValue {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'object':
      break;
    default:
      return String(value);
  }
  if (value instanceof Date) return instantOfShanghaiWallClock(value.getTime());
  const object = value as Record<string, unknown>;
  if (Array.isArray(object.richText)) {
    let text = '';
    for (const run of object.richText as { text?: unknown }[]) if (typeof run.text === 'string') text += run.text;
    return text;
  }
  if ('formula' in object || 'sharedFormula' in object) {
    const result = object.result;
    if (result === undefined) {
      if (sink) sink.problem = 'FORMULA_NO_RESULT';
      return null;
    }
    // exceljs reads an error result (t="e") as parseFloat('#N/A'), i.e. NaN, losing the error's name
    if (typeof result === 'number' && Number.isNaN(result)) {
      if (sink) sink.problem = 'FORMULA_ERROR';
      return null;
    }
    if (typeof result === 'object' && result !== null && 'error' in result) {
      if (sink) {
        sink.problem = 'FORMULA_ERROR';
        sink.errorText = String((result as { error: unknown }).error);
      }
      return null;
    }
    return plainValue(result, sink);
  }
  if ('error' in object) {
    const text = String(object.error);
    if (sink) {
      sink.problem = 'ERROR_VALUE';
      sink.errorText = text;
    }
    return text;
  }
  // a hyperlink cell: the text shown (which may itself be rich text)
  if ('text' in object) return plainValue(object.text, sink);
  return JSON.stringify(object);
}

/** Column number (1-based) → Excel's letters: 1 → A, 27 → AA. */
export function columnLetter(column: number): string {
  let letters = '';
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

/** The end-of-central-directory record (PK 05 06), 22 bytes and a comment of up to 65535 after it. */
const endOfCentralDirectory = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
const endRecordReach = 22 + 0xffff;

/**
 * An .xlsx is a ZIP archive; say plainly what else it is when it is not, rather than an unzip error. A ZIP's
 * directory is at its end: a file that starts as a ZIP and has none was cut off (a transfer broken, or still
 * being copied), which is worth saying so, since the agency then only has to send it again.
 */
async function refuseNonXlsx(path: string, file: string): Promise<void> {
  let head: Buffer;
  let tail: Buffer;
  let size: number;
  try {
    const handle = await open(path, 'r');
    try {
      head = Buffer.alloc(8);
      const { bytesRead } = await handle.read(head, 0, 8, 0);
      head = head.subarray(0, bytesRead);
      size = (await handle.stat()).size;
      tail = Buffer.alloc(Math.min(size, endRecordReach));
      await handle.read(tail, 0, tail.length, size - tail.length);
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new FeedReadError(file, code === 'ENOENT' ? '文件不存在' : code === 'EISDIR' ? '这是一个目录，不是文件' : `无法读取文件：${String(error)}`);
  }
  if (head.length === 0) throw new FeedReadError(file, '文件是空的');
  if (head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0) {
    throw new FeedReadError(file, '文件是 Excel 97-2003 (.xls) 格式或设置了打开密码，请另存为不加密的 .xlsx');
  }
  if (!(head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04)) {
    throw new FeedReadError(file, '不是 XLSX 文件（XLSX 应是 ZIP 压缩包）');
  }
  if (tail.lastIndexOf(endOfCentralDirectory) < 0) {
    throw new FeedReadError(file, `不是可读的 XLSX 文件：ZIP 压缩包结尾的目录缺失（文件 ${size} 字节），文件不完整，` +
      '可能在传输中被截断或仍在复制；没有导入其中任何记录，请待文件传完或请报送单位重新报送完整的文件');
  }
}
