import type http from 'node:http';
import type { Pool, PoolClient } from 'pg';
import type { ApolloServer } from '@apollo/server';
import type { ApiTokens } from '../access/api-tokens';
import { beginAsViewer } from '../access/viewer-transaction';
import type { ApiConfig } from '../config';
import { publicViewer, viewerKey, type Viewer } from '../domain/access/viewer';
import { todayInShanghai } from '../domain/calendar/civil-date';
import { InvalidValueError } from '../domain/errors';
import type { PolicyProfile } from '../domain/profile/policy-profile';
import { writeArrowExport } from '../exports/arrow-export';
import { rankingWorkbookFor } from '../exports/ranking-workbook';
import { createApiContext, type ApiActions, type ApiContext } from '../graphql/api-context';
import { openAuditLog, type AuditEntry } from './audit-log';
import { DATABASE_UNAVAILABLE, databaseRetryAfterSeconds, databaseUnavailableMessage, isDatabaseUnavailable } from './database-unavailable';
import { headerMapOf, operationOf, startApollo } from './graphql-endpoint';
import { watchDataVersion } from './data-version';
import { createRateLimit } from './rate-limit';
import { ResponseCache } from './response-cache';
import { BodyTooLargeError, readBody } from './request-body';

export interface ApiEndpointOptions {
  /** connections as the API's role (row-level security applies) */
  apiPool: Pool;
  /** the API's login, for the connection that follows data changes (the response cache) */
  apiUrl: string;
  tokens: ApiTokens;
  profile: PolicyProfile;
  actions: ApiActions;
  config: ApiConfig;
  production: boolean;
  log(line: string): void;
}

export interface ApiEndpoints {
  /** true when the path is the API's (/graphql, /export/…) and the request was answered */
  handle(request: http.IncomingMessage, response: http.ServerResponse, path: string): boolean;
  stop(): Promise<void>;
}

function sendJson(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  response.end(JSON.stringify(body));
}

/** An answer in GraphQL's error shape, for what is refused before GraphQL runs. */
function refuse(response: http.ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(response, status, { errors: [{ message, extensions: { code } }] }, headers);
}

/**
 * A request the database could not serve because it cannot be reached (restarting, shut down, connection lost):
 * 503 with Retry-After, in plain words; the hub reconnects by itself once the database is back.
 */
function refuseUnavailable(response: http.ServerResponse): void {
  refuse(response, 503, DATABASE_UNAVAILABLE, databaseUnavailableMessage, { 'retry-after': String(databaseRetryAfterSeconds) });
}

/** What a failed request's log line says: a database out of reach is an outage, not a bug with a stack. */
function failureLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return isDatabaseUnavailable(error) ? `database unavailable (${message})` : message;
}

/**
 * A refused value as an HTTP answer: what the viewer may not have is 403, what does not exist (or what the
 * viewer may not know exists) 404, any other refused value 400; the reason code goes along, as in GraphQL's errors.
 */
function refuseValue(response: http.ServerResponse, error: InvalidValueError): void {
  const [status, code] = error.code === 'FORBIDDEN' ? [403, 'FORBIDDEN'] : error.code === 'NOT_FOUND' ? [404, 'NOT_FOUND'] : [400, 'BAD_USER_INPUT'];
  sendJson(response, status, { errors: [{ message: error.message, extensions: { code, reason: error.code } }] });
}

/** Content-Disposition for a download: an ASCII filename, and the real one in UTF-8 (RFC 6266, RFC 5987). */
function attachment(fileName: string, asciiFileName: string): string {
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${asciiFileName.replace(/["\\]/g, '_')}"; filename*=UTF-8''${encoded}`;
}

/**
 * The API's HTTP endpoints: POST/GET /graphql, GET /export/<dataset>.arrow and GET /export/ranking.xlsx. Each
 * request: the body within its size limit, the viewer from its bearer token (none: the public), the viewer's rate
 * limit, one transaction on a connection of the API's role as that viewer (read-only unless a mutation), the
 * answer, then an audit entry.
 */
export async function createApiEndpoints(options: ApiEndpointOptions): Promise<ApiEndpoints> {
  const apollo: ApolloServer<ApiContext> = await startApollo(options.config, options.production);
  const rateLimit = createRateLimit(options.config.rateLimitPerMinute);
  const cache = new ResponseCache({ ttlSeconds: options.config.responseCacheSeconds, maxBytes: options.config.responseCacheMegabytes * 2 ** 20 });
  const dataVersion = cache.enabled ? watchDataVersion(options.apiPool, options.apiUrl, options.log) : null;
  dataVersion?.onChange(() => cache.clear());
  const auditLog = openAuditLog(options.apiPool,
    (error) => options.log(`audit log: cannot write (${error instanceof Error ? error.message : String(error)})`));
  const audit = (entry: AuditEntry) => auditLog.write(entry);

  async function viewerOf(request: http.IncomingMessage): Promise<Viewer> {
    const header = request.headers.authorization;
    if (!header) return publicViewer;
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new InvalidValueError('BAD_TOKEN', null, '令牌无效：Authorization 头应为 "Bearer <令牌>"');
    return options.tokens.verify(match[1]!);
  }

  /** Who may go on: the viewer, or an answer already sent (401, 429). */
  async function admit(request: http.IncomingMessage, response: http.ServerResponse): Promise<Viewer | null> {
    let viewer: Viewer;
    try {
      viewer = await viewerOf(request);
    } catch (error) {
      refuse(response, 401, 'UNAUTHENTICATED', error instanceof Error ? error.message : String(error));
      return null;
    }
    const key = viewer.role === 'PUBLIC' ? `public:${request.socket.remoteAddress ?? ''}` : viewerKey(viewer);
    const wait = await rateLimit.take(key);
    if (wait !== null) {
      refuse(response, 429, 'RATE_LIMITED', `请求过于频繁：每分钟至多 ${options.config.rateLimitPerMinute} 次，请 ${wait} 秒后再试`, { 'retry-after': String(wait) });
      return null;
    }
    return viewer;
  }

  async function graphql(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const started = performance.now();
    const viewer = await admit(request, response);
    if (!viewer) return;
    let text = '';
    if (request.method === 'POST') {
      try {
        text = await readBody(request, options.config.maxBodyBytes);
      } catch (error) {
        if (error instanceof BodyTooLargeError) { refuse(response, 413, 'PAYLOAD_TOO_LARGE', error.message); return; }
        throw error;
      }
    }
    let body: unknown = undefined;
    const url = new URL(request.url ?? '/', 'http://hub');
    if (text) {
      try { body = JSON.parse(text); } catch { refuse(response, 400, 'BAD_REQUEST', '请求体不是合法的 JSON'); return; }
    }
    const operation = operationOf(body ?? { query: url.searchParams.get('query'), operationName: url.searchParams.get('operationName') });
    const today = todayInShanghai();
    // read before the request's snapshot is taken: an answer is never kept under a version newer than its data
    const version = operation.kind === 'query' && operation.query !== null ? await dataVersion?.read() ?? null : null;
    const cacheKey = version === null ? null : ResponseCache.key({
      viewer: viewerKey(viewer), version, today, query: operation.query!, operationName: operation.name,
      variables: body === undefined ? url.searchParams.get('variables') : operation.variables,
    });
    const cached = cacheKey === null ? undefined : cache.get(cacheKey);
    if (cached !== undefined) {
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-hub-cache': 'hit' });
      response.end(cached);
      audit({ viewer, kind: operation.kind, operationName: operation.name, query: operation.query, variables: operation.variables,
        outcome: 'OK', error: null, sqlStatements: 0, durationMs: performance.now() - started, clientAddress: request.socket.remoteAddress ?? null });
      return;
    }
    let client: PoolClient | undefined;
    let statements = 0;
    let outcome: AuditEntry['outcome'] = 'OK';
    let failure: string | null = null;
    let broken = false;
    try {
      client = await options.apiPool.connect();
      await beginAsViewer(client, viewer, { readOnly: operation.kind !== 'mutation' });
      const context = createApiContext({ viewer, client, profile: options.profile, today, actions: options.actions });
      const result = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: request.method ?? 'GET', headers: headerMapOf(request.headers), search: url.search, body },
        context: async () => context,
      });
      statements = context.statements();
      // a mutation's answer waits for its COMMIT; a read-only transaction has nothing to make durable, so the
      // answer goes out first and the COMMIT's round trip is not the viewer's to wait for
      const readOnly = operation.kind !== 'mutation';
      if (!readOnly) await client.query('commit');
      const headers: Record<string, string> = { 'cache-control': 'no-store' };
      for (const [key, value] of result.headers) headers[key] = value;
      response.writeHead(result.status ?? 200, headers);
      if (result.body.kind === 'complete') {
        response.end(result.body.string);
        if (/"errors"\s*:/.test(result.body.string)) { outcome = 'ERROR'; failure = result.body.string.slice(0, 2000); }
        else if (cacheKey !== null && (result.status ?? 200) === 200) cache.set(cacheKey, result.body.string);
      } else {
        for await (const chunk of result.body.asyncIterator) response.write(chunk);
        response.end();
      }
      if (readOnly) await client.query('commit');
    } catch (error) {
      await client?.query('rollback').catch(() => { broken = true; });
      outcome = 'ERROR';
      failure = error instanceof Error ? error.message : String(error);
      options.log(`graphql: ${failureLine(error)}`);
      // a cut-off answer is destroyed; one already sent whole stays sent (a read-only COMMIT that failed after it
      // changes nothing)
      if (response.headersSent) {
        if (!response.writableEnded) response.destroy();
      } else if (isDatabaseUnavailable(error)) refuseUnavailable(response);
      else refuse(response, 503, 'UNAVAILABLE', options.production ? '服务暂不可用，请稍后重试' : `服务暂不可用：${failure}`);
    } finally {
      client?.release(broken);
    }
    audit({ viewer, kind: operation.kind, operationName: operation.name, query: operation.query, variables: operation.variables,
      outcome, error: failure, sqlStatements: statements, durationMs: performance.now() - started, clientAddress: request.socket.remoteAddress ?? null });
  }

  /**
   * An export (GET /export/…): admitted as the API's requests are, then `write` in one read-only transaction as
   * the viewer, then an audit entry. `write` either streams the answer inside the transaction (its headers set
   * first), or returns what sends it once the transaction has committed. Refused before a byte is written, the
   * answer is the error instead: a refusal (InvalidValueError) with its status (refuseValue), anything else
   * 503. Cut off once the answer has begun, the connection is destroyed: a partial file must not look complete.
   */
  async function serveExport(request: http.IncomingMessage, response: http.ServerResponse, operationName: string,
    write: (client: PoolClient, viewer: Viewer, query: URLSearchParams) => Promise<(() => void) | void>): Promise<void> {
    const started = performance.now();
    const viewer = await admit(request, response);
    if (!viewer) return;
    const url = new URL(request.url ?? '/', 'http://hub');
    let client: PoolClient | undefined;
    let outcome: AuditEntry['outcome'] = 'OK';
    let failure: string | null = null;
    let broken = false;
    try {
      client = await options.apiPool.connect();
      await beginAsViewer(client, viewer, { readOnly: true });
      const send = await write(client, viewer, url.searchParams);
      await client.query('commit');
      send?.();
      response.end();
    } catch (error) {
      await client?.query('rollback').catch(() => { broken = true; });
      outcome = 'ERROR';
      failure = error instanceof Error ? error.message : String(error);
      if (!response.headersSent) {
        for (const header of response.getHeaderNames()) response.removeHeader(header);
        if (error instanceof InvalidValueError) refuseValue(response, error);
        else if (isDatabaseUnavailable(error)) refuseUnavailable(response);
        else refuse(response, 503, 'UNAVAILABLE', options.production ? '导出失败，请稍后重试' : `导出失败：${failure}`);
      } else {
        response.destroy();
      }
    } finally {
      client?.release(broken);
    }
    audit({ viewer, kind: 'export', operationName, query: null, variables: Object.fromEntries(url.searchParams),
      outcome, error: failure, sqlStatements: 0, durationMs: performance.now() - started, clientAddress: request.socket.remoteAddress ?? null });
  }

  /** GET /export/<dataset>.arrow: an Arrow IPC stream, written a batch at a time inside the transaction. */
  const arrowExport = (request: http.IncomingMessage, response: http.ServerResponse, dataset: string) =>
    serveExport(request, response, dataset, async (client, _viewer, query) => {
      response.setHeader('content-type', 'application/vnd.apache.arrow.stream');
      response.setHeader('content-disposition', `attachment; filename="${dataset}.arrow"`);
      response.setHeader('cache-control', 'no-store');
      await writeArrowExport(client, dataset, query, options.profile, todayInShanghai(), response);
    });

  /** GET /export/ranking.xlsx: a ranking as an Excel workbook, under the GraphQL ranking queries' viewer rules. */
  const rankingExport = (request: http.IncomingMessage, response: http.ServerResponse) =>
    serveExport(request, response, 'ranking.xlsx', async (client, viewer, query) => {
      const file = await rankingWorkbookFor(client, viewer, query, options.profile, todayInShanghai());
      return () => {
        response.writeHead(200, {
          'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          'content-disposition': attachment(file.fileName, file.asciiFileName),
          'content-length': String(file.bytes.length),
          'cache-control': 'no-store',
        });
        response.write(file.bytes);
      };
    });

  return {
    handle(request, response, path) {
      const fail = (error: unknown) => {
        options.log(`api: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
        if (!response.headersSent) refuse(response, 500, 'INTERNAL_SERVER_ERROR', '服务器内部错误');
        else response.destroy();
      };
      if (path === '/graphql') {
        if (request.method !== 'POST' && request.method !== 'GET') { refuse(response, 405, 'METHOD_NOT_ALLOWED', '请用 POST（或 GET）访问 /graphql'); return true; }
        graphql(request, response).catch(fail);
        return true;
      }
      const exportMatch = /^\/export\/([a-z0-9-]+)\.arrow$/.exec(path);
      if (exportMatch && request.method === 'GET') {
        arrowExport(request, response, exportMatch[1]!).catch(fail);
        return true;
      }
      if (path === '/export/ranking.xlsx' && request.method === 'GET') {
        rankingExport(request, response).catch(fail);
        return true;
      }
      return false;
    },
    stop: async () => { await dataVersion?.close(); await apollo.stop(); await auditLog.close(); },
  };
}
