import type { ClientBase, Pool } from 'pg';

/** What the metrics run their SQL on: a pool, or one client (inside a transaction, a COPY, a test). */
export type Queryable = Pool | ClientBase;

/** The PostgreSQL types the metrics bind values as. */
export type BindType = 'text' | 'text[]' | 'date' | 'date[]' | 'int' | 'numeric' | 'boolean' | 'float8';

/**
 * The bind parameters of one generated statement. Every value a request or the policy profile contributes
 * goes in as `$n::type`, never into the SQL text, so generated SQL is safe whatever the data says and its
 * text depends only on the shape of the profile (how many thresholds, catalog items, …).
 */
export class SqlParameters {
  readonly values: unknown[] = [];

  bind(value: unknown, type: BindType): string {
    this.values.push(value);
    return `$${this.values.length}::${type}`;
  }
}

/** A named step of a statement (`name as (sql)`), in the order a `with` lists them. */
export interface Cte {
  name: string;
  sql: string;
  /** computed once and kept, rather than folded into each step that reads it (PostgreSQL's default for a step read once) */
  materialized?: boolean;
}

export function withCtes(ctes: readonly Cte[], body: string): string {
  if (ctes.length === 0) return body;
  const step = (cte: Cte) => `${cte.name} as ${cte.materialized ? 'materialized ' : ''}(\n${cte.sql.trim()}\n)`;
  return `with ${ctes.map(step).join(',\n')}\n${body}`;
}

/** An identifier from a checked list (column names of a check relation), quoted. */
export function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain SQL identifier: ${JSON.stringify(name)}`);
  return `"${name}"`;
}
