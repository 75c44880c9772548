import type { Queryable } from '../metrics/sql/sql-parameters';

/**
 * Why rows are in quarantine, for the data-quality dashboard: every reason of every row (a row's `reasons` is a
 * JSON array of { code, field?, message }) counted by source, entity, field and code, with one message as an
 * example a clerk can act on. A row with two reasons counts under each; a row is counted once per group.
 * Grain of the answer: one row per (source, entity, field, code); most frequent first.
 */
export interface QuarantineReasonCount {
  source: string;
  entity: string;
  /** null: the reason is the row's, not one field's */
  field: string | null;
  code: string;
  /** the message of the latest row quarantined for it */
  example: string;
  count: number;
}

export async function countQuarantineReasons(db: Queryable,
  request: { source?: string | null; status: 'QUARANTINED' | 'RELEASED' }): Promise<QuarantineReasonCount[]> {
  const { rows } = await db.query<QuarantineReasonCount>(
    `-- grain: one row per source, entity, field and reason code
     select q.source, q.entity, reason ->> 'field' as field, reason ->> 'code' as code,
       (array_agg(reason ->> 'message' order by q.id desc))[1] as example,
       count(distinct q.id)::int as count
     from quarantine q
     cross join lateral jsonb_array_elements(q.reasons) as reason
     where q.status = $1 and ($2::text is null or q.source = $2)
     group by q.source, q.entity, reason ->> 'field', reason ->> 'code'
     order by count desc, q.source, q.entity, reason ->> 'field' nulls first, reason ->> 'code'`,
    [request.status, request.source ?? null]);
  return rows;
}
