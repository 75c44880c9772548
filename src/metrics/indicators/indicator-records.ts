import { assertCivilDate } from '../../domain/calendar/civil-date';
import { InvalidValueError } from '../../domain/errors';
import type { IndicatorName, PolicyProfile } from '../../domain/profile/policy-profile';
import type { CheckContext } from '../checks/check-context';
import { checkRelations } from '../checks/check-relations';
import { checkScope, scopedAgenciesCte, type Scope } from '../scope/scope';
import { ident, SqlParameters, withCtes, type Cte, type Queryable } from '../sql/sql-parameters';
import { indicatorDefinitions, type IndicatorDefinition } from './indicator-definitions';
import { conditionSql, relationsInOrder, type Period } from './indicator-engine';

/**
 * The records behind an indicator's figures (DOMAIN.md §4: every number drills down to the exact records behind
 * it): scoped agencies → the check relation the indicator engine counts, built as the engine builds it (the same
 * as-of date, the same window, the same `periods` step for snapshot relations) → the rows the definition's own
 * conditions put in the part asked → one page in the order (agency, record key). The count of the whole part
 * comes with every page: for DENOMINATOR and NUMERATOR it is the engine's figure, for SHORTFALL their difference,
 * because the rows are the rows the engine counts and the conditions are the strings it counts them with.
 */

export const RecordParts = ['DENOMINATOR', 'NUMERATOR', 'SHORTFALL'] as const;
/** DENOMINATOR: every record counted; NUMERATOR: those counted above the line too; SHORTFALL: the others. */
export type RecordPart = (typeof RecordParts)[number];

/** Where a page starts: the sort key of the last record of the previous page. */
export interface RecordKey { agencyUscc: string; recordKey: string }

export interface IndicatorRecordRequest {
  indicator: IndicatorName;
  part: RecordPart;
  scope: Scope;
  period: Period;
  /** T: events dated after it have not happened (DOMAIN.md §4) */
  asOf: string;
  after?: RecordKey | null;
  /** records on the page, at least 1 (the API caps it) */
  limit: number;
}

/** One record: a row of the indicator's check relation. */
export interface IndicatorRecord {
  agencyUscc: string;
  regionCode: string;
  /** the case the record belongs to; null for letters, officers, staffing and annual reports */
  caseId: string | null;
  /** tells the record apart from the agency's others of the indicator (see RecordIdentity) */
  recordKey: string;
  /** the date that puts it in the period; null for snapshot indicators */
  datedOn: string | null;
  inNumerator: boolean;
}

export interface IndicatorRecordPage {
  records: IndicatorRecord[];
  /** records of the whole part (every page) */
  total: number;
  hasNextPage: boolean;
}

function definitionOf(name: IndicatorName, definitions: readonly IndicatorDefinition[]): IndicatorDefinition {
  const definition = definitions.find((d) => d.name === name);
  if (!definition) {
    throw new InvalidValueError('UNKNOWN_CODE', name, `指标 ${name} 不存在（${definitions.map((d) => d.name).join(', ')}）`);
  }
  return definition;
}

function checkRequest(request: IndicatorRecordRequest): void {
  assertCivilDate(request.asOf, 'asOf');
  assertCivilDate(request.period.from, 'period.from');
  assertCivilDate(request.period.to, 'period.to');
  if (request.period.from > request.period.to) {
    throw new InvalidValueError('PERIOD_REVERSED', request.period, `期间 ${request.period.from} – ${request.period.to}：起始日期晚于结束日期`);
  }
  if (!(RecordParts as readonly string[]).includes(request.part)) {
    throw new InvalidValueError('UNKNOWN_CODE', request.part, `part ${request.part} 不存在（${RecordParts.join(', ')}）`);
  }
  if (!Number.isInteger(request.limit) || request.limit < 1) {
    throw new InvalidValueError('LIMIT_OUT_OF_RANGE', request.limit, `limit ${request.limit}: a page holds at least one record`);
  }
}

const ORDER = 'i.agency_uscc collate "C", i.record_key collate "C"';

/** Exposed for golden-SQL tests and EXPLAIN. */
export function indicatorRecordsStatement(request: IndicatorRecordRequest, profile: PolicyProfile,
  definitions: readonly IndicatorDefinition[] = indicatorDefinitions): { text: string; values: unknown[] } {
  checkRequest(request);
  const definition = definitionOf(request.indicator, definitions);
  const relation = checkRelations[definition.relation];
  const date = definition.date;
  if (date !== null && !relation.dates.includes(date)) {
    throw new Error(`${definition.name} is dated by ${date}, which is not a date of ${relation.name} (${relation.dates.join(', ')})`);
  }
  const scope = checkScope(request.scope);
  const params = new SqlParameters();
  const { period } = request;
  // as in the engine: the one period is the `periods` step snapshot relations read, and the window dated
  // relations may skip records by; the window is bound when a step first reads it (an unread parameter has no type)
  const periods: Cte = {
    name: 'periods',
    sql: `-- grain: the one period asked
      select * from unnest(${params.bind(['period'], 'text[]')}, ${params.bind([period.from], 'date[]')},
        ${params.bind([period.to], 'date[]')}) as p(id, from_on, to_on)`,
  };
  let windowBound: { from: string; to: string } | undefined;
  const bindWindow = () => (windowBound ??= { from: params.bind(period.from, 'date'), to: params.bind(period.to, 'date') });
  const ctx: CheckContext = {
    params, profile, scope,
    asOf: params.bind(request.asOf, 'date'),
    window: { get from() { return bindWindow().from; }, get to() { return bindWindow().to; } },
  };
  const ctes: Cte[] = [periods, scopedAgenciesCte(scope, params)];
  for (const step of relationsInOrder([definition])) {
    ctes.push(...step.ctes(ctx).map((cte) => (cte.name === step.name ? { ...cte, materialized: true } : cte)));
  }

  const denominator = conditionSql(definition.denominator, relation, params);
  const numerator = conditionSql(definition.numerator, relation, params);
  // a row counts in the numerator when the condition is true (the engine's FILTER): null is not true
  const part = { DENOMINATOR: '', NUMERATOR: `and (${numerator})`, SHORTFALL: `and (${numerator}) is not true` }[request.part];
  const { record } = relation;
  ctes.push({
    name: 'records',
    materialized: true,
    sql: `-- grain: one row per record of ${relation.name} in the ${request.part.toLowerCase()} of ${definition.name}
      select r.agency_uscc, r.region_code, (${record.key})::text as record_key, (${record.caseId ?? 'null'})::text as case_id,
        ${date === null ? 'null' : `r.${ident(date)}`}::date as dated_on,
        (${numerator}) is true as in_numerator
      from ${relation.name} r
      ${date === null ? 'join periods p on p.id = r.period_id' : `join periods p on r.${ident(date)} between p.from_on and p.to_on`}
      where (${denominator}) ${part}`,
  });
  const start = request.after
    ? `where (${ORDER}) > (${params.bind(request.after.agencyUscc, 'text')} collate "C", ${params.bind(request.after.recordKey, 'text')} collate "C")`
    : '';
  // the count row is there even when the page is empty, so the total comes back with it
  const text = withCtes(ctes, `select t.total, i.agency_uscc, i.region_code, i.record_key, i.case_id, i.dated_on::text as dated_on, i.in_numerator
    from (select count(*)::int as total from records) t
    left join lateral (select i.* from records i ${start} order by ${ORDER} limit ${params.bind(request.limit + 1, 'int')}) i on true
    order by ${ORDER}`);
  return { text, values: params.values };
}

interface Row {
  total: number;
  agency_uscc: string | null; region_code: string; record_key: string; case_id: string | null; dated_on: string | null; in_numerator: boolean;
}

/**
 * One page of the records behind an indicator's denominator, numerator or shortfall, for a scope and period as
 * of T; pages follow on with `after` (the last record's agency and key) and meet every record exactly once as
 * long as the data does not change in between.
 */
export async function listIndicatorRecords(db: Queryable, request: IndicatorRecordRequest, profile: PolicyProfile): Promise<IndicatorRecordPage> {
  const statement = indicatorRecordsStatement(request, profile);
  const { rows } = await db.query<Row>(statement.text, statement.values);
  const listed = rows.filter((row): row is Row & { agency_uscc: string } => row.agency_uscc !== null);
  return {
    records: listed.slice(0, request.limit).map((row) => ({
      agencyUscc: row.agency_uscc, regionCode: row.region_code, caseId: row.case_id, recordKey: row.record_key,
      datedOn: row.dated_on, inNumerator: row.in_numerator,
    })),
    total: rows[0]?.total ?? 0,
    hasNextPage: listed.length > request.limit,
  };
}
