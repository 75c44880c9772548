import { DEFAULT_AS_OF } from '../../etl/generator/generate-province';
import { createPool } from '../../src/database/pg';
import { readConfig } from '../../src/config';
import { loadPolicy } from '../../src/domain/policy';
import type { PolicyProfile } from '../../src/domain/profile/policy-profile';
import { refreshRollups, type RefreshResult } from '../../src/metrics/rollups/refresh-rollups';
import { rollupsCannotAnswer } from '../../src/metrics/rollups/rollup-reader';
import type { Queryable } from '../../src/metrics/sql/sql-parameters';
import { loadSyntheticProvince } from '../support/synthetic-province';
import { freshDatabase, keptDatabase } from './bench-database';

/**
 * A warehouse of N cases for the query benchmarks. A synthetic province of `baseCases` is generated and pulled
 * through the real ETL (its rate is measured by the ETL benchmark, not here); it is then copied by SQL under new
 * case ids (`<id>~k`) with every fact hanging on a case, until the warehouse holds the target number of cases.
 * The copies keep their agencies and dates, so a copy is as dense per agency and day as the original:
 * this is how a province of many times the cases looks to the rollups and to every query (more records per
 * agency-day), not more agencies. Growing is incremental: 1M, then 5M, then 20M in one database.
 */
export interface ScaledWarehouse {
  url: string;
  asOf: string;
  cases(): Promise<number>;
  /**
   * adds copies until the warehouse holds at least `target` cases, then refreshes the rollups in full; a kept
   * warehouse already that big and rolled up is not refreshed again (`refresh` null)
   */
  growTo(target: number): Promise<{ cases: number; copySeconds: number; refresh: RefreshResult | null }>;
  close(): Promise<void>;
}

/** Fact tables keyed under a case, and how a copy renames its keys. */
const caseTables: { table: string; renamed: string[] }[] = [
  { table: 'cases', renamed: ['case_id'] },
  { table: 'publications', renamed: ['case_id'] },
  { table: 'legal_reviews', renamed: ['case_id'] },
  { table: 'appeals', renamed: ['case_id'] },
  { table: 'recordings', renamed: ['case_id', 'record_id'] },
  { table: 'evaluations', renamed: ['case_id'] },
];

/**
 * With `keep`, the database is left in place after the run and the next run with the same base size goes on
 * from it (migrated to the current schema, grown if asked for more): at 5M or 20M cases the copies and the full
 * refresh take most of an hour, the questions minutes. What a kept warehouse was built from is in its database
 * comment, written once the base province is loaded, so a run cut short before that starts afresh.
 */
export async function scaledWarehouse(serverUrl: string, name: string, baseCases: number, log: (line: string) => void,
  options: { keep?: boolean } = {}): Promise<ScaledWarehouse> {
  const marker = `hub bench warehouse: base ${baseCases} cases, seed 11`;
  const kept = options.keep ? await keptDatabase(serverUrl, name, marker) : null;
  const url = kept ?? await freshDatabase(serverUrl, name);
  const pool = createPool(url, 2);
  const { profile } = loadPolicy(readConfig().profile);
  const count = async () => Number((await pool.query<{ n: string }>('select count(*) as n from cases')).rows[0]!.n);
  let original: number;
  let copies: number;
  if (kept) {
    original = Number((await pool.query<{ n: string }>(`select count(*) as n from cases where position('~' in case_id) = 0`)).rows[0]!.n);
    copies = Number((await pool.query<{ n: number | null }>(
      `select max(split_part(case_id, '~', 2)::int) as n from cases where position('~' in case_id) > 0`)).rows[0]!.n ?? 0);
    log(`scaled warehouse: kept from an earlier run, ${(await count()).toLocaleString('en-US')} cases (${copies} copies of ${original.toLocaleString('en-US')})`);
  } else {
    log(`scaled warehouse: generating and loading a ${baseCases.toLocaleString('en-US')}-case province through the ETL …`);
    const started = Date.now();
    await loadSyntheticProvince(pool, { seed: 11, scale: baseCases, prefix: 'hub-bench-province-' });
    original = await count();
    copies = 0;
    await pool.query(`comment on database ${name} is '${marker}'`);
    log(`  loaded ${original.toLocaleString('en-US')} cases in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  const columns = new Map<string, string[]>();
  for (const { table } of caseTables) {
    const { rows } = await pool.query<{ column_name: string }>(
      `select column_name from information_schema.columns where table_schema = 'public' and table_name = $1 order by ordinal_position`, [table]);
    columns.set(table, rows.map((row) => row.column_name));
  }

  return {
    url,
    asOf: DEFAULT_AS_OF,
    cases: count,
    async growTo(target) {
      const copyStarted = Date.now();
      // counted, not derived from the copies: a kept warehouse also holds the cases of earlier daily deltas
      // (which later copies copy too)
      for (let held = await count(); held < target; held += original) {
        copies++;
        const suffix = `~${copies}`;
        const client = await pool.connect();
        try {
          await client.query('begin');
          for (const { table, renamed } of caseTables) {
            const names = columns.get(table)!;
            const values = names.map((column) => (renamed.includes(column) ? `${column} || '${suffix}'` : column));
            // only the original rows are copied: a suffix marks a copy
            await client.query(`insert into ${table} (${names.join(', ')})
              select ${values.join(', ')} from ${table} where position('~' in case_id) = 0`);
          }
          await client.query('commit');
        } catch (error) {
          await client.query('rollback');
          throw error;
        } finally {
          client.release();
        }
      }
      const copySeconds = (Date.now() - copyStarted) / 1000;
      if (copySeconds < 1 && await rolledUp(pool, profile)) {
        const cases = await count();
        log(`  ${cases.toLocaleString('en-US')} cases, rolled up by an earlier run`);
        return { cases, copySeconds: 0, refresh: null };
      }
      await pool.query('vacuum analyze');
      const refresh = await refreshRollups(pool, profile, { asOf: DEFAULT_AS_OF, full: true });
      await pool.query('vacuum analyze indicator_rollups');
      const cases = await count();
      log(`  ${cases.toLocaleString('en-US')} cases (${copies} copies, ${copySeconds.toFixed(0)} s); full rollup refresh ${(refresh.milliseconds / 1000).toFixed(1)} s, ${refresh.rows.toLocaleString('en-US')} rollup rows`);
      return { cases, copySeconds, refresh };
    },
    close: () => pool.end(),
  };
}

/** The rollups hold the bench's as-of date and profile, with nothing pending. */
async function rolledUp(pool: Queryable, profile: PolicyProfile): Promise<boolean> {
  if (await rollupsCannotAnswer(pool, DEFAULT_AS_OF, profile)) return false;
  return Number((await pool.query<{ n: string }>('select count(*) as n from changed_days')).rows[0]!.n) === 0;
}
