import { kindOf, labelOf, periodOf, previousOf, trendOf } from '../../dashboards/web/src/periods';

/** The periods the dashboards' picker names, and the ranges its panels ask for. */
describe('dashboard periods', () => {
  test('year, quarter, month and range', () => {
    expect(periodOf('2025')).toEqual({ from: '2025-01-01', to: '2025-12-31' });
    expect(periodOf('2024Q1')).toEqual({ from: '2024-01-01', to: '2024-03-31' });
    expect(periodOf('2024-02')).toEqual({ from: '2024-02-01', to: '2024-02-29' });
    expect(periodOf('2025-02')).toEqual({ from: '2025-02-01', to: '2025-02-28' });
    expect(periodOf('2025-06-30..2025-01-01')).toEqual({ from: '2025-01-01', to: '2025-06-30' });
    expect(kindOf('2025Q5')).toBeNull();
    expect(() => periodOf('2025-13')).toThrow(/无法识别/);
    expect(labelOf('2025Q3')).toBe('2025 年第 3 季度');
  });

  test('the previous period crosses year boundaries; a range steps back by its own length', () => {
    expect(previousOf('2025Q1')).toEqual({ from: '2024-10-01', to: '2024-12-31' });
    expect(previousOf('2025-01')).toEqual({ from: '2024-12-01', to: '2024-12-31' });
    expect(previousOf('2025')).toEqual({ from: '2024-01-01', to: '2024-12-31' });
    expect(previousOf('2025-03-01..2025-03-10')).toEqual({ from: '2025-02-19', to: '2025-02-28' });
  });

  test('the trend is twelve whole months ending with the period, not after the as-of date', () => {
    expect(trendOf('2025', '2026-11-24')).toEqual({ from: '2025-01-01', to: '2025-12-31' });
    expect(trendOf('2026', '2026-11-24')).toEqual({ from: '2025-12-01', to: '2026-11-30' });
    expect(trendOf('2025-12', '2026-11-24')).toEqual({ from: '2025-01-01', to: '2025-12-31' });
  });
});
