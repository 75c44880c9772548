import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { entityNames } from '../feed/entity-names';
import { parseTimestamp } from '../feed/field-parsers';
import type { EntityName } from '../feed/entity-names';

/**
 * A city or county platform as FEEDS.md describes its API, for the demo and the tests: `GET /<entity>?
 * updatedSince=&page=&pageSize=` with a bearer token, answering `{ items, page, totalPages }`, and the ways
 * real platforms misbehave (failing, slow, truncated and shifting pages), switched on by `faults`.
 * Every answer carries `x-synthetic-data: true`: what it serves is made up and must never pass for real data.
 */
export interface SimulatorFaults {
  /** each page (entity, updatedSince, page, pageSize) answers 500 this many times before it succeeds */
  failFirstAttempts?: number;
  /** every Nth request answers 500 */
  failEveryNth?: number;
  /** delay every answer */
  slowMs?: number;
  /** every Nth page answer's body is cut in the middle (status 200, invalid JSON) */
  truncateEveryNth?: number;
  /**
   * the last item of each page is repeated as the first of the next, as when records arrive during a pull and
   * shift the pages (a page then holds pageSize + 1 items)
   */
  duplicateAcrossPages?: boolean;
  /**
   * every Nth answer of a page after the first serves the previous page's items again, labelled with the page
   * asked for: a caching gateway in front of the platform that keyed its cache without the page parameter
   */
  repeatPreviousPageEveryNth?: number;
  /**
   * every page from this number on answers 500 (any entity), until the faults are changed: an outage that
   * begins in the middle of a pull
   */
  failFromPage?: number;
}

export interface FaultsServed { failed: number; truncated: number; repeated: number; shifted: number; slowed: number }

const noFaultsServed = (): FaultsServed => ({ failed: 0, truncated: 0, repeated: 0, shifted: 0, slowed: 0 });

export type SimulatorData = Partial<Record<EntityName, Record<string, unknown>[]>>;

export interface SimulatorOptions {
  /** an entity absent here has no endpoint (404); give [] for an endpoint with nothing in it */
  data: SimulatorData;
  /** when set, requests need `Authorization: Bearer <token>` (401 otherwise) */
  token?: string;
  /** default 0: any free port */
  port?: number;
  /** default 127.0.0.1: never reachable from outside the machine unless asked */
  host?: string;
  faults?: SimulatorFaults;
  /** a larger pageSize is served as this many, as platforms do; default 1000 */
  maxPageSize?: number;
}

export interface AgencyApiSimulator {
  /** base URL, without a trailing slash: `${url}/cases` is the cases endpoint */
  url: string;
  /** requests received so far, whatever they were answered */
  requests(): number;
  /** the faults served since the last setFaults, by kind: what a test's pull had to ride out */
  faultsServed(): FaultsServed;
  /** replaces the faults and restarts their counters */
  setFaults(faults: SimulatorFaults): void;
  /** what the platform holds for an entity from now on (an entity given here gets an endpoint) */
  replaceData(entity: EntityName, items: Record<string, unknown>[]): void;
  close(): Promise<void>;
}

const defaultMaxPageSize = 1000;
const defaultPageSize = 100;

/** An item with the instant of its updatedAt (null: none, or not a timestamp) and its place as given. */
interface Held { item: Record<string, unknown>; updatedAt: number | null; index: number }

export async function startAgencyApiSimulator(options: SimulatorOptions): Promise<AgencyApiSimulator> {
  const maxPageSize = options.maxPageSize ?? defaultMaxPageSize;
  if (!Number.isInteger(maxPageSize) || maxPageSize < 1) throw new RangeError(`maxPageSize must be a positive integer, not ${maxPageSize}`);
  const held = new Map<string, Held[]>();
  const replaceData = (entity: EntityName, items: Record<string, unknown>[]): void => {
    held.set(entity, ordered(items));
  };
  for (const entity of entityNames) {
    const items = options.data[entity];
    if (items) replaceData(entity, items);
  }

  let faults: SimulatorFaults = { ...options.faults };
  let requestCount = 0;
  let faultRequestCount = 0;
  let pageAnswerCount = 0;
  let served = noFaultsServed();
  const failuresByPage = new Map<string, number>();
  const pendingTimers = new Set<NodeJS.Timeout>();

  /** Every answer goes out here: JSON, marked synthetic, after the slowMs fault. */
  function send(response: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
    const write = (): void => {
      if (response.destroyed) return;
      response.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': String(Buffer.byteLength(body)),
        'cache-control': 'no-store',
        'x-synthetic-data': 'true',
        ...headers,
      });
      response.end(body);
    };
    const delay = faults.slowMs ?? 0;
    if (delay <= 0) return write();
    served.slowed += 1;
    const timer = setTimeout(() => {
      pendingTimers.delete(timer);
      write();
    }, delay);
    pendingTimers.add(timer);
    // A client that gave up (time-out) no longer needs the answer; do not keep the timer for it.
    response.once('close', () => {
      clearTimeout(timer);
      pendingTimers.delete(timer);
    });
  }

  const sendError = (response: http.ServerResponse, status: number, error: string, headers?: Record<string, string>): void =>
    send(response, status, JSON.stringify({ error }), headers);

  function handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    requestCount += 1;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return sendError(response, 405, `只接受 GET，收到 ${request.method}`, { allow: 'GET, HEAD' });
    }
    if (options.token !== undefined && request.headers.authorization !== `Bearer ${options.token}`) {
      // Like a real gateway: the same answer for a missing and a wrong token, which is never echoed.
      return sendError(response, 401, '缺少或错误的访问令牌', { 'www-authenticate': 'Bearer' });
    }
    const url = new URL(request.url ?? '/', 'http://simulator');
    const name = safeDecode(url.pathname.replace(/^\/+|\/+$/g, ''));
    const items = held.get(name);
    if (!items) return sendError(response, 404, `没有 ${JSON.stringify(name)} 接口`);

    const query = pageQuery(url.searchParams, maxPageSize);
    if ('error' in query) return sendError(response, 400, query.error);

    faultRequestCount += 1;
    if (faults.failEveryNth && faultRequestCount % faults.failEveryNth === 0) {
      served.failed += 1;
      return sendError(response, 500, `模拟故障：每 ${faults.failEveryNth} 个请求失败一次`);
    }
    if (faults.failFromPage && query.page >= faults.failFromPage) {
      served.failed += 1;
      return sendError(response, 500, `模拟故障：第 ${faults.failFromPage} 页起平台不可用`);
    }
    if (faults.failFirstAttempts) {
      const key = JSON.stringify([name, query.updatedSince, query.page, query.pageSize]);
      const failed = failuresByPage.get(key) ?? 0;
      if (failed < faults.failFirstAttempts) {
        failuresByPage.set(key, failed + 1);
        served.failed += 1;
        return sendError(response, 500, `模拟故障：该页第 ${failed + 1} 次请求失败`);
      }
    }

    const answer = pageOf(items, query, faults.duplicateAcrossPages ?? false);
    if (faults.duplicateAcrossPages && query.page > 1 && answer.items.length > 0) served.shifted += 1;
    pageAnswerCount += 1;
    if (faults.repeatPreviousPageEveryNth && query.page > 1 && pageAnswerCount % faults.repeatPreviousPageEveryNth === 0) {
      answer.items = pageOf(items, { ...query, page: query.page - 1 }, faults.duplicateAcrossPages ?? false).items;
      served.repeated += 1;
    }
    let body = JSON.stringify(answer);
    if (faults.truncateEveryNth && pageAnswerCount % faults.truncateEveryNth === 0) {
      body = Buffer.from(body).subarray(0, Math.floor(Buffer.byteLength(body) / 2)).toString();
      served.truncated += 1;
    }
    send(response, 200, body);
  }

  const server = http.createServer(handle);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    requests: () => requestCount,
    faultsServed: () => ({ ...served }),
    setFaults(next) {
      faults = { ...next };
      served = noFaultsServed();
      faultRequestCount = 0;
      pageAnswerCount = 0;
      failuresByPage.clear();
    },
    replaceData,
    close: () => new Promise<void>((resolve, reject) => {
      for (const timer of pendingTimers) clearTimeout(timer);
      pendingTimers.clear();
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    }),
  };
}

interface PageQuery { updatedSince: number | null; page: number; pageSize: number }

function pageQuery(params: URLSearchParams, maxPageSize: number): PageQuery | { error: string } {
  const page = params.get('page') ?? '1';
  if (!/^\d+$/.test(page) || Number(page) < 1) return { error: `page 应为正整数，收到 ${JSON.stringify(page)}` };
  const pageSize = params.get('pageSize') ?? String(defaultPageSize);
  if (!/^\d+$/.test(pageSize) || Number(pageSize) < 1) return { error: `pageSize 应为正整数，收到 ${JSON.stringify(pageSize)}` };
  const since = params.get('updatedSince');
  const updatedSince = since === null ? null : instantOf(since);
  if (since !== null && updatedSince === null) {
    return { error: `updatedSince 应为 ISO 8601 时间（如 2024-05-18T08:00:00Z），收到 ${JSON.stringify(since)}` };
  }
  return { updatedSince, page: Number(page), pageSize: Math.min(Number(pageSize), maxPageSize) };
}

function pageOf(items: Held[], query: PageQuery, duplicateAcrossPages: boolean): { items: unknown[]; page: number; totalPages: number } {
  // Items without an updatedAt (annual reports and letters have none in FEEDS.md) cannot be filtered: always sent.
  const matching = query.updatedSince === null
    ? items
    : items.filter((held) => held.updatedAt === null || held.updatedAt > (query.updatedSince as number));
  const totalPages = Math.ceil(matching.length / query.pageSize);
  const start = (query.page - 1) * query.pageSize;
  const page = matching.slice(start, start + query.pageSize).map((held) => held.item);
  if (duplicateAcrossPages && query.page > 1 && start < matching.length) page.unshift(matching[start - 1].item);
  return { items: page, page: query.page, totalPages };
}

/** Stable order: no updatedAt first, then by updatedAt; ties keep the order given. */
function ordered(items: Record<string, unknown>[]): Held[] {
  return items
    // Tests hand in non-objects too (to see the connector flag them): they have no updatedAt.
    .map((item, index) => ({ item, updatedAt: isObject(item) ? instantOf(item.updatedAt) : null, index }))
    .sort((a, b) => (a.updatedAt ?? -Infinity) - (b.updatedAt ?? -Infinity) || a.index - b.index);
}

/**
 * The instant of an updatedAt or updatedSince, read as the pipeline reads it (no zone: Asia/Shanghai), so
 * that the simulator's filter and order agree with the watermark the hub keeps. Null when not a timestamp.
 */
function instantOf(value: unknown): number | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const parsed = parseTimestamp(value);
  return parsed.ok && parsed.value ? parsed.value.getTime() : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The demo platform's holdings: `<dir>/<entity>.jsonl`, one JSON object per line, for each FEEDS.md entity
 * that has a file (an entity without one has no endpoint).
 */
export async function loadSimulatorData(dir: string): Promise<SimulatorData> {
  const data: SimulatorData = {};
  for (const entity of entityNames) {
    const file = path.join(dir, `${entity}.jsonl`);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    const items: Record<string, unknown>[] = [];
    text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((line, index) => {
      if (line.trim() === '') return;
      let item: unknown;
      try {
        item = JSON.parse(line);
      } catch (error) {
        throw new Error(`${file} line ${index + 1} is not JSON: ${(error as Error).message}`);
      }
      if (!isObject(item)) throw new Error(`${file} line ${index + 1} is not a JSON object`);
      items.push(item);
    });
    data[entity] = items;
  }
  return data;
}
