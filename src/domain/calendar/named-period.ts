import { InvalidValueError } from '../errors';
import { addCalendarDays, assertCivilDate } from './civil-date';

/**
 * The periods supervisors name (DOMAIN.md §4: month, quarter, half-year, year) as inclusive date ranges:
 * '2025' → 2025-01-01 – 2025-12-31, '2025H2', '2025Q1', '2025-03'; and 'from..to' for any range.
 */
export interface DateRange { from: string; to: string }

export function parseNamedPeriod(text: string): DateRange {
  const value = text.trim();
  const range = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(value);
  if (range) {
    assertCivilDate(range[1], 'period.from');
    assertCivilDate(range[2], 'period.to');
    if (range[1]! > range[2]!) throw new InvalidValueError('PERIOD_REVERSED', value, `期间 ${value}：起始日期晚于结束日期`);
    return { from: range[1]!, to: range[2]! };
  }
  const match = /^(\d{4})(?:(Q[1-4])|(H[12])|-(0[1-9]|1[0-2]))?$/.exec(value);
  if (!match) {
    throw new InvalidValueError('BAD_PERIOD', value,
      `无法识别的期间 ${JSON.stringify(text)}：应为 2025（年）、2025H1（半年）、2025Q1（季度）、2025-03（月）或 2025-01-01..2025-06-30`);
  }
  const year = match[1]!;
  const [firstMonth, months] = match[2] ? [(Number(match[2][1]) - 1) * 3 + 1, 3]
    : match[3] ? [match[3] === 'H1' ? 1 : 7, 6]
      : match[4] ? [Number(match[4]), 1] : [1, 12];
  const from = `${year}-${String(firstMonth).padStart(2, '0')}-01`;
  const next = firstMonth + months;
  const nextStart = next > 12 ? `${Number(year) + 1}-01-01` : `${year}-${String(next).padStart(2, '0')}-01`;
  return { from, to: addCalendarDays(nextStart, -1) };
}
