import fs from 'node:fs';
import type { Pool } from 'pg';
import { withViewer } from '../../src/access/viewer-transaction';
import { createPool } from '../../src/database/pg';
import { loadPolicyProfile, type PolicyProfile } from '../../src/domain/profile/policy-profile';
import { maskPersonName } from '../../src/domain/masking';
import { computeIndicators } from '../../src/metrics/indicators/indicator-engine';
import { caseChecksAsOf } from '../../src/metrics/checks/case-check-rows';
import { loadSyntheticProvince, readAnswerKey } from '../support/synthetic-province';
import { startTestApi, type TestApi } from '../support/api-server';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * The GraphQL API over the synthetic province: the contract's queries answer what the metrics compute; each
 * viewer sees its own jurisdiction and nothing else, through the API and directly in PostgreSQL as the API's
 * role; the public sees published decisions with names masked; hostile requests are refused and the server goes on.
 */
jest.setTimeout(180000);

let db: TestDatabase;
let pool: Pool;
let dir: string;
let profile: PolicyProfile;
let api: TestApi;
let asOf: string;
let year: { from: string; to: string };
let province: string;
let prefecture: string;
let county: string;
let countyAgency: string;
let otherCountyCase: { agency: string; caseId: string };
let tokens: { province: string; prefecture: string; county: string; agency: string; admin: string };

const inside = (code: string, prefix: string) => code.startsWith(prefix);

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url);
  dir = await loadSyntheticProvince(pool, { seed: 20261128, scale: 1200, prefix: 'graphql-' });
  const { key } = readAnswerKey(dir);
  profile = loadPolicyProfile({ name: key.profile });
  asOf = key.asOf;
  year = key.periods.filter((period) => /^\d{4}$/.test(period.id)).map(({ from, to }) => ({ from, to })).at(-1)!;
  // a county with county-level agencies and decided cases, and a case of another county of the same prefecture
  const { rows: [place] } = await pool.query<{ county: string; agency: string }>(`
    select a.region_code as county, a.uscc as agency from agencies a join cases c on c.agency_uscc = a.uscc
    where length(a.region_code) = 6 and a.region_code not like '%00' and c.decided_on is not null
    group by a.region_code, a.uscc order by count(*) desc limit 1`);
  county = place!.county;
  countyAgency = place!.agency;
  prefecture = county.slice(0, 4) + '00';
  province = county.slice(0, 2) + '0000';
  const { rows: [other] } = await pool.query<{ agency_uscc: string; case_id: string }>(
    `select agency_uscc, case_id from cases where region_code like $1 and region_code not like $2 and region_code not like '%00' limit 1`, [county.slice(0, 4) + '%', county + '%']);
  otherCountyCase = { agency: other!.agency_uscc, caseId: other!.case_id };
  api = await startTestApi(db, pool, profile);
  tokens = {
    province: await api.token({ role: 'PROVINCE', sub: 'province-test' }),
    prefecture: await api.token({ role: 'SUPERVISOR', region: prefecture }),
    county: await api.token({ role: 'SUPERVISOR', region: county, sub: 'county-test' }),
    agency: await api.token({ role: 'AGENCY', agency: countyAgency }),
    admin: await api.token({ role: 'ADMIN' }),
  };
}, 240000);

afterAll(async () => {
  await api?.close();
  await pool?.end();
  await db?.drop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const INDICATORS = `publicationTimeliness { numerator denominator rate } reviewCoverage { numerator denominator rate }
  correctionRate { numerator denominator rate } certifiedHandling { numerator denominator rate } certificateHolding { numerator denominator rate }`;
const indicatorsQuery = `query($scope: ScopeInput!, $period: PeriodInput!, $asOf: Date) { indicators(scope: $scope, period: $period, asOf: $asOf) { ${INDICATORS} } }`;

function pick<T extends Record<string, unknown>>(figures: T, names: string[]) {
  return Object.fromEntries(names.map((name) => [name, figures[name]]));
}
const NAMES = ['publicationTimeliness', 'reviewCoverage', 'correctionRate', 'certifiedHandling', 'certificateHolding'];

describe('the contract\'s queries', () => {
  test('indicators for a scope equal the metrics engine\'s, as of the date asked', async () => {
    const answer = await api.gql<{ indicators: Record<string, unknown> }>(indicatorsQuery, { scope: { regionCode: prefecture }, period: year, asOf }, tokens.province);
    expect(answer.errors).toBeUndefined();
    const expected = await computeIndicators(pool, { scope: { regionCode: prefecture }, period: year, asOf }, profile);
    expect(answer.data!.indicators).toEqual(pick(expected, NAMES));
    expect((expected.publicationTimeliness.denominator)).toBeGreaterThan(0);
  });

  test('case answers its checks as of today, as the checks compute them', async () => {
    const { rows: [row] } = await pool.query<{ agency_uscc: string; case_id: string }>(
      `select agency_uscc, case_id from cases where decided_on is not null and region_code = $1 limit 1`, [county]);
    const answer = await api.gql<{ case: Record<string, any> }>(`query($a: String!, $c: String!) { case(agencyUscc: $a, caseId: $c) {
      caseId agencyUscc actionType decidedOn partyName isMajor
      publication { status deadline deadlineProvisional publishedOn withdrawalStatus } review { required compliant violations } } }`,
    { a: row!.agency_uscc, c: row!.case_id }, tokens.province);
    expect(answer.errors).toBeUndefined();
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    const [check] = await caseChecksAsOf(pool, { scope: {}, asOf: today, cases: [{ agencyUscc: row!.agency_uscc, caseId: row!.case_id }] }, profile);
    expect(answer.data!.case).toMatchObject({
      caseId: row!.case_id, agencyUscc: row!.agency_uscc, isMajor: check!.major,
      publication: { status: check!.publication.status, deadline: check!.publication.deadline, publishedOn: check!.publication.publishedOn },
      review: { required: check!.review.required, compliant: check!.review.compliant, violations: check!.review.violations },
    });
  });

  test('ranking lists the prefecture\'s counties for its bureau, with 样本不足 marked', async () => {
    const answer = await api.gql<{ ranking: { entries: { rank: number | null; regionCode: string; insufficientSample: boolean; score: number | null }[] } }>(
      `query($p: String!, $period: PeriodInput!, $asOf: Date) { ranking(parentRegionCode: $p, level: COUNTY, period: $period, asOf: $asOf) {
        entries { rank regionCode name score insufficientSample } } }`, { p: prefecture, period: year, asOf }, tokens.prefecture);
    expect(answer.errors).toBeUndefined();
    const entries = answer.data!.ranking.entries;
    expect(entries.length).toBeGreaterThan(1);
    for (const entry of entries) {
      expect(inside(entry.regionCode, prefecture.slice(0, 4))).toBe(true);
      if (entry.insufficientSample) expect(entry.rank).toBeNull();
    }
  });
});

describe('100 cases with agency, region and checks', () => {
  test('cost a bounded number of SQL statements (DataLoader batches each relation)', async () => {
    const answer = await api.gql<{ cases: { nodes: unknown[] } }>(`query HundredCases($scope: ScopeInput) { cases(scope: $scope, first: 100) {
      nodes { caseId agency { name domain } region { name level } isMajor publication { status deadline } review { compliant violations }
        handling { certifiedHandling } reviews { round opinion } appeals { kind outcome } recordings { recordId method } } } }`,
    { scope: { regionCode: province } }, tokens.province, 'HundredCases');
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.cases.nodes).toHaveLength(100);
    let statements: number | undefined;
    for (let i = 0; i < 50 && statements === undefined; i++) {
      const { rows } = await pool.query<{ sql_statements: number }>(`select sql_statements from api_audit_log where operation_name = 'HundredCases' order by id desc limit 1`);
      statements = rows[0]?.sql_statements;
      if (statements === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // the page, checks, agencies, reviews, appeals, recordings: one each
    expect(statements).toBeLessThanOrEqual(8);
    expect(statements).toBeGreaterThanOrEqual(5);
  });
});

describe('who sees what', () => {
  test('a county bureau reads its own cases, and a case of the neighbouring county is null, as if absent', async () => {
    const query = `query($a: String!, $c: String!) { case(agencyUscc: $a, caseId: $c) { caseId } }`;
    const outside = await api.gql<{ case: unknown }>(query, { a: otherCountyCase.agency, c: otherCountyCase.caseId }, tokens.county);
    expect(outside.errors).toBeUndefined();
    expect(outside.data!.case).toBeNull();
    const missing = await api.gql<{ case: unknown }>(query, { a: otherCountyCase.agency, c: 'NO-SUCH-CASE' }, tokens.county);
    expect(missing).toEqual({ ...outside });
    const byPrefecture = await api.gql<{ case: unknown }>(query, { a: otherCountyCase.agency, c: otherCountyCase.caseId }, tokens.prefecture);
    expect(byPrefecture.data!.case).toEqual({ caseId: otherCountyCase.caseId });
  });

  test.each(['county', 'agency'] as const)('lists, aggregates, rankings and nested relations hold nothing outside the %s viewer\'s reach', async (who) => {
    const token = tokens[who];
    // a county's subtree: its county-level agencies and its townships'
    const sees = (regionCode: string, agencyUscc: string) => (who === 'county' ? regionCode.startsWith(county) : agencyUscc === countyAgency);
    const cases = await api.gql<{ cases: { nodes: { regionCode: string; agencyUscc: string; agency: { uscc: string } }[] } }>(
      `{ cases(scope: { regionCode: "${province}" }, first: 200) { nodes { regionCode agencyUscc agency { uscc } } } }`, {}, token);
    expect(cases.errors).toBeUndefined();
    expect(cases.data!.cases.nodes.length).toBeGreaterThan(0);
    for (const node of cases.data!.cases.nodes) expect(sees(node.regionCode, node.agencyUscc)).toBe(true);

    const provinceWide = await api.gql<{ indicators: Record<string, unknown> }>(indicatorsQuery, { scope: { regionCode: province }, period: year, asOf }, token);
    const ownScope = who === 'county' ? { regionCode: county } : { agencyUscc: countyAgency };
    const own = await computeIndicators(pool, { scope: ownScope, period: year, asOf }, profile);
    expect(provinceWide.data!.indicators).toEqual(pick(own, NAMES));

    const violations = await api.gql<{ violations: { nodes: { regionCode: string; agencyUscc: string }[]; totalCount: number } }>(
      `query($period: PeriodInput, $asOf: Date) { violations(scope: { regionCode: "${province}" }, period: $period, asOf: $asOf, first: 500) { totalCount nodes { regionCode agencyUscc } } }`,
      { period: year, asOf }, token);
    expect(violations.errors).toBeUndefined();
    for (const node of violations.data!.violations.nodes) expect(sees(node.regionCode, node.agencyUscc)).toBe(true);

    const aggregate = await api.gql<{ aggregate: { keys: { value: string }[]; rate: { denominator: number } }[] }>(
      `query($period: PeriodInput!, $asOf: Date) { aggregate(indicator: publicationTimeliness, groupBy: [AGENCY], scope: { regionCode: "${province}" }, period: $period, asOf: $asOf) { keys { value } rate { numerator denominator } } }`,
      { period: year, asOf }, token);
    expect(aggregate.errors).toBeUndefined();
    const agencies = (await pool.query<{ uscc: string; region_code: string }>(`select uscc, region_code from agencies`)).rows;
    const regionOf = new Map(agencies.map((a) => [a.uscc, a.region_code]));
    expect(aggregate.data!.aggregate.length).toBeGreaterThan(0);
    for (const row of aggregate.data!.aggregate) expect(sees(regionOf.get(row.keys[0]!.value)!, row.keys[0]!.value)).toBe(true);

    const ranking = await api.gql<{ ranking: { entries: unknown[] } }>(
      `query($period: PeriodInput!) { ranking(parentRegionCode: "${prefecture}", level: COUNTY, period: $period) { entries { regionCode } } }`, { period: year }, token);
    expect(ranking.data!.ranking.entries).toEqual([]);

    const personnel = await api.gql<{ personnel: { nodes: unknown[] } }>(`{ personnel(agencyUscc: "${otherCountyCase.agency}") { nodes { name } } }`, {}, token);
    expect(personnel.data!.personnel.nodes).toEqual([]);
  });

  test('the same holds in PostgreSQL itself, as the API\'s role with the viewer set, and without a viewer nothing', async () => {
    const apiPool = api.api.apiPool;
    const regions = await withViewer(apiPool, { role: 'SUPERVISOR', regionCode: county }, async (client) => {
      const tables = ['cases', 'publications', 'legal_reviews', 'appeals', 'recordings', 'personnel', 'indicator_rollups', 'annual_reports', 'supervision_letters'];
      const seen: string[] = [];
      for (const table of tables) seen.push(...(await client.query<{ region_code: string }>(`select distinct region_code from ${table}`)).rows.map((r) => r.region_code));
      return seen;
    });
    expect(regions.length).toBeGreaterThan(0);
    expect(regions.filter((code) => !code.startsWith(county))).toEqual([]);
    const agencyRows = await withViewer(apiPool, { role: 'AGENCY', agencyUscc: countyAgency },
      async (client) => (await client.query<{ agency_uscc: string }>(`select distinct agency_uscc from cases`)).rows.map((r) => r.agency_uscc));
    expect(agencyRows).toEqual([countyAgency]);
    const client = await apiPool.connect();
    try {
      expect((await client.query(`select count(*)::int as n from cases`)).rows[0].n).toBe(0);
      await expect(client.query(`select raw from quarantine limit 1`)).rejects.toThrow(/permission denied/);
      await expect(client.query(`delete from cases`)).rejects.toThrow(/permission denied/);
      await expect(client.query(`set role postgres`)).rejects.toThrow();
    } finally {
      client.release(true);
    }
  });
});

describe('the public', () => {
  test('sees published decisions only, natural persons\' names masked, no handlers or lineage; a withdrawal makes one vanish at once', async () => {
    const { rows: [person] } = await pool.query<{ agency_uscc: string; case_id: string; party_name: string }>(`
      select c.agency_uscc, c.case_id, c.party_name from cases c join publications p using (region_code, agency_uscc, case_id)
      where c.party_type = 'PERSON' and c.disclosure = 'PUBLIC' and p.withdrawn_on is null and p.published_on <= current_date
        and c.action_type <> 'PENALTY' limit 1`);
    const query = `query($a: String!, $c: String!) { case(agencyUscc: $a, caseId: $c) { caseId partyName handlerIds lineage { source } } }`;
    const seen = await api.gql<{ case: { partyName: string; handlerIds: string[]; lineage: unknown } }>(query, { a: person!.agency_uscc, c: person!.case_id });
    expect(seen.errors).toBeUndefined();
    expect(seen.data!.case).toEqual({ caseId: person!.case_id, partyName: maskPersonName(person!.party_name), handlerIds: [], lineage: null });
    expect(seen.data!.case.partyName).not.toBe(person!.party_name);

    const { rows: [unpublished] } = await pool.query<{ agency_uscc: string; case_id: string }>(`
      select c.agency_uscc, c.case_id from cases c where not exists (select 1 from publications p
        where p.region_code = c.region_code and p.agency_uscc = c.agency_uscc and p.case_id = c.case_id) limit 1`);
    expect((await api.gql<{ case: unknown }>(query, { a: unpublished!.agency_uscc, c: unpublished!.case_id })).data!.case).toBeNull();

    await pool.query(`update publications set withdrawn_on = current_date, withdraw_reason = '复议撤销' where agency_uscc = $1 and case_id = $2`,
      [person!.agency_uscc, person!.case_id]);
    expect((await api.gql<{ case: unknown }>(query, { a: person!.agency_uscc, c: person!.case_id })).data!.case).toBeNull();
    // supervisors still see it
    expect((await api.gql<{ case: unknown }>(query, { a: person!.agency_uscc, c: person!.case_id }, tokens.province)).data!.case).not.toBeNull();
  });

  test('a warning-only penalty leaves public view when its 3-month display period is over', async () => {
    const { rows: [penalty] } = await pool.query<{ region_code: string; agency_uscc: string; case_id: string }>(`
      select c.region_code, c.agency_uscc, c.case_id from cases c join publications p using (region_code, agency_uscc, case_id)
      where c.action_type = 'PENALTY' and c.disclosure = 'PUBLIC' and p.withdrawn_on is null limit 1`);
    const query = `query($a: String!, $c: String!) { case(agencyUscc: $a, caseId: $c) { caseId } }`;
    const key = [penalty!.region_code, penalty!.agency_uscc, penalty!.case_id];
    await pool.query(`update cases set penalty_kinds = '{警告}' where region_code = $1 and agency_uscc = $2 and case_id = $3`, key);
    await pool.query(`update publications set published_on = current_date - 30 where region_code = $1 and agency_uscc = $2 and case_id = $3`, key);
    expect((await api.gql<{ case: unknown }>(query, { a: key[1], c: key[2] })).data!.case).not.toBeNull();
    await pool.query(`update publications set published_on = current_date - 100 where region_code = $1 and agency_uscc = $2 and case_id = $3`, key);
    expect((await api.gql<{ case: unknown }>(query, { a: key[1], c: key[2] })).data!.case).toBeNull();
  });

  test('personnel: names and certificate numbers only', async () => {
    const answer = await api.gql<{ personnel: { nodes: Record<string, unknown>[] } }>(
      `{ personnel(agencyUscc: "${countyAgency}") { nodes { name certificateNo personId role certificateStatus legalQualification } } }`);
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.personnel.nodes.length).toBeGreaterThan(0);
    for (const person of answer.data!.personnel.nodes) {
      expect(person).toMatchObject({ personId: null, role: null, certificateStatus: null, legalQualification: null });
      expect(typeof person.name).toBe('string');
    }
  });
});

describe('mutations', () => {
  test('a county bureau freezes its agencies\' ranking; an agency and a county reaching above it are refused', async () => {
    const mutation = `mutation($input: FreezeRankingInput!) { freezeRanking(input: $input) { id version frozenBy rankingKey entries { agencyUscc } } }`;
    const own = await api.gql<{ freezeRanking: { version: number; frozenBy: string; rankingKey: string } }>(mutation,
      { input: { parentRegionCode: county, period: year, asOf, title: '测试 区县执法主体排名' } }, tokens.county);
    expect(own.errors).toBeUndefined();
    expect(own.data!.freezeRanking).toMatchObject({ version: 1, frozenBy: 'county-test' });
    const listed = await api.gql<{ frozenRankings: { rankingKey: string }[] }>(`{ frozenRankings { rankingKey } }`, {}, tokens.county);
    expect(listed.data!.frozenRankings.map((r) => r.rankingKey)).toEqual([own.data!.freezeRanking.rankingKey]);
    const byAgency = await api.gql(mutation, { input: { parentRegionCode: county, period: year, title: 'x' } }, tokens.agency);
    expect(byAgency.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'FORBIDDEN' });
    const above = await api.gql(mutation, { input: { parentRegionCode: prefecture, level: 'COUNTY', period: year, title: 'x' } }, tokens.county);
    expect(above.errors?.[0]?.extensions).toMatchObject({ reason: 'FORBIDDEN' });
    const publicList = await api.gql<{ frozenRankings: unknown[] }>(`{ frozenRankings { id } }`);
    expect(publicList.data!.frozenRankings).toEqual([]);
  });

  test('the public cannot mutate: a mutation over the read-only path is refused', async () => {
    const answer = await api.gql(`mutation { runSource(sourceId: "x") { status } }`);
    expect(answer.errors?.[0]?.message).toMatch(/监督机关/);
  });
});

describe('hostile requests are refused with clear errors, and the server goes on', () => {
  test('depth, page size, cost by aliases, batching, malformed variables, oversized bodies, bad tokens', async () => {
    const tooLarge = await api.gql(`{ cases(first: 300) { nodes { caseId } } }`, {}, tokens.province);
    expect(tooLarge.errors?.[0]?.message).toMatch(/first 须为 1 到 200/);
    const huge = await api.gql(`{ cases(first: 100000) { nodes { caseId } } }`, {}, tokens.province);
    expect(huge.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COSTLY');

    const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: cases(first: 200) { nodes { caseId publication { status } review { compliant } } }`).join(' ');
    const costly = await api.gql(`{ ${aliases} }`, {}, tokens.province);
    expect(costly.status).toBe(400);
    expect(costly.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COSTLY');

    const batch = await api.post(JSON.stringify([{ query: '{ me { role } }' }, { query: '{ me { role } }' }]));
    expect(batch.status).toBe(400);

    const badDate = await api.gql(indicatorsQuery, { scope: {}, period: { from: '2025-02-30', to: '2025-03-01' } }, tokens.province);
    expect(badDate.status).toBe(400);
    expect(badDate.errors?.[0]?.message).toMatch(/period/);

    const typo = await api.gql(`{ case(agencyUscc: "x", caseId: "y") { casId } }`, {}, tokens.province);
    expect(typo.errors?.[0]?.message).not.toMatch(/Did you mean/);

    const oversized = await api.post(JSON.stringify({ query: `{ me { role } }`, variables: { pad: 'x'.repeat(200_000) } }));
    expect(oversized.status).toBe(413);

    const forged = await api.gql(`{ me { role } }`, {}, tokens.province.slice(0, -4) + 'AAAA');
    expect(forged.status).toBe(401);
    expect(forged.errors?.[0]?.message).toMatch(/令牌无效/);

    const still = await api.gql<{ me: { role: string } }>(`{ me { role } }`, {}, tokens.province);
    expect(still.data!.me.role).toBe('PROVINCE');
  });

  test('a document\'s cost is its own for each set of variables: a cheap one answered does not let a costly one through', async () => {
    const paged = `query Paged($n: Int) { cases(first: $n) { nodes { caseId } } }`;
    expect((await api.gql(paged, { n: 5 }, tokens.province)).errors).toBeUndefined();
    const costly = await api.gql(paged, { n: 100000 }, tokens.province);
    expect(costly.status).toBe(400);
    expect(costly.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COSTLY');
    const again = await api.gql<{ cases: { nodes: unknown[] } }>(paged, { n: 5 }, tokens.province);
    expect(again.data!.cases.nodes).toHaveLength(5);
  });

  test('a token once accepted is refused once it has expired', async () => {
    const shortLived = await api.api.tokens.sign({ role: 'PROVINCE', sub: 'short' }, '2s');
    expect((await api.gql<{ me: { role: string } }>(`{ me { role } }`, {}, shortLived)).data!.me.role).toBe('PROVINCE');
    const { exp } = JSON.parse(Buffer.from(shortLived.split('.')[1]!, 'base64url').toString()) as { exp: number };
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));
    const expired = await api.gql(`{ me { role } }`, {}, shortLived);
    expect(expired.status).toBe(401);
    expect(expired.errors?.[0]?.message).toMatch(/已过期/);
  });

  test('a query deeper than the limit is refused unexecuted, and a viewer past its rate limit waits', async () => {
    // the hub's own schema nests shallowly; a smaller limit shows the rule at work (deployments set HUB_GRAPHQL_MAX_DEPTH)
    const strict = await startTestApi(db, pool, profile, (config) => { config.api.maxDepth = 2; config.api.rateLimitPerMinute = 4; });
    try {
      const token = await strict.token({ role: 'PROVINCE' });
      const tooDeep = await strict.gql(`{ cases(first: 1) { nodes { agency { name } } } }`, {}, token);
      expect(tooDeep.status).toBe(400);
      expect(tooDeep.errors?.[0]?.message).toMatch(/exceeds maximum operation depth of 2/);
      expect((await strict.gql(`{ cases(first: 1) { nodes { caseId } } }`, {}, token)).errors).toBeUndefined();
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await strict.gql(`{ me { role } }`, {}, token)).status);
      expect(statuses).toEqual([200, 200, 429]);
      const other = await strict.token({ role: 'SUPERVISOR', region: county });
      expect((await strict.gql(`{ me { role } }`, {}, other)).status).toBe(200);
    } finally {
      await strict.close();
    }
  });

  test('every request is in the audit log with its viewer and variables; only ADMIN reads it', async () => {
    await api.gql(`query Audited($x: Int) { cases(first: $x) { nodes { caseId } } }`, { x: 7 }, tokens.county, 'Audited');
    let row: Record<string, unknown> | undefined;
    for (let i = 0; i < 50 && !row; i++) {
      row = (await pool.query(`select viewer_role, viewer_region, viewer_subject, operation_kind, variables, outcome from api_audit_log where operation_name = 'Audited'`)).rows[0];
      if (!row) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(row).toEqual({ viewer_role: 'SUPERVISOR', viewer_region: county, viewer_subject: 'county-test', operation_kind: 'query', variables: { x: 7 }, outcome: 'OK' });
    const asCounty = await withViewer(api.api.apiPool, { role: 'SUPERVISOR', regionCode: county }, (c) => c.query(`select count(*)::int as n from api_audit_log`));
    expect(asCounty.rows[0].n).toBe(0);
  });
});
