import fs from 'node:fs';
import type { Pool } from 'pg';
import { createPool } from '../../src/database/pg';
import { IndicatorNames, loadPolicyProfile, type IndicatorName, type PolicyProfile } from '../../src/domain/profile/policy-profile';
import { indicatorDefinitions } from '../../src/metrics/indicators/indicator-definitions';
import { loadSyntheticProvince, readAnswerKey } from '../support/synthetic-province';
import { startTestApi, type TestApi } from '../support/api-server';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * What the dashboards read beyond the contract, over the synthetic province through the real API: the records
 * behind every indicator figure (as many as the figure says, each once), the indicator catalog, appeal outcomes
 * that add up to the correction rates, and the sources' health and quarantine reasons — each viewer inside its
 * own jurisdiction.
 */
jest.setTimeout(300000);

let db: TestDatabase;
let pool: Pool;
let dir: string;
let profile: PolicyProfile;
let api: TestApi;
let asOf: string;
let year: { from: string; to: string };
let county: string;
let province: string;
let tokens: { province: string; county: string };

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url);
  dir = await loadSyntheticProvince(pool, { seed: 20261201, scale: 1200, prefix: 'dashboard-' });
  const { key } = readAnswerKey(dir);
  profile = loadPolicyProfile({ name: key.profile });
  asOf = key.asOf;
  // the last whole year before the as-of date: its annual reports are due, its appeals concluded
  year = key.periods.filter((period) => /^\d{4}$/.test(period.id) && period.to < asOf).map(({ from, to }) => ({ from, to })).at(-1)!;
  // the county (not a prefecture's own level) whose agencies had the most appeals concluded that year, so that
  // every indicator checked below has records on both sides of the line
  const { rows: [place] } = await pool.query<{ county: string }>(`
    select left(a.region_code, 6) as county from appeals ap join agencies a on a.uscc = ap.agency_uscc
    where ap.concluded_on between $1 and $2 and left(a.region_code, 6) not like '%00'
    group by 1 order by count(*) desc, 1 limit 1`, [year.from, year.to]);
  county = place!.county;
  province = county.slice(0, 2) + '0000';
  api = await startTestApi(db, pool, profile);
  tokens = {
    province: await api.token({ role: 'PROVINCE', sub: 'dashboard-province' }),
    county: await api.token({ role: 'SUPERVISOR', region: county, sub: 'dashboard-county' }),
  };
}, 300000);

afterAll(async () => {
  await api?.close();
  await pool?.end();
  await db?.drop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the public and annual reports', () => {
  test('the public counts the annual reports published by today, as everyone else does', async () => {
    const { rows: [published] } = await pool.query<{ n: number }>(
      `select count(*)::int as n from annual_reports where year = $1 and published_on <= current_date`, [Number(year.from.slice(0, 4))]);
    expect(published!.n).toBeGreaterThan(0);
    const scope = { regionCode: province };
    const answer = await api.gql<{ indicators: { annualReportTimeliness: { numerator: number; denominator: number } } }>(
      `query($scope: ScopeInput!, $period: PeriodInput!, $asOf: Date) { indicators(scope: $scope, period: $period, asOf: $asOf) { annualReportTimeliness { numerator denominator } } }`,
      { scope, period: year, asOf });
    expect(answer.errors).toBeUndefined();
    const whole = (await indicators(scope, tokens.province)).annualReportTimeliness;
    expect(whole.numerator).toBeGreaterThan(0);
    expect(answer.data!.indicators.annualReportTimeliness).toEqual({ numerator: whole.numerator, denominator: whole.denominator });
  });
});

type Part = 'DENOMINATOR' | 'NUMERATOR' | 'SHORTFALL';
interface RecordNode { agencyUscc: string; regionCode: string; caseId: string | null; recordKey: string; datedOn: string | null; inNumerator: boolean }
interface RecordPage { nodes: RecordNode[]; totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null } }
type Figures = Record<IndicatorName, { numerator: number; denominator: number }>;

const ALL_FIGURES = IndicatorNames.map((name) => `${name} { numerator denominator }`).join(' ');

async function indicators(scope: Record<string, string>, token: string): Promise<Figures> {
  const answer = await api.gql<{ indicators: Figures }>(
    `query($scope: ScopeInput!, $period: PeriodInput!, $asOf: Date) { indicators(scope: $scope, period: $period, asOf: $asOf) { ${ALL_FIGURES} } }`,
    { scope, period: year, asOf }, token);
  expect(answer.errors).toBeUndefined();
  return answer.data!.indicators;
}

const recordsQuery = `query($indicator: IndicatorName!, $part: RecordPart!, $scope: ScopeInput!, $period: PeriodInput!, $asOf: Date, $first: Int, $after: String) {
  indicatorRecords(indicator: $indicator, part: $part, scope: $scope, period: $period, asOf: $asOf, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { agencyUscc regionCode caseId recordKey datedOn inNumerator } } }`;

async function recordPage(indicator: IndicatorName, part: Part, scope: Record<string, string>, token: string,
  page: { first?: number; after?: string | null } = {}): Promise<RecordPage> {
  const answer = await api.gql<{ indicatorRecords: RecordPage }>(recordsQuery,
    { indicator, part, scope, period: year, asOf, first: page.first ?? 1, after: page.after ?? null }, token);
  expect(answer.errors).toBeUndefined();
  return answer.data!.indicatorRecords;
}

/** Every page of a part, following endCursor; each page's totalCount is the first's. */
async function allRecords(indicator: IndicatorName, part: Part, scope: Record<string, string>, token: string, first: number) {
  const records: RecordNode[] = [];
  let after: string | null = null;
  let total: number | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await recordPage(indicator, part, scope, token, { first, after });
    total ??= page.totalCount;
    expect(page.totalCount).toBe(total);
    expect(page.nodes.length).toBeLessThanOrEqual(first);
    records.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  return { records, total: total! };
}

const identity = (record: RecordNode) => `${record.agencyUscc}|${record.recordKey}`;

// the indicators the dashboard drills into most, over every kind of check relation: cases, appeals,
// recordings, officers, agencies' staffing and annual reports
const DRILLED: IndicatorName[] = [
  'publicationTimeliness', 'reviewCoverage', 'correctionRate', 'recordingCompliance', 'certificateHolding', 'reviewerStaffing',
  'annualReportTimeliness',
];

describe('indicatorRecords: the records behind a figure', () => {
  test.each(DRILLED)('%s over a county: denominator and numerator records are as many as its figures, the shortfall the difference, each met once over the pages', async (name) => {
    const scope = { regionCode: county };
    const figures = (await indicators(scope, tokens.province))[name];
    // the county has records on both sides of the line, so a part that lost or gained rows would show
    expect(figures.numerator).toBeGreaterThan(0);
    expect(figures.denominator).toBeGreaterThan(figures.numerator);

    // pages of a third of the denominator: every part takes several pages, even for the small ones
    const first = Math.max(1, Math.floor(figures.denominator / 3));
    const denominator = await allRecords(name, 'DENOMINATOR', scope, tokens.province, first);
    const numerator = await allRecords(name, 'NUMERATOR', scope, tokens.province, first);
    const shortfall = await allRecords(name, 'SHORTFALL', scope, tokens.province, first);
    expect(denominator.total).toBe(figures.denominator);
    expect(numerator.total).toBe(figures.numerator);
    expect(shortfall.total).toBe(figures.denominator - figures.numerator);
    for (const part of [denominator, numerator, shortfall]) {
      expect(part.records).toHaveLength(part.total);
      expect(new Set(part.records.map(identity)).size).toBe(part.total);
    }
    // the denominator is the numerator and the shortfall, side by side
    expect(numerator.records.every((record) => record.inNumerator)).toBe(true);
    expect(shortfall.records.every((record) => !record.inNumerator)).toBe(true);
    expect(new Set(denominator.records.map(identity))).toEqual(new Set([...numerator.records, ...shortfall.records].map(identity)));
    expect(denominator.records.filter((record) => record.inNumerator).map(identity).sort()).toEqual(numerator.records.map(identity).sort());

    const dated = indicatorDefinitions.find((definition) => definition.name === name)!.date !== null;
    for (const record of denominator.records) {
      expect(record.regionCode.startsWith(county)).toBe(true);
      if (dated) expect(record.datedOn! >= year.from && record.datedOn! <= year.to).toBe(true);
      else expect(record.datedOn).toBeNull();
    }
  });

  test('every indicator, every part: the counts are the figures for the county', async () => {
    const scope = { regionCode: county };
    const figures = await indicators(scope, tokens.province);
    const counted: Record<string, [number, number, number]> = {};
    const expected: Record<string, [number, number, number]> = {};
    for (const name of IndicatorNames) {
      const totals = await Promise.all((['DENOMINATOR', 'NUMERATOR', 'SHORTFALL'] as const).map(
        async (part) => (await recordPage(name, part, scope, tokens.province)).totalCount));
      counted[name] = totals as [number, number, number];
      expected[name] = [figures[name].denominator, figures[name].numerator, figures[name].denominator - figures[name].numerator];
    }
    expect(counted).toEqual(expected);
  });

  test('a record leads to its agency and, for case indicators, to the case with its checks; officers belong to no case', async () => {
    const answer = await api.gql<{ cases: { nodes: (RecordNode & { agency: { uscc: string }; case: { caseId: string; decidedOn: string; publication: { status: string } } | null })[] };
      officers: { nodes: (RecordNode & { case: unknown })[] } }>(
      `query($scope: ScopeInput!, $period: PeriodInput!, $asOf: Date) {
        cases: indicatorRecords(indicator: publicationTimeliness, part: SHORTFALL, scope: $scope, period: $period, asOf: $asOf, first: 20) {
          nodes { agencyUscc caseId recordKey datedOn agency { uscc } case { caseId decidedOn publication { status } } } }
        officers: indicatorRecords(indicator: certificateHolding, part: SHORTFALL, scope: $scope, period: $period, asOf: $asOf, first: 5) {
          nodes { caseId recordKey case { caseId } } } }`,
      { scope: { regionCode: county }, period: year, asOf }, tokens.province);
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.cases.nodes.length).toBeGreaterThan(0);
    for (const record of answer.data!.cases.nodes) {
      expect(record.agency.uscc).toBe(record.agencyUscc);
      expect(record.caseId).toBe(record.recordKey);
      expect(record.case).toMatchObject({ caseId: record.caseId, decidedOn: record.datedOn });
      // late or still unpublished: as of today too it is not on time
      expect(['LATE', 'OVERDUE']).toContain(record.case!.publication.status);
    }
    expect(answer.data!.officers.nodes.length).toBeGreaterThan(0);
    for (const record of answer.data!.officers.nodes) expect(record).toMatchObject({ caseId: null, case: null });
  });

  test('a county bureau asking for the whole province gets its county\'s records and figures, nothing beyond', async () => {
    const wide = { regionCode: province };
    const own = await indicators({ regionCode: county }, tokens.province);
    // staffing and annual reports are counted per agency: agencies beyond the county are not counted as failing
    expect(await indicators(wide, tokens.county)).toEqual(own);
    for (const name of DRILLED) {
      const { records, total } = await allRecords(name, 'DENOMINATOR', wide, tokens.county, 200);
      expect(total).toBe(own[name].denominator);
      expect(records.filter((record) => !record.regionCode.startsWith(county))).toEqual([]);
    }
    const neighbour = await pool.query<{ region_code: string }>(
      `select region_code from agencies where region_code like $1 and length(region_code) = 6 and region_code not like '%00' and region_code <> $2
       order by region_code limit 1`, [county.slice(0, 4) + '%', county]);
    const elsewhere = await recordPage('reviewerStaffing', 'DENOMINATOR', { regionCode: neighbour.rows[0]!.region_code }, tokens.county, { first: 10 });
    expect(elsewhere).toMatchObject({ totalCount: 0, nodes: [] });
  });

  test('pages are capped at 200 like cases, refused beyond; a bad cursor is refused; cost counts the page', async () => {
    const tooLarge = await api.gql(recordsQuery, { indicator: 'publicationTimeliness', part: 'DENOMINATOR', scope: { regionCode: county }, period: year, first: 201 }, tokens.province);
    expect(tooLarge.errors?.[0]?.message).toMatch(/first 须为 1 到 200/);
    const badCursor = await api.gql(recordsQuery, { indicator: 'publicationTimeliness', part: 'DENOMINATOR', scope: { regionCode: county }, period: year, after: 'not-a-cursor' }, tokens.province);
    expect(badCursor.errors?.[0]?.extensions).toMatchObject({ reason: 'BAD_CURSOR' });
    const aliases = Array.from({ length: 30 }, (_, i) => `r${i}: indicatorRecords(indicator: publicationTimeliness, part: DENOMINATOR, scope: { regionCode: "${county}" }, period: { from: "${year.from}", to: "${year.to}" }, first: 200) { nodes { recordKey case { caseId } } }`).join(' ');
    const costly = await api.gql(`{ ${aliases} }`, {}, tokens.province);
    expect(costly.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COSTLY');
  });
});

describe('indicatorCatalog', () => {
  test('names every indicator once, with the definitions\' labels, the noun of its records and the date that periods it', async () => {
    const answer = await api.gql<{ indicatorCatalog: { name: string; label: string; recordNoun: string; datedBy: string | null }[] }>(
      `{ indicatorCatalog { name label recordNoun datedBy } }`);
    expect(answer.errors).toBeUndefined();
    const catalog = answer.data!.indicatorCatalog;
    expect(catalog.map((entry) => entry.name).sort()).toEqual([...IndicatorNames].sort());
    for (const definition of indicatorDefinitions) {
      expect(catalog.find((entry) => entry.name === definition.name)).toMatchObject({ label: definition.label, datedBy: definition.date });
    }
    const noun = (name: string) => catalog.find((entry) => entry.name === name)!.recordNoun;
    expect(noun('certificateHolding')).toBe('名执法人员');
    expect(noun('recordingCompliance')).toBe('条记录');
    // one noun per check relation: indicators over the same relation name their records alike
    expect(noun('publicationTimeliness')).toBe(noun('archiveTimeliness'));
    expect(noun('publicationTimeliness')).not.toBe(noun('correctionRate'));
  });
});

describe('appealOutcomes', () => {
  test.each([['the prefecture', () => county.slice(0, 4) + '00', () => county.slice(0, 4)], ['the county', () => county, () => county]])(
    'over %s add up to the correction rates: sides not excluded are their denominators, the corrected among them their numerators',
    async (_label, region, subtree) => {
      const scope = { regionCode: region() };
      const answer = await api.gql<{ appealOutcomes: { kind: string; side: string | null; outcome: string; corrected: boolean; excluded: boolean; count: number }[] }>(
        `query($scope: ScopeInput!, $period: PeriodInput!, $asOf: Date) { appealOutcomes(scope: $scope, period: $period, asOf: $asOf) {
          kind side outcome corrected excluded count } }`, { scope, period: year, asOf }, tokens.province);
      expect(answer.errors).toBeUndefined();
      const rows = answer.data!.appealOutcomes;
      const figures = await indicators(scope, tokens.province);
      const sum = (keep: (row: (typeof rows)[number]) => boolean) => rows.filter(keep).reduce((total, row) => total + row.count, 0);
      const counted = (side: string | null) => (row: (typeof rows)[number]) => !row.excluded && (side === null ? row.side !== null : row.side === side);
      expect(figures.correctionRate.denominator).toBeGreaterThan(0);
      expect({
        correctionRate: { numerator: sum((row) => counted(null)(row) && row.corrected), denominator: sum(counted(null)) },
        reconsiderationCorrectionRate: { numerator: sum((row) => counted('RECONSIDERATION')(row) && row.corrected), denominator: sum(counted('RECONSIDERATION')) },
        litigationLossRate: { numerator: sum((row) => counted('LITIGATION')(row) && row.corrected), denominator: sum(counted('LITIGATION')) },
      }).toEqual({
        correctionRate: figures.correctionRate,
        reconsiderationCorrectionRate: figures.reconsiderationCorrectionRate,
        litigationLossRate: figures.litigationLossRate,
      });
      // each (kind, outcome) once; 撤回 and 终止 are counted, and kept out of the denominators
      expect(new Set(rows.map((row) => `${row.kind}|${row.outcome}`)).size).toBe(rows.length);
      for (const row of rows) {
        expect(row.excluded).toBe(profile.correction.excludedOutcomes.includes(row.outcome as never));
        expect(row.corrected).toBe(profile.correction.correctedOutcomes.includes(row.outcome as never));
      }
      // every appeal concluded in the year with an outcome, as of T, is in one row
      const { rows: [all] } = await pool.query<{ n: number }>(`select count(*)::int as n from appeals ap
        where ap.region_code like $1 and ap.concluded_on between $2 and $3 and ap.concluded_on <= $4 and ap.outcome is not null`,
      [subtree() + '%', year.from, year.to, asOf]);
      expect(sum(() => true)).toBe(all!.n);
    });
});

describe('sources: health, last run, quarantine', () => {
  const healthQuery = `query SourceHealth { sources { id health quarantined lastSucceededAt lastRun { id status finishedAt } } }`;
  interface SourceNode { id: string; health: string; quarantined: number; lastSucceededAt: string | null; lastRun: { id: string; status: string; finishedAt: string | null } | null }

  beforeAll(async () => {
    // sources of the county as an operator's sources file would define them, with runs of known outcome and age
    const source = (id: string, schedule: string | null, definition: Record<string, unknown> = {}) => pool.query(
      `insert into sources (id, name, transport, covers_region_code, location, schedule, definition)
       values ($1, $1, 'FOLDER', $2, '/nowhere', $3, $4)`, [id, county, schedule, JSON.stringify({ id, schedule, ...definition })]);
    const run = (id: string, status: string, finishedAgo: string) => pool.query(
      `insert into etl_runs (source, status, started_at, finished_at, trigger)
       values ($1, $2, now() - $3::interval - interval '5 minutes', now() - $3::interval, 'test')`, [id, status, finishedAgo]);
    await source('health-never', '0 2 * * *');
    await source('health-failing', null);
    await run('health-failing', 'SUCCEEDED', '3 hours');
    await run('health-failing', 'FAILED', '1 hour');
    // hourly; the last success 90 minutes ago: late only for a source whose grace is shorter than that
    await source('health-hourly-default', '0 * * * *');
    await run('health-hourly-default', 'SUCCEEDED', '90 minutes');
    await source('health-hourly-strict', '0 * * * *', { lateAfterHours: 0.5 });
    await run('health-hourly-strict', 'SUCCEEDED', '90 minutes');
    await source('health-nightly-stale', '0 2 * * *');
    await run('health-nightly-stale', 'SUCCEEDED', '3 days');
    await source('health-unscheduled', null);
    await run('health-unscheduled', 'SUCCEEDED', '30 days');
    const quarantine = (status: string, position: string, reasons: unknown[]) => pool.query(
      `insert into quarantine (source, entity, position, raw, reasons, status) values ('health-failing', 'cases', $1, '{}', $2, $3)`,
      [position, JSON.stringify(reasons), status]);
    await quarantine('QUARANTINED', 'cases.csv 第 2 行', [{ code: 'FIXTURE_DATE', field: 'decidedOn', message: '第 2 行 决定日期 无效' }]);
    await quarantine('QUARANTINED', 'cases.csv 第 3 行', [
      { code: 'FIXTURE_DATE', field: 'decidedOn', message: '第 3 行 决定日期 无效' }, { code: 'FIXTURE_ROW', message: '第 3 行 列数不符' }]);
    await quarantine('QUARANTINED', 'cases.csv 第 4 行', [{ code: 'FIXTURE_DATE', field: 'filedOn', message: '第 4 行 立案日期 无效' }]);
    await quarantine('RELEASED', 'cases.csv 第 5 行', [{ code: 'FIXTURE_DATE', field: 'decidedOn', message: '第 5 行 决定日期 无效' }]);
  });

  test('health: never run, failing, late past its grace (the source\'s own or the default), ok; with last run, last success and rows in quarantine', async () => {
    const answer = await api.gql<{ sources: SourceNode[] }>(healthQuery, {}, tokens.province, 'SourceHealth');
    expect(answer.errors).toBeUndefined();
    const byId = new Map(answer.data!.sources.map((node) => [node.id, node]));
    const health = Object.fromEntries([...byId].map(([id, node]) => [id, node.health]));
    expect(health).toEqual({
      'health-never': 'NEVER_RUN', 'health-failing': 'FAILING', 'health-hourly-default': 'OK', 'health-hourly-strict': 'LATE',
      'health-nightly-stale': 'LATE', 'health-unscheduled': 'OK',
      // the synthetic province's sources were pulled as the test began
      'quanzhou-platform': 'OK', 'quanzhou-350502-scjg-folder': 'OK', 'xiamen-folder': 'OK',
    });

    const { rows: runs } = await pool.query<{ source: string; id: string; status: string; finished_at: Date }>(
      `select source, id::text, status, finished_at from etl_runs order by id`);
    const failing = byId.get('health-failing')!;
    const succeeded = runs.find((run) => run.source === 'health-failing' && run.status === 'SUCCEEDED')!;
    expect(failing.lastRun).toMatchObject({ id: runs.filter((run) => run.source === 'health-failing').at(-1)!.id, status: 'FAILED' });
    expect(new Date(failing.lastSucceededAt!).getTime()).toBe(succeeded.finished_at.getTime());
    expect(byId.get('health-never')).toMatchObject({ lastRun: null, lastSucceededAt: null, quarantined: 0 });
    // released rows are not waiting
    expect(failing.quarantined).toBe(3);
    // the synthetic sources' refused rows, as the generator's answer key lists them
    const refused = (JSON.parse(fs.readFileSync(`${dir}/answer-key/quarantine.json`, 'utf8')) as { refused: { source: string }[] }).refused;
    for (const id of ['quanzhou-platform', 'quanzhou-350502-scjg-folder', 'xiamen-folder']) {
      expect({ id, quarantined: byId.get(id)!.quarantined }).toEqual({ id, quarantined: refused.filter((row) => row.source === id).length });
    }
  });

  test('a page of sources costs the same few statements however many sources it lists (no query per source)', async () => {
    // a write first, so that this answer is computed rather than served from the response cache
    await pool.query(`update sources set name = name where id = 'health-never'`);
    const answer = await api.gql<{ sources: SourceNode[] }>(healthQuery, {}, tokens.province, 'SourceHealth');
    expect(answer.data!.sources.length).toBeGreaterThanOrEqual(9);
    let statements: number | undefined;
    for (let i = 0; i < 50 && statements === undefined; i++) {
      const { rows } = await pool.query<{ sql_statements: number }>(
        `select sql_statements from api_audit_log where operation_name = 'SourceHealth' order by id desc limit 1`);
      statements = rows[0]?.sql_statements;
      if (statements === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // the sources, and their status in one batch
    expect(statements).toBe(2);
  });

  test('a county bureau sees its own sources\' health and quarantine reasons only', async () => {
    const { rows: visible } = await pool.query<{ id: string }>(`select s.id from sources s
      left join agencies a on a.uscc = s.covers_agency_uscc
      where coalesce(s.covers_region_code, a.region_code) like $1 order by s.id`, [county + '%']);
    const answer = await api.gql<{ sources: SourceNode[] }>(healthQuery, {}, tokens.county);
    expect(answer.data!.sources.map((node) => node.id)).toEqual(visible.map((row) => row.id));
    expect(visible.map((row) => row.id)).not.toContain('xiamen-folder');
    const reasons = await api.gql<{ quarantineReasons: { source: string }[] }>(`{ quarantineReasons { source } }`, {}, tokens.county);
    expect(reasons.data!.quarantineReasons.length).toBeGreaterThan(0);
    expect([...new Set(reasons.data!.quarantineReasons.map((row) => row.source))].filter((id) => !visible.some((row) => row.id === id))).toEqual([]);
  });

  test('quarantineReasons: rows waiting, by source, entity, field and code, with an example; released rows apart', async () => {
    type Reason = { source: string; entity: string; field: string | null; code: string; example: string; count: number };
    const query = `query($source: String, $status: QuarantineStatus) { quarantineReasons(source: $source, status: $status) { source entity field code example count } }`;
    const answer = await api.gql<{ quarantineReasons: Reason[] }>(query, {}, tokens.province);
    expect(answer.errors).toBeUndefined();
    const reasons = answer.data!.quarantineReasons;
    const of = (source: string) => reasons.filter((row) => row.source === source).map(({ source: _s, ...row }) => row);
    expect(of('health-failing')).toEqual([
      { entity: 'cases', field: 'decidedOn', code: 'FIXTURE_DATE', example: '第 3 行 决定日期 无效', count: 2 },
      { entity: 'cases', field: null, code: 'FIXTURE_ROW', example: '第 3 行 列数不符', count: 1 },
      { entity: 'cases', field: 'filedOn', code: 'FIXTURE_DATE', example: '第 4 行 立案日期 无效', count: 1 },
    ]);
    // the synthetic province's reasons are the answer key's codes, each group counted as the rows carrying it
    const refused = (JSON.parse(fs.readFileSync(`${dir}/answer-key/quarantine.json`, 'utf8')) as { refused: { source: string; entity: string; reasons: string[] }[] }).refused;
    const keyGroups = new Set(refused.flatMap((row) => row.reasons.map((code) => `${row.source}|${row.entity}|${code}`)));
    const synthetic = reasons.filter((row) => !row.source.startsWith('health-'));
    expect(new Set(synthetic.map((row) => `${row.source}|${row.entity}|${row.code}`))).toEqual(keyGroups);
    for (const row of synthetic) {
      const { rows: [held] } = await pool.query<{ n: number; example: boolean }>(`select count(*)::int as n,
          bool_or(exists (select 1 from jsonb_array_elements(q.reasons) r where r ->> 'message' = $5)) as example
        from quarantine q where q.status = 'QUARANTINED' and q.source = $1 and q.entity = $2
          and exists (select 1 from jsonb_array_elements(q.reasons) r where r ->> 'code' = $3 and r ->> 'field' is not distinct from $4)`,
      [row.source, row.entity, row.code, row.field, row.example]);
      expect({ ...row, count: held!.n, example: held!.example }).toEqual({ ...row, example: true });
    }

    const released = await api.gql<{ quarantineReasons: Reason[] }>(query, { source: 'health-failing', status: 'RELEASED' }, tokens.province);
    expect(released.data!.quarantineReasons).toEqual([
      { source: 'health-failing', entity: 'cases', field: 'decidedOn', code: 'FIXTURE_DATE', example: '第 5 行 决定日期 无效', count: 1 }]);
    const oneSource = await api.gql<{ quarantineReasons: Reason[] }>(query, { source: 'xiamen-folder' }, tokens.province);
    expect(oneSource.data!.quarantineReasons.length).toBeGreaterThan(0);
    expect(oneSource.data!.quarantineReasons).toEqual(reasons.filter((row) => row.source === 'xiamen-folder'));
  });
});
