import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import type { GraphQLSchema } from 'graphql';
import { projectRoot } from '../paths';
import { dashboardDir, loadDashboardCatalog } from './dashboard-definitions';

/** A viewer the demo offers on the login box: who it is, and a token for it. */
export interface DemoViewer { label: string; role: string; token: string }

export interface DashboardSite {
  /** true when the path is the page's (/, /app/…, /vendor/…, /dashboards.json) and the request was answered */
  handle(request: http.IncomingMessage, response: http.ServerResponse, path: string): boolean;
}

/** The compiled page (tsc -p dashboards/web, run by `npm run build`, which npm install and npm start run). */
const builtPageDir = path.join(projectRoot, 'dist', 'web');

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/**
 * The dashboards' web page: one HTML file, its stylesheet, its compiled modules, ECharts from the package, and
 * the catalog of dashboard definitions. The page holds no data: it asks the API with the viewer's token.
 */
export function createDashboardSite(options: { schema: GraphQLSchema; demoViewers?: readonly DemoViewer[] }): DashboardSite {
  // checked now: a bad definition stops the start, naming its file and panel
  const catalog = JSON.stringify(loadDashboardCatalog(options.schema));
  const echartsFile = require.resolve('echarts/dist/echarts.min.js');
  const files = new Map<string, string>([
    ['/', path.join(dashboardDir, 'web', 'index.html')],
    ['/app/styles.css', path.join(dashboardDir, 'web', 'styles.css')],
    ['/vendor/echarts.min.js', echartsFile],
  ]);

  function send(response: http.ServerResponse, status: number, type: string, body: string | Buffer, cache = 'no-cache'): void {
    response.writeHead(status, { 'content-type': type, 'cache-control': cache, 'x-content-type-options': 'nosniff' });
    response.end(body);
  }

  function sendFile(response: http.ServerResponse, file: string): void {
    fs.readFile(file, (error, body) => {
      if (error) {
        send(response, 404, 'text/plain; charset=utf-8', error.code === 'ENOENT' && file.startsWith(builtPageDir)
          ? '页面尚未构建：请运行 npm run build（npm install 与 npm start 会自动构建）'
          : '没有这个文件');
        return;
      }
      send(response, 200, types[path.extname(file)] ?? 'application/octet-stream', body);
    });
  }

  return {
    handle(request, response, urlPath) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return false;
      if (urlPath === '/dashboards.json') {
        send(response, 200, 'application/json; charset=utf-8', catalog);
        return true;
      }
      if (urlPath === '/demo-viewers.json') {
        // only a demo hands out tokens; a deployment's viewers get theirs from `hub token` or its identity provider
        send(response, options.demoViewers ? 200 : 404, 'application/json; charset=utf-8',
          JSON.stringify(options.demoViewers ?? { error: '只有演示环境提供演示令牌' }), 'no-store');
        return true;
      }
      const file = files.get(urlPath === '/index.html' ? '/' : urlPath);
      if (file) {
        sendFile(response, file);
        return true;
      }
      const module = /^\/app\/([a-z0-9-]+(?:\/[a-z0-9-]+)?\.js(?:\.map)?)$/.exec(urlPath);
      if (module) {
        sendFile(response, path.join(builtPageDir, module[1]!));
        return true;
      }
      return false;
    },
  };
}
