import type { Pool } from 'pg';
import { readConfig, type HubConfig } from '../../src/config';
import type { PolicyProfile } from '../../src/domain/profile/policy-profile';
import { loadPolicy } from '../../src/domain/policy';
import { hubSchema } from '../../src/graphql/build-schema';
import { createDashboardSite } from '../../src/server/dashboard-site';
import { startHttpServer, type HubServer } from '../../src/server/http-server';
import { openApi, type OpenApi } from '../../src/server/open-api';
import type { TestDatabase } from './test-database';

export interface GraphqlAnswer<T = Record<string, unknown>> { status: number; data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] }

/** The hub's API served in this process over a test database, as `hub start` serves it. */
export interface TestApi {
  url: string;
  api: OpenApi;
  token(claims: { role: string; region?: string; agency?: string; sub?: string }): Promise<string>;
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string, operationName?: string): Promise<GraphqlAnswer<T>>;
  post(body: string, headers?: Record<string, string>): Promise<{ status: number; text: string }>;
  close(): Promise<void>;
}

export async function startTestApi(db: TestDatabase, ownerPool: Pool, profile: PolicyProfile,
  configure: (config: HubConfig) => void = () => undefined, options: { site?: boolean } = {}): Promise<TestApi> {
  const config = readConfig({ ...process.env, DATABASE_URL: db.url });
  configure(config);
  const api = await openApi({ ownerPool, ownerUrl: db.url, config, profile, sources: [], log: () => undefined });
  const server: HubServer = await startHttpServer(db.orm, loadPolicy(profile.name), {
    port: 0, host: '127.0.0.1', api: api.endpoints,
    // the dashboards' page, as `hub start` serves it (browser tests)
    ...(options.site && { site: createDashboardSite({ schema: hubSchema() }) }),
  });
  const post = async (body: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    return { status: response.status, text: await response.text() };
  };
  return {
    url: server.url, api,
    token: (claims) => api.tokens.sign(claims, '1h'),
    post,
    async gql<T>(query: string, variables: Record<string, unknown> = {}, token?: string, operationName?: string) {
      const { status, text } = await post(JSON.stringify({ query, variables, ...(operationName && { operationName }) }),
        token ? { authorization: `Bearer ${token}` } : {});
      return { status, ...(JSON.parse(text) as { data?: T; errors?: GraphqlAnswer['errors'] }) };
    },
    close: async () => { await server.close(); await api.close(); },
  };
}
