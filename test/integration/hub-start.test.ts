import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { migrationsList } from '../../src/warehouse/migrations';
import { createTestDatabase } from '../support/test-database';

const latestMigration = migrationsList[migrationsList.length - 1]!.name;
import { freePort, getJson, pressCtrlC, spawnHub, waitFor } from '../support/hub-process';

const withoutDatabaseUrl = () => {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  return env;
};

async function healthy(port: number) {
  const health = await getJson(`http://127.0.0.1:${port}/healthz`);
  return health.status === 200 ? health.body : undefined;
}

describe('hub start', () => {
  jest.setTimeout(120000);

  test('on the embedded default it brings up PostgreSQL, migrates, serves /healthz, stops cleanly on Ctrl-C and keeps its data across restarts', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-start-'));
    fs.chmodSync(dataDir, 0o755);
    const env = { ...withoutDatabaseUrl(), HUB_DATA_DIR: dataDir, PORT: String(await freePort()), HUB_EMBEDDED_PG_PORT: String(await freePort()) };
    const port = Number(env.PORT);
    try {
      const first = spawnHub(['start', '--no-demo'], env);
      const health = await waitFor('health', () => healthy(port), first);
      expect(health).toMatchObject({ status: 'ok', database: 'reachable', schemaVersion: latestMigration, profile: 'default', calendarHorizon: '2026-12-31' });

      // something stored by this run must be there after a restart
      const credentials = JSON.parse(fs.readFileSync(path.join(dataDir, 'postgres-credentials.json'), 'utf8'));
      const url = `postgres://${credentials.user}:${encodeURIComponent(credentials.password)}@127.0.0.1:${env.HUB_EMBEDDED_PG_PORT}/hub`;
      const client = new Client({ connectionString: url });
      await client.connect();
      await client.query(`insert into sources (id, name, transport, location) values ('restart-probe', '重启检查', 'FOLDER', '/tmp')`);
      await client.end();

      pressCtrlC(first);
      expect({ code: await first.exited, output: first.output() }).toEqual({ code: 0, output: expect.stringMatching(/stopped/) });
      expect(fs.existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
      expect(first.output()).toMatch(/embedded PostgreSQL stopped/);

      const second = spawnHub(['start', '--no-demo'], env);
      await waitFor('health after restart', () => healthy(port), second);
      expect(second.output()).not.toMatch(/initialising embedded PostgreSQL/);
      const again = new Client({ connectionString: url });
      await again.connect();
      const { rows } = await again.query(`select name from sources where id = 'restart-probe'`);
      await again.end();
      expect(rows).toEqual([{ name: '重启检查' }]);
      pressCtrlC(second);
      expect({ code: await second.exited, output: second.output() }).toEqual({ code: 0, output: expect.stringMatching(/stopped/) });
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('with DATABASE_URL it uses that server and starts no embedded one', async () => {
    const db = await createTestDatabase();
    const port = await freePort();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-start-url-'));
    try {
      const hub = spawnHub(['start', '--no-demo'], { ...process.env, DATABASE_URL: db.url, PORT: String(port), HUB_DATA_DIR: dataDir });
      const health = await waitFor('health', () => healthy(port), hub);
      expect(health).toMatchObject({ status: 'ok', schemaVersion: latestMigration });
      expect(fs.existsSync(path.join(dataDir, 'postgres'))).toBe(false);
      pressCtrlC(hub);
      expect(await hub.exited).toBe(0);
    } finally {
      await db.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('every subcommand explains itself with --help', async () => {
    for (const args of [['--help'], ['start', '--help'], ['migrate', '--help']]) {
      const hub = spawnHub(args, process.env);
      expect({ args, code: await hub.exited }).toEqual({ args, code: 0 });
      expect(hub.output()).toMatch(/Usage: hub/);
    }
  });
});

describe('hub start with a broken policy', () => {
  test('an unknown policy profile stops the hub before it serves, naming the profile', async () => {
    const hub = spawnHub(['start'], { ...process.env, HUB_PROFILE: 'no-such-province', PORT: String(await freePort()) });
    expect(await hub.exited).toBe(1);
    expect(hub.output()).toMatch(/no-such-province/);
  });
});
