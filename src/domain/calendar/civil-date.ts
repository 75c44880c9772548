/**
 * Civil dates: 'YYYY-MM-DD' strings naming a day in China Standard Time (DOMAIN.md §3).
 * Arithmetic runs on day numbers (days since 1970-01-01) built from the parts, never on the
 * machine's local time zone, so a server in UTC−5 and one in UTC+8 agree on every deadline.
 */
import { InvalidValueError } from '../errors';

const CIVIL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;
/** China has kept UTC+8 without daylight saving since 1991, so a fixed offset is exact for our data. */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** True for a string naming a real calendar day ('2025-02-28' yes, '2025-02-30' and '2025-2-8' no). */
export function isCivilDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const parts = CIVIL_DATE.exec(value);
  if (!parts) return false;
  const [year, month, day] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const probe = new Date(Date.UTC(year, month - 1, day));
  return probe.getUTCFullYear() === year && probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day;
}

/** Throws unless `value` is a real civil date; `label` says which input was wrong. */
export function assertCivilDate(value: unknown, label = 'date'): asserts value is string {
  if (!isCivilDate(value)) {
    const shown = typeof value === 'string' ? `'${value}'` : String(value);
    throw new InvalidValueError('INVALID_DATE', value, `${label} ${shown} is not a real date (expected YYYY-MM-DD)`);
  }
}

/** Days since 1970-01-01 (negative before). */
export function toDayNumber(date: string): number {
  assertCivilDate(date);
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / MS_PER_DAY;
}

export function fromDayNumber(dayNumber: number): string {
  return new Date(dayNumber * MS_PER_DAY).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(date: string): number {
  return new Date(toDayNumber(date) * MS_PER_DAY).getUTCDay();
}

export function addCalendarDays(date: string, days: number): string {
  if (!Number.isInteger(days)) {
    throw new InvalidValueError('INVALID_DAY_COUNT', days, `a number of days must be a whole number, not ${days}`);
  }
  return fromDayNumber(toDayNumber(date) + days);
}

/** The last day of the month of `date`. */
export function monthEnd(date: string): string {
  const next = fromDayNumber(toDayNumber(`${date.slice(0, 7)}-01`) + 31);
  return addCalendarDays(`${next.slice(0, 7)}-01`, -1);
}

/** Negative, zero or positive as `a` is before, on or after `b`. */
export function compareDates(a: string, b: string): number {
  return Math.sign(toDayNumber(a) - toDayNumber(b));
}

/** Calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return toDayNumber(to) - toDayNumber(from);
}

/** The civil date in Asia/Shanghai at the instant `now` — what "today" means for every as-of date. */
export function todayInShanghai(now: Date = new Date()): string {
  if (Number.isNaN(now.getTime())) {
    throw new InvalidValueError('INVALID_INSTANT', now, 'todayInShanghai: not a valid instant');
  }
  return new Date(now.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}
