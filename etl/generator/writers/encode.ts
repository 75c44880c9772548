/**
 * How one field value is written in each transport, in the forms FEEDS.md accepts ("Field forms accepted"):
 * a source keeps one dialect (its date style, its yes/no words, its list separator, its money style), and
 * different sources use different ones, so that every accepted form is exercised.
 */
import type { FieldSpec } from '../../feed/feed-entities';
import type { CodeList } from '../../feed/field-parsers';
import { isRaw, type WireValue } from '../bad-rows';
import { dayText } from '../dates';

export interface Dialect {
  /** iso 2024-05-18 · slash 2024/5/18 · chinese 2024年5月18日 · compact 20240518 */
  dates: 'iso' | 'slash' | 'chinese' | 'compact';
  booleans: readonly [string, string];
  listSeparator: string;
  /** plain 12000.00 · thousands 12,000.00 · yuan ￥12000.00 · wan: 1.5万 where the amount is a round number of thousands (XLSX) */
  money: 'plain' | 'thousands' | 'yuan' | 'wan';
}

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

const MS_PER_DAY = 86_400_000;
const two = (n: number) => (n < 10 ? `0${n}` : String(n));

/** Shanghai wall-clock parts of an instant (to the second, as toISOString would give them). */
function wallClock(instant: Date): { date: string; time: string } {
  const ms = instant.getTime() + SHANGHAI_OFFSET_MS;
  const day = Math.floor(ms / MS_PER_DAY);
  const seconds = Math.floor((ms - day * MS_PER_DAY) / 1000);
  return { date: dayText(day), time: `${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}` };
}

export function formatDate(date: string, style: Dialect['dates']): string {
  const [y, m, d] = [date.slice(0, 4), date.slice(5, 7), date.slice(8, 10)];
  switch (style) {
    case 'iso': return date;
    case 'slash': return `${y}/${Number(m)}/${Number(d)}`;
    case 'chinese': return `${y}年${Number(m)}月${Number(d)}日`;
    case 'compact': return `${y}${m}${d}`;
  }
}

export function formatTimestamp(instant: Date, style: Dialect['dates']): string {
  const { date, time } = wallClock(instant);
  return style === 'compact' ? `${formatDate(date, style)}${time.replace(/:/g, '')}` : `${formatDate(date, style)} ${time}`;
}

/** ISO 8601 with the +08:00 offset, as the agency APIs send it. */
export function isoTimestamp(instant: Date): string {
  const { date, time } = wallClock(instant);
  return `${date}T${time}+08:00`;
}

function withThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** An exact decimal '12000.00' (maybe negative) in the dialect's money style. */
export function formatMoney(amount: string, style: Dialect['money']): string {
  const negative = amount.startsWith('-');
  const [whole, fraction = '00'] = (negative ? amount.slice(1) : amount).split('.');
  const sign = negative ? '-' : '';
  switch (style) {
    case 'plain': return amount;
    case 'thousands': return `${sign}${withThousands(whole!)}.${fraction}`;
    case 'yuan': return `${sign}￥${whole}.${fraction}`;
    case 'wan': {
      const wan = wanText(amount);
      return wan ?? amount;
    }
  }
}

/** 15000.00 → 1.5万; null when the amount is not a round number of thousands of at least 10,000. */
export function wanText(amount: string): string | null {
  const match = /^(\d+)\.00$/.exec(amount);
  if (!match) return null;
  const yuan = Number(match[1]);
  if (yuan < 10_000 || yuan % 1000 !== 0) return null;
  return `${yuan / 10_000}万`;
}

function labelOf(field: FieldSpec, code: string): string {
  const list = field.codes;
  if (!list || Array.isArray(list)) return code;
  return (list as CodeList).labels[code] ?? code;
}

/** The text a delimited file carries for a value: '' for empty; enumerations as their Chinese labels. */
export function textOf(field: FieldSpec, value: WireValue | undefined, dialect: Dialect): string {
  if (value === null || value === undefined) return '';
  if (isRaw(value)) return value.raw;
  switch (field.form) {
    case 'date': return formatDate(value as string, dialect.dates);
    case 'timestamp': return formatTimestamp(value as Date, dialect.dates);
    case 'money': return formatMoney(value as string, dialect.money === 'wan' ? 'plain' : dialect.money);
    case 'boolean': return value ? dialect.booleans[0] : dialect.booleans[1];
    case 'enum': return labelOf(field, value as string);
    case 'list': return (value as readonly string[]).map((item) => labelOf(field, item)).join(dialect.listSeparator);
    default: return String(value);
  }
}

/** What the agency API sends: codes, ISO dates, numbers, true/false, arrays; nothing for an empty field. */
export function jsonOf(field: FieldSpec, value: WireValue | undefined): unknown {
  if (value === null || value === undefined) return undefined;
  if (isRaw(value)) return value.raw;
  switch (field.form) {
    case 'timestamp': return isoTimestamp(value as Date);
    case 'money':
    case 'decimal': return Number(value);
    case 'list': return (value as readonly string[]).length ? [...(value as readonly string[])] : undefined;
    default: return value;
  }
}

/**
 * The value of an XLSX cell: real Excel dates (Dates at UTC midnight of the civil date, or of the Shanghai wall
 * clock for times, as exceljs turns them into serials), numbers for amounts — except round amounts in 万 as
 * text where the dialect says so — and text otherwise.
 */
export function cellOf(field: FieldSpec, value: WireValue | undefined, dialect: Dialect): string | number | Date | null {
  if (value === null || value === undefined) return null;
  if (isRaw(value)) return value.raw;
  switch (field.form) {
    case 'date': {
      const d = value as string;
      return new Date(Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10))));
    }
    case 'timestamp': return new Date((value as Date).getTime() + SHANGHAI_OFFSET_MS);
    case 'money': {
      if (dialect.money === 'wan') {
        const wan = wanText(value as string);
        if (wan) return wan;
      }
      return Number(value);
    }
    case 'decimal':
    case 'integer': return Number(value);
    default: return textOf(field, value, dialect) || null;
  }
}
