import type { CheckContext, CheckRelation } from './check-context';

/**
 * The annual statistics report each agency owes for each year (DOMAIN.md §4.7): submitted to the justice bureau
 * by 15 January and published by 31 January of the next year (profile month-days). The report year is the
 * period it belongs to, so a period counts the years it covers whole (a quarter none, a year its own). A report
 * neither done by T nor past both deadlines is not yet due; a missing one past them is overdue.
 */
function annualReportChecksSql(ctx: CheckContext): string {
  const { params, profile } = ctx;
  const t = ctx.asOf;
  const dayOfNextYear = (monthDay: string) =>
    `make_date(y.year + 1, ${params.bind(Number(monthDay.slice(0, 2)), 'int')}, ${params.bind(Number(monthDay.slice(3, 5)), 'int')})`;
  return `-- grain: one row per scoped agency per period per report year the period covers whole; status as of T
    select a.agency_uscc, a.region_code, p.id as period_id, y.year, o.submit_by, o.publish_by,
      r.submitted_on, r.published_on,
      case when r.submitted_on <= ${t} and r.published_on <= ${t}
             then case when r.submitted_on <= o.submit_by and r.published_on <= o.publish_by then 'ON_TIME' else 'LATE' end
           when o.submit_by < ${t} and o.publish_by < ${t} then 'OVERDUE'
           else 'NOT_DUE' end as report_status
    from scoped_agencies a
    cross join periods p
    cross join lateral generate_series(extract(year from p.from_on)::int, extract(year from p.to_on)::int) as y(year)
    cross join lateral (select ${dayOfNextYear(profile.annualReport.submitBy)} as submit_by,
      ${dayOfNextYear(profile.annualReport.publishBy)} as publish_by) o
    left join annual_reports r on r.region_code = a.region_code and r.agency_uscc = a.agency_uscc and r.year = y.year
    where make_date(y.year, 1, 1) >= p.from_on and make_date(y.year, 12, 31) <= p.to_on`;
}

export const annualReportChecks: CheckRelation = {
  name: 'annual_report_checks',
  grain: 'one row per agency per period per report year',
  dates: [],
  byActionType: false,
  // the report year: one report per agency and year
  record: { key: 'r.year::text', caseId: null, noun: '份统计年报' },
  columns: ['report_status'],
  ctes: (ctx) => [{ name: 'annual_report_checks', sql: annualReportChecksSql(ctx) }],
};
