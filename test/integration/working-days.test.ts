import type { Pool } from 'pg';
import { addCalendarDays } from '../../src/domain/calendar/civil-date';
import { loadCalendar } from '../../src/domain/calendar/working-day-calendar';
import { createPool } from '../../src/database/pg';
import { workingDayAfter } from '../../src/metrics/working-days/working-day-lookup';
import { calendarVariantSql, nthWorkingDayAfterSql } from '../../src/metrics/working-days/working-day-sql';
import { loadBatch } from '../../etl/pipeline/load-batch';
import { loadPolicyProfile } from '../../src/domain/profile/policy-profile';
import { caseChecksAsOf } from '../../src/metrics/checks/case-check-rows';
import { aCase, anAgency, quanzhouMarketBureau } from '../support/builders/feed-records';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let pool: Pool;
const calendar = loadCalendar();
const XIAMEN = '350502';
const URUMQI = '650102';

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url);
});
afterAll(async () => { await pool?.end(); await db?.drop(); });

describe('working days in SQL (hub migrate fills them from the domain calendar)', () => {
  test('a penalty decided 2024-09-27 must be published by the 7th working day after: 2024-10-12, a make-up Saturday', async () => {
    expect(await workingDayAfter(pool, { regionCode: XIAMEN, date: '2024-09-27', workingDays: 7 }))
      .toEqual({ date: '2024-10-12', provisional: false });
  });

  test('Xinjiang\'s 古尔邦节 days off count in Urumqi and not in Xiamen', async () => {
    const urumqi = await workingDayAfter(pool, { regionCode: URUMQI, date: '2025-06-05', workingDays: 1 });
    const xiamen = await workingDayAfter(pool, { regionCode: XIAMEN, date: '2025-06-05', workingDays: 1 });
    expect({ urumqi, xiamen }).toEqual({
      urumqi: calendar.addWorkingDays('2025-06-05', 1, URUMQI), xiamen: calendar.addWorkingDays('2025-06-05', 1, XIAMEN),
    });
    expect(urumqi.date).not.toBe(xiamen.date);
  });

  test('a deadline past the calendar horizon is provisional, never a plain weekday count shown as final', async () => {
    const lastDay = calendar.horizon.to;
    const answer = await workingDayAfter(pool, { regionCode: XIAMEN, date: addCalendarDays(lastDay, -3), workingDays: 20 });
    expect(answer).toEqual(calendar.addWorkingDays(addCalendarDays(lastDay, -3), 20, XIAMEN));
    expect(answer.provisional).toBe(true);
  });

  test('every N (1–20) working days after every day of 2024–2026 equals the domain calendar, nationally and in Xinjiang', async () => {
    const { rows } = await pool.query<{ region: string; day: string; n: number; date: string; provisional: boolean }>(
      `select c.region, d.day::date::text as day, k.n, deadline.day::text as date, deadline.provisional
       from unnest(array['${XIAMEN}', '${URUMQI}']) as c(region)
       cross join generate_series('2024-01-01'::date, '2026-12-31'::date, '1 day') as d(day)
       cross join generate_series(1, 20) as k(n)
       left join lateral (${nthWorkingDayAfterSql(calendarVariantSql('c.region'), 'd.day::date', 'k.n')}) deadline on true`);
    expect(rows.length).toBe(2 * 1096 * 20);
    const wrong = rows.filter((row) => {
      const expected = calendar.addWorkingDays(row.day, row.n, row.region);
      return expected.date !== row.date || expected.provisional !== row.provisional;
    });
    expect(wrong.slice(0, 5)).toEqual([]);
  }, 60000);
});

describe('deadlines of the checks past the calendar horizon', () => {
  test('a penalty decided three days before the horizon ends has a provisional publication deadline, and is NOT_DUE until it passes', async () => {
    const client = await pool.connect();
    try {
      await client.query(`insert into sources (id, name, transport, location, covers_region_code) values ('quanzhou-files', '泉州市文件', 'FOLDER', '/tmp', '350500')`);
      const runId = (await client.query<{ id: string }>(`insert into etl_runs (source) values ('quanzhou-files') returning id`)).rows[0]!.id;
      const scope = { sourceId: 'quanzhou-files', agencyUscc: null, regionPrefix: '3505' };
      await loadBatch(client, { runId, scope, entity: 'agencies', items: [anAgency()] });
      const decidedOn = addCalendarDays(calendar.horizon.to, -3);
      await loadBatch(client, { runId, scope, entity: 'cases', items: [aCase({ caseId: 'QZ-LATE-YEAR', filedOn: addCalendarDays(decidedOn, -20), decidedOn })] });
    } finally {
      client.release();
    }
    const profile = loadPolicyProfile();
    const expected = calendar.addWorkingDays(addCalendarDays(calendar.horizon.to, -3), 7, '350500');
    const [check] = await caseChecksAsOf(pool, { scope: { agencyUscc: quanzhouMarketBureau }, asOf: calendar.horizon.to,
      cases: [{ agencyUscc: quanzhouMarketBureau, caseId: 'QZ-LATE-YEAR' }] }, profile);
    expect(check!.publication).toMatchObject({ status: 'NOT_DUE', deadline: expected.date, deadlineProvisional: true });
  });
});
