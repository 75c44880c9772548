import type { PolicyProfile } from '../../domain/profile/policy-profile';
import { actionTypeConditionSql } from '../scope/scope';
import type { SqlParameters } from '../sql/sql-parameters';
import { deadlineProvisionalSql, nthWorkingDayAfterSql } from '../working-days/working-day-sql';
import { certificateInForceSql, certificateValidSql } from './certificate-sql';
import { inWindowSql, type CheckContext, type CheckRelation } from './check-context';

/**
 * The checks of a case (DOMAIN.md §4.1, 4.2, 4.4, 4.5): staging (the case with its publication, reviews and
 * appeals) → facts that hold whatever the as-of date (deadlines, exemption, why it is major, review violations,
 * certified handling) → statuses as of T. Every number comes from the policy profile, bound as a parameter.
 */

/** N of "N 个工作日内公示" by the case's action type (profile deadlines.publication.workingDays). */
function publicationWorkingDaysSql(profile: PolicyProfile, params: SqlParameters): string {
  const { default: fallback, ...byType } = profile.deadlines.publication.workingDays;
  const arms = Object.entries(byType).map(([type, days]) => `when ${params.bind(type, 'text')} then ${params.bind(days, 'int')}`);
  const otherwise = params.bind(fallback, 'int');
  return arms.length ? `(case c.action_type ${arms.join(' ')} else ${otherwise} end)` : otherwise;
}

/** APL art. 42: handlers a case needs, unless a profile exemption names its action type and procedure. */
function minimumHandlersSql(profile: PolicyProfile, params: SqlParameters): string {
  const arms = profile.handling.exemptions.map((e) =>
    `when c.action_type = ${params.bind(e.actionType, 'text')} and c.procedure = ${params.bind(e.procedure, 'text')} then ${params.bind(e.minimumHandlers, 'int')}`);
  const otherwise = params.bind(profile.handling.minimumHandlers, 'int');
  return arms.length ? `(case ${arms.join(' ')} else ${otherwise} end)` : otherwise;
}

/**
 * Why a case is major (DOMAIN.md §4.2), as reasons that hold whatever the as-of date: the source's flag, a
 * profile ground, a hearing, the fine threshold of the party's type (罚没金额, whatever the penalty kinds), a
 * listed penalty kind, a catalog action named by action type alone.
 */
function majorReasonsSql(profile: PolicyProfile, params: SqlParameters): string {
  const policy = profile.majorDecision;
  const thresholds = policy.fineThresholds.map((t) =>
    `(c.party_type = any(${params.bind(t.partyTypes, 'text[]')}) and c.amount >= ${params.bind(t.minAmountYuan, 'numeric')})`);
  const byTypeOnly = policy.actions.filter((action) => action.recordingActivities === undefined).map((action) =>
    `case when c.action_type = any(${params.bind(action.actionTypes!, 'text[]')}) then 'CATALOG:' || ${params.bind(action.name, 'text')} end`);
  return `array_remove(array[
        case when c.is_major then 'SOURCE_FLAG' end,
        case when ${params.bind(policy.hearingHeld, 'boolean')} and c.hearing_held then 'HEARING' end,
        case when c.amount is not null and (${thresholds.length ? thresholds.join(' or ') : 'false'}) then 'FINE_THRESHOLD' end
        ${byTypeOnly.map((arm) => `, ${arm}`).join('')}
      ]::text[], null)
      || array(select 'GROUND:' || g.ground from unnest(c.major_grounds) as g(ground) where g.ground = any(${params.bind(policy.grounds, 'text[]')}))
      || array(select 'PENALTY_KIND:' || k.kind from unnest(c.penalty_kinds) as k(kind) where k.kind = any(${params.bind(policy.penaltyKinds, 'text[]')}))`;
}

/**
 * Catalog actions that ask for a recording of a listed activity (强制拆除) hold from the day of the first such
 * recording: one date per such action of the profile, in its order (null: none, or the action type does not match).
 */
function catalogActionsByRecording(profile: PolicyProfile) {
  return profile.majorDecision.actions.filter((action) => action.recordingActivities !== undefined);
}

function catalogSinceSql(profile: PolicyProfile, params: SqlParameters): string {
  const arms = catalogActionsByRecording(profile).map((action) => {
    const typeMatches = action.actionTypes ? `c.action_type = any(${params.bind(action.actionTypes, 'text[]')})` : 'true';
    return `case when ${typeMatches} then (select min((r.recorded_at at time zone 'Asia/Shanghai')::date) from recordings r
        where r.region_code = c.region_code and r.agency_uscc = c.agency_uscc and r.case_id = c.case_id
          and r.activity = any(${params.bind(action.recordingActivities, 'text[]')})) end`;
  });
  return `array[${arms.join(', ')}]::date[]`;
}

/**
 * DOMAIN.md §4.2 review violations of a decision, whether or not it turns out major: no round at all; no round
 * completed (with an opinion) on or before the decision date; else the last such round (highest number) must
 * approve, list at least one reviewer, every one a registered 法制审核人员 of the case's agency, none a handler.
 */
function reviewViolationsSql(profile: PolicyProfile, params: SqlParameters): string {
  return `case when c.decided_on is null then null
      when review_rounds.n = 0 then array['NO_REVIEW']
      when last_round.opinion is null then array['REVIEW_AFTER_DECISION']
      else array_remove(array[
        case when not (last_round.opinion = any(${params.bind(profile.legalReview.compliantOpinions, 'text[]')})) then 'DECIDED_WITHOUT_APPROVAL' end,
        case when last_round.reviewer_ids && c.handler_ids then 'REVIEWER_IS_HANDLER' end,
        case when cardinality(last_round.reviewer_ids) = 0 or exists (
            select 1 from unnest(last_round.reviewer_ids) as reviewer(person_id)
            where not exists (
              select 1 from personnel p
              where p.region_code = c.region_code and p.agency_uscc = c.agency_uscc
                and p.person_id = reviewer.person_id and p.role = 'LEGAL_REVIEWER'))
          then 'REVIEWER_NOT_REGISTERED' end
      ], null) end`;
}

/**
 * DOMAIN.md §4.5: enough handlers, each on the agency's register with a certificate valid on the decision date.
 * One keyed lookup per handler: a handler id not on the register is not certified.
 */
function certifiedHandlingSql(profile: PolicyProfile, params: SqlParameters): string {
  return `coalesce(c.decided_on is not null
      and cardinality(c.handler_ids) >= ${minimumHandlersSql(profile, params)}
      and not exists (
        select 1 from unnest(c.handler_ids) as handler(person_id)
        where not coalesce((
          select ${certificateValidSql('cert', 'c.decided_on')}
          from personnel p
          cross join lateral (${certificateInForceSql('p', 'c.decided_on')}) cert
          where p.region_code = c.region_code and p.agency_uscc = c.agency_uscc and p.person_id = handler.person_id), false)), false)`;
}

function caseFactsSql(ctx: CheckContext): string {
  const { params, profile } = ctx;
  const { exemptions } = profile.publication;
  const deadlines = profile.deadlines;
  const sameCase = (alias: string) =>
    `${alias}.region_code = c.region_code and ${alias}.agency_uscc = c.agency_uscc and ${alias}.case_id = c.case_id`;
  const window = ctx.window
    ? `and (${inWindowSql(ctx, 'c.decided_on')} or ${inWindowSql(ctx, 'c.closed_on')}
        or exists (select 1 from appeals ap where ${sameCase('ap')} and ${inWindowSql(ctx, 'ap.concluded_on')}))`
    : '';
  return `-- grain: one row per case of a scoped agency; facts that hold whatever the as-of date
    select c.region_code, c.agency_uscc, c.case_id, c.action_type, c.procedure, c.filed_on, c.decided_on,
      c.closed_on, c.archived_on,
      -- §4.1 publication: exempt by law with a reason (when the profile asks for one), or a 简易 penalty
      case when c.disclosure = 'EXEMPT'
             and (not ${params.bind(exemptions.undisclosedNeedsReason, 'boolean')} or coalesce(btrim(c.exempt_reason), '') <> '')
             then 'UNDISCLOSED'
           when ${params.bind(exemptions.summaryPenalties, 'boolean')} and c.action_type = 'PENALTY' and c.procedure = 'SUMMARY'
             then 'SUMMARY_PENALTY' end as publication_exemption,
      publication_deadline.day as publication_deadline,
      ${deadlineProvisionalSql('publication_deadline', 'c.decided_on')} as publication_deadline_provisional,
      pub.published_on, pub.withdrawn_on,
      -- §4.1 withdrawal (APL art. 48): the earliest outcome that obliges it, and its deadline
      withdrawal_trigger.outcome_on as withdrawal_outcome_on,
      withdrawal_deadline.day as withdrawal_deadline,
      case when withdrawal_trigger.outcome_on is not null
        then ${deadlineProvisionalSql('withdrawal_deadline', 'withdrawal_trigger.outcome_on')} end as withdrawal_deadline_provisional,
      -- §4.2 major, and the review it then needs
      ${majorReasonsSql(profile, params)} as major_reasons,
      ${catalogSinceSql(profile, params)} as major_catalog_since,
      ${reviewViolationsSql(profile, params)} as review_violations,
      -- §4.5 certified handling
      ${certifiedHandlingSql(profile, params)} as certified_handling,
      -- §4.4 APL art. 60: ordinary penalties decided within 90 calendar days of filing unless extended
      (c.procedure is not null and c.action_type = any(${params.bind(deadlines.decision.actionTypes, 'text[]')})
        and c.procedure = any(${params.bind(deadlines.decision.procedures, 'text[]')})) as decision_deadline_applies,
      c.filed_on + ${params.bind(deadlines.decision.calendarDays, 'int')} as decision_deadline,
      c.extended,
      -- §4.4 archive within 30 calendar days of closing
      c.closed_on + ${params.bind(deadlines.archive.calendarDays, 'int')} as archive_deadline
    from cases c
    join scoped_agencies a on a.agency_uscc = c.agency_uscc and a.region_code = c.region_code
    left join publications pub on ${sameCase('pub')}
    left join lateral (${nthWorkingDayAfterSql('a.calendar_variant', 'c.decided_on', publicationWorkingDaysSql(profile, params))}) publication_deadline on true
    left join lateral (
      select min(ap.concluded_on) as outcome_on from appeals ap
      where ${sameCase('ap')} and ap.outcome = any(${params.bind(profile.withdrawal.triggeringOutcomes, 'text[]')})
    ) withdrawal_trigger on true
    left join lateral (${nthWorkingDayAfterSql('a.calendar_variant', 'withdrawal_trigger.outcome_on', params.bind(deadlines.withdrawal.workingDays, 'int'))}) withdrawal_deadline on true
    cross join lateral (select count(*) as n from legal_reviews lr where ${sameCase('lr')}) review_rounds
    left join lateral (
      select lr.opinion, lr.reviewer_ids from legal_reviews lr
      where ${sameCase('lr')} and lr.opinion is not null and lr.completed_on <= c.decided_on
      order by lr.round desc limit 1
    ) last_round on true
    where ${actionTypeConditionSql(ctx.scope, params, 'c')} ${window}
      ${ctx.onlyCases ? `and (c.agency_uscc, c.case_id) in (select * from unnest(${ctx.onlyCases.agencyUsccs}, ${ctx.onlyCases.caseIds}))` : ''}
      ${ctx.onlyCases?.regions ? `and ${ctx.onlyCases.regions}` : ''}`;
}

/** Statuses as of T from the facts: DOMAIN.md §4 "events dated after T do not count; a deadline on or after T is not yet due". */
function caseChecksSql(ctx: CheckContext): string {
  const t = ctx.asOf;
  const names = ctx.params.bind(catalogActionsByRecording(ctx.profile).map((action) => action.name), 'text[]');
  return `-- grain: one row per case; statuses as of T
    select f.*,
      f.decided_on <= ${t} as decided,
      case when f.published_on <= ${t} then f.published_on end as published_on_as_of,
      case when f.decided_on is null or f.decided_on > ${t} then null
           when f.publication_exemption is not null then 'EXEMPT'
           when f.published_on <= ${t} then case when f.published_on <= f.publication_deadline then 'ON_TIME' else 'LATE' end
           when f.publication_deadline < ${t} then 'OVERDUE'
           else 'NOT_DUE' end as publication_status,
      case when f.published_on <= ${t} and f.withdrawal_outcome_on <= ${t} then
        case when f.withdrawn_on <= ${t}
          then case when f.withdrawn_on <= f.withdrawal_deadline then 'WITHDRAWN_ON_TIME' else 'WITHDRAWN_LATE' end
          else 'NOT_WITHDRAWN' end end as withdrawal_status,
      coalesce(f.published_on <= ${t} and f.withdrawal_outcome_on <= ${t}
        and (f.withdrawn_on <= ${t} or f.withdrawal_deadline < ${t}), false) as withdrawal_due,
      major.reasons as major_reasons_as_of,
      coalesce(f.decided_on <= ${t}, false) and cardinality(major.reasons) > 0 as review_required,
      case when f.decided_on <= ${t} and cardinality(major.reasons) > 0 then cardinality(f.review_violations) = 0 end as review_compliant,
      case when f.decided_on <= ${t} and cardinality(major.reasons) > 0 then f.review_violations else '{}' end as review_violations_as_of,
      case when f.decided_on <= ${t} and f.decision_deadline_applies
        then f.extended or coalesce(f.decided_on <= f.decision_deadline, false) end as decided_in_time,
      case when f.closed_on <= ${t} then
        case when f.archived_on <= ${t} then case when f.archived_on <= f.archive_deadline then 'ON_TIME' else 'LATE' end
             when f.archive_deadline < ${t} then 'OVERDUE'
             else 'NOT_DUE' end end as archive_status
    from case_facts f
    cross join lateral (
      select f.major_reasons || array(
        select 'CATALOG:' || a.name from unnest(${names}, f.major_catalog_since) as a(name, since) where a.since <= ${t}) as reasons
    ) major`;
}

export const caseChecks: CheckRelation = {
  name: 'case_checks',
  grain: 'one row per case',
  dates: ['decided_on', 'closed_on', 'withdrawal_outcome_on'],
  byActionType: true,
  record: { key: 'r.case_id', caseId: 'r.case_id', noun: '件案件' },
  columns: [
    'decided', 'publication_status', 'withdrawal_status', 'withdrawal_due', 'review_required', 'review_compliant',
    'certified_handling', 'decision_deadline_applies', 'decided_in_time', 'archive_status',
  ],
  ctes: (ctx) => [{ name: 'case_facts', sql: caseFactsSql(ctx), materialized: true }, { name: 'case_checks', sql: caseChecksSql(ctx) }],
};
