import fs from 'node:fs';
import type { Pool } from 'pg';
import { createPool } from '../../src/database/pg';
import { periodBuckets, type Granularity } from '../../src/domain/calendar/period-buckets';
import { loadPolicyProfile, type IndicatorName, type PolicyProfile } from '../../src/domain/profile/policy-profile';
import { usccCheckCharacter } from '../../src/domain/uscc';
import { caseChecksAsOf } from '../../src/metrics/checks/case-check-rows';
import { definitionsOf } from '../../src/metrics/indicators/indicator-definitions';
import { computeIndicatorsByAgency, type NamedPeriod } from '../../src/metrics/indicators/indicator-engine';
import { readIndicatorsByRegion } from '../../src/metrics/indicators/read-indicators';
import { refreshRollups } from '../../src/metrics/rollups/refresh-rollups';
import type { Scope } from '../../src/metrics/scope/scope';
import { deliverAsAgency } from '../support/agency-delivery';
import { statementsOf } from '../support/api-audit';
import { startTestApi, type TestApi } from '../support/api-server';
import { loadSyntheticProvince, readAnswerKey } from '../support/synthetic-province';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * The ad hoc aggregate grouped by regions (and time) reads each group's own rows of the rollups: a county with
 * everything below it, a prefecture's city-level agencies (本级) by their region code, every time bucket in one
 * statement. Its figures are those of the facts (every agency computed from the fact tables, folded into the
 * groups) and those the aggregate gave before (each region code's figures from the rollups, folded), for every
 * viewer inside its jurisdiction, with pending agencies, over days that are not whole months and over scopes the
 * subtree rows cannot answer; and the audit log's statement count shows which path answered.
 */
jest.setTimeout(300000);

let db: TestDatabase;
let pool: Pool;
let dir: string;
let profile: PolicyProfile;
let api: TestApi;
let asOf: string;
let year: { from: string; to: string };
let province: string;
let prefecture: { code: string; name: string };
let county: string;
let emptyCounty: string;
let tokens: { province: string; prefecture: string; county: string };
const folders: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url);
  dir = await loadSyntheticProvince(pool, { seed: 20261207, scale: 1200, prefix: 'aggregate-' });
  const { key } = readAnswerKey(dir);
  profile = loadPolicyProfile({ name: key.profile });
  asOf = key.asOf;
  year = key.periods.filter((period) => /^\d{4}$/.test(period.id) && period.to < asOf).map(({ from, to }) => ({ from, to })).at(-1)!;
  // the prefecture with the most agencies, one of its counties with agencies and one without any
  const { rows: [place] } = await pool.query<{ code: string; name: string }>(
    `select p.code, p.name from regions p join agencies a on a.region_code like p.subtree_prefix || '%'
     where p.level = 'PREFECTURE' group by p.code, p.name order by count(*) desc, p.code limit 1`);
  prefecture = place!;
  province = `${prefecture.code.slice(0, 2)}0000`;
  const { rows: counties } = await pool.query<{ code: string; agencies: number }>(
    `select c.code, (select count(*)::int from agencies a where a.region_code like c.subtree_prefix || '%') as agencies
     from regions c where c.parent_code = $1 and c.level = 'COUNTY' order by c.code`, [prefecture.code]);
  county = counties.find((c) => c.agencies > 0)!.code;
  emptyCounty = counties.find((c) => c.agencies === 0)!.code;
  await refreshRollups(pool, profile, { asOf });
  api = await startTestApi(db, pool, profile);
  tokens = {
    province: await api.token({ role: 'PROVINCE', sub: 'aggregate-province' }),
    prefecture: await api.token({ role: 'SUPERVISOR', region: prefecture.code, sub: 'aggregate-prefecture' }),
    county: await api.token({ role: 'SUPERVISOR', region: county, sub: 'aggregate-county' }),
  };
}, 300000);

afterAll(async () => {
  await api?.close();
  await pool?.end();
  await db?.drop();
  for (const folder of [dir, ...folders]) if (folder) fs.rmSync(folder, { recursive: true, force: true });
});

type Dimension = 'PREFECTURE' | 'COUNTY' | Granularity;
/** group keys (values joined by '/') → [numerator, denominator] */
type Table = Record<string, [number, number]>;

/**
 * The group of a region code, restated by its digits (Fujian has no township directly under a prefecture): a
 * county's code and everything below it; a code above the level is its own group (本级).
 */
const groupOf = (regionCode: string, level: 'PREFECTURE' | 'COUNTY') => (level === 'COUNTY'
  ? (regionCode.length >= 6 && !regionCode.slice(0, 6).endsWith('00') ? regionCode.slice(0, 6) : regionCode)
  : (regionCode.slice(2, 4) !== '00' ? `${regionCode.slice(0, 4)}00` : regionCode));

/** The buckets the aggregate cuts a period into (one, named by its days, without a time dimension). */
function bucketsOf(period: { from: string; to: string }, dimensions: readonly Dimension[]): NamedPeriod[] {
  const time = dimensions.find((d): d is Granularity => d === 'MONTH' || d === 'QUARTER' || d === 'YEAR');
  const buckets = time ? periodBuckets(period, time) : [{ label: `${period.from}..${period.to}`, ...period }];
  return buckets.map((bucket) => ({ id: bucket.label, from: bucket.from, to: bucket.to }));
}

function fold(into: Table, regionCode: string, periodId: string, dimensions: readonly Dimension[], rate: { numerator: number; denominator: number }) {
  const key = dimensions.map((d) => (d === 'PREFECTURE' || d === 'COUNTY' ? groupOf(regionCode, d) : periodId)).join('/');
  const [n, d] = into[key] ?? [0, 0];
  into[key] = [n + rate.numerator, d + rate.denominator];
}

interface Ask { indicator: IndicatorName; groupBy: Dimension[]; scope: Scope; period: { from: string; to: string }; asOf?: string }

/** The facts' answer: every agency of the scope inside `within` computed from the fact tables, folded into its groups. */
async function factsAnswer(ask: Ask, within: string): Promise<Table> {
  const periods = bucketsOf(ask.period, ask.groupBy);
  const agencies = await computeIndicatorsByAgency(pool, { scope: { ...ask.scope, regionCode: within }, periods, asOf: ask.asOf ?? asOf }, profile,
    definitionsOf([ask.indicator]));
  const table: Table = {};
  for (const agency of agencies.values()) {
    for (const period of periods) fold(table, agency.regionCode, period.id, ask.groupBy, agency.periods[period.id]![ask.indicator]);
  }
  return table;
}

/** The answer before the subtree rows: each region code's figures, one bucket at a time, folded into its groups. */
async function regionCodesAnswer(ask: Ask, within: string): Promise<Table> {
  const table: Table = {};
  for (const period of bucketsOf(ask.period, ask.groupBy)) {
    const { regions } = await readIndicatorsByRegion(pool, { scope: { ...ask.scope, regionCode: within }, period, asOf: ask.asOf ?? asOf }, profile, [ask.indicator]);
    for (const [regionCode, indicators] of regions) fold(table, regionCode, period.id, ask.groupBy, indicators[ask.indicator]);
  }
  return table;
}

let asked = 0;

/** The API's answer as a table, its labels by key, and the SQL statements it took (its audit entry). */
async function aggregate(ask: Ask, token: string): Promise<{ table: Table; labels: Record<string, string>; statements: number }> {
  const operation = `AggregateByRegion${++asked}`;
  const answer = await api.gql<{ aggregate: { keys: { value: string; label: string }[]; rate: { numerator: number; denominator: number; rate: number | null } }[] }>(`
    query ${operation}($indicator: IndicatorName!, $groupBy: [AggregateDimension!]!, $scope: ScopeInput!, $period: PeriodInput!, $asOf: Date) {
      aggregate(indicator: $indicator, groupBy: $groupBy, scope: $scope, period: $period, asOf: $asOf) {
        keys { value label } rate { numerator denominator rate }
      }
    }`, { indicator: ask.indicator, groupBy: ask.groupBy, scope: ask.scope, period: ask.period, asOf: ask.asOf ?? asOf }, token, operation);
  expect(answer.errors).toBeUndefined();
  const table: Table = {};
  const labels: Record<string, string> = {};
  for (const row of answer.data!.aggregate) {
    const key = row.keys.map((k) => k.value).join('/');
    expect(table[key]).toBeUndefined();
    table[key] = [row.rate.numerator, row.rate.denominator];
    labels[key] = row.keys.map((k) => k.label).join('/');
    expect(row.rate.rate).toBe(row.rate.denominator === 0 ? null : row.rate.numerator / row.rate.denominator);
  }
  return { table, labels, statements: await statementsOf(pool, operation) };
}

/** The figures of the facts and of the region codes added up, for a viewer whose jurisdiction is `within`. */
async function expectTheSameFigures(ask: Ask, token: string, within: string) {
  const answer = await aggregate(ask, token);
  expect(answer.table).toEqual(await factsAnswer(ask, within));
  expect(answer.table).toEqual(await regionCodesAnswer(ask, within));
  // something to compare: groups with records
  expect(Object.values(answer.table).filter(([, d]) => d > 0).length).toBeGreaterThan(0);
  return answer;
}

describe('the aggregate grouped by regions reads each group\'s subtree rows', () => {
  test('by county over a year (province viewer): counties, each prefecture\'s city-level agencies as a group of their own (本级), no county without agencies, in three statements', async () => {
    const answer = await expectTheSameFigures({ indicator: 'publicationTimeliness', groupBy: ['COUNTY'], scope: { regionCode: province }, period: year },
      tokens.province, province);
    expect(answer.table[prefecture.code]![1]).toBeGreaterThan(0);
    expect(answer.labels[prefecture.code]).toBe(`${prefecture.name}（本级）`);
    expect(answer.table[county]![1]).toBeGreaterThan(0);
    expect(Object.keys(answer.table)).not.toContain(emptyCounty);
    // the agencies' region codes, the rollup plan, the subtree rows
    expect(answer.statements).toBe(3);
  });

  test('with a time dimension every bucket is read at once: by prefecture and quarter, by county and month, by prefecture and county', async () => {
    const byQuarter = await expectTheSameFigures({ indicator: 'recordingCompliance', groupBy: ['PREFECTURE', 'QUARTER'], scope: { regionCode: province }, period: year },
      tokens.province, province);
    expect(Object.keys(byQuarter.table)).toContain(`${prefecture.code}/${year.from.slice(0, 4)}Q4`);
    // one bucket at a time took three statements for each of the four quarters
    expect(byQuarter.statements).toBe(3);
    const byMonth = await expectTheSameFigures({ indicator: 'publicationRate', groupBy: ['MONTH', 'COUNTY'], scope: { regionCode: province }, period: year },
      tokens.province, province);
    expect(new Set(Object.keys(byMonth.table).map((key) => key.split('/')[0])).size).toBe(12);
    expect(byMonth.statements).toBe(3);
    const both = await expectTheSameFigures({ indicator: 'reviewCoverage', groupBy: ['PREFECTURE', 'COUNTY'], scope: { regionCode: province }, period: year },
      tokens.province, province);
    expect(both.labels[`${prefecture.code}/${prefecture.code}`]).toBe(`${prefecture.name}/${prefecture.name}（本级）`);
    expect(both.statements).toBe(3);
  });

  test('a city-level viewer sees its prefecture\'s groups only, whatever the scope asks', async () => {
    for (const scope of [{}, { regionCode: province }, { regionCode: prefecture.code }]) {
      const byCounty = await expectTheSameFigures({ indicator: 'publicationTimeliness', groupBy: ['COUNTY', 'QUARTER'], scope, period: year },
        tokens.prefecture, prefecture.code);
      expect(Object.keys(byCounty.table).every((key) => key.startsWith(prefecture.code.slice(0, 4)))).toBe(true);
      expect(Object.keys(byCounty.table)).toContain(`${prefecture.code}/${year.from.slice(0, 4)}Q1`);
      expect(byCounty.statements).toBe(3);
    }
    const byPrefecture = await expectTheSameFigures({ indicator: 'publicationTimeliness', groupBy: ['PREFECTURE'], scope: {}, period: year },
      tokens.prefecture, prefecture.code);
    expect(Object.keys(byPrefecture.table)).toEqual([prefecture.code]);
  });

  test('a county-level viewer\'s prefecture is its county\'s figures; a scope outside its county holds nothing', async () => {
    const byPrefecture = await expectTheSameFigures({ indicator: 'publicationTimeliness', groupBy: ['PREFECTURE'], scope: { regionCode: province }, period: year },
      tokens.county, county);
    expect(Object.keys(byPrefecture.table)).toEqual([prefecture.code]);
    expect(byPrefecture.labels[prefecture.code]).toBe(prefecture.name);
    expect(byPrefecture.statements).toBe(3);
    const byCounty = await expectTheSameFigures({ indicator: 'archiveTimeliness', groupBy: ['YEAR', 'COUNTY'], scope: {}, period: { from: `${year.from.slice(0, 4)}-01-01`, to: asOf } },
      tokens.county, county);
    expect(Object.keys(byCounty.table).every((key) => key.endsWith(`/${county}`))).toBe(true);
    const elsewhere = await aggregate({ indicator: 'publicationTimeliness', groupBy: ['COUNTY'], scope: { regionCode: emptyCounty }, period: year }, tokens.county);
    expect(elsewhere.table).toEqual({});
  });

  test('a county without agencies is no group, and a scope of it is empty after one statement', async () => {
    const answer = await aggregate({ indicator: 'publicationTimeliness', groupBy: ['COUNTY', 'MONTH'], scope: { regionCode: emptyCounty }, period: year }, tokens.province);
    expect(answer.table).toEqual({});
    expect(answer.statements).toBe(1);
  });

  test('what the subtree rows cannot answer reads the region codes as before, with the same figures: days that are not whole months, a domain, an action type, people figures, another as-of date', async () => {
    const y = year.from.slice(0, 4);
    const odd = { from: `${y}-02-10`, to: `${y}-11-20` };
    const byMonth = await expectTheSameFigures({ indicator: 'publicationTimeliness', groupBy: ['COUNTY', 'MONTH'], scope: { regionCode: province }, period: odd },
      tokens.province, province);
    expect(Object.keys(byMonth.table).some((key) => key.endsWith(`/${y}-02`))).toBe(true);
    // the agencies' region codes; the two clipped months one at a time (plan, region-code rows, agencies each); the
    // ten whole ones together (plan, subtree rows)
    expect(byMonth.statements).toBe(1 + 2 * 3 + 2);
    const { rows: [{ domain }] } = await pool.query<{ domain: string }>('select domain from agencies group by domain order by count(*) desc limit 1');
    await expectTheSameFigures({ indicator: 'publicationTimeliness', groupBy: ['COUNTY'], scope: { regionCode: province, domain }, period: year }, tokens.province, province);
    await expectTheSameFigures({ indicator: 'reviewCoverage', groupBy: ['PREFECTURE', 'QUARTER'], scope: { actionType: 'PENALTY' }, period: year }, tokens.prefecture, prefecture.code);
    await expectTheSameFigures({ indicator: 'certificateHolding', groupBy: ['COUNTY'], scope: { regionCode: province }, period: year }, tokens.province, province);
    const earlier = await expectTheSameFigures({ indicator: 'publicationTimeliness', groupBy: ['COUNTY', 'QUARTER'], scope: { regionCode: province }, period: year, asOf: `${y}-12-31` },
      tokens.province, province);
    // the rollups hold another as-of date: the agencies' region codes, the plan, the facts for every quarter at once
    expect(earlier.statements).toBe(3);
  });

  test('pending agencies, a new province-level one and one with a late publication, are corrected from the facts until the refresh', async () => {
    const ask = (groupBy: Dimension[]): Ask => ({ indicator: 'publicationRate', groupBy, scope: { regionCode: province }, period: year });
    const before = await aggregate(ask(['COUNTY']), tokens.province);

    // a province-level body (its own group in tables by prefecture and by county: 本级) with two decisions
    // loaded by the ETL, one published, and a late publication of an overdue decision of a county agency
    const provincial = `11${province}000000001`;
    const uscc = provincial + usccCheckCharacter(provincial);
    await pool.query(`insert into agencies (uscc, name, region_code, tier, domain, kind, updated_at, lineage_source, lineage_position, lineage_content_hash)
      values ($1, '省级测试执法主体', $2, 'CITY', '市场监管', 'STATUTORY', now(), 'test', 'row 1', 'hash')`, [uscc, province]);
    const y = year.from.slice(0, 4);
    folders.push(await deliverAsAgency(pool, uscc, {
      cases: [
        { caseId: 'PROV-1', agencyUscc: uscc, actionType: 'PENALTY', procedure: 'ORDINARY', filedOn: `${y}-03-01`, decidedOn: `${y}-03-20`, updatedAt: `${y}-03-20 10:00:00` },
        { caseId: 'PROV-2', agencyUscc: uscc, actionType: 'PENALTY', procedure: 'ORDINARY', filedOn: `${y}-05-01`, decidedOn: `${y}-05-20`, updatedAt: `${y}-05-20 10:00:00` },
      ],
      publications: [{ caseId: 'PROV-1', publishedOn: `${y}-03-25`, platform: '信用中国', updatedAt: `${y}-03-25 10:00:00` }],
    }));
    const overdue = (await caseChecksAsOf(pool, { scope: { regionCode: prefecture.code }, asOf }, profile)).find((check) =>
      check.publication.status === 'OVERDUE' && check.decidedOn !== null && check.decidedOn >= year.from && check.decidedOn <= year.to
      && !check.regionCode.slice(0, 6).endsWith('00'))!;
    expect(overdue).toBeDefined();
    folders.push(await deliverAsAgency(pool, overdue.agencyUscc, { publications: [{ caseId: overdue.caseId, publishedOn: asOf, platform: '信用中国', updatedAt: `${asOf} 09:00:00` }] }));
    const { rows: pending } = await pool.query<{ agency_uscc: string }>('select distinct agency_uscc from changed_days');
    expect(new Set(pending.map((row) => row.agency_uscc))).toEqual(new Set([uscc, overdue.agencyUscc]));

    const byCounty = await expectTheSameFigures(ask(['COUNTY']), tokens.province, province);
    expect(byCounty.table[province]).toEqual([1, 2]);
    expect(byCounty.labels[province]).toBe('福建省（本级）');
    const countyGroup = groupOf(overdue.regionCode, 'COUNTY');
    expect(byCounty.table[countyGroup]).toEqual([before.table[countyGroup]![0] + 1, before.table[countyGroup]![1]]);
    // the agencies' region codes, the plan, the subtree rows, and the pending agencies' rolled-up months and facts
    expect(byCounty.statements).toBe(5);
    const byPrefecture = await expectTheSameFigures(ask(['PREFECTURE', 'QUARTER']), tokens.province, province);
    expect(byPrefecture.table[`${province}/${y}Q1`]).toEqual([1, 1]);
    expect(byPrefecture.labels[`${province}/${y}Q1`]).toBe(`福建省（本级）/${y}Q1`);
    // the county's viewer sees the late publication, not the province-level body
    const seen = await expectTheSameFigures(ask(['COUNTY']), await api.token({ role: 'SUPERVISOR', region: countyGroup, sub: 'aggregate-pending' }), countyGroup);
    expect(seen.table).toEqual({ [countyGroup]: byCounty.table[countyGroup] });

    expect(await refreshRollups(pool, profile, { asOf })).toMatchObject({ mode: 'incremental', agencies: 2 });
    const refreshed = await aggregate(ask(['COUNTY']), tokens.province);
    expect(refreshed.table).toEqual(byCounty.table);
    expect(refreshed.statements).toBe(3);
  });
});
