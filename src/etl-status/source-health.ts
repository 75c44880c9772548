import { parseExpression } from 'cron-parser';
import type { Queryable } from '../metrics/sql/sql-parameters';

/**
 * How each source is doing, for the data-quality dashboard: its last run, when a run of it last succeeded, the
 * rows of it waiting in quarantine, and a health read off those:
 *
 * - NEVER_RUN: no run of it is recorded;
 * - FAILING: its last run failed;
 * - LATE: it has a schedule (cron, Asia/Shanghai, as pg-boss fires it) and a scheduled time more than its grace
 *   ago has passed since its last successful run — the grace being the source's `lateAfterHours` in the sources
 *   file (the operator's rule, read from the definition the hub keeps), DEFAULT_LATE_AFTER_HOURS when not given;
 * - OK: otherwise (a source without a schedule is pulled when asked, and is never late).
 *
 * Every figure is read through the caller's connection, so the API's viewer sees only the sources, runs and
 * quarantine rows its row-level security admits.
 */
export const SourceHealths = {
  codes: ['OK', 'LATE', 'FAILING', 'NEVER_RUN'],
  labels: { OK: '正常', LATE: '逾期未采集：计划时间已过宽限期仍无成功运行', FAILING: '最近一次运行失败', NEVER_RUN: '从未运行' },
} as const;
export type SourceHealth = (typeof SourceHealths.codes)[number];

/**
 * The grace when the sources file gives none: a pull of a large feed takes minutes, its retries back off 1, 2
 * and 4 minutes (src/jobs/etl-scheduler.ts), so two hours covers a slow run with its retries and still shows a
 * nightly pull that did not happen well before the working day starts.
 */
export const DEFAULT_LATE_AFTER_HOURS = 2;

export type EtlRunStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED';

export interface EtlRunRow {
  id: string; source: string; status: EtlRunStatus; startedAt: Date; finishedAt: Date | null;
  counts: Record<string, unknown>; error: string | null; trigger: string;
}

/** What a source's health is decided from. */
export interface SourceRunState {
  /** cron expression, Asia/Shanghai; null: pulled only when asked */
  schedule: string | null;
  lateAfterHours: number;
  lastRunStatus: EtlRunStatus | null;
  lastSucceededAt: Date | null;
}

/** The latest time the schedule fired at or before `instant`; null when it never would have. */
function lastScheduledAtOrBefore(schedule: string, instant: Date): Date | null {
  try {
    // prev() looks strictly before its start: a second later makes a time exactly at `instant` count
    return parseExpression(schedule, { currentDate: new Date(instant.getTime() + 1000), tz: 'Asia/Shanghai' }).prev().toDate();
  } catch {
    // a schedule the file's check lets through but that never fires (30 February) has no time to be late for
    return null;
  }
}

export function sourceHealth(state: SourceRunState, now: Date): SourceHealth {
  if (state.lastRunStatus === null) return 'NEVER_RUN';
  if (state.lastRunStatus === 'FAILED') return 'FAILING';
  if (state.schedule !== null) {
    const due = lastScheduledAtOrBefore(state.schedule, new Date(now.getTime() - state.lateAfterHours * 3_600_000));
    if (due !== null && (state.lastSucceededAt === null || state.lastSucceededAt < due)) return 'LATE';
  }
  return 'OK';
}

export interface SourceStatus {
  sourceId: string;
  lastRun: EtlRunRow | null;
  lastSucceededAt: Date | null;
  health: SourceHealth;
  /** rows of the source in quarantine, not released */
  quarantined: number;
}

interface StatusRow {
  id: string; schedule: string | null; late_after_hours: number | null;
  run_id: string | null; run_status: EtlRunStatus | null; run_started_at: Date | null; run_finished_at: Date | null;
  run_counts: Record<string, unknown> | null; run_error: string | null; run_trigger: string | null;
  last_succeeded_at: Date | null; quarantined: number;
}

/**
 * The status of each source named, in one statement whatever their number (a page of sources costs one query,
 * not one per source). A source the connection may not see, or that does not exist, is missing from the map.
 * Grain of the statement: one row per source.
 */
export async function readSourceStatuses(db: Queryable, sourceIds: readonly string[], now: Date): Promise<Map<string, SourceStatus>> {
  const { rows } = await db.query<StatusRow>(
    `-- grain: one row per source asked for (and seen)
     select s.id, s.schedule, (s.definition ->> 'lateAfterHours')::float8 as late_after_hours,
       last.id::text as run_id, last.status as run_status, last.started_at as run_started_at, last.finished_at as run_finished_at,
       last.counts as run_counts, last.error as run_error, last.trigger as run_trigger,
       (select max(r.finished_at) from etl_runs r where r.source = s.id and r.status = 'SUCCEEDED') as last_succeeded_at,
       (select count(*)::int from quarantine q where q.source = s.id and q.status = 'QUARANTINED') as quarantined
     from sources s
     left join lateral (
       select r.id, r.status, r.started_at, r.finished_at, r.counts, r.error, r.trigger from etl_runs r
       where r.source = s.id order by r.started_at desc, r.id desc limit 1
     ) last on true
     where s.id = any($1::text[])`, [sourceIds]);
  return new Map(rows.map((row) => {
    const lastRun: EtlRunRow | null = row.run_id === null ? null : {
      id: row.run_id, source: row.id, status: row.run_status!, startedAt: row.run_started_at!, finishedAt: row.run_finished_at,
      counts: row.run_counts ?? {}, error: row.run_error, trigger: row.run_trigger!,
    };
    const health = sourceHealth({
      schedule: row.schedule, lateAfterHours: row.late_after_hours ?? DEFAULT_LATE_AFTER_HOURS,
      lastRunStatus: lastRun?.status ?? null, lastSucceededAt: row.last_succeeded_at,
    }, now);
    return [row.id, { sourceId: row.id, lastRun, lastSucceededAt: row.last_succeeded_at, health, quarantined: row.quarantined }];
  }));
}
