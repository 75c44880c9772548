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
}

function intSetting(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Error(`${name}=${JSON.stringify(raw)} is not a port number (1–65535)`);
  }
  return value;
}

function countSetting(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name}=${JSON.stringify(raw)} is not a positive whole number`);
  return value;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): HubConfig {
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
    production: env.NODE_ENV === 'production',
  };
}
