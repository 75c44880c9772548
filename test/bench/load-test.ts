import { percentile } from './measure';

/**
 * A GraphQL request repeated by `connections` concurrent clients for `seconds` (autocannon, one request in
 * flight per connection), measured as a dashboard sees it: requests answered per second and the latency below
 * which 50 % and 95 % of them were answered. A figure only counts when every answer was right: before the run
 * one request must answer the expected data (a server that answers errors fast must not look fast), and during
 * it every answer must be 2xx with `data` and without GraphQL `errors`; otherwise loadTest throws, saying what
 * was answered.
 */
export interface LoadTestRequest {
  url: string;
  /** the POST body: a GraphQL request as JSON text, or the object to send as JSON */
  body: string | object;
  headers?: Record<string, string>;
  connections?: number;
  seconds: number;
  /** checks the `data` of the answer to one request made before the run; throws when it is not what is expected */
  expectData: (data: unknown) => void;
}

export interface LoadTestFigures {
  /** autocannon's mean of the requests answered in each second of the run */
  requestsPerSecond: number;
  /**
   * latency in milliseconds: nearest-rank percentiles of every answer's time as autocannon's clients measured it
   * (its own histogram keeps whole milliseconds and reports p90 and p97.5, not p95)
   */
  p50: number;
  p95: number;
  p99: number;
  /** answers counted (all right, or loadTest would have thrown) */
  requests: number;
  seconds: number;
  connections: number;
  errors: number;
  non2xx: number;
  timeouts: number;
}

/** The part of autocannon (it ships no types) this file uses, as its README documents it. */
interface AutocannonOptions {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  connections: number;
  duration: number;
  pipelining: 1;
  timeout: number;
  verifyBody: (body: string) => boolean;
}
interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  mismatches: number;
  statusCodeStats: Record<string, { count: number }>;
  requests: { mean: number; total: number };
}
interface AutocannonTracker {
  on(event: 'response', listener: (client: unknown, statusCode: number, bytes: number, milliseconds: number) => void): this;
  on(event: 'reqError', listener: (error: Error) => void): this;
  on(event: 'reqMismatch', listener: (body: string) => void): this;
}
type Autocannon = (options: AutocannonOptions, done: (error: Error | null, result: AutocannonResult) => void) => AutocannonTracker;
const autocannon = require('autocannon') as Autocannon;

/** seconds autocannon waits for one answer before counting a timeout */
const requestTimeoutSeconds = 10;
/** an unanswered request is stuck when it has waited this long and twice as long as the slowest answer */
const stuckAfterMs = 1000;

function isRightAnswer(body: string): boolean {
  try {
    const answer = JSON.parse(body) as { data?: unknown; errors?: unknown };
    return answer.errors === undefined && answer.data !== undefined && answer.data !== null;
  } catch {
    return false;
  }
}

const excerpt = (text: string) => (text.length > 800 ? `${text.slice(0, 800)} …` : text);

/** One request, its answer checked by `expectData`: the run is refused unless the server answers right. */
async function checkSample(request: LoadTestRequest, headers: Record<string, string>, body: string): Promise<void> {
  const response = await fetch(request.url, { method: 'POST', headers, body });
  const text = await response.text();
  if (!response.ok || !isRightAnswer(text)) {
    throw new Error(`load test of ${request.url}: the sample request was answered ${response.status}: ${excerpt(text)}`);
  }
  try {
    request.expectData((JSON.parse(text) as { data: unknown }).data);
  } catch (error) {
    throw new Error(`load test of ${request.url}: the sample answer is not the expected data (${(error as Error).message}): ${excerpt(text)}`);
  }
}

export async function loadTest(request: LoadTestRequest): Promise<LoadTestFigures> {
  const connections = request.connections ?? 64;
  const body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
  const headers = { 'content-type': 'application/json', ...request.headers };
  await checkSample(request, headers, body);

  const milliseconds: number[] = [];
  /** when each connection last had an answer: what it has waited for since is unanswered at the end */
  const lastAnswer = new Map<unknown, number>();
  let firstError: string | undefined;
  let firstWrongAnswer: string | undefined;
  const started = performance.now();
  const result = await new Promise<AutocannonResult>((resolve, reject) => {
    const tracker = autocannon({
      url: request.url, method: 'POST', headers, body, connections, duration: request.seconds, pipelining: 1,
      timeout: requestTimeoutSeconds, verifyBody: isRightAnswer,
    }, (error, done) => (error ? reject(error) : resolve(done)));
    tracker.on('response', (client, _status, _bytes, ms) => { milliseconds.push(ms); lastAnswer.set(client, performance.now()); });
    tracker.on('reqError', (error) => { firstError ??= error.message; });
    tracker.on('reqMismatch', (answer) => { firstWrongAnswer ??= answer; });
  });

  // Requests still waiting when the run stops count nowhere in autocannon's figures: a server that stops
  // answering would keep the latencies of its last good answers. Waiting far longer than any answer took is
  // refused; the ordinary few in flight at the end are not.
  const ended = performance.now();
  const waits = [...lastAnswer.values()].map((at) => ended - at);
  for (let i = lastAnswer.size; i < connections; i++) waits.push(ended - started);
  const slowestAnswer = milliseconds.length ? Math.max(...milliseconds) : 0;
  const stuck = waits.filter((wait) => wait > Math.max(2 * slowestAnswer, stuckAfterMs));
  const problems = [
    stuck.length > 0 && `${stuck.length} requests were still unanswered at the end, one after ${Math.round(Math.max(...stuck))} ms (the slowest answer took ${Math.round(slowestAnswer)} ms)`,
    result.errors > 0 && `${result.errors} requests failed (${result.timeouts} timed out after ${requestTimeoutSeconds} s; first: ${firstError ?? 'no message'})`,
    result.non2xx > 0 && `${result.non2xx} answers were not 2xx (${Object.entries(result.statusCodeStats).map(([code, { count }]) => `${code}: ${count}`).join(', ')})`,
    result.mismatches > 0 && `${result.mismatches} answers had GraphQL errors or no data (first: ${excerpt(firstWrongAnswer ?? '')})`,
  ].filter(Boolean);
  if (problems.length) throw new Error(`load test of ${request.url} with ${connections} connections: ${problems.join('; ')}`);
  if (milliseconds.length === 0) throw new Error(`load test of ${request.url}: no request was answered in ${request.seconds} s`);

  return {
    requestsPerSecond: result.requests.mean,
    p50: percentile(milliseconds, 50),
    p95: percentile(milliseconds, 95),
    p99: percentile(milliseconds, 99),
    requests: milliseconds.length,
    seconds: result.duration,
    connections,
    errors: result.errors,
    non2xx: result.non2xx,
    timeouts: result.timeouts,
  };
}
