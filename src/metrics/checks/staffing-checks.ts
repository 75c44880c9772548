import type { PolicyProfile } from '../../domain/profile/policy-profile';
import type { SqlParameters } from '../sql/sql-parameters';
import { certificateInForceSql, certificateValidSql } from './certificate-sql';
import type { CheckContext, CheckRelation } from './check-context';

/**
 * Snapshots of an agency's people as of a period's end, or T if earlier (DOMAIN.md §4.2 staffing, §4.5
 * certificate holding). The register has no joining dates: everyone on it counts, each certificate in the state
 * in force on that day.
 */

const snapshotDay = (ctx: CheckContext) => `least(p.to_on, ${ctx.asOf})`;

function officerSnapshotsSql(ctx: CheckContext): string {
  const day = snapshotDay(ctx);
  return `-- grain: one row per officer (role OFFICER) of a scoped agency per period, as of the period's end or T
    select person.region_code, person.agency_uscc, person.person_id, p.id as period_id, ${day} as snapshot_on,
      ${certificateValidSql('cert', day)} as certificate_valid
    from scoped_agencies a
    join personnel person on person.region_code = a.region_code and person.agency_uscc = a.agency_uscc
    cross join periods p
    left join lateral (${certificateInForceSql('person', day)}) cert on true
    where person.role = 'OFFICER'`;
}

/** max(minimum, percent × certified officers), rounded as the profile says ("不少于" rounds up). */
function requiredReviewersSql(profile: PolicyProfile, params: SqlParameters, certifiedSql: string): string {
  const { minimumReviewers, percentOfCertifiedOfficers, rounding } = profile.legalReview.staffing;
  const round = { up: 'ceil', down: 'floor', nearest: 'round' }[rounding];
  return `greatest(${params.bind(minimumReviewers, 'int')},
      ${round}(${certifiedSql} * ${params.bind(percentOfCertifiedOfficers, 'numeric')} / 100)::int)`;
}

function agencyStaffingSql(ctx: CheckContext): string {
  const { params, profile } = ctx;
  return `-- grain: one row per scoped agency per period, as of the period's end or T
    select a.agency_uscc, a.region_code, p.id as period_id,
      coalesce(reviewers.n, 0) as legal_reviewers, coalesce(officers.certified, 0) as certified_officers,
      coalesce(reviewers.n, 0) >= ${requiredReviewersSql(profile, params, 'coalesce(officers.certified, 0)')} as reviewers_sufficient
    from scoped_agencies a
    cross join periods p
    left join (
      select r.region_code, r.agency_uscc, count(*) as n from personnel r
      where r.role = 'LEGAL_REVIEWER' group by r.region_code, r.agency_uscc
    ) reviewers on reviewers.region_code = a.region_code and reviewers.agency_uscc = a.agency_uscc
    left join (
      select o.region_code, o.agency_uscc, o.period_id, count(*) filter (where o.certificate_valid) as certified
      from officer_snapshots o group by o.region_code, o.agency_uscc, o.period_id
    ) officers on officers.region_code = a.region_code and officers.agency_uscc = a.agency_uscc and officers.period_id = p.id`;
}

export const officerSnapshots: CheckRelation = {
  name: 'officer_snapshots',
  grain: 'one row per officer per period',
  dates: [],
  byActionType: false,
  record: { key: 'r.person_id', caseId: null, noun: '名执法人员' },
  columns: ['certificate_valid'],
  ctes: (ctx) => [{ name: 'officer_snapshots', sql: officerSnapshotsSql(ctx) }],
};

export const agencyStaffing: CheckRelation = {
  name: 'agency_staffing',
  grain: 'one row per agency per period',
  dates: [],
  byActionType: false,
  // the agency itself: one row per agency and period
  record: { key: 'r.agency_uscc', caseId: null, noun: '个执法主体' },
  columns: ['reviewers_sufficient'],
  requires: [officerSnapshots],
  ctes: (ctx) => [{ name: 'agency_staffing', sql: agencyStaffingSql(ctx) }],
};
