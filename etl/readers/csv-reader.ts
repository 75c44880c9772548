import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { isUtf8 } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';
import { getDecoder } from 'iconv-lite';
import { FeedReadError, MAX_CELL_BYTES } from '../raw-row';
import type { CellValue, RawRow, ReadProblem } from '../raw-row';
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

export const DEFAULT_MAX_CELL_BYTES = MAX_CELL_BYTES;
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
  /** the physical line its last character is on (a quoted cell may span lines) */
  lastLine: number;
  /** cells cut to maxCellBytes */
  truncated?: number[];
  /** cells with characters after their closing quote (`"abc"def`), kept as written */
  strayQuote?: number[];
  /** the cell whose opening quote never closed: everything up to the end of the file went into it */
  unclosedQuote?: number;
  /** the first cell not kept because the row's character budget or cell limit was spent */
  droppedFrom?: number;
  /** cells containing U+FFFD, i.e. bytes that were not text in the file's encoding */
  undecodable?: number[];
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
  private undecodable: number[] | undefined;

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
    if (this.keeping) {
      if (index >= MAX_CELLS_PER_ROW || this.rowChars + value.length > this.maxRowChars) {
        this.keeping = false;
        this.droppedFrom = index;
      } else {
        this.cells.push(value);
        this.rowChars += value.length;
        if (this.sawReplacement && value.indexOf('\uFFFD') >= 0) (this.undecodable ??= []).push(index);
      }
    }
    this.cellCount = index + 1;
    this.field = '';
    this.fieldCut = false;
  }

  private endRecord(out: CsvRecord[]): CsvRecord {
    const record: CsvRecord = { cells: this.cells, cellCount: this.cellCount, line: this.recordLine, lastLine: this.line };
    if (this.truncated) record.truncated = this.truncated;
    if (this.strayQuote) record.strayQuote = this.strayQuote;
    if (this.droppedFrom !== undefined) record.droppedFrom = this.droppedFrom;
    if (this.undecodable) record.undecodable = this.undecodable;
    out.push(record);
    this.cells = [];
    this.cellCount = 0;
    this.rowChars = 0;
    this.keeping = true;
    this.truncated = undefined;
    this.strayQuote = undefined;
    this.droppedFrom = undefined;
    this.undecodable = undefined;
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
 *
 * A file read as GB18030 is read a line at a time (Gb18030Lines), because GB18030 decodes almost any bytes
 * without complaint: UTF-8 rows appended to a GBK export would otherwise load as well-formed nonsense
 * (张三丰 → 寮犱笁涓?). The other way round needs no help: GBK bytes in a UTF-8 file are not UTF-8, and become
 * U+FFFD, which the row reports.
 */
class FeedTextDecoder {
  encoding: 'utf8' | 'gb18030' | undefined;
  /** the file began with a UTF-8 byte-order mark, so it was read as UTF-8 without looking further */
  declaredByBom = false;
  private decoder: { write(bytes: Buffer): string; end(): string | undefined } | undefined;
  private lines: Gb18030Lines | undefined;
  private held: Buffer | undefined;
  private first = true;
  /** line ends passed through before the decision (ASCII only), counted as the tokenizer counts them */
  private readonly counter = new LineCounter();

  constructor(private readonly file: string) {}

  /** Physical lines of a GB18030 file that were UTF-8 text, oldest first; the reader takes them as it goes. */
  get utf8Lines(): number[] {
    return this.lines?.utf8Lines ?? noLines;
  }

  write(chunk: Buffer): string {
    if (this.first) {
      this.first = false;
      refuseNonText(this.file, chunk);
      const { encoding, bom } = detectEncoding(chunk.subarray(0, 3));
      if (bom) {
        this.declaredByBom = true;
        this.decide(encoding);
        chunk = chunk.subarray(3);
      }
    }
    if (this.lines) return this.lines.write(chunk);
    if (this.decoder) return this.decoder.write(chunk);
    if (this.held) {
      chunk = Buffer.concat([this.held, chunk]);
      this.held = undefined;
    }
    const firstNonAscii = indexOfNonAscii(chunk);
    if (firstNonAscii < 0) {
      this.counter.count(chunk, 0, chunk.length);
      return chunk.toString('latin1');
    }
    this.counter.count(chunk, 0, firstNonAscii);
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
    if (this.lines) return text + this.lines.end();
    return this.decoder ? text + (this.decoder.end() ?? '') : text;
  }

  private decide(encoding: 'utf8' | 'gb18030'): void {
    this.encoding = encoding;
    if (encoding === 'utf8') this.decoder = new StringDecoder('utf8');
    else this.lines = new Gb18030Lines(this.counter);
  }
}

const noLines: number[] = [];

/** Physical lines as the tokenizer counts them: a CR, an LF, or a CRLF ends one. */
class LineCounter {
  /** the line the next byte is on */
  line = 1;
  previousWasCr = false;

  count(bytes: Buffer, from: number, to: number): void {
    for (let i = from; i < to; i++) {
      const byte = bytes[i];
      if (byte === CR) this.line++;
      else if (byte === LF && !this.previousWasCr) this.line++;
      this.previousWasCr = byte === CR;
    }
  }
}

/**
 * The longest line (bytes) checked for being UTF-8; a longer one is decoded as GB18030 without the check, so
 * that memory stays bounded by it whatever the file holds. A feed's line is a few hundred bytes.
 */
const MAX_CHECKED_LINE_BYTES = 1024 * 1024;
/**
 * Characters of Chinese text a line needs to count as UTF-8 in a GB18030 file. A UTF-8 Chinese character is
 * three bytes; GBK text is seldom valid UTF-8 at all, and for it to read as two or more characters of Chinese
 * text (below) a GBK line must line up lead bytes E4–E9 and E3/EF, trail bytes in narrow ranges, and the next
 * character's lead in 80–BF, twice: measured on random GB2312 lines, 0 in 4,000,000 (estimated about 1 in
 * 100,000 for a line whose only Chinese is one three-character name). One UTF-8 character alone is no
 * evidence, and needs none: decoded as GB18030 it leaves an unpaired byte, which becomes U+FFFD.
 */
const UTF8_CHINESE_IN_A_LINE = 2;

/**
 * A GB18030 decoder that looks at each line's bytes first: a line that is UTF-8 text is decoded as UTF-8 (so
 * that quarantine shows what it says) and its number noted for the reader, which refuses its row. CR and LF
 * are never part of a GB18030 character, so lines split cleanly. Runs of ordinary lines go to the GB18030
 * decoder in one call.
 */
class Gb18030Lines {
  readonly utf8Lines: number[] = [];
  private readonly decoder = getDecoder('gb18030');
  /** bytes of the current line from earlier chunks, while it is short enough to check */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** false once the current line outgrew MAX_CHECKED_LINE_BYTES (its start is already decoded) */
  private checking = true;

  constructor(private readonly lines: LineCounter) {}

  write(chunk: Buffer): string {
    let out = '';
    let run = 0; // chunk[run, start) is ordinary lines not yet decoded
    let start = 0; // where the current line's bytes in this chunk begin
    const n = chunk.length;
    // line ends found natively; a GBK line is rejected by isUtf8 at its first character, so JS looks at few bytes
    let nextCr = chunk.indexOf(CR);
    let nextLf = chunk.indexOf(LF);
    while (nextCr >= 0 || nextLf >= 0) {
      const end = nextLf < 0 || (nextCr >= 0 && nextCr < nextLf) ? nextCr : nextLf;
      const byte = chunk[end];
      if (byte === LF && end === start && this.pendingBytes === 0 && this.lines.previousWasCr && this.checking) {
        // the LF of a CRLF: no line of its own
        this.lines.previousWasCr = false;
      } else {
        if (this.checking && (end > start || this.pendingBytes > 0)) {
          const line = this.pendingBytes > 0 ? Buffer.concat([...this.pending, chunk.subarray(start, end)]) : chunk.subarray(start, end);
          if (looksLikeUtf8Text(line)) {
            out += this.decoder.write(chunk.subarray(run, start)) + line.toString('utf8') + (byte === CR ? '\r' : '\n');
            run = end + 1;
            this.utf8Lines.push(this.lines.line);
            this.pending = [];
            this.pendingBytes = 0;
          }
        }
        if (this.pendingBytes > 0) {
          // the line's start, from earlier chunks, goes before this chunk's run (which starts at 0)
          out += this.decoder.write(Buffer.concat(this.pending));
          this.pending = [];
          this.pendingBytes = 0;
        }
        this.checking = true;
        this.lines.line++;
        this.lines.previousWasCr = byte === CR;
      }
      start = end + 1;
      if (nextCr === end) nextCr = chunk.indexOf(CR, start);
      else nextLf = chunk.indexOf(LF, start);
    }
    out += this.decoder.write(chunk.subarray(run, start));
    if (start < n) {
      this.lines.previousWasCr = false;
      if (this.checking && this.pendingBytes + n - start <= MAX_CHECKED_LINE_BYTES) {
        // a copy: the line waits for the next chunk
        this.pending.push(Buffer.from(chunk.subarray(start)));
        this.pendingBytes += n - start;
      } else {
        out += this.decoder.write(this.pendingBytes > 0 ? Buffer.concat([...this.pending, chunk.subarray(start)]) : chunk.subarray(start));
        this.pending = [];
        this.pendingBytes = 0;
        this.checking = false;
      }
    }
    return out;
  }

  /** The last line, which may have no line end. */
  end(): string {
    let out = '';
    if (this.pendingBytes > 0) {
      const line = Buffer.concat(this.pending);
      if (this.checking && looksLikeUtf8Text(line)) {
        this.utf8Lines.push(this.lines.line);
        out = line.toString('utf8');
      } else {
        out = this.decoder.write(line);
      }
      this.pending = [];
      this.pendingBytes = 0;
    }
    return out + (this.decoder.end() ?? '');
  }
}

/**
 * Valid UTF-8 whose characters beyond ASCII are Chinese text — CJK ideographs (U+3400–U+9FFF), CJK punctuation
 * (U+3000–U+303F), full-width forms (U+FF00–U+FFEF), general punctuation (U+2000–U+206F: “” — …), ideographs
 * of planes 2 and 3 and the middle dot of transcribed names (·) — at least UTF8_CHINESE_IN_A_LINE of them. GBK bytes that happen to be
 * valid UTF-8 mostly decode to Latin, Greek, Cyrillic or rare symbols instead.
 */
function looksLikeUtf8Text(line: Buffer): boolean {
  if (!isUtf8(line)) return false;
  let leads = 0;
  for (let i = 0; i < line.length && leads < UTF8_CHINESE_IN_A_LINE; i++) if (line[i] >= 0xe0) leads++;
  if (leads < UTF8_CHINESE_IN_A_LINE) return false;
  const text = line.toString('utf8');
  let chinese = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if ((c >= 0x3400 && c <= 0x9fff) || (c >= 0x3000 && c <= 0x303f) || (c >= 0xff00 && c <= 0xffef) || (c >= 0x2000 && c <= 0x206f)) chinese++;
    // ideographs of planes 2 and 3 (rare characters of names): a high surrogate D840–D8BF and its low half
    else if (c >= 0xd840 && c <= 0xd8bf) chinese++;
    else if (c !== 0xb7 && !(c >= 0xdc00 && c <= 0xdfff)) return false;
  }
  return chinese >= UTF8_CHINESE_IN_A_LINE;
}

/**
 * Files that are certainly not CSV text, caught before they turn into two million garbage rows. NUL bytes
 * say so when there are many: UTF-16 text has one in every two bytes, binary formats have runs of them. A
 * stray NUL in a text file is that row's problem (the row is refused, INVALID_CHARACTER), not the file's.
 */
function refuseNonText(file: string, head: Buffer): void {
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    throw new FeedReadError(file, '文件是 UTF-16 编码（Excel 的「Unicode 文本」），请另存为「CSV UTF-8」或 GBK 编码的 CSV');
  }
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) {
    throw new FeedReadError(file, '文件其实是 XLSX/ZIP 压缩文件，不是 CSV 文本，请把扩展名改为 .xlsx 或另存为 CSV');
  }
  let nuls = 0;
  for (let at = head.indexOf(0); at >= 0; at = head.indexOf(0, at + 1)) nuls++;
  if (nuls >= MIN_BINARY_NULS && nuls * BINARY_NUL_SHARE >= head.length) {
    throw new FeedReadError(file, '文件含有大量 NUL 字节，不是 CSV 文本文件（是否为 UTF-16 文本或二进制文件？）');
  }
}

/** At least this many NUL bytes, and at least one in every BINARY_NUL_SHARE bytes of the first chunk, make a file binary. */
const MIN_BINARY_NULS = 4;
const BINARY_NUL_SHARE = 64;

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
        const utf8Text = takeLines(decoder.utf8Lines, record);
        if (!header) {
          // a UTF-8 header over GBK rows is read as the UTF-8 it is: the rows are what the check protects
          header = headerOf(file, record, decoder.declaredByBom);
          continue;
        }
        if (isBlank(record)) continue;
        yield rowOf(file, header, record, { maxCellBytes, maxRowChars, encoding: decoder.encoding ?? 'utf8', utf8Text });
      }
      records.length = 0;
    }
  } finally {
    stream.destroy();
  }
  if (!sawBytes) throw new FeedReadError(file, '文件是空的，没有表头');
  if (!header) throw new FeedReadError(file, '文件只有空行，没有表头');
}

/** Whether any of the record's lines is in `lines` (ascending), dropping those up to its last line. */
function takeLines(lines: number[], record: CsvRecord): boolean {
  let found = false;
  let taken = 0;
  while (taken < lines.length && lines[taken] <= record.lastLine) {
    if (lines[taken] >= record.line) found = true;
    taken++;
  }
  if (taken > 0) lines.splice(0, taken);
  return found;
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
function headerOf(file: string, record: CsvRecord, declaredByBom: boolean): CsvHeader {
  const where = `${file} 第 ${record.line} 行（表头）`;
  if (record.truncated || record.droppedFrom !== undefined || record.unclosedQuote !== undefined) {
    throw new FeedReadError(where, '表头过长，不像是 CSV 文件的表头（分隔符、引号或编码是否有误？）');
  }
  if (record.undecodable) {
    // every key would be garbled, so no row could be mapped; say it once for the file
    throw new FeedReadError(where, declaredByBom
      ? '文件开头有 UTF-8 的字节顺序标记（BOM），表头却不是 UTF-8 编码（像是 GBK 文件被加上了 BOM）：请另存为「CSV UTF-8」，或去掉 BOM 后以 GBK 编码报送'
      : '表头有不能解码的字节，文件编码不是 UTF-8 或 GBK/GB18030');
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

interface RowOptions {
  maxCellBytes: number;
  maxRowChars: number;
  encoding: 'utf8' | 'gb18030';
  /** the record's text was UTF-8 in a file read as GB18030 */
  utf8Text: boolean;
}

function rowOf(file: string, header: CsvHeader, record: CsvRecord, options: RowOptions): RawRow {
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
    record.undecodable ||
    options.utf8Text
  ) {
    const { maxCellBytes, maxRowChars, encoding } = options;
    const problems: ReadProblem[] = [];
    const name = (index: number) => (index < keys.length ? keys[index] : unnamedColumn(index));
    // a problem of one cell names its column as the field; columns right of the header are no field
    const about = (index: number) => (index < keys.length ? { field: keys[index] } : {});
    if (record.cellCount !== keys.length) {
      problems.push({ code: 'CSV_COLUMN_COUNT', message: `第 ${line} 行有 ${record.cellCount} 个字段，表头有 ${keys.length} 个` });
    }
    for (const index of record.truncated ?? []) {
      problems.push({
        code: 'CELL_TOO_LARGE', ...about(index),
        message: `第 ${line} 行「${name(index)}」超过 ${maxCellBytes} 字节，只保留了前 ${maxCellBytes} 字节`,
      });
    }
    if (record.droppedFrom !== undefined) {
      problems.push({
        code: 'ROW_TOO_LARGE', ...about(record.droppedFrom),
        message: `第 ${line} 行超过 ${maxRowChars} 个字符或 ${MAX_CELLS_PER_ROW} 个字段，从「${name(record.droppedFrom)}」起的内容没有保留`,
      });
    }
    for (const index of record.strayQuote ?? []) {
      problems.push({
        code: 'CSV_QUOTE', ...about(index),
        message: `第 ${line} 行「${name(index)}」的结束引号后面还有字符，已按原样保留，请检查引号`,
      });
    }
    if (record.unclosedQuote !== undefined) {
      problems.push({
        code: 'CSV_UNCLOSED_QUOTE', ...about(record.unclosedQuote),
        message: `第 ${line} 行「${name(record.unclosedQuote)}」的引号到文件结尾都没有闭合，后面各行都被当成了这个字段的内容`,
      });
    }
    for (const index of record.undecodable ?? []) {
      problems.push({
        code: 'ENCODING_INVALID', ...about(index),
        message: `第 ${line} 行「${name(index)}」有不能按 ${encodingLabels[encoding]} 解码的字节（显示为 �），文件可能混用了编码`,
      });
    }
    if (options.utf8Text) {
      // the cells with anything but ASCII are the ones the encoding changes
      const affected = cells.flatMap((cell, index) => (NON_ASCII.test(cell) ? [index] : []));
      const mixed = (where: string) =>
        `第 ${line} 行${where}是 UTF-8 编码的文字，而文件其余部分是 GBK/GB18030 编码（文件混用了编码，已按 UTF-8 显示）：请把整个文件另存为同一种编码后重新报送`;
      if (affected.length === 0) problems.push({ code: 'ENCODING_MIXED', message: mixed('') });
      for (const index of affected) problems.push({ code: 'ENCODING_MIXED', ...about(index), message: mixed(`「${name(index)}」`) });
    }
    row.readProblems = problems;
  }
  return row;
}

const NON_ASCII = /[^\u0000-\u007f]/;
