import type { Pool } from 'pg';
import { loadPolicyProfile } from '../../src/domain/profile/policy-profile';
import { createApiContext } from '../../src/graphql/api-context';
import { createTestPool, type TestPool } from '../support/test-database';

/**
 * The API prepares its statements with bind parameters, once per connection and text: the same question asked
 * again is neither parsed nor planned again, and each text is its own statement.
 */
let database: TestPool;
let pool: Pool;

beforeAll(async () => {
  database = await createTestPool();
  ({ pool } = database);
});
afterAll(() => database?.close());

test('a statement with bind parameters is prepared once per connection; other statements run as they are', async () => {
  const client = await pool.connect();
  try {
    const context = createApiContext({
      viewer: { role: 'ADMIN' }, client, profile: loadPolicyProfile({ name: 'default' }), today: '2026-11-25',
      actions: { runSource: () => Promise.reject(new Error('not in this test')) },
    });
    const ask = (n: number) => context.db.query<{ n: number }>('select $1::int + 1 as n', [n]);
    expect((await ask(1)).rows[0]!.n).toBe(2);
    expect((await ask(41)).rows[0]!.n).toBe(42);
    // another text is another statement, even with the same parameters
    expect((await context.db.query<{ n: number }>('select $1::int + 2 as n', [1])).rows[0]!.n).toBe(3);
    // without parameters (several statements in one text, a transaction's control) nothing is prepared
    await context.db.query('select 1; select 2');
    const { rows } = await client.query<{ statement: string; calls: string }>(
      `select statement, generic_plans + custom_plans as calls from pg_prepared_statements order by statement`);
    expect(rows).toEqual([
      { statement: 'select $1::int + 1 as n', calls: '2' },
      { statement: 'select $1::int + 2 as n', calls: '1' },
    ]);
    expect(context.statements()).toBe(4);
  } finally {
    client.release(true);
  }
});
