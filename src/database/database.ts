import type { HubConfig } from '../config';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres';

/** The PostgreSQL the hub works on: the configured one, or the embedded default started for this process. */
export interface DatabaseHandle {
  url: string;
  /** where it is, for logs: never the password */
  description: string;
  embedded: EmbeddedDatabase | null;
  /** stops the embedded cluster when this process started it; nothing otherwise */
  release(): Promise<void>;
}

export function describeUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
}

export async function acquireDatabase(config: HubConfig, log: (line: string) => void): Promise<DatabaseHandle> {
  if (config.databaseUrl) {
    return { url: config.databaseUrl, description: describeUrl(config.databaseUrl), embedded: null, release: async () => undefined };
  }
  const embedded = await startEmbeddedPostgres({
    dataDir: config.dataDir,
    port: config.embeddedPort,
    log: (line) => log(`[postgres] ${line}`),
  });
  return {
    url: embedded.url,
    description: `embedded ${describeUrl(embedded.url)} (data in ${config.dataDir})`,
    embedded,
    release: () => embedded.stop(),
  };
}
