import type { PolicyProfile } from '../../domain/profile/policy-profile';
import { actionTypeConditionSql } from '../scope/scope';
import type { SqlParameters } from '../sql/sql-parameters';
import type { CheckContext, CheckRelation } from './check-context';

/**
 * The checks of a whole-process record (DOMAIN.md §4.4): the recording its activity or stage requires (the
 * stricter level of the profile wins) and whether its method satisfies it; whether it reached the platform
 * within the profile's hours of being made (instants compared, no calendar).
 */

function requirementSql(profile: PolicyProfile, params: SqlParameters, want: 'level' | 'satisfied'): string {
  const levels = ['fullAudioVideo', 'audioVideo'] as const;
  const arms = levels.map((level) => {
    const requirement = profile.recording[level];
    const applies = `r.activity = any(${params.bind(requirement.activities, 'text[]')}) or r.stage = any(${params.bind(requirement.stages, 'text[]')})`;
    const then = want === 'level' ? params.bind(level, 'text') : `r.method = any(${params.bind(requirement.satisfiedBy, 'text[]')})`;
    return `when ${applies} then ${then}`;
  });
  return `(case ${arms.join(' ')} end)`;
}

function recordingFactsSql(ctx: CheckContext): string {
  const { params, profile } = ctx;
  const recordedOn = `(r.recorded_at at time zone 'Asia/Shanghai')::date`;
  const window = ctx.window
    ? `and r.recorded_at >= ${ctx.window.from}::timestamp at time zone 'Asia/Shanghai'
       and r.recorded_at < (${ctx.window.to} + 1)::timestamp at time zone 'Asia/Shanghai'`
    : '';
  return `-- grain: one row per recording of a case of a scoped agency; facts that hold whatever the as-of date
    select r.region_code, r.agency_uscc, r.record_id, r.case_id, c.action_type,
      ${recordedOn} as recorded_on,
      ${requirementSql(profile, params, 'level')} as required_recording,
      ${requirementSql(profile, params, 'satisfied')} as recording_satisfies,
      r.recorded_at + ${params.bind(profile.deadlines.upload.hours, 'float8')} * interval '1 hour' as upload_deadline,
      r.uploaded_at
    from recordings r
    join scoped_agencies a on a.agency_uscc = r.agency_uscc and a.region_code = r.region_code
    join cases c on c.region_code = r.region_code and c.agency_uscc = r.agency_uscc and c.case_id = r.case_id
    where ${actionTypeConditionSql(ctx.scope, params, 'c')} ${window}`;
}

function recordingChecksSql(ctx: CheckContext): string {
  const t = ctx.asOf;
  const shanghaiDate = (instant: string) => `(${instant} at time zone 'Asia/Shanghai')::date`;
  return `-- grain: one row per recording; statuses as of T
    select f.*,
      f.recorded_on <= ${t} as recorded,
      case when f.recorded_on <= ${t} and f.required_recording is not null then f.recording_satisfies end as recording_compliant,
      case when f.recorded_on > ${t} then null
           when ${shanghaiDate('f.uploaded_at')} <= ${t} then case when f.uploaded_at <= f.upload_deadline then 'ON_TIME' else 'LATE' end
           when ${shanghaiDate('f.upload_deadline')} < ${t} then 'OVERDUE'
           else 'NOT_DUE' end as upload_status
    from recording_facts f`;
}

export const recordingChecks: CheckRelation = {
  name: 'recording_checks',
  grain: 'one row per recording',
  dates: ['recorded_on'],
  byActionType: true,
  record: { key: 'r.record_id', caseId: 'r.case_id', noun: '条记录' },
  columns: ['recorded', 'required_recording', 'recording_compliant', 'upload_status'],
  ctes: (ctx) => [{ name: 'recording_facts', sql: recordingFactsSql(ctx), materialized: true }, { name: 'recording_checks', sql: recordingChecksSql(ctx) }],
};
