import fs from 'node:fs';
import type { Pool } from 'pg';
import { createPool } from '../../src/database/pg';
import { IndicatorNames, loadPolicyProfile, type IndicatorName, type PolicyProfile } from '../../src/domain/profile/policy-profile';
import { computeIndicators } from '../../src/metrics/indicators/indicator-engine';
import { readIndicators, readIndicatorsForPeriods } from '../../src/metrics/indicators/read-indicators';
import { refreshRollups } from '../../src/metrics/rollups/refresh-rollups';
import { statementsOf } from '../support/api-audit';
import { startTestApi, type TestApi } from '../support/api-server';
import { loadSyntheticProvince, readAnswerKey } from '../support/synthetic-province';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * Only the indicators a query selects are read or computed, and the `indicators` fields of one request with the
 * same scope are read together: the overview's headline (two periods, eight indicators) is one rollup plan and
 * one sum, a twelve-month series the same two statements; and every figure is what the facts give for it.
 */
jest.setTimeout(240000);

let db: TestDatabase;
let pool: Pool;
let dir: string;
let profile: PolicyProfile;
let api: TestApi;
let token: string;
let asOf: string;
let province: string;
let year: { from: string; to: string };
let before: { from: string; to: string };

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url);
  dir = await loadSyntheticProvince(pool, { seed: 20261124, scale: 800, prefix: 'selection-' });
  const { key } = readAnswerKey(dir);
  profile = loadPolicyProfile({ name: key.profile });
  asOf = key.asOf;
  const years = key.periods.filter((period) => /^\d{4}$/.test(period.id) && period.to < asOf);
  year = { from: years.at(-1)!.from, to: years.at(-1)!.to };
  before = { from: years.at(-2)!.from, to: years.at(-2)!.to };
  province = (await pool.query<{ code: string }>(`select left(region_code, 2) || '0000' as code from agencies limit 1`)).rows[0]!.code;
  await refreshRollups(pool, profile, { asOf });
  api = await startTestApi(db, pool, profile);
  token = await api.token({ role: 'PROVINCE', sub: 'selection-province' });
}, 240000);

afterAll(async () => {
  await api?.close();
  await pool?.end();
  await db?.drop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const headline: IndicatorName[] = ['publicationTimeliness', 'publicationRate', 'reviewCoverage', 'correctionRate',
  'recordingCompliance', 'uploadTimeliness', 'archiveTimeliness', 'certifiedHandling'];
const rates = (names: readonly string[]) => names.map((name) => `${name} { numerator denominator rate }`).join('\n');

async function facts(period: { from: string; to: string }, names: readonly IndicatorName[]) {
  const all = await computeIndicators(pool, { scope: { regionCode: province }, period, asOf }, profile);
  return Object.fromEntries(names.map((name) => [name, all[name]]));
}

describe('reading only what is asked', () => {
  test('the headline: two periods, eight indicators, one plan and one sum of the rollups, the figures of the facts', async () => {
    const answer = await api.gql<Record<'current' | 'previous', Record<string, unknown>>>(`
      query SelectionHeadline($scope: ScopeInput!, $period: PeriodInput!, $previous: PeriodInput!, $asOf: Date) {
        current: indicators(scope: $scope, period: $period, asOf: $asOf) { ...Headline }
        previous: indicators(scope: $scope, period: $previous, asOf: $asOf) { ...Headline }
      }
      fragment Headline on Indicators { ${rates(headline)} }`,
    { scope: { regionCode: province }, period: year, previous: before, asOf }, token, 'SelectionHeadline');
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.current).toEqual(await facts(year, headline));
    expect(answer.data!.previous).toEqual(await facts(before, headline));
    expect((answer.data!.current.publicationRate as { denominator: number }).denominator).toBeGreaterThan(0);
    expect(await statementsOf(pool, 'SelectionHeadline')).toBe(2);
  });

  test('people and annual-report figures cost their own statements only when selected; aliases, fragments and @include count', async () => {
    const answer = await api.gql<{ a: Record<string, unknown>; b: Record<string, unknown> }>(`
      query SelectionMixed($scope: ScopeInput!, $period: PeriodInput!, $asOf: Date, $no: Boolean!) {
        a: indicators(scope: $scope, period: $period, asOf: $asOf) {
          held: certificateHolding { numerator denominator rate }
          ... on Indicators { annualReportTimeliness { numerator denominator rate } }
          evaluationPassRate @include(if: $no) { numerator denominator rate }
        }
        b: indicators(scope: $scope, period: $period, asOf: $asOf) { ...Reviews }
      }
      fragment Reviews on Indicators { reviewCoverage { numerator denominator rate } }`,
    { scope: { regionCode: province }, period: year, asOf, no: false }, token, 'SelectionMixed');
    expect(answer.errors).toBeUndefined();
    const expected = await facts(year, ['certificateHolding', 'annualReportTimeliness', 'reviewCoverage']);
    expect(answer.data!.a).toEqual({ held: expected.certificateHolding, annualReportTimeliness: expected.annualReportTimeliness });
    expect(answer.data!.b).toEqual({ reviewCoverage: expected.reviewCoverage });
    for (const figure of Object.values(expected)) expect(figure.denominator).toBeGreaterThan(0);
    // the plan, the dated sum, the people snapshot, the annual reports
    expect(await statementsOf(pool, 'SelectionMixed')).toBe(4);
  });

  test('a twelve-month series is one plan and one sum, each month the facts\' figures', async () => {
    const answer = await api.gql<{ indicatorSeries: { period: { from: string; to: string }; indicators: Record<string, unknown> }[] }>(`
      query SelectionSeries($scope: ScopeInput!, $period: PeriodInput!, $asOf: Date) {
        indicatorSeries(scope: $scope, period: $period, asOf: $asOf, granularity: MONTH) {
          period { from to }
          indicators { ${rates(['publicationTimeliness', 'recordingCompliance'])} }
        }
      }`, { scope: { regionCode: province }, period: year, asOf }, token, 'SelectionSeries');
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.indicatorSeries).toHaveLength(12);
    expect(answer.data!.indicatorSeries.filter((point) => (point.indicators.recordingCompliance as { denominator: number }).denominator > 0).length).toBeGreaterThan(6);
    for (const point of answer.data!.indicatorSeries) {
      expect({ month: point.period.from, ...point.indicators })
        .toEqual({ month: point.period.from, ...await facts(point.period, ['publicationTimeliness', 'recordingCompliance']) });
    }
    expect(await statementsOf(pool, 'SelectionSeries')).toBe(2);
  });

  test('the reader answers with the names asked and nothing else; several periods at once equal one at a time', async () => {
    const names: IndicatorName[] = ['publicationTimeliness', 'certificateHolding', 'annualReportTimeliness'];
    const periods = [{ id: 'year', ...year }, { id: 'before', ...before }, { id: 'odd', from: `${year.from.slice(0, 4)}-02-10`, to: `${year.from.slice(0, 4)}-05-20` }];
    const together = await readIndicatorsForPeriods(pool, { scope: {}, periods, asOf }, profile, names);
    expect(together.computedFrom).toBe('rollups');
    expect(together.periods.get('year')!.certificateHolding.denominator).toBeGreaterThan(0);
    expect(together.periods.get('odd')!.publicationTimeliness.denominator).toBeGreaterThan(0);
    for (const period of periods) {
      const alone = await readIndicators(pool, { scope: {}, period, asOf }, profile);
      expect(Object.keys(together.periods.get(period.id)!).sort()).toEqual([...names].sort());
      expect(together.periods.get(period.id)).toEqual(Object.fromEntries(names.map((name) => [name, alone.indicators[name]])));
      expect(Object.keys(alone.indicators)).toHaveLength(IndicatorNames.length);
    }
  });
});
