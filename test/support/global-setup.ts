import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { databaseUrl, startTestServer, templateDatabase, withAdminClient } from './test-cluster';

const run = promisify(execFile);
const root = path.resolve(__dirname, '..', '..');

/**
 * Once per test run: a server, and a template database migrated with reference data loaded by the real
 * `hub migrate` (the compiled build: `npm test` builds first). Each test file then clones the template
 * (CREATE DATABASE … TEMPLATE), so it starts clean in well under a second.
 */
export default async function globalSetup(): Promise<void> {
  const lines: string[] = [];
  const server = await startTestServer((line) => lines.push(line));
  (globalThis as { hubTestServer?: unknown }).hubTestServer = server;
  process.env.HUB_TEST_SERVER_URL = server.url;
  try {
    await withAdminClient(server.url, async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${templateDatabase} WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${templateDatabase}`);
    });
    await run(process.execPath, [path.join(root, 'bin', 'hub.js'), 'migrate'], {
      cwd: root, env: { ...process.env, DATABASE_URL: databaseUrl(server.url, templateDatabase) },
    });
  } catch (error) {
    process.stderr.write(lines.join('\n') + '\n');
    throw error;
  }
}
