import { monthEnd } from '../../src/domain/calendar/civil-date';
import { splitPeriod } from '../../src/metrics/rollups/rollup-reader';

describe('a period cut into whole months and the days around them', () => {
  test.each([
    // a year, a quarter, a month: whole months only
    [{ from: '2025-01-01', to: '2025-12-31' }, { months: { from: '2025-01-01', to: '2025-12-01' }, days: [] }],
    [{ from: '2025-04-01', to: '2025-06-30' }, { months: { from: '2025-04-01', to: '2025-06-01' }, days: [] }],
    [{ from: '2024-02-01', to: '2024-02-29' }, { months: { from: '2024-02-01', to: '2024-02-01' }, days: [] }],
    // days, whole months, days
    [{ from: '2025-02-10', to: '2025-07-20' }, { months: { from: '2025-03-01', to: '2025-06-01' }, days: [{ from: '2025-02-10', to: '2025-02-28' }, { from: '2025-07-01', to: '2025-07-20' }] }],
    // inside one month, and across a month's end without a whole month
    [{ from: '2025-03-05', to: '2025-03-25' }, { months: null, days: [{ from: '2025-03-05', to: '2025-03-25' }] }],
    [{ from: '2025-03-15', to: '2025-04-10' }, { months: null, days: [{ from: '2025-03-15', to: '2025-04-10' }] }],
    // a whole month, then days; across a year's end
    [{ from: '2025-04-01', to: '2025-05-17' }, { months: { from: '2025-04-01', to: '2025-04-01' }, days: [{ from: '2025-05-01', to: '2025-05-17' }] }],
    [{ from: '2024-12-20', to: '2025-01-31' }, { months: { from: '2025-01-01', to: '2025-01-01' }, days: [{ from: '2024-12-20', to: '2024-12-31' }] }],
  ])('%j', (period, expected) => {
    expect(splitPeriod(period)).toEqual(expected);
  });

  test('month ends, leap years included', () => {
    expect(['2024-02-10', '2025-02-01', '2025-12-31', '2025-04-30'].map(monthEnd)).toEqual(['2024-02-29', '2025-02-28', '2025-12-31', '2025-04-30']);
  });
});
