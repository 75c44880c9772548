import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pullEntityPages } from '../../etl/connectors/http-api';
import type { ApiPage, HttpPullOptions } from '../../etl/connectors/http-api';
import { FeedReadError } from '../../etl/raw-row';
import type { RawRow } from '../../etl/raw-row';
import { startAgencyApiSimulator } from '../../etl/simulator/agency-api-simulator';
import type { AgencyApiSimulator, SimulatorOptions } from '../../etl/simulator/agency-api-simulator';

const quanzhouMarketBureau = '91350500MA2Y0K3L8T';
const token = 'sk-quanzhou-3f9a1c7e5b';

/** A case as the county platform's API sends it; `n` makes the case number and a later updatedAt. */
function aCaseItem(n: number, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    caseId: `QZ-2024-${String(n).padStart(3, '0')}`, agencyUscc: quanzhouMarketBureau, actionType: 'PENALTY',
    procedure: 'ORDINARY', filedOn: '2024-09-01', decidedOn: '2024-09-27', partyType: 'PERSON', partyName: '张三',
    updatedAt: updatedAtOf(n), ...fields,
  };
}

/** Case n was last updated n minutes after 10:00 on 2024-09-28, Beijing time, written without a zone as platforms do. */
function updatedAtOf(n: number): string {
  return `2024-09-28T${String(10 + Math.floor(n / 60)).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}:00`;
}

function aLetterItem(n: number): Record<string, unknown> {
  return { letterNo: `泉司监〔2024〕${n}号`, kind: 'OPINION', agencyUscc: quanzhouMarketBureau, issuedOn: '2024-10-08', dueOn: '2024-11-08' };
}

const cases = (...numbers: number[]) => numbers.map((n) => aCaseItem(n));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Retries that keep the file fast: waits of a few milliseconds, time-outs well above a local answer. */
const fastRetry = { attempts: 3, baseDelayMs: 2, maxDelayMs: 20, timeoutMs: 1_000 };

/** Servers started by the running test, closed after it. */
const closeAfterTest: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(closeAfterTest.splice(0).map((close) => close()));
});

async function aSimulator(options: Partial<SimulatorOptions> = {}): Promise<AgencyApiSimulator> {
  const sim = await startAgencyApiSimulator({ data: { cases: cases(...range(1, 7)) }, token, ...options });
  closeAfterTest.push(() => sim.close());
  return sim;
}

function pullOptions(sim: { url: string }, options: Partial<HttpPullOptions> = {}): HttpPullOptions {
  return { baseUrl: sim.url, entity: 'cases', token, updatedSince: null, pageSize: 3, retry: fastRetry, ...options };
}

async function pullAll(options: HttpPullOptions): Promise<ApiPage[]> {
  const pages: ApiPage[] = [];
  for await (const page of pullEntityPages(options)) pages.push(page);
  return pages;
}

const rowsOf = (pages: ApiPage[]): RawRow[] => pages.flatMap((page) => page.rows);
const caseIdsOf = (pages: ApiPage[]): string[] => rowsOf(pages).map((row) => String(row.values.caseId));
const caseId = (n: number) => aCaseItem(n).caseId as string;

async function pullError(options: HttpPullOptions): Promise<FeedReadError> {
  const error = await pullAll(options).then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(FeedReadError);
  return error as FeedReadError;
}

describe('pulling an entity from a platform API page by page', () => {
  test('every page is asked for once, in order, and the pull stops at totalPages', async () => {
    const sim = await aSimulator();
    const pages = await pullAll(pullOptions(sim));
    expect(pages.map((page) => [page.page, page.totalPages])).toEqual([[1, 3], [2, 3], [3, 3]]);
    expect(new Set(caseIdsOf(pages))).toEqual(new Set(range(1, 7).map(caseId)));
    expect(sim.requests()).toBe(3);
  });

  test('the next page is requested only when the consumer asks for it, so page k is committed before k+1 is read', async () => {
    const sim = await aSimulator();
    const iterator = pullEntityPages(pullOptions(sim))[Symbol.asyncIterator]();
    expect(sim.requests()).toBe(0);
    await iterator.next();
    expect(sim.requests()).toBe(1);
    await iterator.return?.();
    expect(sim.requests()).toBe(1);
  });

  test('only records updated strictly after the watermark are delivered', async () => {
    const sim = await aSimulator();
    const watermark = new Date(`${updatedAtOf(4)}+08:00`);
    const pages = await pullAll(pullOptions(sim, { updatedSince: watermark }));
    expect(new Set(caseIdsOf(pages))).toEqual(new Set([5, 6, 7].map(caseId)));
    expect(pages.map((page) => page.page)).toEqual([1]);
  });

  test('records without updatedAt (letters) are delivered whatever the watermark', async () => {
    const sim = await aSimulator({ data: { letters: [aLetterItem(1), aLetterItem(2)] } });
    const pages = await pullAll(pullOptions(sim, { entity: 'letters', updatedSince: new Date('2030-01-01T00:00:00Z') }));
    expect(new Set(rowsOf(pages).map((row) => row.values.letterNo))).toEqual(new Set(['泉司监〔2024〕1号', '泉司监〔2024〕2号']));
  });

  test('nothing new: one empty page and the pull ends', async () => {
    const sim = await aSimulator();
    const pages = await pullAll(pullOptions(sim, { updatedSince: new Date('2030-01-01T00:00:00Z') }));
    expect(pages).toEqual([{ page: 1, totalPages: 0, rows: [] }]);
  });

  test('a pull resumed at startPage asks for no earlier page and delivers the rest', async () => {
    const sim = await aSimulator();
    const pages = await pullAll(pullOptions(sim, { startPage: 2 }));
    expect(pages.map((page) => page.page)).toEqual([2, 3]);
    expect(new Set(caseIdsOf(pages))).toEqual(new Set(range(4, 7).map(caseId)));
    expect(sim.requests()).toBe(2);
  });

  test('totalPages that grows during the pull (records arriving) is followed to the new last page', async () => {
    const sim = await aSimulator({ data: { cases: cases(...range(1, 4)) } });
    const seen: ApiPage[] = [];
    for await (const page of pullEntityPages(pullOptions(sim, { pageSize: 2 }))) {
      seen.push(page);
      if (page.page === 1) sim.replaceData('cases', cases(...range(1, 6)));
    }
    expect(seen.map((page) => [page.page, page.totalPages])).toEqual([[1, 2], [2, 3], [3, 3]]);
    expect(new Set(caseIdsOf(seen))).toEqual(new Set(range(1, 6).map(caseId)));
  });

  test('a row\'s position names the page and the item: 0-based index, 1-based in the label', async () => {
    const sim = await aSimulator();
    const rows = rowsOf(await pullAll(pullOptions(sim)));
    const fifth = rows.find((row) => row.values.caseId === caseId(5));
    expect(fifth?.position).toEqual({ page: 2, item: 1, label: 'cases API 第 2 页第 2 条' });
    expect(fifth?.values).toEqual(aCaseItem(5));
    expect(fifth?.readProblems).toBeUndefined();
  });

  test('an item that is not a JSON object becomes a row with a read problem, not a failed page', async () => {
    const sim = await aSimulator();
    sim.replaceData('cases', [aCaseItem(1), 'QZ-2024-002' as unknown as Record<string, unknown>, null as unknown as Record<string, unknown>]);
    const rows = rowsOf(await pullAll(pullOptions(sim)));
    const flagged = rows.filter((row) => row.readProblems);
    expect(flagged.map((row) => [row.position.label, row.readProblems?.map((problem) => problem.code)])).toEqual(expect.arrayContaining([
      ['cases API 第 1 页第 1 条', ['API_ITEM_NOT_OBJECT']],
      ['cases API 第 1 页第 2 条', ['API_ITEM_NOT_OBJECT']],
    ]));
    expect(flagged.flatMap((row) => row.readProblems?.map((problem) => problem.message))).toEqual(expect.arrayContaining([
      expect.stringContaining('"QZ-2024-002"'),
    ]));
    expect(rows.find((row) => row.values.caseId === caseId(1))?.readProblems).toBeUndefined();
  });

  test('records repeated across pages are yielded as delivered; de-duplication is the pipeline\'s', async () => {
    const sim = await aSimulator({ faults: { duplicateAcrossPages: true } });
    const ids = caseIdsOf(await pullAll(pullOptions(sim)));
    const count = (id: string) => ids.filter((each) => each === id).length;
    expect({ third: count(caseId(3)), sixth: count(caseId(6)), first: count(caseId(1)) }).toEqual({ third: 2, sixth: 2, first: 1 });
  });
});

describe('retrying what may succeed on the next try', () => {
  test('a page that answers 500 is retried with backoff and yielded once it succeeds', async () => {
    const sim = await aSimulator({ faults: { failFirstAttempts: 2 } });
    const retries: { page: number; attempt: number; reason: string; delayMs: number }[] = [];
    const pages = await pullAll(pullOptions(sim, { onRetry: (info) => retries.push(info) }));
    expect(new Set(caseIdsOf(pages))).toEqual(new Set(range(1, 7).map(caseId)));
    expect(retries.filter((retry) => retry.page === 2).map((retry) => retry.attempt)).toEqual([1, 2]);
    expect(retries.every((retry) => retry.reason.includes('HTTP 500') && retry.delayMs <= fastRetry.maxDelayMs)).toBe(true);
    expect(sim.requests()).toBe(9);
  });

  test('a truncated body (not valid JSON) is retried', async () => {
    const sim = await aSimulator({ faults: { truncateEveryNth: 2 } });
    const reasons: string[] = [];
    const pages = await pullAll(pullOptions(sim, { onRetry: (info) => reasons.push(info.reason) }));
    expect(new Set(caseIdsOf(pages))).toEqual(new Set(range(1, 7).map(caseId)));
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons.every((reason) => reason.includes('JSON'))).toBe(true);
  });

  test('an answer slower than timeoutMs is abandoned and the request tried again', async () => {
    const sim = await aSimulator({ faults: { slowMs: 300 } });
    const reasons: string[] = [];
    const pages = await pullAll(pullOptions(sim, {
      pageSize: 10,
      retry: { ...fastRetry, timeoutMs: 100 },
      // The platform recovers after the first time-out.
      onRetry: (info) => {
        reasons.push(info.reason);
        sim.setFaults({});
      },
    }));
    expect(new Set(caseIdsOf(pages))).toEqual(new Set(range(1, 7).map(caseId)));
    expect(reasons).toEqual([expect.stringContaining('超时')]);
  });

  test('a slow answer within timeoutMs is waited for, not retried', async () => {
    const sim = await aSimulator({ faults: { slowMs: 50 } });
    const pages = await pullAll(pullOptions(sim, { pageSize: 10, retry: { ...fastRetry, timeoutMs: 1_000 } }));
    expect(new Set(caseIdsOf(pages))).toEqual(new Set(range(1, 7).map(caseId)));
    expect(sim.requests()).toBe(1);
  });

  test('after the last attempt the pull fails with the URL, the page and the last reason, and resumes from that page', async () => {
    const sim = await aSimulator({ faults: { failEveryNth: 1 } });
    const error = await pullError(pullOptions(sim, { startPage: 2 }));
    expect(sim.requests()).toBe(fastRetry.attempts);
    expect(error.where).toBe('cases API 第 2 页');
    expect(error.message).toContain(`${sim.url}/cases?page=2&pageSize=3`);
    expect(error.message).toContain(`尝试 ${fastRetry.attempts} 次`);
    expect(error.message).toContain('HTTP 500');
    expect(error.message).toContain('从第 2 页继续');
    expect(error.message).not.toContain(token);
  });

  test('a platform that cannot be reached is retried, then reported as a network error', async () => {
    const gone = await startAgencyApiSimulator({ data: { cases: cases(1) } });
    await gone.close();
    const error = await pullError(pullOptions(gone));
    expect(error.message).toContain('网络错误');
    expect(error.message).toContain('ECONNREFUSED');
  });

  test('an answer for another page, or without items, is retried', async () => {
    const platform = await aScriptedPlatform([
      (res) => json(res, 200, { items: [aCaseItem(1)], page: 2, totalPages: 1 }),
      (res) => json(res, 200, { data: [aCaseItem(1)], page: 1, totalPages: 1 }),
      (res) => json(res, 200, { items: [aCaseItem(1)], page: 1, totalPages: 1 }),
    ]);
    const reasons: string[] = [];
    const pages = await pullAll(pullOptions(platform, { onRetry: (info) => reasons.push(info.reason) }));
    expect(caseIdsOf(pages)).toEqual([caseId(1)]);
    expect(reasons).toEqual([expect.stringContaining('应答却是第 2 页'), expect.stringContaining('items')]);
  });

  test('429 waits at least as long as Retry-After asks', async () => {
    const platform = await aScriptedPlatform([
      (res) => json(res, 429, { error: 'too many requests' }, { 'retry-after': '1' }),
      (res) => json(res, 200, { items: [aCaseItem(1)], page: 1, totalPages: 1 }),
    ]);
    const delays: number[] = [];
    const started = Date.now();
    await pullAll(pullOptions(platform, { retry: { ...fastRetry, maxDelayMs: 5_000 }, onRetry: (info) => delays.push(info.delayMs) }));
    expect(delays).toEqual([1_000]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
  });

  test('a Retry-After longer than maxDelayMs stops the pull at once, to resume at that page on the next run', async () => {
    const platform = await aScriptedPlatform([
      (res) => json(res, 429, { error: 'too many requests' }, { 'retry-after': '3600' }),
    ]);
    const error = await pullError(pullOptions(platform, { retry: { ...fastRetry, maxDelayMs: 5_000 } }));
    expect(error.message).toContain('3600 秒');
    expect(platform.requests()).toBe(1);
  });

  test('aborting the signal stops the pull during a wait', async () => {
    const sim = await aSimulator({ faults: { failEveryNth: 1 } });
    const controller = new AbortController();
    const started = Date.now();
    const outcome = await pullAll(pullOptions(sim, {
      retry: { ...fastRetry, baseDelayMs: 60_000, maxDelayMs: 60_000 },
      signal: controller.signal,
      onRetry: () => controller.abort(),
    })).then(() => 'finished', (error: unknown) => (error as Error).name);
    expect(outcome).toBe('AbortError');
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('failing at once when trying again cannot help', () => {
  test('a rejected token (401) fails at the first request and the error never shows a token', async () => {
    const sim = await aSimulator();
    const wrongToken = 'sk-wrong-0d8e2a6b4c';
    const error = await pullError(pullOptions(sim, { token: wrongToken }));
    expect(sim.requests()).toBe(1);
    expect(error.message).toContain('拒绝了访问令牌');
    expect(error.message).toContain('HTTP 401');
    expect(error.message).not.toContain(wrongToken);
    expect(error.message).not.toContain(token);
    expect(error.stack).not.toContain(wrongToken);
  });

  test('a token echoed back in the platform\'s answer is blanked in the error', async () => {
    const sentToken = 'sk-echoed-77aa';
    const platform = await aScriptedPlatform([(res) => json(res, 403, { error: `token ${sentToken} may not read cases` })]);
    const error = await pullError(pullOptions(platform, { token: sentToken }));
    expect(error.message).toContain('HTTP 403');
    expect(error.message).not.toContain(sentToken);
  });

  test('no token configured for a platform that wants one says so', async () => {
    const sim = await aSimulator();
    const error = await pullError(pullOptions(sim, { token: undefined }));
    expect(error.message).toContain('未配置令牌');
    expect(sim.requests()).toBe(1);
  });

  test('a platform without the entity\'s endpoint (404) fails at once and names the entity', async () => {
    const sim = await aSimulator();
    const error = await pullError(pullOptions(sim, { entity: 'recordings' }));
    expect(sim.requests()).toBe(1);
    expect(error.message).toContain('没有 recordings 接口');
  });

  test('a 400 fails at once and shows what the platform said', async () => {
    const platform = await aScriptedPlatform([(res) => json(res, 400, { error: 'pageSize 最大 200' })]);
    const error = await pullError(pullOptions(platform));
    expect(platform.requests()).toBe(1);
    expect(error.message).toContain('pageSize 最大 200');
  });

  test('a redirect is not followed, so the token goes nowhere but the configured address', async () => {
    const platform = await aScriptedPlatform([(res) => json(res, 302, {}, { location: 'http://elsewhere.example/cases' })]);
    const error = await pullError(pullOptions(platform));
    expect(platform.requests()).toBe(1);
    expect(error.message).toContain('http://elsewhere.example/cases');
  });
});

describe('the platform simulator', () => {
  test('marks every answer, errors included, as synthetic data', async () => {
    const sim = await aSimulator();
    const ok = await fetch(`${sim.url}/cases`, { headers: { authorization: `Bearer ${token}` } });
    const refused = await fetch(`${sim.url}/cases`);
    expect([ok.status, ok.headers.get('x-synthetic-data')]).toEqual([200, 'true']);
    expect([refused.status, refused.headers.get('x-synthetic-data')]).toEqual([401, 'true']);
  });

  test('answers 400 with a message for a non-numeric page or an unparseable updatedSince', async () => {
    const sim = await aSimulator();
    const ask = async (query: string) => {
      const response = await fetch(`${sim.url}/cases?${query}`, { headers: { authorization: `Bearer ${token}` } });
      return { status: response.status, body: await response.json() as { error?: string } };
    };
    expect(await ask('page=abc')).toEqual({ status: 400, body: { error: expect.stringContaining('page') } });
    expect(await ask('updatedSince=yesterday')).toEqual({ status: 400, body: { error: expect.stringContaining('updatedSince') } });
  });

  test('caps pageSize at maxPageSize', async () => {
    const sim = await aSimulator({ maxPageSize: 2 });
    const response = await fetch(`${sim.url}/cases?pageSize=100`, { headers: { authorization: `Bearer ${token}` } });
    const body = await response.json() as { items: unknown[]; totalPages: number };
    expect({ items: body.items.length, totalPages: body.totalPages }).toEqual({ items: 2, totalPages: 4 });
  });
});

// A platform answering from a script, for answers the simulator does not give (429, wrong page, redirects).

type Answer = (response: http.ServerResponse) => void;

function json(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

async function aScriptedPlatform(answers: Answer[]): Promise<{ url: string; requests(): number }> {
  let count = 0;
  const server = http.createServer((_request, response) => {
    const answer = answers[Math.min(count, answers.length - 1)];
    count += 1;
    answer(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  closeAfterTest.push(() => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  }));
  return { url, requests: () => count };
}
