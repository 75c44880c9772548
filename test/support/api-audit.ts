import type { Pool } from 'pg';

/**
 * The SQL statements the API counted for the last request of an operation, from its audit entry (written just
 * after the answer, so waited for): how a test shows which path answered and that a query costs a bounded number.
 */
export async function statementsOf(pool: Pool, operation: string): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const { rows } = await pool.query<{ sql_statements: number }>(
      `select sql_statements from api_audit_log where operation_name = $1 order by id desc limit 1`, [operation]);
    if (rows[0]) return rows[0].sql_statements;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no audit entry for ${operation}`);
}
