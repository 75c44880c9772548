import { assertCivilDate, isCivilDate } from '../../domain/calendar/civil-date';
import type { ActionType, LetterKind, Procedure, RecordingActivity, RecordingMethod, RecordingStage } from '../../domain/codes';
import { InvalidValueError } from '../../domain/errors';
import { minimumHandlersFor, type PolicyProfile, type RecordingRequirementLevel } from '../../domain/profile/policy-profile';
import type { ReviewViolation } from '../checks/case-check-rows';
import { certificateInForceSql, certificateValidSql } from '../checks/certificate-sql';
import type { CheckContext, CheckRelation } from '../checks/check-context';
import { checkRelations } from '../checks/check-relations';
import { conditionSql, relationsInOrder } from '../indicators/indicator-engine';
import { checkScope, scopedAgenciesCte, type Scope } from '../scope/scope';
import { ident, SqlParameters, withCtes, type Cte, type Queryable } from '../sql/sql-parameters';
import { violationKind, ViolationKinds, type ViolationKind, type ViolationKindDefinition } from './violation-kinds';

/**
 * Violation lists (DOMAIN.md §4: every number drills down to the records behind it): scoped agencies → the check
 * relations the indicators count → the failing records of each kind → one page in a fixed order. The lists are
 * read from the very steps the indicator engine counts, with the same as-of date and the same dating column, so
 * a list and its indicator cannot disagree. Grain of the answer: one row per violation (a case, a record or a
 * letter of one kind); a case failing several kinds is listed once under each.
 */

/** The most items one page may ask for: a page is read whole into memory and sorted in the database. */
export const MAX_VIOLATION_PAGE = 500;

export interface ViolationListRequest {
  scope: Scope;
  /** T: events dated after it have not happened (DOMAIN.md §4) */
  asOf: string;
  /** inclusive; an item is in it when its dating date is (the date its indicator counts it by). Absent: every item as of T */
  period?: { from: string; to: string };
  /** absent: every kind */
  kinds?: readonly ViolationKind[];
  /** the `nextCursor` of the previous page */
  after?: string | null;
  /** 1 … MAX_VIOLATION_PAGE */
  limit: number;
}

export interface Lateness {
  /** working days strictly after the deadline up to and including T (or the late publication's date); calendar days for letters */
  days: number;
  unit: 'WORKING_DAYS' | 'CALENDAR_DAYS';
  /** a day counted lies past the calendar's horizon, or the deadline itself is provisional (DOMAIN.md §3) */
  provisional: boolean;
}

export interface UncertifiedHandler {
  personId: string;
  /**
   * NOT_ON_REGISTER: no personnel record of the case's agency; CERTIFICATE_NOT_VALID: the certificate state in
   * force on the decision date (shown, or null when none was ever reported) fails DOMAIN.md §4.5.
   */
  reason: 'NOT_ON_REGISTER' | 'CERTIFICATE_NOT_VALID';
  certificate: {
    no: string | null; status: string | null; issuedOn: string | null; expiresOn: string | null;
    suspendedFrom: string | null; suspendedTo: string | null;
  } | null;
}

/** What each kind says beyond the common fields. */
export interface ViolationDetails {
  OVERDUE_PUBLICATION: { actionType: ActionType };
  LATE_PUBLICATION: { actionType: ActionType; publishedOn: string };
  WITHDRAWAL_NOT_DONE: { actionType: ActionType; publishedOn: string };
  REVIEW_VIOLATION: { actionType: ActionType; violations: ReviewViolation[]; majorReasons: string[] };
  UNCERTIFIED_HANDLING: {
    actionType: ActionType; procedure: Procedure | null;
    handlerCount: number; minimumHandlers: number;
    /** fewer handlers than APL art. 42 (or the profile's exemption) asks */
    tooFewHandlers: boolean;
    /** handlers without a certificate valid on the decision date, in the case's order */
    uncertifiedHandlers: UncertifiedHandler[];
  };
  MISSING_RECORDING: {
    actionType: ActionType; activity: RecordingActivity; stage: RecordingStage; method: RecordingMethod;
    required: RecordingRequirementLevel;
  };
  OVERDUE_RECTIFICATION: { letterKind: LetterKind; issuedOn: string };
}

interface ViolationItemBase {
  label: string;
  regionCode: string;
  agencyUscc: string;
  agencyName: string;
  /** the case it is about; null for a supervision letter */
  caseId: string | null;
  /** the supervision letter's number (OVERDUE_RECTIFICATION) */
  letterNo: string | null;
  /** the whole-process record (MISSING_RECORDING) */
  recordId: string | null;
  /** the date that puts it in a period, and which one it is (decided_on, withdrawal_outcome_on, recorded_on, due_on) */
  datedOn: string;
  datedBy: string;
  /** null: the kind has no deadline */
  deadline: string | null;
  deadlineProvisional: boolean | null;
  /** null: no deadline, or the calendar holds no row for a day it would count */
  lateness: Lateness | null;
}

export type ViolationItem = { [K in ViolationKind]: ViolationItemBase & { kind: K; detail: ViolationDetails[K] } }[ViolationKind];

export interface ViolationPage {
  items: ViolationItem[];
  /** items of the whole list (every page) */
  total: number;
  /** pass as `after` for the next page; null on the last */
  nextCursor: string | null;
}

// ---------------------------------------------------------------------------------------------------------
// The request
// ---------------------------------------------------------------------------------------------------------

/** Where a page starts: the sort key of the last item of the previous page. */
interface Key { kind: ViolationKind; datedOn: string; agencyUscc: string; itemKey: string }

function encodeCursor(key: Key): string {
  return Buffer.from(JSON.stringify([key.kind, key.datedOn, key.agencyUscc, key.itemKey]), 'utf8').toString('base64url');
}

function decodeCursor(after: string): Key {
  const refuse = (why: string) =>
    new InvalidValueError('INVALID_CURSOR', after, `after '${after}' is not a cursor this list gave (${why}); start again without one`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(after, 'base64url').toString('utf8'));
  } catch {
    throw refuse('not readable');
  }
  if (!Array.isArray(parsed) || parsed.length !== 4 || !parsed.every((part) => typeof part === 'string')) throw refuse('wrong shape');
  const [kind, datedOn, agencyUscc, itemKey] = parsed as string[];
  if (!(ViolationKinds as readonly string[]).includes(kind!)) throw refuse(`unknown kind ${kind}`);
  if (!isCivilDate(datedOn)) throw refuse(`date ${datedOn} is not a date`);
  return { kind: kind as ViolationKind, datedOn, agencyUscc: agencyUscc!, itemKey: itemKey! };
}

function checkRequest(request: ViolationListRequest): { kinds: ViolationKindDefinition[]; after: Key | null } {
  assertCivilDate(request.asOf, 'asOf');
  if (request.period) {
    assertCivilDate(request.period.from, 'period.from');
    assertCivilDate(request.period.to, 'period.to');
    if (request.period.from > request.period.to) {
      throw new InvalidValueError('PERIOD_REVERSED', request.period, `期间 ${request.period.from} – ${request.period.to}：起始日期晚于结束日期`);
    }
  }
  if (!Number.isInteger(request.limit) || request.limit < 1 || request.limit > MAX_VIOLATION_PAGE) {
    throw new InvalidValueError('LIMIT_OUT_OF_RANGE', request.limit,
      `limit ${request.limit} is out of range: a page holds 1 to ${MAX_VIOLATION_PAGE} items; page on with nextCursor`);
  }
  for (const kind of request.kinds ?? []) {
    if (!(ViolationKinds as readonly string[]).includes(kind)) {
      throw new InvalidValueError('UNKNOWN_CODE', kind, `kinds: 违法类型 ${kind} 不存在（${ViolationKinds.join(', ')}）`);
    }
  }
  if (request.kinds?.length === 0) throw new InvalidValueError('NO_KIND', request.kinds, 'kinds is empty: name at least one kind, or leave it out for every kind');
  const wanted = new Set<ViolationKind>(request.kinds ?? ViolationKinds);
  // in the order of ViolationKinds, which is the list's order
  const kinds = ViolationKinds.filter((kind) => wanted.has(kind)).map(violationKind);
  return { kinds, after: request.after ? decodeCursor(request.after) : null };
}

// ---------------------------------------------------------------------------------------------------------
// The statement
// ---------------------------------------------------------------------------------------------------------

/** SQL over a row `r` of the kind's relation: its deadline, the day lateness runs to, and what the kind adds. */
interface Projection { deadline: string; provisional: string; until: string; detail: string }

function projectionOf(kind: ViolationKind, t: string): Projection {
  const none = { deadline: 'null', provisional: 'null', until: 'null' };
  switch (kind) {
    case 'OVERDUE_PUBLICATION':
      return { deadline: 'r.publication_deadline', provisional: 'r.publication_deadline_provisional', until: t,
        detail: `jsonb_build_object('actionType', r.action_type)` };
    case 'LATE_PUBLICATION':
      return { deadline: 'r.publication_deadline', provisional: 'r.publication_deadline_provisional', until: 'r.published_on_as_of',
        detail: `jsonb_build_object('actionType', r.action_type, 'publishedOn', r.published_on_as_of)` };
    case 'WITHDRAWAL_NOT_DONE':
      return { deadline: 'r.withdrawal_deadline', provisional: 'r.withdrawal_deadline_provisional', until: t,
        detail: `jsonb_build_object('actionType', r.action_type, 'publishedOn', r.published_on_as_of)` };
    case 'REVIEW_VIOLATION':
      return { ...none,
        detail: `jsonb_build_object('actionType', r.action_type, 'violations', r.review_violations_as_of, 'majorReasons', r.major_reasons_as_of)` };
    case 'UNCERTIFIED_HANDLING':
      // handlers and certificates are read for the page's cases only (below)
      return { ...none, detail: `jsonb_build_object('actionType', r.action_type, 'procedure', r.procedure)` };
    case 'MISSING_RECORDING':
      // activity, stage and method are read for the page's records only (below)
      return { ...none, detail: `jsonb_build_object('actionType', r.action_type, 'required', r.required_recording)` };
    case 'OVERDUE_RECTIFICATION':
      return { deadline: 'r.due_on', provisional: 'false', until: t,
        detail: `jsonb_build_object('letterKind', r.kind, 'issuedOn', r.issued_on)` };
  }
}

/** `items` — grain: one row per violation of the kinds asked, in the scope and period, as of T; with its sort key. */
function itemsSql(kinds: readonly ViolationKindDefinition[], ctx: CheckContext): string {
  const { params } = ctx;
  const arms = kinds.map((kind) => {
    const relation = checkRelations[kind.relation];
    if (!relation.dates.includes(kind.date)) {
      throw new Error(`violation kind ${kind.kind} is dated by ${kind.date}, which is not a date of ${relation.name} (${relation.dates.join(', ')})`);
    }
    const date = `r.${ident(kind.date)}`;
    const unless = Object.keys(kind.unless).length ? `and (${conditionSql(kind.unless, relation, params)}) is not true` : '';
    const inPeriod = ctx.window ? `and ${date} between ${ctx.window.from} and ${ctx.window.to}` : '';
    const subject = {
      case: { key: 'r.case_id', caseId: 'r.case_id', letterNo: 'null', recordId: 'null' },
      recording: { key: 'r.record_id', caseId: 'r.case_id', letterNo: 'null', recordId: 'r.record_id' },
      letter: { key: 'r.letter_no', caseId: 'null', letterNo: 'r.letter_no', recordId: 'null' },
    }[kind.subject];
    const projection = projectionOf(kind.kind, ctx.asOf);
    return `select ${params.bind(ViolationKinds.indexOf(kind.kind), 'int')} as kind_rank, ${params.bind(kind.kind, 'text')} as kind,
        r.region_code, r.agency_uscc, ${subject.key}::text as item_key, ${date} as dated_on, ${params.bind(kind.date, 'text')} as dated_by,
        ${subject.caseId}::text as case_id, ${subject.letterNo}::text as letter_no, ${subject.recordId}::text as record_id,
        ${projection.deadline}::date as deadline, ${projection.provisional}::boolean as deadline_provisional,
        ${kind.lateness === null ? 'null' : params.bind(kind.lateness, 'text')}::text as lateness_unit, ${projection.until}::date as lateness_until,
        ${projection.detail} as detail
      from ${relation.name} r
      where (${conditionSql(kind.where, relation, params)}) ${unless} ${inPeriod}`;
  });
  return `-- grain: one row per violation; sort key (kind_rank, dated_on, agency_uscc, item_key)\n${arms.join('\n      union all\n      ')}`;
}

const ORDER = 'i.kind_rank, i.dated_on, i.agency_uscc collate "C", i.item_key collate "C"';

/**
 * `page_rows` — grain: one row per violation of the page, with what is read for the page alone: the agency's
 * name, lateness over the agency's working-day calendar, handlers and their certificates on the decision date,
 * the record's activity and method.
 */
function pageRowsSql(after: Key | null, limit: number, params: SqlParameters): string {
  const start = after
    ? `where (i.kind_rank, i.dated_on, i.agency_uscc collate "C", i.item_key collate "C") > (${params.bind(ViolationKinds.indexOf(after.kind), 'int')},
        ${params.bind(after.datedOn, 'date')}, ${params.bind(after.agencyUscc, 'text')} collate "C", ${params.bind(after.itemKey, 'text')} collate "C")`
    : '';
  const handlerCertificateValid = certificateValidSql('cert', 'c.decided_on');
  return `-- grain: one row per violation of the page
    select i.*, ag.name as agency_name,
      case i.lateness_unit
        when 'WORKING_DAYS' then working.days
        when 'CALENDAR_DAYS' then i.lateness_until - i.deadline end as lateness_days,
      coalesce(i.deadline_provisional, false) or coalesce(working.provisional, false) as lateness_provisional,
      handling.handler_count, handling.uncertified,
      rec.activity, rec.stage, rec.method
    from (select i.* from items i ${start} order by ${ORDER} limit ${params.bind(limit + 1, 'int')}) i
    join agencies ag on ag.uscc = i.agency_uscc
    join scoped_agencies sa on sa.agency_uscc = i.agency_uscc and sa.region_code = i.region_code
    -- DOMAIN.md §3: working days strictly after the deadline up to and including the day lateness runs to
    left join lateral (
      select upto.ordinal - since.ordinal as days, since.provisional or upto.provisional as provisional
      from working_days since
      join working_days upto on upto.variant = since.variant and upto.day = i.lateness_until
      where i.lateness_unit = 'WORKING_DAYS' and since.variant = sa.calendar_variant and since.day = i.deadline
    ) working on true
    left join lateral (
      select cardinality(c.handler_ids) as handler_count,
        coalesce((
          select jsonb_agg(jsonb_build_object(
              'personId', h.person_id,
              'reason', case when person.person_id is null then 'NOT_ON_REGISTER' else 'CERTIFICATE_NOT_VALID' end,
              'certificate', case when cert.certificate_no is not null or cert.certificate_status is not null then jsonb_build_object(
                'no', cert.certificate_no, 'status', cert.certificate_status,
                'issuedOn', cert.certificate_issued_on, 'expiresOn', cert.certificate_expires_on,
                'suspendedFrom', cert.certificate_suspended_from, 'suspendedTo', cert.certificate_suspended_to) end)
            order by h.ord)
          from unnest(c.handler_ids) with ordinality as h(person_id, ord)
          left join personnel person
            on person.region_code = c.region_code and person.agency_uscc = c.agency_uscc and person.person_id = h.person_id
          left join lateral (${certificateInForceSql('person', 'c.decided_on')}) cert on true
          where not coalesce(${handlerCertificateValid}, false)
        ), '[]'::jsonb) as uncertified
      from cases c
      where i.kind = 'UNCERTIFIED_HANDLING'
        and c.region_code = i.region_code and c.agency_uscc = i.agency_uscc and c.case_id = i.case_id
    ) handling on true
    left join recordings rec
      on i.kind = 'MISSING_RECORDING' and rec.region_code = i.region_code and rec.agency_uscc = i.agency_uscc and rec.record_id = i.record_id`;
}

interface Row {
  total: number;
  kind: ViolationKind | null;
  region_code: string; agency_uscc: string; agency_name: string; item_key: string;
  case_id: string | null; letter_no: string | null; record_id: string | null;
  dated_on: string; dated_by: string; deadline: string | null; deadline_provisional: boolean | null;
  lateness_unit: Lateness['unit'] | null; lateness_days: number | null; lateness_provisional: boolean;
  detail: Record<string, unknown>;
  handler_count: number | null; uncertified: UncertifiedHandler[] | null;
  activity: RecordingActivity | null; stage: RecordingStage | null; method: RecordingMethod | null;
}

/** Exposed for golden-SQL tests and EXPLAIN. */
export function violationListStatement(request: ViolationListRequest, profile: PolicyProfile): { text: string; values: unknown[] } {
  const { kinds, after } = checkRequest(request);
  const scope = checkScope(request.scope);
  const params = new SqlParameters();
  const ctx: CheckContext = {
    params, profile, scope,
    asOf: params.bind(request.asOf, 'date'),
    ...(request.period && { window: { from: params.bind(request.period.from, 'date'), to: params.bind(request.period.to, 'date') } }),
  };
  const ctes: Cte[] = [scopedAgenciesCte(scope, params)];
  for (const relation of relationsInOrder(kinds)) ctes.push(...relation.ctes(ctx));
  ctes.push({ name: 'items', sql: itemsSql(kinds, ctx), materialized: true });
  ctes.push({ name: 'page_rows', sql: pageRowsSql(after, request.limit, params) });
  // the count row is there even when the page is empty, so the total comes back with it
  const text = withCtes(ctes, `select t.total, i.kind, i.region_code, i.agency_uscc, i.agency_name, i.item_key,
      i.case_id, i.letter_no, i.record_id, i.dated_on::text as dated_on, i.dated_by,
      i.deadline::text as deadline, i.deadline_provisional, i.lateness_unit, i.lateness_days, i.lateness_provisional,
      i.detail, i.handler_count, i.uncertified, i.activity, i.stage, i.method
    from (select count(*)::int as total from items) t
    left join page_rows i on true
    order by ${ORDER}`);
  return { text, values: params.values };
}

function lateness(row: Row): Lateness | null {
  if (row.lateness_unit === null || row.lateness_days === null) return null;
  return { days: row.lateness_days, unit: row.lateness_unit, provisional: row.lateness_provisional };
}

function itemOf(row: Row, kind: ViolationKind, profile: PolicyProfile): ViolationItem {
  const base: ViolationItemBase = {
    label: violationKind(kind).label,
    regionCode: row.region_code, agencyUscc: row.agency_uscc, agencyName: row.agency_name,
    caseId: row.case_id, letterNo: row.letter_no, recordId: row.record_id,
    datedOn: row.dated_on, datedBy: row.dated_by,
    deadline: row.deadline, deadlineProvisional: row.deadline === null ? null : row.deadline_provisional,
    lateness: lateness(row),
  };
  const detail = row.detail;
  switch (kind) {
    case 'UNCERTIFIED_HANDLING': {
      const { actionType, procedure } = detail as { actionType: ActionType; procedure: Procedure | null };
      const handlerCount = row.handler_count ?? 0;
      // the same rule the check relation applies (APL art. 42 and the profile's exemptions), read from the profile
      const minimumHandlers = minimumHandlersFor(profile, actionType, procedure);
      return { ...base, kind, detail: {
        actionType, procedure, handlerCount, minimumHandlers, tooFewHandlers: handlerCount < minimumHandlers,
        uncertifiedHandlers: row.uncertified ?? [],
      } };
    }
    case 'MISSING_RECORDING':
      return { ...base, kind, detail: {
        ...(detail as { actionType: ActionType; required: RecordingRequirementLevel }),
        activity: row.activity!, stage: row.stage!, method: row.method!,
      } };
    default:
      return { ...base, kind, detail } as ViolationItem;
  }
}

/**
 * One page of the violations of a scope as of T (in a period, of some kinds), in the order kind, dating date,
 * agency, case (record, letter); pages follow on with `after: nextCursor` and meet every item exactly once as
 * long as the data does not change in between.
 */
export async function listViolations(db: Queryable, request: ViolationListRequest, profile: PolicyProfile): Promise<ViolationPage> {
  const statement = violationListStatement(request, profile);
  const { rows } = await db.query<Row>(statement.text, statement.values);
  const total = rows[0]?.total ?? 0;
  const listed = rows.filter((row): row is Row & { kind: ViolationKind } => row.kind !== null);
  const page = listed.slice(0, request.limit);
  const last = page[page.length - 1];
  const nextCursor = listed.length > request.limit && last
    ? encodeCursor({ kind: last.kind, datedOn: last.dated_on, agencyUscc: last.agency_uscc, itemKey: last.item_key })
    : null;
  return { items: page.map((row) => itemOf(row, row.kind, profile)), total, nextCursor };
}
