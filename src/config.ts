import path from 'node:path';
import { projectRoot } from './paths';

/**
 * Every setting the hub reads from its environment, read here and nowhere else (STYLE.md: one typed
 * config module). Each has a default that makes `npm start` work on a fresh machine.
 */
export interface HubConfig {
  /** external PostgreSQL; when absent the hub runs its embedded cluster */
  databaseUrl: string | undefined;
  /** where the embedded cluster, keys and other local state live (git-ignored) */
  dataDir: string;
  /** the embedded cluster's port: its own, never 5432 where a system server usually listens */
  embeddedPort: number;
  port: number;
  host: string;
  /** policy profile name under policy/profiles/ */
  profile: string;
  /** the sources file (etl/sources.example.yaml shows the format); by default the demo's, written by `hub generate` */
  sourcesFile: string;
  /** true when HUB_SOURCES names a deployment's sources: then `hub start` runs no demo */
  sourcesConfigured: boolean;
  /** cases in the synthetic demo province `hub start` generates on an empty warehouse */
  demoScale: number;
  production: boolean;
  api: ApiConfig;
}

/** The GraphQL API and exports: how they connect, sign tokens and protect themselves. */
export interface ApiConfig {
  /** the API's own login (a role without BYPASSRLS); absent: the hub makes `hub_api` a login from the owner's URL */
  databaseUrl: string | undefined;
  /** HS256 secret for tokens; absent: a key kept in the warehouse (created on first use) */
  jwtSecret: string | undefined;
  /** an Ed25519 public key (SPKI PEM text, or a file holding it): EdDSA tokens signed elsewhere are accepted */
  jwtPublicKey: string | undefined;
  /** schema introspection; on by default, off by default in production */
  introspection: boolean;
  /** requests per minute per viewer (per client address for the public) */
  rateLimitPerMinute: number;
  /** how long a read-only answer may be served from the response cache (0: no cache), and the cache's size */
  responseCacheSeconds: number;
  responseCacheMegabytes: number;
  /** largest request body in bytes */
  maxBodyBytes: number;
  /** cost and depth a query may reach before it is refused unexecuted */
  maxCost: number;
  maxDepth: number;
}

function intSetting(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Error(`${name}=${JSON.stringify(raw)} is not a port number (1–65535)`);
  }
  return value;
}

function zeroOrMoreSetting(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name}=${JSON.stringify(raw)} is not a whole number (0 turns it off)`);
  return value;
}

function countSetting(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name}=${JSON.stringify(raw)} is not a positive whole number`);
  return value;
}

function booleanSetting(name: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new Error(`${name}=${JSON.stringify(raw)} is neither true nor false`);
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): HubConfig {
  const production = env.NODE_ENV === 'production';
  const dataDir = path.resolve(env.HUB_DATA_DIR || path.join(projectRoot, '.data'));
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir,
    embeddedPort: intSetting('HUB_EMBEDDED_PG_PORT', env.HUB_EMBEDDED_PG_PORT, 54329),
    port: intSetting('PORT', env.PORT, 4000),
    host: env.HOST || '127.0.0.1',
    profile: env.HUB_PROFILE || 'default',
    sourcesFile: path.resolve(env.HUB_SOURCES || path.join(dataDir, 'demo', 'sources.yaml')),
    sourcesConfigured: Boolean(env.HUB_SOURCES),
    demoScale: countSetting('HUB_DEMO_SCALE', env.HUB_DEMO_SCALE, 5000),
    production,
    api: {
      databaseUrl: env.HUB_API_DATABASE_URL || undefined,
      jwtSecret: env.HUB_JWT_SECRET || undefined,
      jwtPublicKey: env.HUB_JWT_PUBLIC_KEY || undefined,
      introspection: booleanSetting('HUB_GRAPHQL_INTROSPECTION', env.HUB_GRAPHQL_INTROSPECTION, !production),
      rateLimitPerMinute: countSetting('HUB_RATE_LIMIT_PER_MINUTE', env.HUB_RATE_LIMIT_PER_MINUTE, 1200),
      responseCacheSeconds: zeroOrMoreSetting('HUB_RESPONSE_CACHE_SECONDS', env.HUB_RESPONSE_CACHE_SECONDS, 30),
      responseCacheMegabytes: zeroOrMoreSetting('HUB_RESPONSE_CACHE_MB', env.HUB_RESPONSE_CACHE_MB, 64),
      maxBodyBytes: countSetting('HUB_MAX_BODY_BYTES', env.HUB_MAX_BODY_BYTES, 100_000),
      maxCost: countSetting('HUB_GRAPHQL_MAX_COST', env.HUB_GRAPHQL_MAX_COST, 5_000),
      maxDepth: countSetting('HUB_GRAPHQL_MAX_DEPTH', env.HUB_GRAPHQL_MAX_DEPTH, 10),
    },
  };
}
