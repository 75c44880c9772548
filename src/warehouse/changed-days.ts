/**
 * The change log behind incremental rollup refreshes: which agency × days a write touches. A day here is a date
 * by which DOMAIN.md §4 puts a record in a period — a case's decision and closing dates, its appeals' concluded
 * dates (which also date withdrawals), its recordings' days, its evaluations' dates, a letter's due date — so a
 * refresh that recomputes exactly these days of these agencies gives what a full refresh gives.
 *
 * Whatever hangs on a case can move any of the case's figures (a publication its timeliness, an appeal its
 * withdrawal, a review its coverage), so a touched case notes every day of its case tree. The writer notes the
 * days twice, before and after its write, so that a date the write moves leaves both its old and its new day
 * marked. A certificate change notes every decision day of the agency (certified handling is judged on the
 * decision date) and today (its people-based figures). Agencies and annual reports date nothing a rollup holds.
 */
export type ChangedDaysKind = 'case-tree' | 'letter' | 'agency-decisions' | 'none';

/** Which days a write to `table` touches. */
export function changedDaysKindOf(table: string): ChangedDaysKind {
  switch (table) {
    case 'cases': case 'publications': case 'legal_reviews': case 'appeals': case 'recordings': case 'evaluations':
      return 'case-tree';
    case 'supervision_letters':
      return 'letter';
    case 'personnel':
      return 'agency-decisions';
    default:
      return 'none';
  }
}

/**
 * An `insert into changed_days` for the days the written rows touch, as the warehouse holds them when it runs;
 * null: none. `written` is a from-clause (with its joins and conditions) that exposes the written rows of the
 * table as alias `t`. The notes go in key order: two loads noting the same days (two sources delivering the same
 * agency's cases) then meet on them in the same order, and one waits for the other instead of both deadlocking,
 * each waiting on a note the other has not committed.
 */
export function noteChangedDaysSql(kind: ChangedDaysKind, written: string): string | null {
  const insert = 'insert into changed_days (region_code, agency_uscc, day)';
  const keys = (columns: string) => `(select distinct t.region_code, t.agency_uscc${columns ? `, ${columns}` : ''} from ${written})`;
  switch (kind) {
    case 'case-tree': {
      const sameCase = (alias: string) =>
        `${alias}.region_code = k.region_code and ${alias}.agency_uscc = k.agency_uscc and ${alias}.case_id = k.case_id`;
      return `${insert}
        select distinct k.region_code, k.agency_uscc, d.day
        from ${keys('t.case_id')} k
        cross join lateral (
          select c.decided_on as day from cases c where ${sameCase('c')}
          union all select c.closed_on from cases c where ${sameCase('c')}
          union all select ap.concluded_on from appeals ap where ${sameCase('ap')}
          union all select (r.recorded_at at time zone 'Asia/Shanghai')::date from recordings r where ${sameCase('r')}
          union all select e.evaluated_on from evaluations e where ${sameCase('e')}
        ) d
        where d.day is not null
        order by 1, 2, 3
        on conflict do nothing`;
    }
    case 'letter':
      return `${insert}
        select distinct l.region_code, l.agency_uscc, l.due_on
        from ${keys('t.letter_no')} k
        join supervision_letters l on l.region_code = k.region_code and l.agency_uscc = k.agency_uscc and l.letter_no = k.letter_no
        where l.due_on is not null
        order by 1, 2, 3
        on conflict do nothing`;
    case 'agency-decisions':
      // today too: an agency without decisions still has its people-based figures to refresh
      return `${insert}
        select distinct c.region_code, c.agency_uscc, c.decided_on
        from ${keys('')} k
        join cases c on c.region_code = k.region_code and c.agency_uscc = k.agency_uscc
        where c.decided_on is not null
        union select k.region_code, k.agency_uscc, current_date from ${keys('')} k
        order by 1, 2, 3
        on conflict do nothing`;
    case 'none':
      return null;
  }
}
