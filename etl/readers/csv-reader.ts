import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { getDecoder } from 'iconv-lite';
import { FeedReadError } from '../raw-row';
import type { CellValue, RawRow } from '../raw-row';
import { detectEncoding } from './detect-encoding';

/*
 * Why this file tokenizes CSV itself instead of piping into csv-parse (installed, and tried first):
 * - csv-parse counts a CRLF inside a quoted cell as two lines, so every row after a multi-line cell in a
 *   Windows file would report the wrong 第 N 行;
 * - on a record over `max_record_size` it either stops the whole file (default), or, with
 *   `skip_records_with_error`, silently discards the rest of the current input chunk, i.e. unrelated good rows
 *   (reproduced with csv-parse 6.2.0: three rows after an over-long line vanished without a skip event).
 * The hub must quarantine every row with its exact line, so the tokenizer below keeps RFC 4180's rules
 * (quotes, "" escapes, CRLF/LF/CR line ends) but caps each cell while it scans and simply goes on after it.
 */

export interface CsvReadOptions {
  /** A cell longer than this (UTF-8 bytes) is cut to it and the row gets CELL_TOO_LARGE. Default 1 MiB. */
  maxCellBytes?: number;
  /**
   * Characters of one row kept in memory; cells after the budget is spent are counted but not kept, and the
   * row gets ROW_TOO_LARGE. Default 4 × maxCellBytes. Bounds memory for a line of a million commas too.
   */
  maxRowChars?: number;
}

export const DEFAULT_MAX_CELL_BYTES = 1024 * 1024;
/** Excel's column limit: no spreadsheet export has more cells in a row, so more is garbage, not data. */
const MAX_CELLS_PER_ROW = 16384;
/** One read from disk; the rows of one chunk are all that is ever buffered ahead of the consumer. */
const CHUNK_BYTES = 128 * 1024;
/** Bytes from the first non-ASCII byte that encoding detection wants to see before it decides. */
const DETECTION_BYTES = 4096;

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;
const COMMA = 0x2c;
const TAB = 0x09;

/**
 * One row a person sees in the file: its cells as text (as many as were kept) and the 1-based physical line
 * its first character is on. Problems are indexes of cells, so the reader can name them by header.
 */
export interface CsvRecord {
  cells: string[];
  /** cells in the row, including any not kept because of the row budget */
  cellCount: number;
  line: number;
  /** cells cut to maxCellBytes */
  truncated?: number[];
  /** cells with characters after their closing quote (`"abc"def`), kept as written */
  strayQuote?: number[];
  /** the cell whose opening quote never closed: everything up to the end of the file went into it */
  unclosedQuote?: number;
  /** the first cell not kept because the row's character budget or cell limit was spent */
  droppedFrom?: number;
  /** some cell contains U+FFFD, i.e. bytes that were not text in the file's encoding */
  undecodable?: boolean;
}

// scanner states
const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
/** a quote inside a quoted cell: either the first of a "" pair or the closing quote */
const QUOTE_IN_QUOTED = 3;

/**
 * An incremental RFC 4180 tokenizer over decoded text chunks. Line ends are CRLF, LF or a lone CR (old Mac
 * exports), counted as one physical line each, inside quoted cells too, so `line` is what a text editor shows.
 * Empty lines produce no record. Memory is bounded by maxCellBytes per cell and maxRowChars per row.
 */
export class CsvTokenizer {
  private delimiter = -1;
  private readonly maxCellBytes: number;
  private readonly maxRowChars: number;

  private state = FIELD_START;
  /** physical line of the character being scanned */
  private line = 1;
  /** the last character of the previous chunk, to see a CRLF split across chunks */
  private previousCode = -1;
  private sawReplacement = false;

  private field = '';
  private fieldCut = false;

  private recordStarted = false;
  private recordLine = 0;
  private cells: string[] = [];
  private cellCount = 0;
  private rowChars = 0;
  private keeping = true;
  private truncated: number[] | undefined;
  private strayQuote: number[] | undefined;
  private droppedFrom: number | undefined;
  private undecodable = false;

  constructor(options: { maxCellBytes: number; maxRowChars: number; delimiter?: ',' | '\t' }) {
    this.maxCellBytes = options.maxCellBytes;
    this.maxRowChars = options.maxRowChars;
    if (options.delimiter) this.delimiter = options.delimiter.charCodeAt(0);
  }

  /** Scans one chunk of text and appends the records it completes to `out`. */
  push(text: string, out: CsvRecord[]): void {
    const n = text.length;
    if (n === 0) return;
    if (this.delimiter < 0) this.delimiter = guessDelimiter(text);
    if (!this.sawReplacement && text.indexOf('\uFFFD') >= 0) this.sawReplacement = true;
    const delimiter = this.delimiter;
    let state = this.state;
    let start = 0; // where the not yet appended part of the current cell begins in `text`
    let i = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (state === FIELD_START) {
        if (c === CR || c === LF) {
          // the LF of a CRLF was dealt with at its CR
          if (c === LF && (i > 0 ? text.charCodeAt(i - 1) : this.previousCode) === CR) {
            i++;
            continue;
          }
          if (this.recordStarted) {
            // the line ends right after a delimiter: its last cell is empty
            this.endField();
            this.endRecord(out);
          }
          this.line++;
          i++;
          continue;
        }
        if (!this.recordStarted) {
          this.recordStarted = true;
          this.recordLine = this.line;
        }
        if (c === QUOTE) {
          state = QUOTED;
          start = ++i;
          continue;
        }
        if (c === delimiter) {
          this.endField();
          i++;
          continue;
        }
        state = UNQUOTED;
        start = i;
      }
      if (state === UNQUOTED) {
        // the hot loop for ordinary cells; a quote inside an unquoted cell is just a character (as Excel reads it)
        let j = i;
        let d = 0;
        while (j < n) {
          d = text.charCodeAt(j);
          if (d === delimiter || d === CR || d === LF) break;
          j++;
        }
        if (j === n) {
          this.append(text, start, n);
          i = n;
          break;
        }
        this.append(text, start, j);
        this.endField();
        state = FIELD_START;
        if (d !== delimiter) {
          // a CR's LF, if any, is skipped by FIELD_START
          this.endRecord(out);
          this.line++;
        }
        i = j + 1;
        continue;
      }
      if (state === QUOTED) {
        let j = i;
        while (j < n) {
          const d = text.charCodeAt(j);
          if (d === QUOTE) break;
          if (d === CR) this.line++;
          else if (d === LF && (j > 0 ? text.charCodeAt(j - 1) : this.previousCode) !== CR) this.line++;
          j++;
        }
        this.append(text, start, j);
        if (j === n) {
          i = n;
          break;
        }
        state = QUOTE_IN_QUOTED;
        i = j + 1;
        continue;
      }
      // QUOTE_IN_QUOTED
      if (c === QUOTE) {
        // "" inside a quoted cell is one quote character
        this.appendQuote();
        state = QUOTED;
        start = ++i;
        continue;
      }
      if (c === delimiter) {
        this.endField();
        state = FIELD_START;
        i++;
        continue;
      }
      if (c === CR || c === LF) {
        // the quoted cell ends the record; a CR's LF, if any, is skipped by FIELD_START
        this.endField();
        this.endRecord(out);
        this.line++;
        state = FIELD_START;
        i++;
        continue;
      }
      // `"abc"def`: not RFC 4180; keep the characters after the closing quote as written and say so
      (this.strayQuote ??= []).push(this.cellCount);
      state = UNQUOTED;
      start = i;
    }
    this.state = state;
    this.previousCode = text.charCodeAt(n - 1);
  }

  /** Ends the input: the last record may have no line end after it. */
  end(out: CsvRecord[]): void {
    if (this.state === QUOTED) {
      this.endField();
      const record = this.endRecord(out);
      record.unclosedQuote = record.cellCount - 1;
    } else if (this.state !== FIELD_START || this.recordStarted) {
      this.endField();
      this.endRecord(out);
    }
    this.state = FIELD_START;
  }

  private append(text: string, from: number, to: number): void {
    if (to <= from || this.fieldCut) return;
    // UTF-8 never takes fewer bytes than UTF-16 code units, so more units than maxCellBytes is certainly too
    // large; stop keeping characters there and cut to the exact byte limit when the cell ends.
    const room = this.maxCellBytes + 1 - this.field.length;
    if (to - from > room) {
      this.field += text.slice(from, from + room);
      this.fieldCut = true;
    } else {
      this.field += text.slice(from, to);
    }
  }

  private appendQuote(): void {
    if (this.fieldCut) return;
    this.field += '"';
    if (this.field.length > this.maxCellBytes) this.fieldCut = true;
  }

  private endField(): void {
    let value = this.field;
    const index = this.cellCount;
    if (this.fieldCut || (value.length * 3 > this.maxCellBytes && Buffer.byteLength(value) > this.maxCellBytes)) {
      value = cutToBytes(value, this.maxCellBytes);
      (this.truncated ??= []).push(index);
    }
    if (this.sawReplacement && !this.undecodable && value.indexOf('\uFFFD') >= 0) this.undecodable = true;
    if (this.keeping) {
      if (index >= MAX_CELLS_PER_ROW || this.rowChars + value.length > this.maxRowChars) {
        this.keeping = false;
        this.droppedFrom = index;
      } else {
        this.cells.push(value);
        this.rowChars += value.length;
      }
    }
    this.cellCount = index + 1;
    this.field = '';
    this.fieldCut = false;
  }

  private endRecord(out: CsvRecord[]): CsvRecord {
    const record: CsvRecord = { cells: this.cells, cellCount: this.cellCount, line: this.recordLine };
    if (this.truncated) record.truncated = this.truncated;
    if (this.strayQuote) record.strayQuote = this.strayQuote;
    if (this.droppedFrom !== undefined) record.droppedFrom = this.droppedFrom;
    if (this.undecodable) record.undecodable = true;
    out.push(record);
    this.cells = [];
    this.cellCount = 0;
    this.rowChars = 0;
    this.keeping = true;
    this.truncated = undefined;
    this.strayQuote = undefined;
    this.droppedFrom = undefined;
    this.undecodable = false;
    this.recordStarted = false;
    return record;
  }
}

/**
 * Comma unless the first non-empty line has tabs and no commas: Excel's and WPS's "文本文件(制表符分隔)" exports,
 * which agencies send as .txt.
 */
function guessDelimiter(text: string): number {
  let i = 0;
  while (i < text.length && (text.charCodeAt(i) === CR || text.charCodeAt(i) === LF)) i++;
  let commas = 0;
  let tabs = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === CR || c === LF) break;
    if (c === COMMA) commas++;
    else if (c === TAB) tabs++;
  }
  return tabs > 0 && commas === 0 ? TAB : COMMA;
}

let cutBuffer: Uint8Array | undefined;
/** The longest prefix of `value` whose UTF-8 encoding fits in maxBytes, never splitting a character. */
function cutToBytes(value: string, maxBytes: number): string {
  if (!cutBuffer || cutBuffer.length !== maxBytes) cutBuffer = new Uint8Array(maxBytes);
  let { read } = new TextEncoder().encodeInto(value, cutBuffer);
  // a high surrogate cut from its low half would encode as U+FFFD; leave it out
  const last = value.charCodeAt(read - 1);
  if (read > 0 && last >= 0xd800 && last <= 0xdbff) read--;
  return value.slice(0, read);
}

/**
 * Bytes → text for a feed file. The encoding is decided on the first non-ASCII bytes, not on a fixed-size
 * sample at the start: a file with an English header and tens of kilobytes of codes before the first Chinese
 * name must not be guessed from ASCII alone. ASCII reads the same in UTF-8 and GB18030, so it can be passed
 * through before the decision; GB18030 lead bytes are never ASCII, so the cut is always between characters.
 */
class FeedTextDecoder {
  encoding: 'utf8' | 'gb18030' | undefined;
  private decoder: { write(bytes: Buffer): string; end(): string | undefined } | undefined;
  private held: Buffer | undefined;
  private first = true;

  constructor(private readonly file: string) {}

  write(chunk: Buffer): string {
    if (this.first) {
      this.first = false;
      refuseNonText(this.file, chunk);
      const { encoding, bom } = detectEncoding(chunk.subarray(0, 3));
      if (bom) {
        this.decide(encoding);
        chunk = chunk.subarray(3);
      }
    }
    if (this.decoder) return this.decoder.write(chunk);
    if (this.held) {
      chunk = Buffer.concat([this.held, chunk]);
      this.held = undefined;
    }
    const firstNonAscii = indexOfNonAscii(chunk);
    if (firstNonAscii < 0) return chunk.toString('latin1');
    const ascii = chunk.toString('latin1', 0, firstNonAscii);
    const rest = chunk.subarray(firstNonAscii);
    if (rest.length < DETECTION_BYTES) {
      this.held = rest;
      return ascii;
    }
    this.decide(detectEncoding(rest).encoding);
    return ascii + this.write(rest);
  }

  end(): string {
    let text = '';
    if (this.held) {
      this.decide(detectEncoding(this.held).encoding);
      text = this.write(this.held);
      this.held = undefined;
    }
    return this.decoder ? text + (this.decoder.end() ?? '') : text;
  }

  private decide(encoding: 'utf8' | 'gb18030'): void {
    this.encoding = encoding;
    this.decoder = encoding === 'utf8' ? new StringDecoder('utf8') : getDecoder('gb18030');
  }
}

/** Files that are certainly not CSV text, caught before they turn into two million garbage rows. */
function refuseNonText(file: string, head: Buffer): void {
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    throw new FeedReadError(file, '文件是 UTF-16 编码（Excel 的「Unicode 文本」），请另存为「CSV UTF-8」或 GBK 编码的 CSV');
  }
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) {
    throw new FeedReadError(file, '文件其实是 XLSX/ZIP 压缩文件，不是 CSV 文本，请把扩展名改为 .xlsx 或另存为 CSV');
  }
  if (head.indexOf(0) >= 0) {
    throw new FeedReadError(file, '文件含有 NUL 字节，不是 CSV 文本文件');
  }
}

function indexOfNonAscii(bytes: Buffer): number {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] >= 0x80) return i;
  return -1;
}

const encodingLabels = { utf8: 'UTF-8', gb18030: 'GBK/GB18030' } as const;

interface CsvHeader {
  keys: string[];
  line: number;
}

/**
 * The rows of a CSV (or delimited .txt) feed file, streamed: at most one 128 KiB chunk of rows is decoded
 * ahead of the consumer. The first non-empty line is the header; every later line that has any content is
 * yielded, as strings keyed by header, with position.row the line its record starts on. Rows whose cells are
 * all empty (`,,,,` — how Excel saves formatted blank rows) carry no data and are skipped like empty lines.
 * Problems with a row are in readProblems; only an unreadable file throws (FeedReadError).
 */
export async function* readCsvFile(path: string, options: CsvReadOptions = {}): AsyncGenerator<RawRow> {
  const file = basename(path);
  const maxCellBytes = options.maxCellBytes ?? DEFAULT_MAX_CELL_BYTES;
  const maxRowChars = options.maxRowChars ?? 4 * maxCellBytes;
  const decoder = new FeedTextDecoder(file);
  const tokenizer = new CsvTokenizer({ maxCellBytes, maxRowChars });
  const records: CsvRecord[] = [];
  const stream = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  let header: CsvHeader | undefined;
  let sawBytes = false;
  try {
    let ended = false;
    const chunks = stream[Symbol.asyncIterator]();
    while (!ended) {
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch (error) {
        throw new FeedReadError(file, readFailure(error));
      }
      if (next.done) {
        ended = true;
        tokenizer.push(decoder.end(), records);
        tokenizer.end(records);
      } else {
        sawBytes = true;
        tokenizer.push(decoder.write(next.value), records);
      }
      for (let k = 0; k < records.length; k++) {
        const record = records[k];
        if (!header) {
          header = headerOf(file, record);
          continue;
        }
        if (isBlank(record)) continue;
        yield rowOf(file, header, record, maxCellBytes, maxRowChars, decoder.encoding ?? 'utf8');
      }
      records.length = 0;
    }
  } finally {
    stream.destroy();
  }
  if (!sawBytes) throw new FeedReadError(file, '文件是空的，没有表头');
  if (!header) throw new FeedReadError(file, '文件只有空行，没有表头');
}

function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return '文件不存在';
  if (code === 'EACCES' || code === 'EPERM') return '没有读取文件的权限';
  if (code === 'EISDIR') return '这是一个目录，不是文件';
  return `无法读取文件：${error instanceof Error ? error.message : String(error)}`;
}

/**
 * Header names are trimmed (a BOM left by a second encoding pass, full-width spaces from a clerk's typing);
 * a blank header cell is named by its position. Two columns with the same name make the file unreadable
 * rather than every row wrong: which 案件编号 is the real one is a question about the file, not about a row,
 * and a file-level FeedReadError tells the agency once instead of quarantining two million rows.
 */
function headerOf(file: string, record: CsvRecord): CsvHeader {
  const where = `${file} 第 ${record.line} 行（表头）`;
  if (record.truncated || record.droppedFrom !== undefined || record.unclosedQuote !== undefined) {
    throw new FeedReadError(where, '表头过长，不像是 CSV 文件的表头（分隔符、引号或编码是否有误？）');
  }
  if (record.undecodable) {
    // every key would be garbled, so no row could be mapped; say it once for the file
    throw new FeedReadError(where, '表头有不能解码的字节，文件编码不是 UTF-8 或 GBK/GB18030');
  }
  const keys = record.cells.map((cell, index) => cell.trim() || unnamedColumn(index));
  const firstIndex = new Map<string, number>();
  for (let index = 0; index < keys.length; index++) {
    const earlier = firstIndex.get(keys[index]);
    if (earlier !== undefined) {
      throw new FeedReadError(where, `表头「${keys[index]}」重复（第 ${earlier + 1} 列和第 ${index + 1} 列），无法确定用哪一列`);
    }
    firstIndex.set(keys[index], index);
  }
  return { keys, line: record.line };
}

/** The key of a cell that has no header: `第 7 列`, as a clerk counts columns. */
export function unnamedColumn(index: number): string {
  return `第 ${index + 1} 列`;
}

function isBlank(record: CsvRecord): boolean {
  if (record.cellCount !== record.cells.length || record.strayQuote || record.unclosedQuote !== undefined) return false;
  for (let i = 0; i < record.cells.length; i++) if (record.cells[i] !== '') return false;
  return true;
}

function rowOf(
  file: string,
  header: CsvHeader,
  record: CsvRecord,
  maxCellBytes: number,
  maxRowChars: number,
  encoding: 'utf8' | 'gb18030',
): RawRow {
  const { keys } = header;
  const { cells, line } = record;
  const values: Record<string, CellValue> = {};
  for (let i = 0; i < cells.length; i++) values[i < keys.length ? keys[i] : unnamedColumn(i)] = cells[i];
  const row: RawRow = { values, position: { file, row: line, label: `${file} 第 ${line} 行` } };
  if (
    record.cellCount !== keys.length ||
    record.truncated ||
    record.strayQuote ||
    record.unclosedQuote !== undefined ||
    record.droppedFrom !== undefined ||
    record.undecodable
  ) {
    const problems: { code: string; message: string }[] = [];
    const name = (index: number) => (index < keys.length ? keys[index] : unnamedColumn(index));
    if (record.cellCount !== keys.length) {
      problems.push({ code: 'CSV_COLUMN_COUNT', message: `第 ${line} 行有 ${record.cellCount} 个字段，表头有 ${keys.length} 个` });
    }
    for (const index of record.truncated ?? []) {
      problems.push({
        code: 'CELL_TOO_LARGE',
        message: `第 ${line} 行「${name(index)}」超过 ${maxCellBytes} 字节，只保留了前 ${maxCellBytes} 字节`,
      });
    }
    if (record.droppedFrom !== undefined) {
      problems.push({
        code: 'ROW_TOO_LARGE',
        message: `第 ${line} 行超过 ${maxRowChars} 个字符或 ${MAX_CELLS_PER_ROW} 个字段，从「${name(record.droppedFrom)}」起的内容没有保留`,
      });
    }
    for (const index of record.strayQuote ?? []) {
      problems.push({
        code: 'CSV_QUOTE',
        message: `第 ${line} 行「${name(index)}」的结束引号后面还有字符，已按原样保留，请检查引号`,
      });
    }
    if (record.unclosedQuote !== undefined) {
      problems.push({
        code: 'CSV_UNCLOSED_QUOTE',
        message: `第 ${line} 行「${name(record.unclosedQuote)}」的引号到文件结尾都没有闭合，后面各行都被当成了这个字段的内容`,
      });
    }
    if (record.undecodable) {
      problems.push({
        code: 'ENCODING_INVALID',
        message: `第 ${line} 行有不能按 ${encodingLabels[encoding]} 解码的字节（显示为 �），文件可能混用了编码`,
      });
    }
    row.readProblems = problems;
  }
  return row;
}
