import fs from 'node:fs';
import { tableFromIPC } from 'apache-arrow';
import { ValueType, Workbook, type Worksheet } from 'exceljs';
import type { Pool } from 'pg';
import { createPool } from '../../src/database/pg';
import { loadPolicyProfile, type PolicyProfile } from '../../src/domain/profile/policy-profile';
import { regionDirectory } from '../../src/domain/regions';
import { indicatorDefinitions } from '../../src/metrics/indicators/indicator-definitions';
import { startTestApi, type TestApi } from '../support/api-server';
import { loadSyntheticProvince, readAnswerKey } from '../support/synthetic-province';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * GET /export/ranking.xlsx over the synthetic province, through the hub's HTTP server as `hub start` serves it:
 * the workbook holds, row for row, what the GraphQL ranking queries answer the same viewer for the same
 * arguments; a frozen version exports its stored entries; the viewer rules are the GraphQL ones (a parent outside
 * the jurisdiction is refused, 403; a frozen version not visible is 404); bad parameters are refused with 400
 * naming the parameter; every download is audited; unit names stay inert text whatever they start with.
 *
 * The public: GraphQL computes no ranking for it (`ranking` answers with no entries, `frozenRanking` with null),
 * as for any parent outside a viewer's jurisdiction, so the export refuses it the same way: 403 for a ranking
 * computed now, 404 for a frozen version.
 */
jest.setTimeout(180000);

// eslint-disable-next-line @typescript-eslint/no-require-imports -- unzipper ships no types
const unzipper = require('unzipper') as { Open: { buffer(bytes: Buffer): Promise<{ files: { path: string; buffer(): Promise<Buffer> }[] }> } };

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
let tokens: { province: string; county: string; agency: string };

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const STATUS = { RANKED: '参与排名', INSUFFICIENT_SAMPLE: '样本不足', NO_SCORE: '无可计分指标' } as const;
const label = (indicator: string) => indicatorDefinitions.find((d) => d.name === indicator)!.label;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url);
  dir = await loadSyntheticProvince(pool, { seed: 20261129, scale: 1200, prefix: 'ranking-export-' });
  const { key } = readAnswerKey(dir);
  profile = loadPolicyProfile({ name: key.profile });
  asOf = key.asOf;
  year = key.periods.filter((period) => /^\d{4}$/.test(period.id)).map(({ from, to }) => ({ from, to })).at(-1)!;
  // the county whose agencies decided the most cases, so that its rankings have something in them
  const { rows: [place] } = await pool.query<{ county: string }>(`
    select a.region_code as county from agencies a join cases c on c.agency_uscc = a.uscc
    where length(a.region_code) = 6 and a.region_code not like '%00' and c.decided_on is not null
    group by a.region_code order by count(*) desc limit 1`);
  county = place!.county;
  prefecture = county.slice(0, 4) + '00';
  province = county.slice(0, 2) + '0000';
  api = await startTestApi(db, pool, profile);
  tokens = {
    province: await api.token({ role: 'PROVINCE', sub: 'province-test' }),
    county: await api.token({ role: 'SUPERVISOR', region: county, sub: 'county-test' }),
    agency: await api.token({ role: 'AGENCY', agency: (await pool.query<{ uscc: string }>(
      `select uscc from agencies where region_code = $1 order by uscc limit 1`, [county])).rows[0]!.uscc }),
  };
}, 240000);

afterAll(async () => {
  await api?.close();
  await pool?.end();
  await db?.drop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------------------
// Helpers

interface Download { status: number; headers: Headers; bytes: Buffer }

async function download(query: Record<string, string> | string, token?: string): Promise<Download> {
  const search = typeof query === 'string' ? query : new URLSearchParams(query).toString();
  const response = await fetch(`${api.url}/export/ranking.xlsx?${search}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
}

const errorOf = (answer: Download) => (JSON.parse(answer.bytes.toString('utf8')) as { errors: { message: string; extensions: { code: string; reason: string } }[] }).errors[0]!;

async function workbookOf(bytes: Buffer): Promise<Workbook> {
  const workbook = new Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer); // exceljs types a Buffer of ArrayBuffer only
  return workbook;
}

type Plain = string | number | null;
const plain = (value: unknown): Plain => (value === undefined || value === null || value === '' ? null : value as Plain);

function headerOf(sheet: Worksheet): string[] {
  return (sheet.getRow(1).values as unknown[]).slice(1).map((value) => value as string);
}

/** The sheet's rows below the header as objects keyed by the header, empty cells null. */
function rowsOf(sheet: Worksheet): Record<string, Plain>[] {
  const header = headerOf(sheet);
  const rows: Record<string, Plain>[] = [];
  for (let r = 2; r <= sheet.rowCount; r++) {
    rows.push(Object.fromEntries(header.map((name, i) => [name, plain(sheet.getCell(r, i + 1).value)])));
  }
  return rows;
}

/** The 说明 sheet as key → value. */
function notesOf(workbook: Workbook): Record<string, string> {
  const sheet = workbook.getWorksheet('说明')!;
  const notes: Record<string, string> = {};
  sheet.eachRow((row) => { notes[row.getCell(1).value as string] = row.getCell(2).value as string; });
  return notes;
}

interface Component { indicator: string; weight: number; effectiveWeight: number; numerator: number | null; denominator: number | null;
  rate: number | null; bound: number | null; componentScore: number | null }
interface Entry { rank: number | null; name: string; regionCode: string; agencyUscc: string | null; score: number | null; decisions: number;
  status: keyof typeof STATUS; components: Component[] }

const ENTRY = `entries { rank name regionCode agencyUscc score decisions status
  components { indicator weight effectiveWeight numerator denominator rate bound componentScore } }`;

async function rankingAnswer(args: { parent: string; level?: string; domain?: string }, token: string): Promise<Entry[]> {
  const answer = args.level
    ? await api.gql<{ r: { entries: Entry[] } }>(`query($p: String!, $l: RegionLevel!, $period: PeriodInput!, $asOf: Date) {
        r: ranking(parentRegionCode: $p, level: $l, period: $period, asOf: $asOf) { ${ENTRY} } }`,
    { p: args.parent, l: args.level, period: year, asOf }, token)
    : await api.gql<{ r: { entries: Entry[] } }>(`query($p: String!, $d: String, $period: PeriodInput!, $asOf: Date) {
        r: agencyRanking(parentRegionCode: $p, domain: $d, period: $period, asOf: $asOf) { ${ENTRY} } }`,
    { p: args.parent, d: args.domain ?? null, period: year, asOf }, token);
  expect(answer.errors).toBeUndefined();
  return answer.data!.r.entries;
}

/** The 排名 sheet's header as specified: the fixed columns, then each component's rate and score by its label. */
const expectedHeader = (entries: Entry[]) => ['名次', '单位', '代码', '综合得分', '决定数', '状态',
  ...entries[0]!.components.flatMap((c) => [label(c.indicator), `${label(c.indicator)}得分`])];

/** What the 排名 sheet should say of an entry of the GraphQL answer. */
function expectedRow(entry: Entry): Record<string, Plain> {
  return {
    名次: entry.rank, 单位: entry.name, 代码: entry.agencyUscc ?? entry.regionCode, 综合得分: entry.score, 决定数: entry.decisions,
    状态: STATUS[entry.status],
    ...Object.fromEntries(entry.components.flatMap((c) => [[label(c.indicator), c.rate], [`${label(c.indicator)}得分`, c.componentScore]])),
  };
}

const periodQuery = () => ({ from: year.from, to: year.to, asOf });

// ---------------------------------------------------------------------------------------------------------------

describe('the workbook is the GraphQL answer', () => {
  test.each([
    ['the province\'s prefectures', () => ({ parent: province, level: 'PREFECTURE' })],
    ['a prefecture\'s counties', () => ({ parent: prefecture, level: 'COUNTY' })],
    ['a county\'s agencies', () => ({ parent: county })],
  ] as const)('%s: header as specified, every row equal to the GraphQL ranking for the same arguments, in its order', async (_, argsOf) => {
    const args: { parent: string; level?: string } = argsOf();
    const entries = await rankingAnswer(args, tokens.province);
    expect(entries.length).toBeGreaterThan(1);
    const answer = await download({ ...args, ...periodQuery() }, tokens.province);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe(XLSX);

    const workbook = await workbookOf(answer.bytes);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['排名', '分子分母', '说明']);
    const sheet = workbook.getWorksheet('排名')!;
    expect(headerOf(sheet)).toEqual(expectedHeader(entries));
    expect(rowsOf(sheet)).toEqual(entries.map(expectedRow));
    // 样本不足 units are listed with their status and no rank or score, as the answer has them
    expect(rowsOf(sheet).filter((row) => row.状态 === '样本不足').map((row) => row.代码))
      .toEqual(entries.filter((e) => e.status === 'INSUFFICIENT_SAMPLE').map((e) => e.agencyUscc ?? e.regionCode));
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
  });

  test('a county\'s agencies of one domain: the GraphQL agencyRanking with that domain; the domain is in the file name and 说明', async () => {
    const { rows: [most] } = await pool.query<{ domain: string }>(
      `select domain from agencies where region_code like $1 group by domain order by count(*) desc, domain limit 1`, [county + '%']);
    const domain = most!.domain;
    const entries = await rankingAnswer({ parent: county, domain }, tokens.province);
    expect(entries.length).toBeGreaterThan(0);
    const answer = await download({ parent: county, domain, ...periodQuery() }, tokens.province);
    expect(answer.status).toBe(200);
    const workbook = await workbookOf(answer.bytes);
    expect(rowsOf(workbook.getWorksheet('排名')!)).toEqual(entries.map(expectedRow));
    expect(notesOf(workbook).排名对象).toBe(`执法主体（执法领域：${domain}）`);
    const stem = `${county}-AGENCIES-${domain}-${year.from}_${year.to}`;
    expect(answer.headers.get('content-disposition')).toBe(`attachment; filename="ranking-${stem.replace(/[^A-Za-z0-9._-]/g, '_')}.xlsx"; `
      + `filename*=UTF-8''${encodeURIComponent(`排名-${stem}.xlsx`)}`);
  });

  test('a prefecture\'s counties include 样本不足 ones: listed, unranked, without score', async () => {
    const entries = await rankingAnswer({ parent: prefecture, level: 'COUNTY' }, tokens.province);
    const insufficient = entries.filter((e) => e.status === 'INSUFFICIENT_SAMPLE');
    expect(insufficient.length).toBeGreaterThan(0);
    const rows = rowsOf((await workbookOf((await download({ parent: prefecture, level: 'COUNTY', ...periodQuery() }, tokens.province)).bytes)).getWorksheet('排名')!);
    for (const entry of insufficient) {
      expect(rows.find((row) => row.代码 === entry.regionCode)).toMatchObject({ 名次: null, 综合得分: null, 状态: '样本不足', 决定数: entry.decisions });
    }
  });

  test('numbers stay numbers in their formats; names and codes are Text cells', async () => {
    const workbook = await workbookOf((await download({ parent: province, level: 'PREFECTURE', ...periodQuery() }, tokens.province)).bytes);
    const sheet = workbook.getWorksheet('排名')!;
    const header = headerOf(sheet);
    const column = (name: string) => header.indexOf(name) + 1;
    // the first component's rate column: named by the indicator's label alone, right after 状态
    const rate = header[header.indexOf('状态') + 1]!;
    const ranked = rowsOf(sheet).findIndex((row) => row.状态 === '参与排名' && row[rate] !== null) + 2;
    expect(ranked).toBeGreaterThan(1);
    const cell = (name: string) => {
      const { type, numFmt } = sheet.getCell(ranked, column(name));
      return { type, numFmt };
    };
    expect(cell('综合得分')).toEqual({ type: ValueType.Number, numFmt: '0.00' });
    expect(cell(rate)).toEqual({ type: ValueType.Number, numFmt: '0.0%' });
    expect(cell('决定数').type).toBe(ValueType.Number);
    expect(cell('名次').type).toBe(ValueType.Number);
    for (const name of ['单位', '代码', '状态']) expect(cell(name)).toEqual({ type: ValueType.String, numFmt: '@' });
    for (const width of header.map((_, i) => sheet.getColumn(i + 1).width)) expect(width).toBeGreaterThanOrEqual(6);
  });

  test('分子分母: one row per unit × component with the figures the score was computed from', async () => {
    const entries = await rankingAnswer({ parent: county }, tokens.province);
    const workbook = await workbookOf((await download({ parent: county, ...periodQuery() }, tokens.province)).bytes);
    const sheet = workbook.getWorksheet('分子分母')!;
    expect(headerOf(sheet)).toEqual(['单位', '代码', '指标', '分子', '分母', '比率', 'Wilson下界', 'Wilson上界', '方案权重', '实际权重', '得分']);
    const rows = rowsOf(sheet);
    expect(rows).toHaveLength(entries.reduce((n, e) => n + e.components.length, 0));
    for (const entry of entries) {
      for (const c of entry.components) {
        const row = rows.find((r) => r.代码 === entry.agencyUscc && r.指标 === label(c.indicator));
        const direction = profile.ranking.components.find((p) => p.indicator === c.indicator)!.direction;
        expect(row).toEqual({
          单位: entry.name, 代码: entry.agencyUscc, 指标: label(c.indicator), 分子: c.numerator, 分母: c.denominator, 比率: c.rate,
          Wilson下界: direction === 'higher' ? c.bound : null, Wilson上界: direction === 'lower' ? c.bound : null,
          方案权重: c.weight, 实际权重: c.effectiveWeight, 得分: c.componentScore,
        });
      }
    }
  });

  test('说明 says what the ranking is and who exported it; the file is named for it', async () => {
    const answer = await download({ parent: province, level: 'PREFECTURE', ...periodQuery() }, tokens.province);
    const name = `排名-${province}-PREFECTURE-${year.from}_${year.to}.xlsx`;
    expect(answer.headers.get('content-disposition')).toBe(
      `attachment; filename="ranking-${province}-PREFECTURE-${year.from}_${year.to}.xlsx"; filename*=UTF-8''${encodeURIComponent(name)}`);
    const provinceName = regionDirectory().require(province).name;
    expect(notesOf(await workbookOf(answer.bytes))).toMatchObject({
      标题: `${provinceName} 设区市排名`, 上级区划: `${provinceName}（${province}）`, 排名对象: '设区市（PREFECTURE）',
      期间: `${year.from} 至 ${year.to}`, 截至日: asOf, 考评方案: profile.name,
      rankingKey: `regions:${province}:PREFECTURE:${year.from}:${year.to}`, 导出人: 'province-test',
    });
  });
});

describe('frozen versions', () => {
  test('a frozen version exports its stored entries, even after the warehouse has changed', async () => {
    const frozen = await api.gql<{ freezeRanking: { id: string; version: number; resultSha256: string; title: string } }>(
      `mutation($input: FreezeRankingInput!) { freezeRanking(input: $input) { id version resultSha256 title } }`,
      { input: { parentRegionCode: county, period: year, asOf, title: '测试 区县执法主体排名' } }, tokens.province);
    expect(frozen.errors).toBeUndefined();
    const { id, version, resultSha256 } = frozen.data!.freezeRanking;
    const stored = await api.gql<{ frozenRanking: { entries: Entry[] } }>(`query($id: ID!) { frozenRanking(id: $id) { ${ENTRY} } }`, { id }, tokens.province);
    const entries = stored.data!.frozenRanking.entries;

    // late news: an agency is renamed after publication; the frozen version keeps the name it was published with
    const renamed = entries[0]!.agencyUscc!;
    const { rows: [before] } = await pool.query<{ name: string }>(`select name from agencies where uscc = $1`, [renamed]);
    await pool.query(`update agencies set name = name || '（更名）' where uscc = $1`, [renamed]);
    try {
      const answer = await download({ frozen: id }, tokens.province);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-disposition')).toContain(
        `filename*=UTF-8''${encodeURIComponent(`排名-${county}-AGENCIES-${year.from}_${year.to}-v${version}.xlsx`)}`);
      const workbook = await workbookOf(answer.bytes);
      const sheet = workbook.getWorksheet('排名')!;
      expect(headerOf(sheet)).toEqual(expectedHeader(entries));
      expect(rowsOf(sheet)).toEqual(entries.map(expectedRow));
      expect(rowsOf(sheet).find((row) => row.代码 === renamed)!.单位).toBe(before!.name);
      expect(notesOf(workbook)).toMatchObject({
        标题: '测试 区县执法主体排名', 版本: `第 ${version} 版（冻结排名编号 ${id}）`, 冻结人: 'province-test', '结果 SHA-256': resultSha256,
        排名对象: '执法主体', rankingKey: `agencies:${county}:*:${year.from}:${year.to}`,
      });
      // computed now, the same ranking has the new name
      const now = rowsOf((await workbookOf((await download({ parent: county, ...periodQuery() }, tokens.province)).bytes)).getWorksheet('排名')!);
      expect(now.find((row) => row.代码 === renamed)!.单位).toBe(`${before!.name}（更名）`);
    } finally {
      await pool.query(`update agencies set name = $2 where uscc = $1`, [renamed, before!.name]);
    }
  });

  test('a frozen version that does not exist, or that the viewer may not see, is 404 — the same answer', async () => {
    const frozen = await api.gql<{ freezeRanking: { id: string } }>(`mutation($input: FreezeRankingInput!) { freezeRanking(input: $input) { id } }`,
      { input: { parentRegionCode: province, level: 'PREFECTURE', period: year, asOf, title: '测试 设区市排名' } }, tokens.province);
    const { id } = frozen.data!.freezeRanking;
    expect((await download({ frozen: id }, tokens.province)).status).toBe(200);
    for (const [who, token] of [['county', tokens.county], ['agency', tokens.agency], ['public', undefined]] as const) {
      const answer = await download({ frozen: id }, token);
      expect([who, answer.status]).toEqual([who, 404]);
      expect(errorOf(answer).message).toMatch(/没有编号为 \d+ 的冻结排名/);
    }
    // GraphQL answers these viewers with null
    expect((await api.gql<{ frozenRanking: unknown }>(`query($id: ID!) { frozenRanking(id: $id) { id } }`, { id }, tokens.county)).data!.frozenRanking).toBeNull();
    expect((await download({ frozen: '999999999' }, tokens.province)).status).toBe(404);
  });
});

describe('the viewer rules are the GraphQL ranking queries\'', () => {
  test('a county bureau asking for the province\'s prefectures is refused (403, in Chinese), not sent an empty workbook', async () => {
    const answer = await download({ parent: province, level: 'PREFECTURE', ...periodQuery() }, tokens.county);
    expect(answer.status).toBe(403);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.headers.get('content-disposition')).toBeNull();
    expect(errorOf(answer)).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    expect(errorOf(answer).message).toContain(`无权导出 ${regionDirectory().require(province).name}（${province}）的排名`);
    // GraphQL computes nothing for it either
    expect(await rankingAnswer({ parent: province, level: 'PREFECTURE' }, tokens.county)).toEqual([]);
    // its own county's agencies it may have, as GraphQL gives them
    const own = await download({ parent: county, ...periodQuery() }, tokens.county);
    expect(own.status).toBe(200);
    expect(rowsOf((await workbookOf(own.bytes)).getWorksheet('排名')!)).toEqual((await rankingAnswer({ parent: county }, tokens.county)).map(expectedRow));
  });

  test('the public and agencies, for whom GraphQL computes no ranking, are refused with 403', async () => {
    const publicAnswer = await download({ parent: county, ...periodQuery() });
    expect(publicAnswer.status).toBe(403);
    expect(errorOf(publicAnswer).message).toMatch(/未携带令牌（公众）不能导出排名/);
    const publicRanking = await api.gql<{ agencyRanking: { entries: unknown[] } }>(
      `query($p: String!, $period: PeriodInput!) { agencyRanking(parentRegionCode: $p, period: $period) { entries { name } } }`, { p: county, period: year });
    expect(publicRanking.data!.agencyRanking.entries).toEqual([]);
    const agencyAnswer = await download({ parent: county, ...periodQuery() }, tokens.agency);
    expect(agencyAnswer.status).toBe(403);
    expect(errorOf(agencyAnswer).message).toMatch(/执法主体不能导出排名/);
  });

  test('a bad token is 401 and a viewer past its rate limit waits (429), as for the other exports', async () => {
    const forged = await download({ parent: county, ...periodQuery() }, tokens.province.slice(0, -4) + 'AAAA');
    expect(forged.status).toBe(401);
    expect(errorOf(forged).message).toMatch(/令牌无效/);
    const strict = await startTestApi(db, pool, profile, (config) => { config.api.rateLimitPerMinute = 2; });
    try {
      const token = await strict.token({ role: 'PROVINCE' });
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        statuses.push((await fetch(`${strict.url}/export/ranking.xlsx?parent=${county}`, { headers: { authorization: `Bearer ${token}` } })).status);
      }
      expect(statuses).toEqual([400, 400, 429]);
    } finally {
      await strict.close();
    }
  });
});

describe('refusals', () => {
  test.each([
    ['no parameters at all', '', 'MISSING_PARAMETER', 'parent'],
    ['an unknown parameter', () => `parentRegionCode=${province}&level=PREFECTURE&from=2025-01-01&to=2025-12-31`, 'UNKNOWN_PARAMETER', 'parentRegionCode'],
    ['a repeated parameter', () => `parent=${province}&parent=${county}&from=2025-01-01&to=2025-12-31`, 'REPEATED_PARAMETER', 'parent'],
    ['an unknown region', 'parent=359999&level=PREFECTURE&from=2025-01-01&to=2025-12-31', 'REGION_UNKNOWN', 'parent'],
    ['a malformed region code', 'parent=35&from=2025-01-01&to=2025-12-31', 'REGION_CODE_FORMAT', 'parent'],
    ['an unknown level', () => `parent=${province}&level=CITY&from=2025-01-01&to=2025-12-31`, 'UNKNOWN_CODE', 'level'],
    ['a level not below the parent', () => `parent=${county}&level=PREFECTURE&from=2025-01-01&to=2025-12-31`, 'LEVEL_NOT_BELOW_PARENT', 'level'],
    ['an enforcement domain no agency has', () => `parent=${county}&domain=${encodeURIComponent('不存在的领域')}&from=2025-01-01&to=2025-12-31`, 'UNKNOWN_CODE', 'domain'],
    ['a domain with a level', () => `parent=${province}&level=PREFECTURE&domain=x&from=2025-01-01&to=2025-12-31`, 'CONFLICTING_PARAMETER', 'domain'],
    ['no period end', () => `parent=${province}&level=PREFECTURE&from=2025-01-01`, 'MISSING_PARAMETER', 'to'],
    ['a day that does not exist', () => `parent=${province}&level=PREFECTURE&from=2025-02-30&to=2025-12-31`, 'INVALID_DATE', 'from'],
    ['a reversed period', () => `parent=${province}&level=PREFECTURE&from=2025-12-31&to=2025-01-01`, 'PERIOD_REVERSED', 'from'],
    ['a malformed as-of date', () => `parent=${province}&level=PREFECTURE&from=2025-01-01&to=2025-12-31&asOf=2025-13-01`, 'INVALID_DATE', 'asOf'],
    ['a malformed frozen id', 'frozen=abc', 'BAD_ID', 'frozen'],
    ['a frozen id beyond any id', 'frozen=99999999999999999999', 'BAD_ID', 'frozen'],
    ['a frozen id with ranking arguments', () => `frozen=1&parent=${province}`, 'CONFLICTING_PARAMETER', 'parent'],
  ] as const)('%s is refused with 400 naming the parameter, in Chinese, with no file', async (_, query, reason, parameter) => {
    const answer = await download(typeof query === 'function' ? query() : query, tokens.province);
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.headers.get('content-disposition')).toBeNull();
    const error = errorOf(answer);
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', reason });
    expect(error.message).toContain(parameter);
    expect(error.message).toMatch(/[\u4e00-\u9fff]/);
  });
});

describe('unit names are data, never formulas', () => {
  test('names starting with = + - @ or a tab are string cells in Text format, read back as written; the file has no formula', async () => {
    const hostile = ['=cmd|\' /C calc\'!A0', '+1+1', '-2+3', '@SUM(1,2)', '\t=1+1'];
    const { rows: agencies } = await pool.query<{ uscc: string; name: string }>(
      `select uscc, name from agencies where region_code like $1 order by uscc limit $2`, [county + '%', hostile.length]);
    expect(agencies).toHaveLength(hostile.length);
    try {
      for (const [i, agency] of agencies.entries()) await pool.query(`update agencies set name = $2 where uscc = $1`, [agency.uscc, hostile[i]]);
      const answer = await download({ parent: county, ...periodQuery() }, tokens.province);
      expect(answer.status).toBe(200);
      const workbook = await workbookOf(answer.bytes);
      for (const sheetName of ['排名', '分子分母']) {
        const sheet = workbook.getWorksheet(sheetName)!;
        const column = headerOf(sheet).indexOf('单位') + 1;
        for (const [i, agency] of agencies.entries()) {
          const row = rowsOf(sheet).findIndex((r) => r.代码 === agency.uscc) + 2;
          expect(row).toBeGreaterThan(1);
          const cell = sheet.getCell(row, column);
          expect({ type: cell.type, value: cell.value, numFmt: cell.numFmt }).toEqual({ type: ValueType.String, value: hostile[i], numFmt: '@' });
        }
      }
      // in the file itself: no sheet holds a formula element, and the names are in the shared strings as text
      const zip = await unzipper.Open.buffer(answer.bytes);
      for (const file of zip.files.filter((f) => /^xl\/worksheets\/.*\.xml$/.test(f.path))) {
        const xml = (await file.buffer()).toString('utf8');
        expect({ path: file.path, formula: /<f[ >]/.test(xml) }).toEqual({ path: file.path, formula: false });
      }
      const strings = (await zip.files.find((f) => f.path === 'xl/sharedStrings.xml')!.buffer()).toString('utf8');
      expect(strings).toContain('<t>=cmd|&apos; /C calc&apos;!A0</t>');
    } finally {
      for (const agency of agencies) await pool.query(`update agencies set name = $2 where uscc = $1`, [agency.uscc, agency.name]);
    }
  });
});

describe('audit', () => {
  test('every download is in the audit log with its viewer, parameters and outcome', async () => {
    const query = { parent: prefecture, level: 'COUNTY', ...periodQuery() };
    expect((await download(query, tokens.province)).status).toBe(200);
    expect((await download({ ...query, parent: province, level: 'PREFECTURE' }, tokens.county)).status).toBe(403);
    const find = (role: string) => pool.query(`select viewer_role, viewer_subject, operation_kind, operation_name, variables, outcome, error
      from api_audit_log where operation_name = 'ranking.xlsx' and viewer_role = $1 and variables->>'parent' = $2 order by id desc limit 1`,
    [role, role === 'PROVINCE' ? prefecture : province]);
    let rows: Record<string, unknown>[] = [];
    for (let i = 0; i < 50; i++) {
      rows = [...(await find('PROVINCE')).rows, ...(await find('SUPERVISOR')).rows];
      if (rows.length === 2) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(rows).toEqual([
      { viewer_role: 'PROVINCE', viewer_subject: 'province-test', operation_kind: 'export', operation_name: 'ranking.xlsx', variables: query, outcome: 'OK', error: null },
      expect.objectContaining({ viewer_role: 'SUPERVISOR', viewer_subject: 'county-test', operation_kind: 'export', outcome: 'ERROR',
        error: expect.stringContaining('无权导出') }),
    ]);
  });
});

describe('the export path the Arrow exports share', () => {
  test('an Arrow export still streams through it, and is refused through it before a byte is written', async () => {
    const headers = { authorization: `Bearer ${tokens.county}` };
    const stream = await fetch(`${api.url}/export/cases.arrow?from=${year.from}&to=${year.to}`, { headers });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('application/vnd.apache.arrow.stream');
    expect(stream.headers.get('content-disposition')).toBe('attachment; filename="cases.arrow"');
    const table = tableFromIPC(Buffer.from(await stream.arrayBuffer()));
    expect(table.numRows).toBeGreaterThan(0);
    expect(table.toArray().filter((row: { region_code: string }) => !row.region_code.startsWith(county))).toEqual([]);
    const refused = await fetch(`${api.url}/export/cases.arrow?from=2025-02-30`, { headers });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-disposition')).toBeNull();
    expect((await refused.json() as { errors: { message: string }[] }).errors[0]!.message).toContain('from');
  });
});
