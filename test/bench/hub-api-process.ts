import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readConfig } from '../../src/config';
import { createPool } from '../../src/database/pg';
import { loadPolicy } from '../../src/domain/policy';
import { startHttpServer } from '../../src/server/http-server';
import { openApi } from '../../src/server/open-api';
import { openWarehouse } from '../../src/warehouse/orm';

/**
 * The hub's API in a process of its own over a given warehouse, as `hub start` serves it (without loading or
 * scheduling anything), for the benchmarks: the hub and its peer each get their own process. Run as a script it
 * prints one JSON line {url, token} (a PROVINCE token) and serves until stopped.
 */
export interface HubApiProcess { url: string; token: string; stop(): Promise<void> }

export async function startHubApiProcess(databaseUrl: string, env: NodeJS.ProcessEnv = {}): Promise<HubApiProcess> {
  const child = spawn(process.execPath, [__filename], {
    env: { ...process.env, ...env, DATABASE_URL: databaseUrl }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  let buffered = '';
  const ready = await new Promise<{ url: string; token: string }>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`the hub API process exited (${code}) before serving`)));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line) as { url: string; token: string });
    });
  });
  return {
    ...ready,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

async function serve(): Promise<void> {
  const config = readConfig();
  const url = config.databaseUrl!;
  const orm = await openWarehouse(url);
  const ownerPool = createPool(url, 2);
  const policy = loadPolicy(config.profile);
  const api = await openApi({ ownerPool, ownerUrl: url, config, profile: policy.profile, sources: [], log: (line) => process.stderr.write(`${line}\n`) });
  const server = await startHttpServer(orm, policy, { port: 0, host: '127.0.0.1', api: api.endpoints });
  const token = await api.tokens.sign({ role: 'PROVINCE', sub: 'bench' }, '4h');
  process.stdout.write(`${JSON.stringify({ url: server.url, token })}\n`);
  process.once('SIGTERM', () => {
    void (async () => {
      await server.close();
      await api.close();
      await ownerPool.end();
      await orm.close(true);
      process.exit(0);
    })();
  });
}

if (require.main === module) {
  serve().catch((error: unknown) => {
    process.stderr.write(`hub API process: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
