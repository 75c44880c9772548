import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Policy } from '../domain/policy';
import type { ApiEndpoints } from './api-endpoints';
import type { DashboardSite } from './dashboard-site';
import { checkHealth } from './health';

export interface HubServer { url: string; close(): Promise<void> }

function sendJson(response: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(text);
}

/** The hub's HTTP front: health, the GraphQL API and its exports (api-endpoints.ts), the dashboards' page (dashboard-site.ts). */
export async function startHttpServer(orm: MikroORM, policy: Policy, options: { port: number; host: string; api?: ApiEndpoints; site?: DashboardSite }): Promise<HubServer> {
  const server = http.createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://hub').pathname;
    if (options.api?.handle(request, response, path)) return;
    if (options.site?.handle(request, response, path)) return;
    if (path === '/healthz' && (request.method === 'GET' || request.method === 'HEAD')) {
      checkHealth(orm, policy).then(
        (health) => sendJson(response, health.status === 'ok' ? 200 : 503, health),
        (error: unknown) => sendJson(response, 500, { status: 'unavailable', error: String(error) }),
      );
      return;
    }
    sendJson(response, 404, { error: `no such path: ${path}` });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE'
      ? new Error(`port ${options.port} on ${options.host} is taken; set PORT to another one`)
      : error));
    server.listen(options.port, options.host, resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${address.port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
