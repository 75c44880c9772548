import fs from 'node:fs';
import type { Pool } from 'pg';
import { createPool } from '../../src/database/pg';
import { loadPolicyProfile, type PolicyProfile } from '../../src/domain/profile/policy-profile';
import { caseChecksAsOf } from '../../src/metrics/checks/case-check-rows';
import { computeIndicators, computeIndicatorsByAgency, type NamedPeriod } from '../../src/metrics/indicators/indicator-engine';
import { readIndicators, readIndicatorsByAgency, readIndicatorsByRegion, readIndicatorsBySubtree } from '../../src/metrics/indicators/read-indicators';
import { addCalendarDays } from '../../src/domain/calendar/civil-date';
import { refreshRollups } from '../../src/metrics/rollups/refresh-rollups';
import { deliverAsAgency } from '../support/agency-delivery';
import { loadSyntheticProvince, readAnswerKey } from '../support/synthetic-province';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * The indicator rollups against the facts on a synthetic province: a full refresh gives for every agency and
 * period what the engine computes from the facts; a late publication loaded by the ETL marks just its case's
 * days, an incremental refresh brings the rollups to exactly what a full refresh gives, and until then nothing
 * is answered from stale rollups.
 */
jest.setTimeout(180000);

let db: TestDatabase;
let pool: Pool;
let dir: string;
let profile: PolicyProfile;
let asOf: string;
let periods: NamedPeriod[];
const folders: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url);
  dir = await loadSyntheticProvince(pool, { seed: 20261126, scale: 1200, prefix: 'rollups-' });
  const { key } = readAnswerKey(dir);
  profile = loadPolicyProfile({ name: key.profile });
  asOf = key.asOf;
  periods = key.periods.map(({ id, from, to }) => ({ id, from, to }));
}, 240000);

afterAll(async () => {
  await pool?.end();
  await db?.drop();
  for (const folder of [dir, ...folders]) if (folder) fs.rmSync(folder, { recursive: true, force: true });
});

/** The rollup table, in key order, as text: for comparing one refresh with another. */
/** Every rollup row, daily and monthly, as text: what an incremental refresh must leave as a full one would. */
async function rollupTable(): Promise<string[]> {
  const { rows } = await pool.query<{ line: string }>(
    `select line from (
       select concat_ws('|', 'day', region_code, agency_uscc, indicator, day, action_type, numerator, denominator) as line from indicator_rollups
       union all
       select concat_ws('|', 'agency-month', region_code, agency_uscc, indicator, month, action_type, numerator, denominator) from agency_monthly_rollups
       union all
       select concat_ws('|', 'region-month', region_code, indicator, month, numerator, denominator) from region_monthly_rollups
       union all
       select concat_ws('|', 'subtree-month', region_code, indicator, month, numerator, denominator) from subtree_monthly_rollups
       union all
       select concat_ws('|', 'people', region_code, agency_uscc, indicator, snapshot_on, numerator, denominator) from agency_snapshot_rollups
       union all
       select concat_ws('|', 'subtree-people', region_code, indicator, snapshot_on, numerator, denominator) from subtree_snapshot_rollups) x
     order by line`);
  return rows.map((row) => row.line);
}

describe('indicator rollups', () => {
  test('after a full refresh, every agency\'s rolled-up indicators for every period equal those computed from the facts', async () => {
    const refreshed = await refreshRollups(pool, profile, { asOf });
    expect(refreshed).toMatchObject({ mode: 'full', asOf });
    expect(refreshed.rows).toBeGreaterThan(1000);

    const facts = await computeIndicatorsByAgency(pool, { scope: {}, periods, asOf }, profile);
    let compared = 0;
    for (const period of periods) {
      const answer = await readIndicatorsByAgency(pool, { scope: {}, period, asOf }, profile);
      expect(answer.computedFrom).toBe('rollups');
      expect([...answer.agencies.keys()].sort()).toEqual([...facts.keys()].sort());
      for (const [uscc, agency] of answer.agencies) {
        expect({ uscc, period: period.id, ...agency.indicators }).toEqual({ uscc, period: period.id, ...facts.get(uscc)!.periods[period.id] });
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(100);
  });

  test('whole-scope answers from the rollups equal the facts for a prefecture, a domain and an action type, and are said to come from the rollups', async () => {
    const year = periods.find((period) => /^\d{4}$/.test(period.id))!;
    const { rows: [prefecture] } = await pool.query<{ code: string }>(
      `select r.code from regions r join agencies a on a.region_code like r.subtree_prefix || '%' where r.level = 'PREFECTURE' group by r.code order by count(*) desc limit 1`);
    const { rows: [domain] } = await pool.query<{ domain: string }>('select domain from agencies group by domain order by count(*) desc limit 1');
    for (const scope of [{}, { regionCode: prefecture!.code }, { domain: domain!.domain }, { actionType: 'PENALTY' as const }]) {
      const answer = await readIndicators(pool, { scope, period: year, asOf }, profile);
      expect(answer.computedFrom).toBe('rollups');
      expect(answer.indicators).toEqual(await computeIndicators(pool, { scope, period: year, asOf }, profile));
    }
    expect(await readIndicators(pool, { scope: {}, period: year, asOf: '2025-01-01' }, profile))
      .toMatchObject({ computedFrom: 'facts', why: expect.stringContaining('不是 2025-01-01') });
  });

  test('periods that are not whole months (days read daily, whole months monthly) equal the facts, per agency and per scope', async () => {
    const year = periods.find((period) => /^\d{4}$/.test(period.id))!;
    const y = year.from.slice(0, 4);
    const odd = [
      { from: `${y}-02-10`, to: `${y}-07-20` }, // days, five whole months, days
      { from: `${y}-03-05`, to: `${y}-03-25` }, // days inside one month
      { from: `${y}-04-01`, to: `${y}-05-17` }, // a whole month, then days
    ];
    const { rows: [some] } = await pool.query<{ domain: string; region_code: string }>(
      `select domain, left(region_code, 4) || '00' as region_code from agencies order by uscc limit 1`);
    for (const period of odd) {
      const facts = await computeIndicatorsByAgency(pool, { scope: {}, periods: [{ id: 'p', ...period }], asOf }, profile);
      const answer = await readIndicatorsByAgency(pool, { scope: {}, period, asOf }, profile);
      expect(answer.computedFrom).toBe('rollups');
      for (const [uscc, agency] of answer.agencies) {
        expect({ uscc, ...period, ...agency.indicators }).toEqual({ uscc, ...period, ...facts.get(uscc)!.periods.p });
      }
      for (const scope of [{}, { regionCode: some!.region_code }, { domain: some!.domain }, { regionCode: some!.region_code, actionType: 'PENALTY' as const }]) {
        const rolled = await readIndicators(pool, { scope, period, asOf }, profile);
        expect(rolled.computedFrom).toBe('rollups');
        expect({ scope, ...period, ...rolled.indicators }).toEqual({ scope, ...period, ...(await computeIndicators(pool, { scope, period, asOf }, profile)) });
      }
    }
  });

  test('a late publication marks only its case\'s days; until the refresh the facts answer; the incremental refresh equals a full one', async () => {
    const overdue = (await caseChecksAsOf(pool, { scope: {}, asOf }, profile))
      .find((check) => check.publication.status === 'OVERDUE' && check.decidedOn !== null)!;
    expect(overdue).toBeDefined();
    const period = periods.find((p) => p.from <= overdue.decidedOn! && overdue.decidedOn! <= p.to && !/^\d{4}$/.test(p.id))!;
    const scope = { agencyUscc: overdue.agencyUscc };
    const before = await readIndicators(pool, { scope, period, asOf }, profile);
    expect(before.computedFrom).toBe('rollups');

    folders.push(await deliverAsAgency(pool, overdue.agencyUscc, { publications: [{
      caseId: overdue.caseId, publishedOn: asOf, platform: '国家企业信用信息公示系统', updatedAt: `${asOf} 09:00:00`,
    }] }));
    const { rows: marked } = await pool.query<{ agency_uscc: string; day: string }>('select agency_uscc, day from changed_days order by day');
    expect(marked.length).toBeGreaterThan(0);
    expect(new Set(marked.map((row) => row.agency_uscc))).toEqual(new Set([overdue.agencyUscc]));
    expect(marked.map((row) => row.day)).toContain(overdue.decidedOn);

    // not refreshed yet: the agency's figures come from the facts, and already show the publication
    const pending = await readIndicators(pool, { scope, period, asOf }, profile);
    expect(pending).toMatchObject({ computedFrom: 'facts', why: '有新入库数据尚未汇总' });
    expect(pending.indicators.publicationRate.numerator).toBe(before.indicators.publicationRate.numerator + 1);
    expect(pending.indicators.publicationRate.denominator).toBe(before.indicators.publicationRate.denominator);

    // wider scopes: the rollups, with that one agency computed from the facts in place of its stale rows
    const { rows: [own] } = await pool.query<{ region_code: string }>('select region_code from agencies where uscc = $1', [overdue.agencyUscc]);
    const prefecture = `${own!.region_code.slice(0, 4)}00`;
    for (const wide of [{}, { regionCode: prefecture }]) {
      const mixed = await readIndicators(pool, { scope: wide, period, asOf }, profile);
      expect({ wide, computedFrom: mixed.computedFrom }).toEqual({ wide, computedFrom: 'rollups' });
      expect({ wide, ...mixed.indicators }).toEqual({ wide, ...(await computeIndicators(pool, { scope: wide, period, asOf }, profile)) });
    }
    const factsByAgency = await computeIndicatorsByAgency(pool, { scope: { regionCode: prefecture }, periods: [{ ...period, id: 'p' }], asOf }, profile);
    const mixedByAgency = await readIndicatorsByAgency(pool, { scope: { regionCode: prefecture }, period, asOf }, profile);
    for (const [uscc, agency] of mixedByAgency.agencies) expect({ uscc, ...agency.indicators }).toEqual({ uscc, ...factsByAgency.get(uscc)!.periods.p });
    const factsByRegion = new Map<string, Record<string, [number, number]>>();
    for (const agency of factsByAgency.values()) {
      const sums = factsByRegion.get(agency.regionCode) ?? {};
      for (const [name, rate] of Object.entries(agency.periods.p!)) {
        const [n, d] = sums[name] ?? [0, 0];
        sums[name] = [n + rate.numerator, d + rate.denominator];
      }
      factsByRegion.set(agency.regionCode, sums);
    }
    const mixedByRegion = await readIndicatorsByRegion(pool, { scope: { regionCode: prefecture }, period, asOf }, profile);
    expect(new Set(mixedByRegion.regions.keys())).toEqual(new Set(factsByRegion.keys()));
    for (const [region, indicators] of mixedByRegion.regions) {
      expect({ region, ...Object.fromEntries(Object.entries(indicators).map(([name, rate]) => [name, [rate.numerator, rate.denominator]])) })
        .toEqual({ region, ...factsByRegion.get(region) });
    }

    // a ranking's units: each prefecture with everything below it, from its own subtree rows, the pending agency
    // corrected; and over days that are not whole months, from the region codes' figures
    const province = `${own!.region_code.slice(0, 2)}0000`;
    const { rows: units } = await pool.query<{ code: string }>(
      `select code from regions where level = 'PREFECTURE' and code like $1 order by code`, [`${province.slice(0, 2)}%`]);
    expect(units.length).toBeGreaterThan(3);
    const ranked = ['publicationRate', 'reviewCoverage', 'correctionRate'] as const;
    for (const span of [period, { from: period.from, to: addCalendarDays(period.to, -3) }]) {
      const bySubtree = await readIndicatorsBySubtree(pool, { scope: { regionCode: province }, regionCodes: units.map((unit) => unit.code), periods: [{ ...span, id: 'span' }], asOf }, profile, ranked);
      expect(bySubtree.computedFrom).toBe('rollups');
      for (const { code } of units) {
        const facts = await computeIndicators(pool, { scope: { regionCode: code }, period: span, asOf }, profile);
        expect({ code, span, ...bySubtree.periods.get('span')!.get(code) }).toEqual({ code, span, ...Object.fromEntries(ranked.map((name) => [name, facts[name]])) });
      }
    }
    expect((await readIndicatorsBySubtree(pool, { scope: { regionCode: province }, regionCodes: [prefecture], periods: [period], asOf }, profile, ['publicationRate']))
      .periods.get(period.id)!.get(prefecture)!.publicationRate.denominator).toBeGreaterThan(0);

    const incremental = await refreshRollups(pool, profile, { asOf });
    expect(incremental).toMatchObject({ mode: 'incremental', agencies: 1, days: marked.length });
    const after = await readIndicators(pool, { scope, period, asOf }, profile);
    expect(after).toEqual({ ...pending, computedFrom: 'rollups', why: null });
    expect((await pool.query('select count(*)::int as n from changed_days')).rows[0].n).toBe(0);

    const incrementalTable = await rollupTable();
    expect(await refreshRollups(pool, profile, { asOf, full: true })).toMatchObject({ mode: 'full' });
    expect(incrementalTable).toEqual(await rollupTable());
  });

  test('a decision date moved by a correction leaves its old day and its new day right', async () => {
    const { rows: [moved] } = await pool.query<{ agency_uscc: string; case_id: string; action_type: string; procedure: string | null; filed_on: string | null; decided_on: string; updated_at: Date }>(
      `select c.agency_uscc, c.case_id, c.action_type, c.procedure, c.filed_on, c.decided_on, c.updated_at from cases c
       where c.decided_on between $1::date - 200 and $1::date - 100 and c.closed_on is null
       order by c.case_id limit 1`, [asOf]);
    expect(moved).toBeDefined();
    const newDay = (await pool.query<{ day: string }>(`select ($1::date + 3)::text as day`, [moved!.decided_on])).rows[0]!.day;
    folders.push(await deliverAsAgency(pool, moved!.agency_uscc, { cases: [{
      caseId: moved!.case_id, agencyUscc: moved!.agency_uscc, actionType: moved!.action_type, procedure: moved!.procedure,
      filedOn: moved!.filed_on, decidedOn: newDay, updatedAt: '2099-01-01 00:00:00',
    }] }));
    const days = (await pool.query<{ day: string }>('select day from changed_days order by day')).rows.map((row) => row.day);
    expect(days).toEqual(expect.arrayContaining([moved!.decided_on, newDay]));

    expect(await refreshRollups(pool, profile, { asOf })).toMatchObject({ mode: 'incremental', agencies: 1 });
    const incrementalTable = await rollupTable();
    await refreshRollups(pool, profile, { asOf, full: true });
    expect(incrementalTable).toEqual(await rollupTable());
  });

  test('a profile change makes the next refresh a full one, and until then the facts answer', async () => {
    const stricter: PolicyProfile = { ...profile, name: 'stricter', deadlines: { ...profile.deadlines, archive: { ...profile.deadlines.archive, calendarDays: 5 } } };
    const year = periods.find((period) => /^\d{4}$/.test(period.id))!;
    const answer = await readIndicators(pool, { scope: {}, period: year, asOf }, stricter);
    expect(answer).toMatchObject({ computedFrom: 'facts', why: expect.stringContaining('另一版政策配置') });
    expect(answer.indicators.archiveTimeliness.numerator)
      .toBeLessThan((await readIndicators(pool, { scope: {}, period: year, asOf }, profile)).indicators.archiveTimeliness.numerator);
    const refreshed = await refreshRollups(pool, stricter, { asOf });
    expect(refreshed).toMatchObject({ mode: 'full', reason: expect.stringContaining('另一版政策配置') });
    expect(await readIndicators(pool, { scope: {}, period: year, asOf }, stricter)).toEqual({ ...answer, computedFrom: 'rollups', why: null });
  });
});
