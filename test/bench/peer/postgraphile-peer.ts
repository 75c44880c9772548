import { spawn } from 'node:child_process';
import path from 'node:path';
import { apiDatabaseUrl, createApiPool } from '../../../src/access/api-login';
import { openApiTokens } from '../../../src/access/api-tokens';
import { readConfig } from '../../../src/config';
import { createPool } from '../../../src/database/pg';
import { projectRoot } from '../../../src/paths';

/**
 * PostGraphile 5 as the benchmark's peer, in a Node process of its own (postgraphile-peer.mjs, which says what is
 * equal to the hub and what differs). It serves over the given database as the hub API's role with the hub's
 * token key, so a request the hub accepts (its bearer token) is accepted by the peer for the same viewer.
 */
export interface PostGraphilePeer {
  /** the GraphQL endpoint (POST) */
  url: string;
  stop(): Promise<void>;
}

/** The overview headline as the peer answers it: both periods in one request, under aliases, like the hub's. */
export const peerOverviewQuery = `query PeerOverviewHeadline($region: String!, $from: Date!, $to: Date!, $previousFrom: Date!, $previousTo: Date!, $indicators: [String]!) {
  current: indicatorSumsList(region: $region, fromDay: $from, toDay: $to, indicators: $indicators) { ...Headline }
  previous: indicatorSumsList(region: $region, fromDay: $previousFrom, toDay: $previousTo, indicators: $indicators) { ...Headline }
}
fragment Headline on IndicatorSumsRecord { indicator numerator denominator rate }`;

export interface PeerOverviewRequest {
  regionCode: string;
  period: { from: string; to: string };
  previous: { from: string; to: string };
  /** the headline panel's indicators (dashboards/definitions/01-overview.yaml) */
  indicators: readonly string[];
}

/** The request body of the peer's overview headline. */
export function peerOverviewBody(request: PeerOverviewRequest): string {
  return JSON.stringify({
    query: peerOverviewQuery,
    variables: {
      region: request.regionCode, from: request.period.from, to: request.period.to,
      previousFrom: request.previous.from, previousTo: request.previous.to, indicators: request.indicators,
    },
  });
}

const peerScript = path.join(projectRoot, 'test', 'bench', 'peer', 'postgraphile-peer.mjs');
const startTimeoutMs = 60_000;
const stopTimeoutMs = 10_000;

/**
 * What the peer needs from the hub's side: the API's login (made as the hub makes it), the API pool's size, and
 * the HS256 key the hub signs tokens with — configured, or the warehouse's own, which openApiTokens creates when
 * the hub has not yet (api-tokens.ts keeps it base64url in api_signing_keys).
 */
async function hubApiSettings(databaseUrl: string): Promise<{ apiUrl: string; poolMax: number; jwtSecret: string }> {
  const config = readConfig().api;
  const owner = createPool(databaseUrl, 1);
  try {
    const apiUrl = await apiDatabaseUrl(owner, databaseUrl, config);
    await openApiTokens(owner, config);
    const jwtSecret = config.jwtSecret !== undefined ? Buffer.from(config.jwtSecret, 'utf8').toString('base64url')
      : (await owner.query<{ secret: string }>(`select secret from api_signing_keys where id = 'default'`)).rows[0]!.secret;
    const probe = createApiPool(apiUrl);
    const poolMax = probe.options.max ?? 10;
    await probe.end();
    return { apiUrl, poolMax, jwtSecret };
  } finally {
    await owner.end();
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }),
    });
    const body = await response.json() as { data?: { __typename?: string } };
    return response.ok && body.data?.__typename === 'Query';
  } catch {
    return false;
  }
}

/** Starts the peer on a free loopback port and resolves once it answers a GraphQL request. */
export async function startPostGraphilePeer(databaseUrl: string): Promise<PostGraphilePeer> {
  const settings = await hubApiSettings(databaseUrl);
  const child = spawn(process.execPath, [peerScript], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      // production mode, as the hub is benchmarked; also silences grafast's note that it is unset
      GRAPHILE_ENV: 'production', NODE_ENV: 'production',
      PEER_OWNER_DATABASE_URL: databaseUrl, PEER_API_DATABASE_URL: settings.apiUrl,
      PEER_POOL_MAX: String(settings.poolMax), PEER_JWT_SECRET: settings.jwtSecret, PEER_HOST: '127.0.0.1',
    },
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`postgraphile-peer did not start in ${startTimeoutMs / 1000} s:\n${output}`)), startTimeoutMs);
    child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const line = /^\{"url":.*\}$/m.exec(output);
      if (line) { clearTimeout(timer); resolve((JSON.parse(line[0]) as { url: string }).url); }
    });
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`postgraphile-peer exited (${code}) before serving:\n${output}`)); });
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + startTimeoutMs;
  while (!(await answers(url))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`postgraphile-peer at ${url} does not answer:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, stop };
}
