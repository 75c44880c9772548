/**
 * Date arithmetic the generator needs, on the hub's civil dates ('YYYY-MM-DD', Asia/Shanghai) and its
 * working-day calendar: the real 2024–2026 holidays and make-up days decide when agencies work.
 */
import { addCalendarDays, fromDayNumber, toDayNumber } from '../../src/domain/calendar/civil-date';
import { loadCalendarOverrides, WorkingDayCalendar, type DeadlineDate } from '../../src/domain/calendar/working-day-calendar';
import type { Random } from './random';

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const MS_PER_DAY = 86_400_000;

// The generator does date arithmetic a few dozen times a case, on a few thousand distinct days: each day's
// number and text are computed once (by the hub's own civil-date functions, which also check the date) and
// looked up after that. Both caches are bounded by the number of days the province spans.
function memoized<K, V>(compute: (key: K) => V): (key: K) => V {
  const cache = new Map<K, V>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) {
      value = compute(key);
      cache.set(key, value);
    }
    return value;
  };
}

/** Days since 1970-01-01 of a civil date (which must be a real one). */
export const dayNumberOf: (date: string) => number = memoized(toDayNumber);

/** The civil date of a day number. */
export const dayText: (day: number) => string = memoized(fromDayNumber);

/** The hub's addCalendarDays, through the caches. */
export function addDays(date: string, days: number): string {
  return Number.isInteger(days) ? dayText(dayNumberOf(date) + days) : addCalendarDays(date, days);
}

/** The instant of a wall-clock time on a civil date in Asia/Shanghai. */
export function instantAt(date: string, hours: number, minutes: number, seconds: number): Date {
  const [y, m, d] = [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))];
  return new Date(Date.UTC(y, m - 1, d, hours, minutes, seconds) - SHANGHAI_OFFSET_MS);
}

/** The Asia/Shanghai civil date of an instant. */
export function dateOf(instant: Date): string {
  return dayText(Math.floor((instant.getTime() + SHANGHAI_OFFSET_MS) / MS_PER_DAY));
}

export function maxDate(...dates: (string | null | undefined)[]): string {
  let best = '';
  for (const date of dates) if (date && date > best) best = date;
  return best;
}

/** 'YYYY-MM' months from `from` to `to` inclusive. */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  let y = Number(from.slice(0, 4));
  let m = Number(from.slice(5, 7));
  const end = to.slice(0, 7);
  for (;;) {
    const month = `${y}-${String(m).padStart(2, '0')}`;
    if (month > end) return months;
    months.push(month);
    if (++m > 12) {
      m = 1;
      y++;
    }
  }
}

export function daysInMonth(month: string): number {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** '2025Q1' */
export function quarterOf(date: string): string {
  return `${date.slice(0, 4)}Q${Math.floor((Number(date.slice(5, 7)) - 1) / 3) + 1}`;
}

export function quarterBounds(quarter: string): { from: string; to: string } {
  const year = quarter.slice(0, 4);
  const q = Number(quarter.slice(5));
  const startMonth = String((q - 1) * 3 + 1).padStart(2, '0');
  const endMonth = `${year}-${String(q * 3).padStart(2, '0')}`;
  return { from: `${year}-${startMonth}-01`, to: `${endMonth}-${String(daysInMonth(endMonth)).padStart(2, '0')}` };
}

/** Days around the first one asked about whose answers the calendar below keeps, per region code. */
const REMEMBERED_DAYS = 2048;

/** One region code's remembered answers, by day number from `base`: 0 not asked yet. */
interface RegionDays {
  /** 1 working, 2 not */
  working: Int8Array;
  /** days to the next working day (addWorkingDays(day, 1)) */
  toNext: Int16Array;
}

/**
 * The hub's working-day calendar (policy/calendars/), remembering its answers. The generator and its answer
 * key ask it about the same few thousand days again and again, and each question costs far more than a
 * lookup. Every answer is the calendar's own: "the n-th working day after d" is the next working day taken n
 * times (which is what the calendar's counting means), and it is provisional exactly when it lies past the
 * horizon. Days outside the remembered span go to the calendar every time.
 */
export class RememberingCalendar extends WorkingDayCalendar {
  private base: number | null = null;
  private readonly regions = new Map<string, RegionDays>();

  static load(): RememberingCalendar {
    return new RememberingCalendar(loadCalendarOverrides());
  }

  /** The region's remembered answers and the day's index in them, or null when the day is outside the span. */
  private slot(day: number, regionCode: string | undefined): { days: RegionDays; index: number } | null {
    this.base ??= day - REMEMBERED_DAYS / 4;
    const index = day - this.base;
    if (index < 0 || index >= REMEMBERED_DAYS) return null;
    const key = regionCode ?? '';
    let days = this.regions.get(key);
    if (!days) this.regions.set(key, (days = { working: new Int8Array(REMEMBERED_DAYS), toNext: new Int16Array(REMEMBERED_DAYS) }));
    return { days, index };
  }

  private nextWorkingDay(day: number, regionCode: string | undefined): number {
    const slot = this.slot(day, regionCode);
    if (slot && slot.days.toNext[slot.index] !== 0) return day + slot.days.toNext[slot.index]!;
    const next = dayNumberOf(super.addWorkingDays(dayText(day), 1, regionCode).date);
    if (slot) slot.days.toNext[slot.index] = next - day;
    return next;
  }

  override addWorkingDays(date: string, n: number, regionCode?: string): DeadlineDate {
    if (!Number.isInteger(n) || n < 1) return super.addWorkingDays(date, n, regionCode);
    let day = dayNumberOf(date);
    for (let i = 0; i < n; i++) day = this.nextWorkingDay(day, regionCode);
    const text = dayText(day);
    return { date: text, provisional: text > this.horizon.to };
  }

  override isWorkingDay(date: string, regionCode?: string): boolean {
    const slot = this.slot(dayNumberOf(date), regionCode);
    if (slot && slot.days.working[slot.index] !== 0) return slot.days.working[slot.index] === 1;
    const working = super.isWorkingDay(date, regionCode);
    if (slot) slot.days.working[slot.index] = working ? 1 : 2;
    return working;
  }
}

/** Working-day helpers bound to one region's calendar. */
export class WorkDays {
  constructor(private readonly calendar: WorkingDayCalendar, private readonly regionCode: string) {}

  isWorking(date: string): boolean {
    return this.calendar.isWorkingDay(date, this.regionCode);
  }

  /** the n-th working day after `date` (n ≥ 1), or `date` itself for n = 0 */
  add(date: string, n: number): string {
    return n <= 0 ? date : this.calendar.addWorkingDays(date, n, this.regionCode).date;
  }

  /** `date` when it is a working day, else the next one */
  onOrAfter(date: string): string {
    return this.isWorking(date) ? date : this.add(date, 1);
  }

  /**
   * A day of `month` on which an agency acts: a working day (holidays and weekends skipped, make-up
   * Saturdays included), except with probability `offDayShare` any day of the month.
   */
  dayIn(month: string, rng: Random, offDayShare: number): string {
    const days = daysInMonth(month);
    const any = (): string => `${month}-${String(rng.int(1, days)).padStart(2, '0')}`;
    if (rng.chance(offDayShare)) return any();
    for (let tries = 0; tries < 40; tries++) {
      const day = any();
      if (this.isWorking(day)) return day;
    }
    return any();
  }
}
