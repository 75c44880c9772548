/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Pool } from 'pg';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createPool } from '../../src/database/pg';
import { loadPolicyProfile, type PolicyProfile } from '../../src/domain/profile/policy-profile';
import { refreshRollups } from '../../src/metrics/rollups/refresh-rollups';
import { projectRoot } from '../../src/paths';
import { startTestApi, type TestApi } from '../support/api-server';
import { loadSyntheticProvince, readAnswerKey } from '../support/synthetic-province';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * The dashboards in a real browser (Debian's chromium driven by playwright-core) against a hub serving the
 * synthetic province: every dashboard loads with the figures the GraphQL API gives, a supervisor drills from the
 * province to a prefecture, a county and one case, downloads the Excel ranking and it reads back the same, and
 * a county viewer can neither pick nor open another county. Screenshots land in test/artifacts/ (git-ignored);
 * the time to the first paint with data is printed, not asserted.
 */
jest.setTimeout(300000);

const chromiumPath = process.env.HUB_CHROMIUM ?? '/usr/bin/chromium';
const haveBrowser = fs.existsSync(chromiumPath);
if (!haveBrowser) {
  // eslint-disable-next-line no-console
  console.warn(`dashboards browser tests NOT RUN: no chromium at ${chromiumPath} (apt-get install -y chromium, or set HUB_CHROMIUM); .ci/run installs it`);
}
const describeWithBrowser = haveBrowser ? describe : describe.skip;
const artifacts = path.join(projectRoot, 'test', 'artifacts');

let db: TestDatabase;
let pool: Pool;
let profile: PolicyProfile;
let api: TestApi;
let browser: Browser;
let today: string;
let province: string;
let prefecture: string;
let county: string;
let otherCounty: string;
let tokens: { province: string; county: string };
const paints: string[] = [];

const periodOfYear = (year: string) => ({ from: `${year}-01-01`, to: `${year}-12-31` });

async function answer<T>(query: string, variables: Record<string, unknown>, token: string): Promise<T> {
  const result = await api.gql<T>(query, variables, token);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!;
}

async function viewerPage(token: string, viewport = { width: 1366, height: 768 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, acceptDownloads: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  await context.addInitScript((value) => sessionStorage.setItem('hub.token', value), token);
  const page = await context.newPage();
  page.on('pageerror', (error) => { throw error; });
  return { context, page };
}

async function open(page: Page, hash: string): Promise<void> {
  await page.goto(`${api.url}/${hash}`);
  await waitReady(page);
}

async function waitReady(page: Page): Promise<void> {
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });
}

/** Clicks the bar of a category in a panel's chart, where ECharts drew it. */
async function clickBar(page: Page, panel: string, name: string): Promise<void> {
  const point = await page.evaluate(([id, category]) => {
    const element = document.querySelector(`[data-panel="${id}"] .chart`) as HTMLElement;
    const chart = (window as unknown as { echarts: { getInstanceByDom(e: HTMLElement): any } }).echarts.getInstanceByDom(element);
    const option = chart.getOption();
    const horizontal = option.yAxis[0].type === 'category';
    const names: string[] = (horizontal ? option.yAxis[0] : option.xAxis[0]).data;
    const index = names.indexOf(category!);
    if (index < 0) throw new Error(`no bar ${category} among ${names.join(', ')}`);
    const value = option.series[0].data[index];
    const [x, y] = chart.convertToPixel({ seriesIndex: 0 }, horizontal ? [value / 2, index] : [index, value / 2]);
    const box = element.getBoundingClientRect();
    return { x: box.left + x, y: box.top + y };
  }, [panel, name] as const);
  await page.mouse.click(point.x, point.y);
}

beforeAll(async () => {
  if (!haveBrowser) return;
  fs.mkdirSync(artifacts, { recursive: true });
  db = await createTestDatabase();
  pool = createPool(db.url);
  const dir = await loadSyntheticProvince(pool, { seed: 20261206, scale: 2000, prefix: 'browser-' });
  profile = loadPolicyProfile({ name: readAnswerKey(dir).key.profile });
  await refreshRollups(pool, profile);
  // the county with the most decisions, its prefecture and province, and another county of the same prefecture
  const { rows } = await pool.query<{ county: string; n: number }>(`
    select left(region_code, 6) as county, count(*)::int as n from cases
    where substring(region_code, 5, 2) <> '00' group by 1 order by n desc, 1`);
  county = rows[0]!.county;
  prefecture = `${county.slice(0, 4)}00`;
  province = `${county.slice(0, 2)}0000`;
  otherCounty = rows.find((row) => row.county !== county && row.county.startsWith(county.slice(0, 4)))!.county;
  api = await startTestApi(db, pool, profile, () => undefined, { site: true });
  tokens = {
    province: await api.token({ role: 'PROVINCE', region: province, sub: 'browser-province' }),
    county: await api.token({ role: 'SUPERVISOR', region: county, sub: 'browser-county' }),
  };
  today = (await answer<{ me: { today: string } }>('{ me { today } }', {}, tokens.province)).me.today;
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--font-render-hinting=none', '--lang=zh-CN'],
  });
});

afterAll(async () => {
  if (!haveBrowser) return;
  // eslint-disable-next-line no-console
  if (paints.length) console.log(`dashboards: first paint with data on the synthetic province (2,000 cases), 1366×768:\n  ${paints.join('\n  ')}`);
  await browser?.close();
  await api?.close();
  await pool?.end();
  await db?.drop();
});

const text = async (page: Page, selector: string) => ((await page.locator(selector).first().textContent()) ?? '').trim();
const percent = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);
const count = (n: number) => n.toLocaleString('zh-CN');

const dashboards = ['overview', 'publication', 'corrections', 'legal-review', 'recording', 'ranking', 'data-quality'];

describeWithBrowser('the dashboards in a browser', () => {
  test('the login box refuses a bad token in plain Chinese and takes a good one', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    await page.goto(`${api.url}/`);
    await page.fill('#token', 'not-a-token');
    await page.click('form button[type="submit"]');
    await page.waitForSelector('.login .error');
    expect(await text(page, '.login .error')).toMatch(/令牌/);
    await page.fill('#token', tokens.province);
    await page.click('form button[type="submit"]');
    await waitReady(page);
    expect(await text(page, '[data-viewer="PROVINCE"]')).toContain('省级');
    await context.close();
  });

  test('every dashboard loads without an error panel; screenshots and first-paint times are kept', async () => {
    for (const id of dashboards) {
      const { context, page } = await viewerPage(tokens.province);
      await open(page, `#/${id}?r=${province}&p=${today.slice(0, 4)}`);
      const states = await page.$$eval('[data-panel]', (panels) => panels.map((p) => `${p.getAttribute('data-panel')}:${p.getAttribute('data-state')}`));
      expect(states.filter((s) => s.endsWith(':error') || s.endsWith(':loading'))).toEqual([]);
      expect(states.filter((s) => s.endsWith(':ready')).length).toBeGreaterThan(0);
      const readyAt = await page.evaluate(() => document.body.dataset.readyAt);
      paints.push(`${id.padEnd(14)} ${readyAt} ms`);
      // usable on a 1366×768 office screen: nothing wider than the window
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1366);
      await page.screenshot({ path: path.join(artifacts, `dashboard-${id}.png`), fullPage: true });
      await context.close();
    }
    const { context, page } = await viewerPage(tokens.province, { width: 2560, height: 1440 });
    await open(page, `#/overview?r=${province}&p=${today.slice(0, 4)}`);
    await page.screenshot({ path: path.join(artifacts, 'dashboard-overview-wall.png') });
    await context.close();
  });

  test('the overview shows the figures the API gives, and the change against the previous period', async () => {
    const year = today.slice(0, 4);
    const { context, page } = await viewerPage(tokens.province);
    await open(page, `#/overview?r=${province}&p=${year}`);
    const { indicators, previous } = await answer<{ indicators: Record<string, { numerator: number; denominator: number; rate: number | null }>; previous: Record<string, { rate: number | null }> }>(
      `query ($scope: ScopeInput!, $period: PeriodInput!, $previous: PeriodInput!, $asOf: Date) {
        indicators(scope: $scope, period: $period, asOf: $asOf) { publicationTimeliness { numerator denominator rate } reviewCoverage { numerator denominator rate } correctionRate { numerator denominator rate } recordingCompliance { numerator denominator rate } }
        previous: indicators(scope: $scope, period: $previous, asOf: $asOf) { publicationTimeliness { rate } }
      }`, { scope: { regionCode: province }, period: periodOfYear(year), previous: periodOfYear(String(Number(year) - 1)), asOf: today }, tokens.province);
    for (const name of ['publicationTimeliness', 'reviewCoverage', 'correctionRate', 'recordingCompliance']) {
      const card = `[data-panel="headline"] [data-indicator="${name}"]`;
      expect(await text(page, `${card} .kpi-rate`)).toBe(percent(indicators[name]!.rate));
      expect(await text(page, `${card} .kpi-numerator`)).toBe(count(indicators[name]!.numerator));
      expect(await text(page, `${card} .kpi-denominator`)).toBe(count(indicators[name]!.denominator));
    }
    const change = ((indicators.publicationTimeliness!.rate! - previous.publicationTimeliness!.rate!) * 100).toFixed(1);
    expect(await text(page, '[data-panel="headline"] [data-indicator="publicationTimeliness"] .kpi-change')).toContain(`${Number(change) > 0 ? '+' : ''}${change} 个百分点`);
    // the bars by prefecture are the aggregate's rates
    const { aggregate } = await answer<{ aggregate: { keys: { label: string }[]; rate: { rate: number | null; denominator: number } }[] }>(
      `query ($scope: ScopeInput!, $period: PeriodInput!, $asOf: Date) { aggregate(indicator: publicationTimeliness, groupBy: [PREFECTURE], scope: $scope, period: $period, asOf: $asOf) { keys { label } rate { rate denominator } } }`,
      { scope: { regionCode: province }, period: periodOfYear(year), asOf: today }, tokens.province);
    const drawn = await page.evaluate(() => {
      const chart = (window as any).echarts.getInstanceByDom(document.querySelector('[data-panel="by-region"] .chart'));
      const option = chart.getOption();
      const axis = option.yAxis[0].type === 'category' ? option.yAxis[0] : option.xAxis[0];
      return { names: axis.data as string[], values: option.series[0].data as number[] };
    });
    const expected = aggregate.filter((row) => row.rate.denominator > 0);
    expect(drawn.names).toEqual(expected.map((row) => row.keys[0]!.label));
    expect(drawn.values).toEqual(expected.map((row) => Number((row.rate.rate! * 100).toFixed(2))));
    await context.close();
  });

  test('a supervisor drills from the province to a prefecture, a county, the records behind a number and one case', async () => {
    const year = today.slice(0, 4);
    const { context, page } = await viewerPage(tokens.province);
    await open(page, `#/publication?r=${province}&p=${year}`);
    const names = await answer<{ p: { name: string }; c: { name: string } }>('query ($p: String!, $c: String!) { p: region(code: $p) { name } c: region(code: $c) { name } }', { p: prefecture, c: county }, tokens.province);
    await clickBar(page, 'by-region', names.p.name);
    await page.waitForFunction((code) => location.hash.includes(`r=${code}`), prefecture);
    await waitReady(page);
    expect(await page.$eval('[data-picker="prefecture"]', (e) => (e as HTMLSelectElement).value)).toBe(prefecture);
    await clickBar(page, 'by-region', names.c.name);
    await page.waitForFunction((code) => location.hash.includes(`r=${code}`), county);
    await waitReady(page);
    // from the county's headline number to the records behind its denominator
    await page.click('[data-panel="headline"] [data-indicator="publicationTimeliness"] .kpi-denominator');
    await page.waitForFunction(() => location.hash.startsWith('#/records'));
    await waitReady(page);
    const { indicators } = await answer<{ indicators: { publicationTimeliness: { denominator: number } } }>(
      'query ($scope: ScopeInput!, $period: PeriodInput!, $asOf: Date) { indicators(scope: $scope, period: $period, asOf: $asOf) { publicationTimeliness { denominator } } }',
      { scope: { regionCode: county }, period: periodOfYear(year), asOf: today }, tokens.province);
    expect(await text(page, '[data-panel="records"] .table-summary')).toContain(`本列表共 ${count(indicators.publicationTimeliness.denominator)} `);
    const caseId = await text(page, '[data-panel="records"] tbody tr td:nth-child(3)');
    await page.click('[data-panel="records"] tbody tr.clickable');
    await page.waitForFunction(() => location.hash.startsWith('#/case'));
    await waitReady(page);
    expect(await text(page, '.dashboard-header h1')).toBe(`案件 ${caseId}`);
    const body = await text(page, '[data-panel="case"]');
    expect(body).toContain('公示状态');
    expect(body).toContain('数据来源（血缘）');
    expect(await page.$$eval('[data-panel="case"] .facts dd', (dds) => dds.some((dd) => /\.csv|\.xlsx|\.arrow|page|api/i.test(dd.textContent ?? '')))).toBe(true);
    await page.screenshot({ path: path.join(artifacts, 'drill-case.png'), fullPage: true });
    await context.close();
  });

  test('the ranking table equals the API answer, and its Excel download reads back the same', async () => {
    const year = today.slice(0, 4);
    const { context, page } = await viewerPage(tokens.province);
    await open(page, `#/ranking?r=${province}&p=${year}`);
    const { ranking } = await answer<{ ranking: { entries: { rank: number | null; name: string; regionCode: string; score: number | null; status: string; decisions: number }[] } }>(
      'query ($p: String!, $period: PeriodInput!, $asOf: Date) { ranking(parentRegionCode: $p, level: PREFECTURE, period: $period, asOf: $asOf) { entries { rank name regionCode score status decisions } } }',
      { p: province, period: periodOfYear(year), asOf: today }, tokens.province);
    const screen = await page.$$eval('[data-panel="table"] table tbody tr', (rows) => rows.map((row) => [...row.querySelectorAll('td')].slice(0, 6).map((td) => td.textContent?.trim() ?? '')));
    expect(screen).toEqual(ranking.entries.map((e) => [e.rank === null ? '' : String(e.rank), e.name, e.regionCode, e.score === null ? '—' : e.score.toFixed(2), count(e.decisions),
      ({ RANKED: '参与排名', INSUFFICIENT_SAMPLE: '样本不足', NO_SCORE: '无可计分指标' } as Record<string, string>)[e.status]]));
    const header = await page.$$eval('[data-panel="table"] table thead th', (ths) => ths.map((th) => th.textContent?.trim() ?? ''));
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-panel="table"] button.export')]);
    const file = path.join(artifacts, 'ranking.xlsx');
    await download.saveAs(file);
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(file);
    const sheet = workbook.getWorksheet('排名')!;
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(header);
    ranking.entries.forEach((entry, i) => {
      const row = sheet.getRow(i + 2);
      expect(row.getCell(2).value).toBe(entry.name);
      expect(row.getCell(3).value).toBe(entry.regionCode);
      expect(row.getCell(1).value ?? null).toBe(entry.rank);
      if (entry.score !== null) expect(row.getCell(4).value).toBeCloseTo(entry.score, 6);
    });
    await context.close();
  });

  test('a frozen version is selectable and shown as published', async () => {
    const year = today.slice(0, 4);
    const frozen = await answer<{ freezeRanking: { id: string; version: number } }>(
      'mutation ($input: FreezeRankingInput!) { freezeRanking(input: $input) { id version } }',
      { input: { parentRegionCode: province, level: 'PREFECTURE', period: periodOfYear(year), asOf: today, title: '浏览器测试 设区市排名' } }, tokens.province);
    const { context, page } = await viewerPage(tokens.province);
    await open(page, `#/ranking?r=${province}&p=${year}`);
    await page.selectOption('[data-picker="ranking-version"]', frozen.freezeRanking.id);
    await page.waitForFunction((id) => location.hash.includes(`v=${id}`), frozen.freezeRanking.id);
    await waitReady(page);
    expect(await text(page, '[data-panel="table"] .ranking-facts')).toContain(`已冻结版本「浏览器测试 设区市排名」第 ${frozen.freezeRanking.version} 版`);
    await context.close();
  });

  test('a failing panel says so in plain Chinese, the others still show, and 重试 recovers', async () => {
    const { context, page } = await viewerPage(tokens.province);
    let failing = true;
    await page.route('**/graphql', async (route) => {
      if (failing && (route.request().postData() ?? '').includes('PublicationDelay')) {
        await route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ errors: [{ message: 'internal', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }) });
      } else await route.continue();
    });
    await open(page, `#/publication?r=${province}&p=${today.slice(0, 4)}`);
    expect(await page.getAttribute('[data-panel="delay"]', 'data-state')).toBe('error');
    expect(await text(page, '[data-panel="delay"] .error')).toContain('数据中台暂时无法回答');
    expect(await page.getAttribute('[data-panel="headline"]', 'data-state')).toBe('ready');
    failing = false;
    await page.click('[data-panel="delay"] .error button');
    await page.waitForSelector('[data-panel="delay"][data-state="ready"]');
    await context.close();
  });

  test('an empty period says so, in Chinese', async () => {
    const { context, page } = await viewerPage(tokens.province);
    await open(page, `#/publication?r=${province}&p=2015`);
    expect(await text(page, '[data-panel="headline"] .empty')).toBe('本期无数据');
    await context.close();
  });

  test('a county viewer can neither pick nor open another county', async () => {
    const { context, page } = await viewerPage(tokens.county);
    await open(page, '#/overview');
    expect(await text(page, '[data-picker="root"]')).toBe((await answer<{ region: { name: string } }>('query ($c: String!) { region(code: $c) { name } }', { c: county }, tokens.county)).region.name);
    // no prefecture or county picker: nothing above or beside the county can be chosen
    expect(await page.$$('[data-picker="prefecture"], [data-picker="county"]')).toHaveLength(0);
    const options = await page.$$eval('select option', (list) => list.map((o) => (o as HTMLOptionElement).value));
    expect(options.filter((value) => /^\d{6}$/.test(value) && !value.startsWith(county.slice(0, 6)))).toEqual([]);
    // typing another county's address: refused, and back to one's own county
    await page.goto(`${api.url}/#/overview?r=${otherCounty}`);
    await page.waitForSelector('[role="alert"]');
    expect(await text(page, '[role="alert"]')).toContain(`无权查看区划 ${otherCounty}`);
    await page.waitForFunction((code) => location.hash.includes(`r=${code}`), county);
    await waitReady(page);
    await page.screenshot({ path: path.join(artifacts, 'county-viewer.png') });
    await context.close();
  });
});
