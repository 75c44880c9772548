import { createHash } from 'node:crypto';
import type { EntityName } from '../feed/entity-names';
import { FeedReadError } from '../raw-row';
import type { RawRow } from '../raw-row';

/**
 * The HTTP JSON API of a city or county platform (FEEDS.md): `GET <base>/<entity>?updatedSince=&page=&pageSize=`
 * with a bearer token, answering `{ items, page, totalPages }`. Pages are fetched one at a time, in order, and
 * only when the consumer asks for the next one, so that it can commit page k (rows and checkpoint) before
 * page k+1 is requested: a crash then resumes at the first uncommitted page with the same `updatedSince`.
 */
export interface HttpPullOptions {
  baseUrl: string;
  entity: EntityName;
  token?: string;
  /** the source's watermark: only records updated strictly after it (null: everything) */
  updatedSince: Date | null;
  /** resume point after a crash (1-based), default 1 */
  startPage?: number;
  /** default 500 */
  pageSize?: number;
  retry?: RetryPolicy;
  signal?: AbortSignal;
  /** called before each wait; `attempt` is the 1-based attempt that failed, `delayMs` the wait before the next */
  onRetry?: (info: { page: number; attempt: number; reason: string; delayMs: number }) => void;
}

export interface RetryPolicy {
  /** tries per page, the first included */
  attempts?: number;
  /** the first wait; each further wait doubles, with jitter */
  baseDelayMs?: number;
  /** the longest wait between two tries, a Retry-After included: a source that asks for more stops the pull */
  maxDelayMs?: number;
  /** one request, body included */
  timeoutMs?: number;
}

export interface ApiPage { page: number; totalPages: number; rows: RawRow[] }

/**
 * Why these defaults: county platforms on government clouds answer a 500-record page in seconds, not
 * milliseconds, and restart or hit gateway limits for tens of seconds at a time. Five tries waiting about
 * 1 + 2 + 4 + 8 s ride out such a blip (~15 s, jittered) without holding a scheduled run for long; 30 s per
 * request tolerates a slow page but notices a hung connection; a Retry-After of up to a minute is honoured,
 * a longer one means "come back later", which the next scheduled run does from the same page.
 */
export const defaultRetryPolicy: Required<RetryPolicy> = {
  attempts: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  timeoutMs: 30_000,
};

export const defaultPageSize = 500;

/** readProblems code of an item that is not a JSON object (a string, number, array or null in `items`) */
export const API_ITEM_NOT_OBJECT = 'API_ITEM_NOT_OBJECT';

export function pullEntityPages(options: HttpPullOptions): AsyncIterable<ApiPage> {
  // Checked here, not on first iteration, so that a wrong configuration fails where it is made.
  const request = pullRequest(options);
  return pages(request, options);
}

async function* pages(request: PullRequest, options: HttpPullOptions): AsyncGenerator<ApiPage> {
  let page = request.startPage;
  let previous: string | undefined;
  for (;;) {
    const body = await fetchPage(request, page, options, previous);
    previous = body.itemsDigest;
    yield {
      page,
      totalPages: body.totalPages,
      rows: body.items.map((item, index) => rowOf(item, request.entity, page, index)),
    };
    // The latest totalPages wins: records arriving during the pull add pages at the end.
    if (page >= body.totalPages) return;
    page += 1;
  }
}

interface PullRequest {
  entity: EntityName;
  endpoint: URL;
  token: string | undefined;
  updatedSince: Date | null;
  startPage: number;
  pageSize: number;
  retry: Required<RetryPolicy>;
}

function pullRequest(options: HttpPullOptions): PullRequest {
  const where = `${options.entity} API`;
  let base: URL;
  try {
    base = new URL(options.baseUrl);
  } catch {
    throw new FeedReadError(where, `数据源地址 ${JSON.stringify(shownBase(options.baseUrl))} 不是有效的网址，请在数据源配置中改正`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new FeedReadError(where, `数据源地址 ${shownUrl(base)} 不是 http(s) 地址，请在数据源配置中改正`);
  }
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  const endpoint = new URL(encodeURIComponent(options.entity), base);
  endpoint.search = '';

  const retry = { ...defaultRetryPolicy, ...definedOnly(options.retry ?? {}) };
  positiveInteger('startPage', options.startPage ?? 1);
  positiveInteger('pageSize', options.pageSize ?? defaultPageSize);
  positiveInteger('retry.attempts', retry.attempts);
  for (const name of ['baseDelayMs', 'maxDelayMs', 'timeoutMs'] as const) {
    if (!(Number.isFinite(retry[name]) && retry[name] >= 0)) throw new RangeError(`retry.${name} must be a number ≥ 0, not ${retry[name]}`);
  }
  if (options.updatedSince && Number.isNaN(options.updatedSince.getTime())) {
    throw new RangeError('updatedSince is an invalid Date');
  }
  return {
    entity: options.entity,
    endpoint,
    token: options.token || undefined,
    updatedSince: options.updatedSince,
    startPage: options.startPage ?? 1,
    pageSize: options.pageSize ?? defaultPageSize,
    retry,
  };
}

function positiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, not ${value}`);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function pageUrl(request: PullRequest, page: number): URL {
  const url = new URL(request.endpoint);
  if (request.updatedSince) url.searchParams.set('updatedSince', request.updatedSince.toISOString());
  url.searchParams.set('page', String(page));
  url.searchParams.set('pageSize', String(request.pageSize));
  return url;
}

/** itemsDigest: SHA-256 of the items as sent, to recognise the same page served again under the next number */
interface PageBody { items: unknown[]; totalPages: number; itemsDigest: string }

/** What one try came to: the page, or why it is worth trying again. Failures not worth retrying throw. */
type Attempt = { ok: true; body: PageBody } | { ok: false; reason: string; retryAfterMs?: number };

async function fetchPage(request: PullRequest, page: number, options: HttpPullOptions, previousDigest: string | undefined): Promise<PageBody> {
  const url = pageUrl(request, page);
  const where = `${request.entity} API 第 ${page} 页`;
  const { attempts, baseDelayMs, maxDelayMs } = request.retry;
  for (let attempt = 1; ; attempt += 1) {
    const outcome = await tryPage(request, url, page, where, options.signal, previousDigest);
    if (outcome.ok) return outcome.body;
    if (attempt >= attempts) {
      throw new FeedReadError(where, `${shownUrl(url)} 尝试 ${attempts} 次仍未取到，最后一次：${outcome.reason}。` +
        `已提交的页不受影响，数据源恢复后再次拉取将从第 ${page} 页继续`);
    }
    let delayMs = backoffDelay(attempt, baseDelayMs, maxDelayMs);
    if (outcome.retryAfterMs !== undefined) {
      if (outcome.retryAfterMs > maxDelayMs) {
        throw new FeedReadError(where, `${shownUrl(url)} 要求 ${Math.ceil(outcome.retryAfterMs / 1000)} 秒后再请求` +
          `（${outcome.reason}），超过允许的最长等待 ${Math.ceil(maxDelayMs / 1000)} 秒；下次拉取将从第 ${page} 页继续`);
      }
      delayMs = Math.max(delayMs, outcome.retryAfterMs);
    }
    options.onRetry?.({ page, attempt, reason: outcome.reason, delayMs });
    await sleep(delayMs, options.signal);
  }
}

/**
 * Exponential backoff with "equal jitter": half the doubled delay is kept, half is random. Unlike full jitter
 * it never retries at once, which matters for a platform that is restarting; the random half still keeps
 * the hub's parallel pulls of one platform from hitting it in step.
 */
function backoffDelay(failedAttempt: number, baseDelayMs: number, maxDelayMs: number): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (failedAttempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

async function tryPage(request: PullRequest, url: URL, page: number, where: string, signal: AbortSignal | undefined,
  previousDigest: string | undefined): Promise<Attempt> {
  signal?.throwIfAborted();
  const { timeoutMs } = request.retry;
  const controller = new AbortController();
  const timedOut = new Error('timeout');
  const timer = setTimeout(() => controller.abort(timedOut), timeoutMs);
  const forwardAbort = (): void => controller.abort(signal?.reason);
  signal?.addEventListener('abort', forwardAbort, { once: true });
  try {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (request.token) headers.authorization = `Bearer ${request.token}`;
    let response: Response;
    let text: string;
    try {
      // redirect 'manual': the token goes only to the configured address, never to wherever a redirect points.
      response = await fetch(url, { headers, signal: controller.signal, redirect: 'manual' });
      text = await response.text();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (controller.signal.aborted && controller.signal.reason === timedOut) {
        return { ok: false, reason: `${timeoutMs} 毫秒内未应答完毕（超时）` };
      }
      return { ok: false, reason: `网络错误：${networkReason(error)}` };
    }
    return judgeAnswer(request, response, text, url, page, where, previousDigest);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', forwardAbort);
  }
}

function judgeAnswer(request: PullRequest, response: Response, text: string, url: URL, page: number, where: string,
  previousDigest: string | undefined): Attempt {
  const status = response.status;
  const said = serverSays(text, request.token);
  if ((status === 401 || status === 403) && !request.token) {
    throw new FeedReadError(where, `数据源要求访问令牌（HTTP ${status}${said}），但该数据源未配置令牌：请在数据源配置中补上；` +
      `${shownUrl(url)} 未重试`);
  }
  if (status === 401 || status === 403) {
    throw new FeedReadError(where, `数据源拒绝了访问令牌（HTTP ${status}${said}）：请核对该数据源配置的令牌是否正确、是否过期、` +
      `是否有权读取 ${request.entity}；${shownUrl(url)} 未重试`);
  }
  if (status === 404) {
    throw new FeedReadError(where, `数据源没有 ${request.entity} 接口（HTTP 404，${shownUrl(url)}${said}）：` +
      `请核对数据源地址，或确认该平台是否提供 ${request.entity}`);
  }
  if (status >= 300 && status < 400) {
    const location = response.headers.get('location');
    throw new FeedReadError(where, `${shownUrl(url)} 重定向到 ${location ? shownBase(location) : '（未给出地址）'}（HTTP ${status}）：` +
      `为免令牌发往别处，中台不跟随重定向，请把数据源地址改为最终地址`);
  }
  if (status === 429 || status === 408 || status >= 500) {
    const retryAfterMs = retryAfter(response.headers.get('retry-after'));
    const reason = `HTTP ${status}${status === 429 ? '（请求过多）' : ''}${said}`;
    return retryAfterMs === undefined ? { ok: false, reason } : { ok: false, reason, retryAfterMs };
  }
  if (status >= 400) {
    // 400 and the other client errors: the same request will be refused again.
    throw new FeedReadError(where, `数据源拒绝了请求 ${shownUrl(url)}（HTTP ${status}${said}），未重试：` +
      `请核对数据源地址与该平台的接口是否符合 FEEDS.md 的标准接口`);
  }
  if (status !== 200) return { ok: false, reason: `HTTP ${status}，不是 200` };

  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `应答不是完整的 JSON（可能被截断，收到 ${Buffer.byteLength(text)} 字节）：${(error as Error).message}` };
  }
  if (!isObject(body) || !Array.isArray(body.items)) return { ok: false, reason: '应答缺少 items 数组' };
  if (body.page === undefined || body.page === null) return { ok: false, reason: '应答未标明页码 page' };
  if (Number(body.page) !== page) return { ok: false, reason: `请求第 ${page} 页，应答却是第 ${String(body.page)} 页` };
  const totalPages = Number(body.totalPages);
  if (body.totalPages === null || !Number.isInteger(totalPages) || totalPages < 0) {
    return { ok: false, reason: `应答的 totalPages ${JSON.stringify(body.totalPages)} 不是非负整数` };
  }
  // Distinct records cannot fill two pages alike (records shifting between pages repeat one, not all). A page
  // that is the one before it again comes from a cache or gateway that ignored the page number; taken as is, the
  // records really on this page would be skipped, and the watermark would then move past them for good.
  const itemsDigest = createHash('sha256').update(JSON.stringify(body.items)).digest('hex');
  if (body.items.length > 0 && itemsDigest === previousDigest) {
    return { ok: false, reason: `第 ${page} 页的记录与第 ${page - 1} 页完全相同（平台或其网关可能返回了缓存的旧页）` };
  }
  return { ok: true, body: { items: body.items, totalPages, itemsDigest } };
}

function rowOf(item: unknown, entity: EntityName, page: number, index: number): RawRow {
  const position = { page, item: index, label: `${entity} API 第 ${page} 页第 ${index + 1} 条` };
  // Fields go on exactly as the API sent them; the field parsers judge them.
  if (isObject(item)) return { values: item as RawRow['values'], position };
  const kind = item === null ? 'null' : Array.isArray(item) ? '数组' : typeof item === 'string' ? '字符串' : typeof item === 'number' ? '数字' : typeof item;
  return {
    values: {},
    position,
    // The raw item goes into the message so that the quarantine entry shows what was delivered.
    readProblems: [{ code: API_ITEM_NOT_OBJECT, message: `第 ${index + 1} 条不是 JSON 对象，而是${kind}：${excerpt(JSON.stringify(item) ?? String(item))}` }],
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Retry-After in milliseconds: delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
function retryAfter(header: string | null): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** The platform's own error text, if any, for the operator; the token is blanked should the server echo it. */
function serverSays(text: string, token: string | undefined): string {
  let said = text.trim();
  if (said === '') return '';
  try {
    const parsed: unknown = JSON.parse(said);
    if (isObject(parsed)) {
      const message = parsed.error ?? parsed.message ?? parsed.msg;
      if (typeof message === 'string') said = message;
    }
  } catch {
    // not JSON: show the text itself
  }
  if (token) said = said.split(token).join('[令牌]');
  return `，平台答复：${excerpt(said)}`;
}

function excerpt(text: string, max = 200): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}

function networkReason(error: unknown): string {
  // fetch wraps the socket error: 'fetch failed' with the cause (ECONNREFUSED, ECONNRESET, ...) inside.
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code || cause?.message) return [cause.code, cause.message].filter(Boolean).join(' ');
  return error instanceof Error ? error.message : String(error);
}

/** A URL as it may be shown: without user name and password. The token is in a header, never in the URL. */
function shownUrl(url: URL): string {
  const shown = new URL(url);
  shown.username = '';
  shown.password = '';
  return shown.toString();
}

function shownBase(text: string): string {
  try {
    return shownUrl(new URL(text));
  } catch {
    return text.replace(/\/\/[^/@]*@/, '//');
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
