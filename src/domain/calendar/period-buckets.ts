import { InvalidValueError } from '../errors';
import { assertCivilDate, compareDates } from './civil-date';

export type Granularity = 'MONTH' | 'QUARTER' | 'YEAR';
export interface PeriodBucket { label: string; from: string; to: string }

/** The most buckets one request may split a period into: three years of months (supervisors look back three years). */
export const MAX_BUCKETS = 36;

const pad = (n: number) => String(n).padStart(2, '0');
const lastDay = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * A period cut into calendar months, quarters or years, the first and last clipped to the period
 * ('2025-03', '2025Q1', '2025'): the time axis of indicator series and aggregates.
 */
export function periodBuckets(period: { from: string; to: string }, granularity: Granularity): PeriodBucket[] {
  assertCivilDate(period.from, 'period.from');
  assertCivilDate(period.to, 'period.to');
  const months = granularity === 'MONTH' ? 1 : granularity === 'QUARTER' ? 3 : 12;
  let year = Number(period.from.slice(0, 4));
  let month = Math.floor((Number(period.from.slice(5, 7)) - 1) / months) * months + 1;
  const buckets: PeriodBucket[] = [];
  while (true) {
    const endMonth = month + months - 1;
    const start = `${year}-${pad(month)}-01`;
    if (compareDates(start, period.to) > 0) break;
    const end = `${year}-${pad(endMonth)}-${pad(lastDay(year, endMonth))}`;
    const label = granularity === 'MONTH' ? `${year}-${pad(month)}` : granularity === 'QUARTER' ? `${year}Q${(month + 2) / 3}` : `${year}`;
    buckets.push({
      label,
      from: compareDates(start, period.from) < 0 ? period.from : start,
      to: compareDates(end, period.to) > 0 ? period.to : end,
    });
    if (buckets.length > MAX_BUCKETS) {
      throw new InvalidValueError('TOO_MANY_BUCKETS', period, `期间 ${period.from}..${period.to} 按 ${granularity} 切分超过 ${MAX_BUCKETS} 段；请缩短期间或改用更粗的粒度`);
    }
    month += months;
    if (month > 12) { month -= 12; year += 1; }
  }
  return buckets;
}
