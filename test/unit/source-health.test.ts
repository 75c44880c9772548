import { DEFAULT_LATE_AFTER_HOURS, sourceHealth, type SourceRunState } from '../../src/etl-status/source-health';

/** The health rule of a source (src/etl-status/source-health.ts), on instants given in UTC. */
const at = (iso: string) => new Date(iso);
const nightly: SourceRunState = { schedule: '0 2 * * *', lateAfterHours: 2, lastRunStatus: 'SUCCEEDED', lastSucceededAt: null };

describe('source health', () => {
  test('a source without runs has never run, whatever its schedule', () => {
    expect(sourceHealth({ ...nightly, lastRunStatus: null }, at('2026-11-28T12:00:00Z'))).toBe('NEVER_RUN');
  });

  test('a source whose last run failed is failing, even when an earlier run succeeded just now', () => {
    expect(sourceHealth({ ...nightly, lastRunStatus: 'FAILED', lastSucceededAt: at('2026-11-28T11:59:00Z') }, at('2026-11-28T12:00:00Z'))).toBe('FAILING');
  });

  test('the schedule is read in Asia/Shanghai: 02:00 there is 18:00 UTC the day before', () => {
    // 04:30 CST on 29 November; the 02:00 CST run is due, and its two hours' grace over at 04:00
    const now = at('2026-11-28T20:30:00Z');
    expect(sourceHealth({ ...nightly, lastSucceededAt: at('2026-11-28T18:10:00Z') }, now)).toBe('OK');
    expect(sourceHealth({ ...nightly, lastSucceededAt: at('2026-11-28T17:50:00Z') }, now)).toBe('LATE');
  });

  test('a scheduled time is late only once its grace is over, and the grace is the source\'s own', () => {
    // 03:30 CST: the 02:00 run has half an hour of its two hours left
    const now = at('2026-11-28T19:30:00Z');
    const ranYesterday = { ...nightly, lastSucceededAt: at('2026-11-27T18:05:00Z') };
    expect(sourceHealth(ranYesterday, now)).toBe('OK');
    expect(sourceHealth({ ...ranYesterday, lateAfterHours: 1 }, now)).toBe('LATE');
    expect(sourceHealth({ ...ranYesterday, lateAfterHours: DEFAULT_LATE_AFTER_HOURS }, now)).toBe('OK');
  });

  test('a source pulled only when asked is never late; one running now is judged by its last success', () => {
    expect(sourceHealth({ ...nightly, schedule: null, lastSucceededAt: at('2025-01-01T00:00:00Z') }, at('2026-11-28T12:00:00Z'))).toBe('OK');
    expect(sourceHealth({ ...nightly, lastRunStatus: 'RUNNING', lastSucceededAt: at('2026-11-20T18:05:00Z') }, at('2026-11-28T12:00:00Z'))).toBe('LATE');
    expect(sourceHealth({ ...nightly, lastRunStatus: 'RUNNING', lastSucceededAt: null }, at('2026-11-28T12:00:00Z'))).toBe('LATE');
  });
});
