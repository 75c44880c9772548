import type { Pool } from 'pg';
import { openAuditLog, type AuditEntry } from '../../src/server/audit-log';
import { createTestPool, type TestPool } from '../support/test-database';

/**
 * The API's audit log keeps entries a moment and writes them together: none may be lost on a clean stop, none
 * may wait longer than its flush interval, a full batch goes at once, and the rows keep the requests' order and
 * times.
 */
let database: TestPool;
let pool: Pool;

beforeAll(async () => {
  database = await createTestPool();
  ({ pool } = database);
});
afterAll(() => database?.close());

const entry = (name: string, extra: Partial<AuditEntry> = {}): AuditEntry => ({
  viewer: { role: 'SUPERVISOR', regionCode: '350500', subject: 'audit-test' }, kind: 'query', operationName: name,
  query: `query ${name} { me { role } }`, variables: { n: 1, text: "它's \"quoted\"" }, outcome: 'OK', error: null,
  sqlStatements: 2, durationMs: 3.6, clientAddress: '127.0.0.1', ...extra,
});

async function rowsNamed(prefix: string) {
  const { rows } = await pool.query(
    `select operation_name, viewer_role, viewer_region, viewer_subject, operation_kind, variables, outcome, error, sql_statements,
       duration_ms, client_address, query_sha256 is not null as hashed, at
     from api_audit_log where operation_name like $1 || '%' order by id`, [prefix]);
  return rows as Record<string, unknown>[];
}

test('entries kept for a later flush are all written, in order, when the log closes', async () => {
  const errors: unknown[] = [];
  const log = openAuditLog(pool, (error) => errors.push(error), { flushMilliseconds: 60_000, maxEntries: 1000 });
  const before = Date.now();
  log.write(entry('Closing1'));
  await new Promise((resolve) => setTimeout(resolve, 30));
  log.write(entry('Closing2', { outcome: 'ERROR', error: 'x'.repeat(3000) }));
  log.write(entry('Closing3', { kind: 'export', query: null, variables: undefined }));
  expect(await rowsNamed('Closing')).toEqual([]);
  await log.close();
  const rows = await rowsNamed('Closing');
  expect(rows.map((row) => row.operation_name)).toEqual(['Closing1', 'Closing2', 'Closing3']);
  expect(rows[0]).toMatchObject({ viewer_role: 'SUPERVISOR', viewer_region: '350500', viewer_subject: 'audit-test', operation_kind: 'query',
    variables: { n: 1, text: "它's \"quoted\"" }, outcome: 'OK', error: null, sql_statements: 2, duration_ms: 4, client_address: '127.0.0.1', hashed: true });
  expect((rows[1]!.error as string).length).toBe(2000);
  expect(rows[2]).toMatchObject({ operation_kind: 'export', variables: null, hashed: false });
  // each row's time is when its request ended, not when the batch was written
  const times = rows.map((row) => (row.at as Date).getTime());
  expect(times[0]).toBeGreaterThanOrEqual(before - 5);
  expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(25);
  expect(errors).toEqual([]);
});

test('an entry is written within the flush interval without a close, and a full batch at once', async () => {
  const log = openAuditLog(pool, (error) => { throw error; }, { flushMilliseconds: 100, maxEntries: 3 });
  log.write(entry('Timed1'));
  let rows: unknown[] = [];
  for (let i = 0; i < 40 && rows.length === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    rows = await rowsNamed('Timed');
  }
  expect(rows).toHaveLength(1);

  const slow = openAuditLog(pool, (error) => { throw error; }, { flushMilliseconds: 60_000, maxEntries: 3 });
  for (const name of ['Full1', 'Full2', 'Full3', 'Full4']) slow.write(entry(name));
  for (let i = 0; i < 40 && rows.length < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    rows = await rowsNamed('Full');
  }
  // the first three went as soon as there were three; the fourth waits for its interval or the close
  expect((rows as { operation_name: string }[]).map((row) => row.operation_name)).toEqual(['Full1', 'Full2', 'Full3']);
  await slow.close();
  await log.close();
  expect((await rowsNamed('Full')).map((row) => row.operation_name)).toEqual(['Full1', 'Full2', 'Full3', 'Full4']);
});

test('a write that fails is reported, and the entries after it are still written', async () => {
  const errors: unknown[] = [];
  const log = openAuditLog(pool, (error) => errors.push(error), { flushMilliseconds: 60_000, maxEntries: 1 });
  // viewer_role is varchar(20): the database refuses this batch
  log.write(entry('Refused1', { viewer: { role: 'X'.repeat(30) as 'ADMIN' } }));
  log.write(entry('After1'));
  await log.close();
  expect(errors).toHaveLength(1);
  expect(String(errors[0])).toMatch(/too long/);
  expect((await rowsNamed('After')).map((row) => row.operation_name)).toEqual(['After1']);
});
