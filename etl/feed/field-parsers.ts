/**
 * One parser per field form of FEEDS.md "Field forms accepted". Each takes a cell as a reader delivered it
 * (text from CSV, numbers, booleans and Dates from XLSX and Arrow, whatever JSON the API sent) and gives the
 * value in the form the warehouse stores, null for an empty cell, or a reason naming the value. Requiredness,
 * ranges and rules spanning fields are the caller's (etl/feed/parse-row.ts).
 *
 * These run for every cell of millions of rows: patterns are compiled once, the common case (a plain string)
 * is tried first, and no option object is built per call.
 */
import type { CellValue } from '../raw-row';

export type Parsed<T> = { ok: true; value: T | null } | { ok: false; code: string; message: string };

/**
 * How a source writes a date whose year comes last: `18/05/2024` is DMY, `05/18/2024` MDY. Year-first forms
 * (`2024-05-18`, `2024/5/18`, `20240518`, `2024年5月18日`) read the same under every order.
 */
export type DateOrder = 'YMD' | 'DMY' | 'MDY';
export const dateOrders: readonly DateOrder[] = ['YMD', 'DMY', 'MDY'];

export interface ParseOptions {
  /** the field's name, put before the value in messages: `决定日期 "2025-02-30" 不是有效日期` */
  readonly label?: string;
  /** dates and timestamps: the source's order for year-last dates (its mapping's `dateOrder`); default YMD */
  readonly dateOrder?: DateOrder;
  /** text, and each item of a list: the most characters the warehouse column holds */
  readonly maxLength?: number;
  /** decimals: digits kept after the point (the column's scale); default 2 */
  readonly scale?: number;
}

const NO_OPTIONS: ParseOptions = Object.freeze({});
/** Shared, never mutated: an empty cell is the commonest value and needs no allocation. */
const EMPTY: { ok: true; value: null } = Object.freeze({ ok: true, value: null }) as { ok: true; value: null };

function ok<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

function fail(code: string, message: string): { ok: false; code: string; message: string } {
  return { ok: false, code, message };
}

/** The cell as a clerk would recognise it in a message: text quoted, long text cut. */
export function showCell(value: CellValue): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '无效的日期值' : value.toISOString();
  if (Array.isArray(value)) return JSON.stringify(value).slice(0, 60);
  return String(value);
}

function named(options: ParseOptions, text: string): string {
  return options.label ? `${options.label} ${text}` : text;
}

/** Spreadsheets carry full-width digits and signs (１２，０００．００, ￥); NFKC makes them ASCII. */
const FULL_WIDTH = /[\uFF01-\uFF5E\uFFE5]/;
function halfWidth(text: string): string {
  return FULL_WIDTH.test(text) ? text.normalize('NFKC') : text;
}

/** True when a cell holds nothing (null, undefined, blank text). */
export function isEmptyCell(value: CellValue): boolean {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
}

// ---------------------------------------------------------------------------------------------------------
// Dates and timestamps
// ---------------------------------------------------------------------------------------------------------

const MS_PER_DAY = 86_400_000;
/** Asia/Shanghai has kept UTC+8 without daylight saving since 1991 (DOMAIN.md §3): a fixed offset is exact. */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
/**
 * Excel serial day 0 is 1899-12-30, not 1899-12-31: Excel counts a 1900-02-29 that never was (Lotus 1-2-3's
 * leap-year bug), so from serial 61 (1900-03-01) on, counting from 1899-12-30 gives the true day. Serials
 * below 61 are outside SERIAL_RANGE, so the bug's other side never reaches us. (45430 is 2024-05-18.)
 */
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);
/**
 * Serial numbers read as dates: 1954-10-03 to 2119-01-11. Wide enough for every date the feeds carry
 * (certificates, cases, reports), narrow enough that a year (2024) or an amount is not silently a date.
 */
const SERIAL_RANGE = { min: 20_000, max: 80_000 } as const;
/** Years a real record can carry; 0024-05-18 or 2204-05-18 is a typing slip, not a date. */
const YEAR_RANGE = { min: 1900, max: 2199 } as const;
/**
 * Epoch milliseconds from 2001-09-09 to 2286-11-20: how Java platforms (fastjson, Jackson defaults) serialise
 * a Date in their JSON APIs. A 13-digit number has no other reading as a date.
 */
const EPOCH_MS_RANGE = { min: 1e12, max: 1e13 } as const;

/** 2024-05-18, 2024/5/18, 2024.5.18, 2024年5月18日, each optionally followed by a time of day. */
const YEAR_FIRST = /^(\d{4})(?:([-/.])(\d{1,2})\2(\d{1,2})|年(\d{1,2})月(\d{1,2})日?)(.*)$/;
/** 18/05/2024 (DMY) or 05/18/2024 (MDY), optionally followed by a time of day. */
const YEAR_LAST = /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})(.*)$/;
/** 20240518, or 20240518140300 (yyyyMMddHHmmss, common in Chinese platforms' exports). */
const COMPACT = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2}))?$/;
/** an Excel serial as text, when a CSV was saved from a sheet whose date column lost its format */
const SERIAL_TEXT = /^\d{5}(?:\.\d+)?$/;
const EPOCH_MS_TEXT = /^\d{13}$/;
/** ` 14:03`, `T14:03:00`, `T14:03:00.123+08:00`, `T06:03:00Z`; full-width colons as typed in Chinese IMEs */
const TIME_OF_DAY = /^(?:T|t|\s+)(\d{1,2})[:：](\d{2})(?:[:：](\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** A date and maybe a time as written; `offsetMs` null when no zone was written (Asia/Shanghai then). */
interface WrittenInstant {
  year: number;
  month: number;
  day: number;
  /** milliseconds since the day's midnight, as written; null for a date alone */
  timeMs: number | null;
  offsetMs: number | null;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** Arithmetic, not a Date probe: this runs for every date cell. */
function isRealDay(year: number, month: number, day: number): boolean {
  // Written so that NaN (a non-digit) fails: every comparison with NaN is false.
  if (!(year >= YEAR_RANGE.min && year <= YEAR_RANGE.max && month >= 1 && month <= 12 && day >= 1)) return false;
  if (day <= DAYS_IN_MONTH[month - 1]!) return true;
  return month === 2 && day === 29 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function civilDate(year: number, month: number, day: number): string {
  return `${year}-${pad2(month)}-${pad2(day)}`;
}

/** The Asia/Shanghai civil date at an instant. */
function shanghaiDate(ms: number): string {
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** `2024-05-18 14:03:00` in Asia/Shanghai: how timestamps are shown to a clerk. */
export function formatShanghai(instant: Date): string {
  const iso = new Date(instant.getTime() + SHANGHAI_OFFSET_MS).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

function offsetOf(zone: string): number {
  if (zone === 'Z' || zone === 'z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (hours * 60 + minutes) * 60_000;
}

type ReadProblem = 'NOT_A_DATE' | 'UNREAL_DATE' | 'BAD_TIME' | 'AMBIGUOUS_ORDER';

/** The time-of-day tail after a date, or a problem; `rest` is '' for a date alone. */
function readTime(rest: string, into: WrittenInstant): ReadProblem | null {
  if (rest === '' || rest.trim() === '') return null;
  const t = TIME_OF_DAY.exec(rest);
  if (!t) return 'NOT_A_DATE';
  const hours = Number(t[1]);
  const minutes = Number(t[2]);
  const seconds = t[3] === undefined ? 0 : Number(t[3]);
  const millis = t[4] === undefined ? 0 : Number(t[4].slice(0, 3).padEnd(3, '0'));
  if (hours > 23 || minutes > 59 || seconds > 59) return 'BAD_TIME';
  into.timeMs = ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis;
  into.offsetMs = t[5] === undefined ? null : offsetOf(t[5]);
  return null;
}

/** A date (and maybe time) written as text, in any form FEEDS.md accepts. Serial and epoch text are not here. */
function readWritten(text: string, order: DateOrder): WrittenInstant | ReadProblem {
  let year: number;
  let month: number;
  let day: number;
  let rest = '';
  const into: WrittenInstant = { year: 0, month: 0, day: 0, timeMs: null, offsetMs: null };
  let m = YEAR_FIRST.exec(text);
  if (m) {
    year = Number(m[1]);
    month = Number(m[3] ?? m[5]);
    day = Number(m[4] ?? m[6]);
    rest = m[7]!;
    // 2024年5月18日14:03 needs no space after 日
    if (m[5] !== undefined && rest !== '' && rest[0]! >= '0' && rest[0]! <= '9') rest = ` ${rest}`;
  } else if ((m = COMPACT.exec(text))) {
    year = Number(m[1]);
    month = Number(m[2]);
    day = Number(m[3]);
    if (m[4] !== undefined) rest = ` ${m[4]}:${m[5]}:${m[6]}`;
  } else if ((m = YEAR_LAST.exec(text))) {
    // 05/06/2024 is 5 June to one source and May 6 to another: only the source's mapping can say which.
    if (order === 'YMD') return 'AMBIGUOUS_ORDER';
    const first = Number(m[1]);
    const second = Number(m[3]);
    year = Number(m[4]);
    [day, month] = order === 'DMY' ? [first, second] : [second, first];
    rest = m[5]!;
  } else {
    return 'NOT_A_DATE';
  }
  if (!isRealDay(year, month, day)) return 'UNREAL_DATE';
  into.year = year;
  into.month = month;
  into.day = day;
  const timeProblem = readTime(rest, into);
  return timeProblem ?? into;
}

function instantOf(written: WrittenInstant): number {
  const midnight = Date.UTC(written.year, written.month - 1, written.day);
  return midnight + (written.timeMs ?? 0) - (written.offsetMs ?? SHANGHAI_OFFSET_MS);
}

/** An Excel serial as an instant: the sheet's wall clock is Asia/Shanghai's, as every time in the feeds is. */
function serialInstant(serial: number): number {
  return Math.round(EXCEL_EPOCH_MS + serial * MS_PER_DAY) - SHANGHAI_OFFSET_MS;
}

function inSerialRange(n: number): boolean {
  return n >= SERIAL_RANGE.min && n < SERIAL_RANGE.max;
}

function problemMessage(problem: ReadProblem, value: CellValue, options: ParseOptions, what: '日期' | '时间'): string {
  const shown = named(options, showCell(value));
  switch (problem) {
    case 'UNREAL_DATE':
      return `${shown} 不是有效日期`;
    case 'BAD_TIME':
      return `${shown} 的时刻不存在（时 0–23，分、秒 0–59）`;
    case 'AMBIGUOUS_ORDER':
      return `${shown} 无法确定是“日/月/年”还是“月/日/年”：请写成 2024-05-18，或在数据源映射文件中设置 dateOrder`;
    case 'NOT_A_DATE':
      return what === '日期'
        ? `${shown} 不是可识别的日期（可写 2024-05-18、2024/5/18、2024.5.18、20240518 或 2024年5月18日）`
        : `${shown} 不是可识别的时间（可写 2024-05-18 14:03:00、2024-05-18T14:03:00+08:00 或 2024-05-18）`;
  }
}

/**
 * A numeric cell meant as a date or time: yyyymmdd typed as a number, an Excel serial (XLSX cells without date
 * format, Arrow float columns), or epoch milliseconds (JSON APIs). The instant, or null when it is none of them.
 */
function numericInstant(n: number): { ms: number; dateOnly: string | null } | 'UNREAL_DATE' | null {
  if (!Number.isFinite(n) || n < 0) return null;
  if (Number.isInteger(n) && n >= 10_000_000 && n <= 99_999_999) {
    const year = Math.floor(n / 10_000);
    const month = Math.floor(n / 100) % 100;
    const day = n % 100;
    if (!isRealDay(year, month, day)) return 'UNREAL_DATE';
    const date = civilDate(year, month, day);
    return { ms: Date.UTC(year, month - 1, day) - SHANGHAI_OFFSET_MS, dateOnly: date };
  }
  if (inSerialRange(n)) return { ms: serialInstant(n), dateOnly: null };
  if (Number.isInteger(n) && n >= EPOCH_MS_RANGE.min && n < EPOCH_MS_RANGE.max) return { ms: n, dateOnly: null };
  return null;
}

function digitAt(text: string, i: number): number {
  const code = text.charCodeAt(i) - 48;
  return code >= 0 && code <= 9 ? code : NaN;
}

/** 'YYYY-MM-DD' naming a real day, read without a regex: the standard form, so the commonest by far. */
function isIsoDate(text: string): boolean {
  if (text.length !== 10 || text[4] !== '-' || text[7] !== '-') return false;
  const year = digitAt(text, 0) * 1000 + digitAt(text, 1) * 100 + digitAt(text, 2) * 10 + digitAt(text, 3);
  const month = digitAt(text, 5) * 10 + digitAt(text, 6);
  const day = digitAt(text, 8) * 10 + digitAt(text, 9);
  return isRealDay(year, month, day);
}

/**
 * A civil date 'YYYY-MM-DD'. A time given where a date is expected yields its Asia/Shanghai civil date; a
 * Date object at UTC midnight (XLSX date cells, Arrow date columns) is that civil date.
 */
export function parseDate(value: CellValue, options: ParseOptions = NO_OPTIONS): Parsed<string> {
  if (typeof value === 'string') {
    const text = halfWidth(value.trim());
    if (text === '') return EMPTY;
    if (isIsoDate(text)) return ok(text);
    const written = readWritten(text, options.dateOrder ?? 'YMD');
    if (typeof written === 'object') {
      // A time with a zone is an instant; without, it is already Shanghai's wall clock.
      if (written.offsetMs === null) return ok(civilDate(written.year, written.month, written.day));
      return ok(shanghaiDate(instantOf(written)));
    }
    if (written === 'NOT_A_DATE') {
      if (SERIAL_TEXT.test(text) || EPOCH_MS_TEXT.test(text)) return parseDate(Number(text), options);
    }
    return fail('INVALID_DATE', problemMessage(written, value, options, '日期'));
  }
  if (value === null || value === undefined) return EMPTY;
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) return fail('INVALID_DATE', named(options, '不是有效日期（无效的日期值）'));
    if (ms % MS_PER_DAY === 0) return ok(value.toISOString().slice(0, 10));
    return ok(shanghaiDate(ms));
  }
  if (typeof value === 'number' || typeof value === 'bigint') {
    const found = numericInstant(Number(value));
    if (found === 'UNREAL_DATE') return fail('INVALID_DATE', problemMessage('UNREAL_DATE', value, options, '日期'));
    if (found === null) {
      return fail('INVALID_DATE', `${named(options, showCell(value))} 不是可识别的日期（数字只接受 yyyymmdd 或 Excel 日期序号）`);
    }
    return ok(found.dateOnly ?? shanghaiDate(found.ms));
  }
  return fail('INVALID_DATE', `${named(options, showCell(value))} 不是日期`);
}

/**
 * An instant. Written without a zone it is Asia/Shanghai time (FEEDS.md); a date alone is that day's
 * Shanghai midnight; a Date object is taken as the instant it is.
 */
export function parseTimestamp(value: CellValue, options: ParseOptions = NO_OPTIONS): Parsed<Date> {
  if (typeof value === 'string') {
    const text = halfWidth(value.trim());
    if (text === '') return EMPTY;
    const written = readWritten(text, options.dateOrder ?? 'YMD');
    if (typeof written === 'object') return ok(new Date(instantOf(written)));
    if (written === 'NOT_A_DATE' && (SERIAL_TEXT.test(text) || EPOCH_MS_TEXT.test(text))) {
      return parseTimestamp(Number(text), options);
    }
    return fail('INVALID_TIMESTAMP', problemMessage(written, value, options, '时间'));
  }
  if (value === null || value === undefined) return EMPTY;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return fail('INVALID_TIMESTAMP', named(options, '不是有效时间（无效的日期值）'));
    return ok(new Date(value.getTime()));
  }
  if (typeof value === 'number' || typeof value === 'bigint') {
    const found = numericInstant(Number(value));
    if (found === 'UNREAL_DATE') return fail('INVALID_TIMESTAMP', problemMessage('UNREAL_DATE', value, options, '时间'));
    if (found === null) {
      return fail('INVALID_TIMESTAMP',
        `${named(options, showCell(value))} 不是可识别的时间（数字只接受 yyyymmdd、Excel 日期序号或毫秒时间戳）`);
    }
    return ok(new Date(found.ms));
  }
  return fail('INVALID_TIMESTAMP', `${named(options, showCell(value))} 不是时间`);
}

// ---------------------------------------------------------------------------------------------------------
// Money and decimals: exact decimal text, never through floating point
// ---------------------------------------------------------------------------------------------------------

/** 12000, 12,000.00, 1.2万, ¥12000, ￥12,000 (made ¥ by NFKC), 12000元, 1.5万元, RMB 12000, -12000 */
const MONEY_TEXT = /^([+-])?\s*(?:¥|RMB|人民币)?\s*([+-])?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*(万)?\s*元?$/i;
const DECIMAL_TEXT = /^([+-])?(\d+)(?:\.(\d+))?$/;
const THOUSANDS = /,/g;
const ZERO = /^[0.]+$/;
/** numeric(18, 2): 16 digits before the point */
const MAX_INTEGER_DIGITS = 16;
/** 万 moves the point four places: FEEDS.md's `1.2万` is 12000 yuan */
const WAN_DIGITS = 4;

/**
 * `intDigits.fracDigits` × 10^shift as text with exactly `scale` decimals, or why not. Digits only: the
 * point moves in the string, so 1.15万 is 11500.00 exactly, not 11499.999….
 */
function scaledDecimal(intDigits: string, fracDigits: string, shift: number, scale: number): string | 'PRECISION' | 'TOO_LARGE' {
  const digits = intDigits + fracDigits;
  const point = intDigits.length + shift;
  let whole = digits.length >= point ? digits.slice(0, point) : digits.padEnd(point, '0');
  let fraction = digits.length > point ? digits.slice(point) : '';
  let end = fraction.length;
  while (end > 0 && fraction[end - 1] === '0') end--;
  if (end > scale) return 'PRECISION';
  fraction = fraction.slice(0, end).padEnd(scale, '0');
  let start = 0;
  while (start < whole.length - 1 && whole[start] === '0') start++;
  whole = whole.slice(start);
  if (whole.length > MAX_INTEGER_DIGITS) return 'TOO_LARGE';
  return scale > 0 ? `${whole}.${fraction}` : whole;
}

/**
 * A number cell as exact decimal text. XLSX and Arrow hand over binary doubles: 1234.5 means 1234.50, and a
 * formula's 1234.5600000000002 means 1234.56 (within a few units in the last place of the double), but
 * 12.345 has a third decimal that is really there.
 */
function numberAsDecimal(n: number, scale: number): string | 'PRECISION' | 'TOO_LARGE' {
  const factor = 10 ** scale;
  const units = Math.round(n * factor);
  if (!Number.isSafeInteger(units)) return 'TOO_LARGE';
  if (Math.abs(n - units / factor) > Number.EPSILON * Math.max(1, Math.abs(n)) * 64) return 'PRECISION';
  const text = String(units).padStart(scale + 1, '0');
  return scale > 0 ? `${text.slice(0, -scale)}.${text.slice(-scale)}` : text;
}

function moneyFailure(problem: 'PRECISION' | 'TOO_LARGE', value: CellValue, options: ParseOptions): Parsed<never> {
  const shown = named(options, showCell(value));
  return problem === 'PRECISION'
    ? fail('AMOUNT_PRECISION', `${shown} 精确到分以下（最多两位小数）`)
    : fail('AMOUNT_TOO_LARGE', `${shown} 超出金额上限（整数部分最多 ${MAX_INTEGER_DIGITS} 位）`);
}

function negativeAmount(value: CellValue, options: ParseOptions): Parsed<never> {
  return fail('NEGATIVE_AMOUNT', `${options.label ?? '金额'}不能为负数，实为 ${showCell(value)}`);
}

/** Yuan as an exact decimal string with two decimals ('12000.00'). */
export function parseMoney(value: CellValue, options: ParseOptions = NO_OPTIONS): Parsed<string> {
  if (typeof value === 'string') {
    const text = halfWidth(value.trim());
    if (text === '') return EMPTY;
    const m = MONEY_TEXT.exec(text);
    if (!m) return fail('INVALID_AMOUNT', `${named(options, showCell(value))} 不是金额（可写 12000、12,000.00、1.2万 或 ¥12000）`);
    if (m[1] === '-' || m[2] === '-') return negativeAmount(value, options);
    const result = scaledDecimal(m[3]!.replace(THOUSANDS, ''), m[4] ?? '', m[5] ? WAN_DIGITS : 0, 2);
    return result === 'PRECISION' || result === 'TOO_LARGE' ? moneyFailure(result, value, options) : ok(result);
  }
  if (value === null || value === undefined) return EMPTY;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return fail('INVALID_AMOUNT', `${named(options, showCell(value))} 不是金额`);
    if (value < 0) return negativeAmount(value, options);
    const result = numberAsDecimal(value, 2);
    return result === 'PRECISION' || result === 'TOO_LARGE' ? moneyFailure(result, value, options) : ok(result);
  }
  if (typeof value === 'bigint') {
    if (value < 0n) return negativeAmount(value, options);
    const result = scaledDecimal(value.toString(), '', 0, 2);
    return result === 'TOO_LARGE' || result === 'PRECISION' ? moneyFailure(result, value, options) : ok(result);
  }
  return fail('INVALID_AMOUNT', `${named(options, showCell(value))} 不是金额`);
}

/**
 * An exact decimal with `options.scale` decimals (scores: '95.50'). Negative values pass: the range is the
 * caller's rule, which names the field's bounds.
 */
export function parseDecimal(value: CellValue, options: ParseOptions = NO_OPTIONS): Parsed<string> {
  const scale = options.scale ?? 2;
  let negative = false;
  let result: string | 'PRECISION' | 'TOO_LARGE';
  if (typeof value === 'string') {
    const text = halfWidth(value.trim());
    if (text === '') return EMPTY;
    const m = DECIMAL_TEXT.exec(text);
    if (!m) return fail('INVALID_DECIMAL', `${named(options, showCell(value))} 不是数值`);
    negative = m[1] === '-';
    result = scaledDecimal(m[2]!, m[3] ?? '', 0, scale);
  } else if (value === null || value === undefined) {
    return EMPTY;
  } else if (typeof value === 'number' && Number.isFinite(value)) {
    negative = value < 0;
    result = numberAsDecimal(Math.abs(value), scale);
  } else if (typeof value === 'bigint') {
    negative = value < 0n;
    result = scaledDecimal((negative ? -value : value).toString(), '', 0, scale);
  } else {
    return fail('INVALID_DECIMAL', `${named(options, showCell(value))} 不是数值`);
  }
  if (result === 'PRECISION') return fail('INVALID_DECIMAL', `${named(options, showCell(value))} 最多 ${scale} 位小数`);
  if (result === 'TOO_LARGE') return fail('INVALID_DECIMAL', `${named(options, showCell(value))} 超出数值上限`);
  return ok(negative && !ZERO.test(result) ? `-${result}` : result);
}

// ---------------------------------------------------------------------------------------------------------
// Integers, booleans, text
// ---------------------------------------------------------------------------------------------------------

/** 2024, +3, and 2024.0 as a spreadsheet saved as text writes a whole number */
const INTEGER_TEXT = /^[+-]?\d+(?:\.0+)?$/;

export function parseInteger(value: CellValue, options: ParseOptions = NO_OPTIONS): Parsed<number> {
  let n: number;
  if (typeof value === 'string') {
    const text = halfWidth(value.trim());
    if (text === '') return EMPTY;
    if (!INTEGER_TEXT.test(text)) return fail('INVALID_INTEGER', `${named(options, showCell(value))} 不是整数`);
    n = Number(text);
  } else if (value === null || value === undefined) {
    return EMPTY;
  } else if (typeof value === 'number' || typeof value === 'bigint') {
    n = Number(value);
  } else {
    return fail('INVALID_INTEGER', `${named(options, showCell(value))} 不是整数`);
  }
  if (!Number.isSafeInteger(n)) return fail('INVALID_INTEGER', `${named(options, showCell(value))} 不是整数`);
  return ok(n);
}

const BOOLEAN_WORDS: ReadonlyMap<string, boolean> = new Map([
  ['是', true], ['否', false], ['y', true], ['n', false], ['yes', true], ['no', false],
  ['1', true], ['0', false], ['true', true], ['false', false],
]);
const TRUE: Parsed<boolean> = Object.freeze({ ok: true, value: true }) as Parsed<boolean>;
const FALSE: Parsed<boolean> = Object.freeze({ ok: true, value: false }) as Parsed<boolean>;

/** 是/否, Y/N, yes/no, 1/0, true/false (any case); real booleans; the numbers 1 and 0. */
export function parseBoolean(value: CellValue, options: ParseOptions = NO_OPTIONS): Parsed<boolean> {
  if (typeof value === 'boolean') return value ? TRUE : FALSE;
  if (value === null || value === undefined) return EMPTY;
  if (typeof value === 'string') {
    const text = halfWidth(value.trim());
    if (text === '') return EMPTY;
    const found = BOOLEAN_WORDS.get(text) ?? BOOLEAN_WORDS.get(text.toLowerCase());
    if (found !== undefined) return found ? TRUE : FALSE;
  } else if (typeof value === 'number' || typeof value === 'bigint') {
    if (Number(value) === 1) return TRUE;
    if (Number(value) === 0) return FALSE;
  }
  return fail('INVALID_BOOLEAN', `${named(options, showCell(value))} 不是是/否值（可写 是/否、Y/N、1/0 或 true/false）`);
}

function tooLong(text: string, maxLength: number | undefined): boolean {
  // Columns count characters (code points); .length counts UTF-16 units, so it is exact for all but
  // astral characters and only needs the slower count when it already says too long.
  return maxLength !== undefined && text.length > maxLength && [...text].length > maxLength;
}

/**
 * Trimmed text; an empty cell is null. A number cell becomes its digits — unless it is a long code that the
 * spreadsheet stored as a number and so rounded (an 18-digit ID loses its last digits beyond 2^53).
 */
export function parseText(value: CellValue, options: ParseOptions = NO_OPTIONS): Parsed<string> {
  let text: string;
  if (typeof value === 'string') {
    text = value.trim();
    if (text === '') return EMPTY;
  } else if (value === null || value === undefined) {
    return EMPTY;
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) return fail('INVALID_TEXT', `${named(options, showCell(value))} 不是文本`);
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
      return fail('NUMBER_PRECISION_LOST',
        `${named(options, showCell(value))} 是被表格当作数字保存的长编号，末几位已丢失：请把该列设为文本格式后重新导出`);
    }
    text = String(value);
  } else if (typeof value === 'bigint') {
    text = value.toString();
  } else {
    return fail('INVALID_TEXT', `${named(options, showCell(value))} 不是文本`);
  }
  if (tooLong(text, options.maxLength)) {
    return fail('TEXT_TOO_LONG', `${named(options, showCell(value))} 超过 ${options.maxLength} 个字符`);
  }
  return ok(text);
}

// ---------------------------------------------------------------------------------------------------------
// Enumerations and lists
// ---------------------------------------------------------------------------------------------------------

/** A code list of src/domain/codes.ts: the codes and the Chinese label of each. */
export interface CodeList<C extends string = string> {
  readonly codes: readonly C[];
  readonly labels: { readonly [K in C]: string };
}

export type FieldParser<T> = (value: CellValue, options?: ParseOptions) => Parsed<T>;

/**
 * Looks a code up by the code itself (any case: APIs send `penalty` too) or by its exact Chinese label.
 * A word list (APL art. 9 penalty kinds) has no codes: its words are the values.
 */
function codeLookup(list: CodeList | readonly string[]): { find(text: string): string | undefined; accepted: string } {
  const byText = new Map<string, string>();
  if (Array.isArray(list)) {
    for (const word of list as readonly string[]) byText.set(word, word);
    return { find: (text) => byText.get(text), accepted: (list as readonly string[]).join('、') };
  }
  const table = list as CodeList;
  for (const code of table.codes) {
    byText.set(code, code);
    byText.set(table.labels[code], code);
  }
  return {
    find: (text) => byText.get(text) ?? byText.get(text.toUpperCase()),
    accepted: table.codes.map((code) => table.labels[code]).join('、'),
  };
}

function unknownCode(values: readonly string[], accepted: string, options: ParseOptions): Parsed<never> {
  const shown = values.map((v) => JSON.stringify(v)).join('、');
  return fail('UNKNOWN_CODE', `${named(options, shown)} 不在代码表中（可填：${accepted}）`);
}

/** A parser of one value of `list`: its code, from the code or the label. Unknown values are errors, not guesses. */
export function enumParser<C extends string>(list: CodeList<C> | readonly C[]): FieldParser<C> {
  const lookup = codeLookup(list as CodeList | readonly string[]);
  return (value, options = NO_OPTIONS) => {
    if (value === null || value === undefined) return EMPTY;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'bigint') {
      return unknownCode([showCell(value)], lookup.accepted, options);
    }
    const text = String(value).trim();
    if (text === '') return EMPTY;
    const found = lookup.find(text);
    return found === undefined ? unknownCode([text], lookup.accepted, options) : ok(found as C);
  };
}

/** `;`, `；`, `,`, `，` and `、` (FEEDS.md lists) */
const LIST_SEPARATORS = /[;；,，、]/;

/**
 * The items of a list cell: text split on the separators, or a JSON array's items; trimmed, empties
 * dropped, each item once in first-seen order (a handler listed twice is one handler). Null when none.
 */
export function splitList(value: CellValue): string[] | null | 'NOT_A_LIST' {
  if (value === null || value === undefined) return null;
  const items: string[] = [];
  const add = (item: string) => {
    const text = item.trim();
    if (text !== '' && !items.includes(text)) items.push(text);
  };
  if (typeof value === 'string') {
    if (LIST_SEPARATORS.test(value)) for (const part of value.split(LIST_SEPARATORS)) add(part);
    else add(value);
  } else if (Array.isArray(value)) {
    for (const item of value) {
      if (item === null || item === undefined) continue;
      if (typeof item === 'string') add(item);
      else if ((typeof item === 'number' && Number.isSafeInteger(item)) || typeof item === 'bigint') add(String(item));
      else return 'NOT_A_LIST';
    }
  } else if ((typeof value === 'number' && Number.isSafeInteger(value)) || typeof value === 'bigint') {
    add(String(value)); // a single personnel number in a numeric spreadsheet cell
  } else {
    return 'NOT_A_LIST';
  }
  return items.length === 0 ? null : items;
}

/** A list of texts (handler and reviewer ids), each at most `options.maxLength` characters. */
export function parseList(value: CellValue, options: ParseOptions = NO_OPTIONS): Parsed<string[]> {
  const items = splitList(value);
  if (items === 'NOT_A_LIST') {
    return fail('INVALID_LIST', `${named(options, showCell(value))} 不是列表（以 ；，、 分隔，或 JSON 数组）`);
  }
  if (items === null) return EMPTY;
  const long = items.filter((item) => tooLong(item, options.maxLength));
  if (long.length > 0) {
    return fail('TEXT_TOO_LONG', `${named(options, long.map((item) => JSON.stringify(item)).join('、'))} 超过 ${options.maxLength} 个字符`);
  }
  return ok(items);
}

/** A parser of a list of values of `list` (重大情形 codes, APL art. 9 penalty kinds); every unknown item is named. */
export function enumListParser<C extends string>(list: CodeList<C> | readonly C[]): FieldParser<C[]> {
  const lookup = codeLookup(list as CodeList | readonly string[]);
  return (value, options = NO_OPTIONS) => {
    const items = splitList(value);
    if (items === 'NOT_A_LIST') {
      return fail('INVALID_LIST', `${named(options, showCell(value))} 不是列表（以 ；，、 分隔，或 JSON 数组）`);
    }
    if (items === null) return EMPTY;
    const codes: C[] = [];
    let unknown: string[] | null = null;
    for (const item of items) {
      const found = lookup.find(item);
      if (found === undefined) (unknown ??= []).push(item);
      else if (!codes.includes(found as C)) codes.push(found as C);
    }
    return unknown ? unknownCode(unknown, lookup.accepted, options) : ok(codes);
  };
}
