import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');
const embeddedModule = path.join(root, 'dist', 'src', 'database', 'embedded-postgres.js');

/**
 * A PostgreSQL server of a fault test's own, in a process of its own: the hub's embedded cluster
 * (src/database/embedded-postgres.ts, from the compiled build) in a data folder and on a port the test chose,
 * so that the test can stop it and start it again under a running hub without touching the server the other
 * tests use. (The embedded-postgres package is an ES module, which Jest's CommonJS sandbox cannot import:
 * hence a child process rather than a call.)
 */
export interface PostgresProcess {
  /** the owner's connection string, database `hub` */
  url: string;
  /** a clean stop (PostgreSQL's fast shutdown: open sessions are ended) that resolves once the server is gone */
  stop(): Promise<void>;
  output(): string;
}

const script = `
const { startEmbeddedPostgres } = require(process.env.FAULT_PG_MODULE);
startEmbeddedPostgres({
  dataDir: process.env.FAULT_PG_DIR, port: Number(process.env.FAULT_PG_PORT), database: 'hub',
  log: (line) => process.stderr.write(line + '\\n'),
}).then((db) => {
  process.stdout.write(JSON.stringify({ url: db.url }) + '\\n');
  const stop = () => db.stop().then(() => process.exit(0), (error) => { process.stderr.write(String(error) + '\\n'); process.exit(1); });
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}, (error) => { process.stderr.write(String(error && error.stack || error) + '\\n'); process.exit(1); });
`;

export async function startPostgresProcess(options: { dataDir: string; port: number; timeoutMs?: number }): Promise<PostgresProcess> {
  let stdout = '';
  let output = '';
  const child: ChildProcess = spawn(process.execPath, ['-e', script], {
    env: { ...process.env, FAULT_PG_MODULE: embeddedModule, FAULT_PG_DIR: options.dataDir, FAULT_PG_PORT: String(options.port) },
    // its own process group: the postgres it starts goes with it should the test have to kill it
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      process.kill(-child.pid!, 'SIGKILL');
      reject(new Error(`PostgreSQL did not start within ${options.timeoutMs ?? 60000} ms:\n${output}`));
    }, options.timeoutMs ?? 60000);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const line = stdout.split('\n').find((candidate) => candidate.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { url: string }).url);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`PostgreSQL exited (${code}) before it was ready:\n${output}`));
    });
  });
  let stopping: Promise<void> | null = null;
  return {
    url,
    output: () => output,
    stop: () => (stopping ??= (async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`PostgreSQL did not stop cleanly (${code}):\n${output}`);
    })()),
  };
}
