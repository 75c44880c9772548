import { assertCivilDate } from '../../domain/calendar/civil-date';
import { SqlParameters, type Queryable } from '../sql/sql-parameters';
import { calendarVariantSql, deadlineProvisionalSql, nthWorkingDayAfterSql } from './working-day-sql';

/**
 * The n-th working day after `date` in the calendar of `regionCode`, read from the warehouse's working-day
 * table: what every deadline of the checks comes to, one lookup at a time (a case page, a test against the
 * domain calendar). `date` null: the table does not reach that far and no date is guessed.
 */
export async function workingDayAfter(
  db: Queryable, request: { regionCode: string; date: string; workingDays: number },
): Promise<{ date: string | null; provisional: boolean }> {
  assertCivilDate(request.date, 'date');
  const params = new SqlParameters();
  const date = params.bind(request.date, 'date');
  const sql = `select d.day::text as date, ${deadlineProvisionalSql('d', date)} as provisional
    from (select ${calendarVariantSql(params.bind(request.regionCode, 'text'))} as variant) v
    left join lateral (${nthWorkingDayAfterSql('v.variant', date, params.bind(request.workingDays, 'int'))}) d on true`;
  const { rows } = await db.query<{ date: string | null; provisional: boolean }>(sql, params.values);
  return rows[0]!;
}

