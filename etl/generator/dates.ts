/**
 * Date arithmetic the generator needs, on the hub's civil dates ('YYYY-MM-DD', Asia/Shanghai) and its
 * working-day calendar: the real 2024–2026 holidays and make-up days decide when agencies work.
 */
import { addCalendarDays } from '../../src/domain/calendar/civil-date';
import type { WorkingDayCalendar } from '../../src/domain/calendar/working-day-calendar';
import type { Random } from './random';

export { addCalendarDays as addDays };

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** The instant of a wall-clock time on a civil date in Asia/Shanghai. */
export function instantAt(date: string, hours: number, minutes: number, seconds: number): Date {
  const [y, m, d] = [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))];
  return new Date(Date.UTC(y, m - 1, d, hours, minutes, seconds) - SHANGHAI_OFFSET_MS);
}

/** The Asia/Shanghai civil date of an instant. */
export function dateOf(instant: Date): string {
  return new Date(instant.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
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
