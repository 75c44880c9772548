import fs from 'node:fs';
import path from 'node:path';
import type { Pool, PoolClient } from 'pg';
import { createPool } from '../../src/database/pg';
import { loadPolicyProfile, type PolicyProfile } from '../../src/domain/profile/policy-profile';
import { hubSchema } from '../../src/graphql/build-schema';
import { refreshRollups } from '../../src/metrics/rollups/refresh-rollups';
import { dashboardDir, loadDashboardCatalog } from '../../src/server/dashboard-definitions';
import { citusSetupSql, readDistributionPlan, tablesPlaced, type CaveatKind, type DistributionPlan } from '../../src/warehouse/distribution-plan';
import { startTestApi, type TestApi } from '../support/api-server';
import { loadSyntheticProvince, readAnswerKey } from '../support/synthetic-province';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * The Citus layout of schema/distribution.yaml held against what can be checked without Citus: the migrated
 * schema's catalog (every table placed; keys, foreign keys, triggers and policies as Citus requires them) and
 * the plan PostgreSQL makes for every statement the dashboards send, with the hub serving the synthetic province.
 *
 * A statement's plan is read for what Citus needs to run it on the shards (PostgreSQL's plan is a proxy for
 * Citus's own planning, which looks at the same joins and equalities):
 * - a join whose two sides both read distributed tables joins them on region_code: its conditions, the inner
 *   index scan's, or filters anywhere in the statement equate a distribution column of each side, directly or
 *   through other equalities (a constant both are equal to counts: one shard);
 * - a correlated subquery (SubPlan) reading distributed tables is correlated on region_code with a distributed
 *   table of the outer query; from rows of no distributed table (a function, a reference table, a CTE) Citus
 *   cannot push it down at all;
 * - a window over rows of distributed tables partitions by region_code (else Citus evaluates it on the
 *   coordinator after pulling every row); a window over an aggregate or a CTE's result is not checked, and the
 *   plan shows a window's keys only through the sort of its input (see windowKeys);
 * - a CTE PostgreSQL materialises (a CTE Scan) is a separate query for Citus too, recursively planned into an
 *   intermediate result: its body is checked on its own, and joining its result is not a join of distributed
 *   tables. Joins with reference tables and local tables are not checked (Citus runs the first on every shard
 *   and plans the second recursively), nor is an outer join whose preserved side reads no distributed table
 *   (Citus plans its distributed side apart, citusdata/citus PR #6512).
 */
jest.setTimeout(600000);

const plan = readDistributionPlan();
const distributionColumn = new Map(tablesPlaced(plan, 'distributed').map((t) => [t.table, t.column!]));
const citusTables = new Set(plan.tables.filter((t) => t.placement !== 'local').map((t) => t.table));
const placementOf = new Map(plan.tables.map((t) => [t.table, t.placement]));

let db: TestDatabase;
let pool: Pool;
let dir: string;
let profile: PolicyProfile;
let api: TestApi;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url);
  dir = await loadSyntheticProvince(pool, { seed: 20261203, scale: 600, prefix: 'citus-layout-' });
  profile = loadPolicyProfile({ name: readAnswerKey(dir).key.profile });
  // no response cache: every panel asked must reach PostgreSQL, for its statements to be read
  api = await startTestApi(db, pool, profile, (config) => { config.api.responseCacheSeconds = 0; });
}, 600000);

afterAll(async () => {
  await api?.close();
  await pool?.end();
  await db?.drop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const sql = async <T>(text: string, values: unknown[] = []) => (await pool.query(text, values)).rows as T[];

// ---------------------------------------------------------------------------------------------------------
// The schema
// ---------------------------------------------------------------------------------------------------------

describe('the schema under schema/distribution.yaml', () => {
  test('every table of schema public is placed, every placed table exists, and other schemas are left out on purpose', async () => {
    const tables = (await sql<{ name: string }>(`select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition`)).map((r) => r.name);
    expect({ unplaced: tables.filter((t) => !placementOf.has(t)).sort() }).toEqual({ unplaced: [] });
    expect({ placedButMissing: plan.tables.map((t) => t.table).filter((t) => !tables.includes(t)) }).toEqual({ placedButMissing: [] });
    const schemas = (await sql<{ name: string }>(`select nspname as name from pg_namespace
      where nspname not in ('public', 'information_schema') and nspname !~ '^pg_'`)).map((r) => r.name);
    expect({ schemasNotCovered: schemas.filter((s) => !Object.hasOwn(plan.notCovered, s)) }).toEqual({ schemasNotCovered: [] });
  });

  test('every distribution column exists and is not null, and every primary key, unique constraint and unique index of a distributed table includes it', async () => {
    const columns = await sql<{ table: string; column: string; notnull: boolean }>(`select c.relname as table, a.attname as column, a.attnotnull as notnull
      from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and a.attnum > 0 and not a.attisdropped`);
    const problems: string[] = [];
    for (const [table, column] of distributionColumn) {
      const found = columns.find((c) => c.table === table && c.column === column);
      if (!found?.notnull) problems.push(`${table}.${column}: ${found ? 'nullable' : 'no such column'}`);
    }
    // Citus refuses a uniqueness it would have to check across shards (constraints and unique indexes alike)
    const unique = await sql<{ table: string; index: string; columns: string[] }>(`select t.relname as table, i.relname as index,
        array(select a.attname::text from unnest(x.indkey) k join pg_attribute a on a.attrelid = t.oid and a.attnum = k) as columns
      from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid join pg_namespace n on n.oid = t.relnamespace
      where n.nspname = 'public' and x.indisunique`);
    for (const u of unique) {
      const column = distributionColumn.get(u.table);
      if (column && !u.columns.includes(column)) problems.push(`${u.table}: unique index ${u.index} (${u.columns.join(', ')}) lacks ${column}`);
    }
    expect(problems).toEqual([]);
  });

  test('foreign keys keep to what Citus accepts between the placements', async () => {
    const keys = await sql<{ name: string; from: string; to: string; fromColumns: string[]; toColumns: string[]; onUpdate: string; onDelete: string }>(`
      select c.conname as name, f.relname as from, t.relname as to, c.confupdtype as "onUpdate", c.confdeltype as "onDelete",
        array(select a.attname::text from unnest(c.conkey) with ordinality k(n, i) join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.n order by k.i) as "fromColumns",
        array(select a.attname::text from unnest(c.confkey) with ordinality k(n, i) join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.n order by k.i) as "toColumns"
      from pg_constraint c join pg_class f on f.oid = c.conrelid join pg_class t on t.oid = c.confrelid join pg_namespace n on n.oid = f.relnamespace
      where c.contype = 'f' and n.nspname = 'public'`);
    const problems = keys.flatMap((key) => foreignKeyProblems(key, plan));
    expect(problems).toEqual([]);
  });

  test('the set-up SQL creates reference tables first, and a referenced table before the tables referencing it', async () => {
    const setup = citusSetupSql(plan);
    const created = [...setup.matchAll(/create_(?:reference|distributed)_table\('([a-z_0-9]+)'/g)].map((m) => m[1]!);
    expect([...created].sort()).toEqual([...citusTables].sort());
    const references = await sql<{ from: string; to: string }>(`select distinct f.relname as from, t.relname as to
      from pg_constraint c join pg_class f on f.oid = c.conrelid join pg_class t on t.oid = c.confrelid
      where c.contype = 'f' and f.relnamespace = 'public'::regnamespace and c.conrelid <> c.confrelid`);
    const late = references.filter((r) => citusTables.has(r.from) && created.indexOf(r.to) > created.indexOf(r.from))
      .map((r) => `${r.from} is created before ${r.to}, which it references`);
    expect(late).toEqual([]);
    expect(setup).toContain(`create_distributed_table('publications', 'region_code', colocate_with => 'cases')`);
  });

  test('every trigger and row policy of a Citus table is declared under the caveats that apply to it, and no policy of one holds a subquery', async () => {
    const triggers = await sql<{ table: string; name: string; type: number }>(`select c.relname as table, g.tgname as name, g.tgtype as type
      from pg_trigger g join pg_class c on c.oid = g.tgrelid where c.relnamespace = 'public'::regnamespace and not g.tgisinternal`);
    const policies = await sql<{ table: string; name: string; expression: string }>(`select c.relname as table, p.polname as name,
        concat_ws(' and ', pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid)) as expression
      from pg_policy p join pg_class c on c.oid = p.polrelid where c.relnamespace = 'public'::regnamespace`);
    const functions = new Map((await sql<{ name: string; body: string }>(`select p.proname as name, p.prosrc as body
      from pg_proc p where p.pronamespace = 'public'::regnamespace`)).map((f) => [f.name, f.body]));
    const tables = new Set(plan.tables.map((t) => t.table));
    const found: Record<CaveatKind, Set<string>> = { 'viewer-settings': new Set(), 'nested-execution': new Set(), 'unsafe-triggers': new Set(), 'statement-triggers': new Set() };
    const problems: string[] = [];
    for (const policy of policies.filter((p) => citusTables.has(p.table))) {
      // Citus refuses to distribute a table whose policy holds a subquery (commands/policy.c)
      if (/\b(select|exists)\b/i.test(policy.expression)) problems.push(`${policy.table}: policy ${policy.name} holds a subquery, which Citus refuses`);
      const reach = reachedFunctions(policy.expression, functions);
      const bodies = [policy.expression, ...[...reach].map((f) => functions.get(f)!)].join('\n');
      if (/current_setting\s*\(\s*'hub\./.test(bodies)) found['viewer-settings'].add(policy.name);
      if ([...reach].some((f) => readsTables(functions.get(f)!, tables))) found['nested-execution'].add(policy.name);
    }
    const unsafeTables = new Set<string>();
    for (const trigger of triggers.filter((t) => citusTables.has(t.table))) {
      // pg_trigger.tgtype: bit 0 a row trigger; bits 2 to 4 insert, delete, update (5 is truncate)
      const perStatementOnWrites = (trigger.type & 1) === 0 && (trigger.type & (4 | 8 | 16)) !== 0;
      if (perStatementOnWrites) {
        found['statement-triggers'].add(trigger.name);
      } else {
        found['unsafe-triggers'].add(trigger.name);
        unsafeTables.add(trigger.table);
      }
    }
    for (const kind of Object.keys(found) as CaveatKind[]) {
      const declared = plan.caveats[kind];
      const listed = new Set([...(declared?.policies ?? []), ...(declared?.triggers ?? [])]);
      for (const name of found[kind]) if (!listed.has(name)) problems.push(`${kind}: ${name} applies and is not listed`);
      for (const name of listed) if (!found[kind].has(name)) problems.push(`${kind}: ${name} is listed and does not apply (or does not exist)`);
    }
    const declaredTables = new Set(plan.caveats['unsafe-triggers']?.tables ?? []);
    for (const table of unsafeTables) if (!declaredTables.has(table)) problems.push(`unsafe-triggers: table ${table} has triggers and is not listed`);
    for (const table of declaredTables) if (!unsafeTables.has(table)) problems.push(`unsafe-triggers: table ${table} is listed and has no trigger`);
    expect(problems).toEqual([]);
  });
});

/** Citus's rules for a foreign key by placement (commands/foreign_constraint.c, ErrorIfUnsupportedForeignConstraintExists). */
function foreignKeyProblems(key: { name: string; from: string; to: string; fromColumns: string[]; toColumns: string[]; onUpdate: string; onDelete: string },
  layout: DistributionPlan): string[] {
  const from = placementOf.get(key.from);
  const to = placementOf.get(key.to);
  const where = `${key.name} (${key.from} → ${key.to})`;
  if (!from || !to) return [`${where}: a table the plan does not place`];
  if (from === 'distributed') {
    const column = distributionColumn.get(key.from)!;
    const at = key.fromColumns.indexOf(column);
    const problems: string[] = [];
    // a foreign key holding the distribution column may not change it: no SET NULL/DEFAULT, no ON UPDATE CASCADE
    if (at >= 0 && (['n', 'd'].includes(key.onDelete) || ['n', 'd', 'c'].includes(key.onUpdate))) {
      problems.push(`${where}: ON DELETE/UPDATE actions that change ${column}`);
    }
    if (to === 'local') problems.push(`${where}: a distributed table may reference distributed and reference tables only`);
    if (to === 'distributed') {
      const group = (t: string) => layout.tables.find((x) => x.table === t)!.group;
      if (group(key.from) !== group(key.to)) problems.push(`${where}: the tables are in different co-location groups`);
      if (at < 0 || key.toColumns[at] !== distributionColumn.get(key.to)) problems.push(`${where}: ${column} is not in the key at the position of ${key.to}'s distribution column`);
    }
    return problems;
  }
  if (to === 'distributed') return [`${where}: only a distributed table may reference a distributed table`];
  // Citus accepts these by turning the local table into a Citus local table, which the plan's local tables are
  // not (their policies hold subqueries, their upserts call now()): a local table stays apart from reference ones
  if (from !== to && key.from !== key.to) return [`${where}: a ${from} table and a ${to} table`];
  return [];
}

/** The hub's functions a policy expression calls, and those they call, transitively. */
function reachedFunctions(expression: string, functions: Map<string, string>): Set<string> {
  const reached = new Set<string>();
  const visit = (textToScan: string) => {
    for (const [, name] of textToScan.matchAll(/\b([a-z_][a-z0-9_]*)\s*\(/g)) {
      if (!functions.has(name!) || reached.has(name!)) continue;
      reached.add(name!);
      visit(functions.get(name!)!);
    }
  };
  visit(expression);
  return reached;
}

function readsTables(body: string, tables: Set<string>): boolean {
  // a table named bare or qualified by its schema (`public.cases`)
  return [...body.matchAll(/\b(?:from|join)\s+(?:"?public"?\.)?"?([a-z_][a-z0-9_]*)"?/gi)].some((m) => tables.has(m[1]!.toLowerCase()));
}

// ---------------------------------------------------------------------------------------------------------
// Reading plans
// ---------------------------------------------------------------------------------------------------------

interface PlanNode {
  'Node Type': string;
  'Parent Relationship'?: string;
  'Subplan Name'?: string;
  'Relation Name'?: string;
  'Join Type'?: string;
  Alias?: string;
  Output?: string[];
  Plans?: PlanNode[];
  [key: string]: unknown;
}

const conditionKeys = ['Hash Cond', 'Merge Cond', 'Join Filter', 'Index Cond', 'Filter', 'Recheck Cond'];

/** Index of the parenthesis closing the one at `open`, or -1; quotes are skipped. */
function closing(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const ch = s[i];
    if (ch === "'") { i = s.indexOf("'", i + 1); if (i < 0) return -1; continue; }
    if (ch === '(') depth++;
    if (ch === ')' && --depth === 0) return i;
  }
  return -1;
}

function stripParens(s: string): string {
  let t = s.trim();
  while (t.startsWith('(') && closing(t, 0) === t.length - 1) t = t.slice(1, -1).trim();
  return t;
}

/** `s` split at `separator` where it stands outside parentheses and quotes. */
function splitTop(s: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === "'") { i = s.indexOf("'", i + 1); if (i < 0) break; continue; }
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (depth === 0 && s.startsWith(separator, i)) { parts.push(s.slice(start, i)); start = i + separator.length; i += separator.length - 1; }
  }
  parts.push(s.slice(start));
  return parts;
}

function conjuncts(condition: string): string[] {
  const parts = splitTop(stripParens(condition), ' AND ');
  return parts.length === 1 ? [stripParens(condition)] : parts.flatMap(conjuncts);
}

/** A column `alias.column` or a constant as a union-find key; null for any other expression. */
function termKey(expression: string): string | null {
  let t = expression.trim();
  for (let before = ''; before !== t;) {
    before = t;
    t = stripParens(t.replace(/::[a-z_ ]+(\[\])?$/i, ''));
  }
  if (/^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/.test(t)) return t;
  if (/^'(?:[^']|'')*'$/.test(t) || /^-?\d+(\.\d+)?$/.test(t)) return `=${t}`;
  return null;
}

/** The equalities a condition's conjuncts state; `x = ANY ('{v}')` of a single value is `x = 'v'` (one shard). */
function equalities(condition: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const conjunct of conjuncts(condition)) {
    const sides = splitTop(conjunct, ' = ');
    if (sides.length !== 2) continue;
    const single = /^ANY \('\{"?([^,"{}]*)"?\}'(::[a-z_ ]+\[\])?\)$/i.exec(sides[1]!.trim())?.[1];
    const [left, right] = [termKey(sides[0]!), single !== undefined ? `='${single}'` : termKey(sides[1]!)];
    if (left && right) pairs.push([left, right]);
  }
  return pairs;
}

class Equivalences {
  private readonly parent: Map<string, string>;
  constructor(from?: Equivalences) { this.parent = new Map(from?.parent); }
  find(key: string): string {
    let root = key;
    while (this.parent.has(root) && this.parent.get(root) !== root) root = this.parent.get(root)!;
    return root;
  }
  union(a: string, b: string): void {
    const [ra, rb] = [this.find(a), this.find(b)];
    if (ra !== rb) this.parent.set(ra, rb);
  }
  /** true when `key` is equal to a constant: one value of the distribution column, one shard */
  pinned(key: string, constants: readonly string[]): boolean {
    return constants.some((c) => this.find(c) === this.find(key));
  }
}

/** Children that are part of a node's rows (not its InitPlans and SubPlans, which are queries of their own). */
const rowChildren = (node: PlanNode) => (node.Plans ?? []).filter((c) => !['InitPlan', 'SubPlan'].includes(c['Parent Relationship'] ?? ''));

function walk(node: PlanNode, visit: (node: PlanNode) => void): void {
  visit(node);
  for (const child of node.Plans ?? []) walk(child, visit);
}

/**
 * The distribution-column keys (`alias.region_code`) of the distributed tables a node's rows come from; with
 * `raw`, only of rows that reach it unaggregated.
 */
function distributedKeys(node: PlanNode, raw = false): string[] {
  const table = node['Relation Name'];
  const own = table && distributionColumn.has(table) ? [`${node.Alias}.${distributionColumn.get(table)}`] : [];
  const below = rowChildren(node).filter((c) => !(raw && ['Aggregate', 'Group'].includes(c['Node Type'])));
  return [...own, ...below.flatMap((c) => distributedKeys(c, raw))];
}

/**
 * The columns a window partitions by, as far as the plan shows them. PostgreSQL 17 prints a window as
 * `rank() OVER (?)`; its input comes sorted by PARTITION BY, then ORDER BY, so the sort below it names them
 * (without telling the two apart). A window whose input is sorted by no region_code partitions by none.
 */
function windowKeys(node: PlanNode): string[] {
  for (let below = rowChildren(node)[0]; below; below = rowChildren(below)[0]) {
    const sortKey = below['Sort Key'];
    if (Array.isArray(sortKey)) return sortKey.map((k) => termKey(String(k).replace(/ (DESC|ASC|NULLS (FIRST|LAST))/g, ''))).filter((k): k is string => !!k);
    if (!['Result', 'Materialize', 'Subquery Scan'].includes(below['Node Type'])) break;
  }
  return [];
}

interface PlanFinding { rule: 'join' | 'subquery' | 'window'; detail: string }

/** What Citus could not push down in one statement's plan (see the file's comment for the rules). */
function planFindings(root: PlanNode): PlanFinding[] {
  const aliases = new Map<string, PlanNode>();
  walk(root, (node) => { if (node.Alias) aliases.set(node.Alias, node); });
  const describeKeys = (keys: string[]) => keys.map((k) => {
    const alias = k.split('.')[0]!;
    return `${aliases.get(alias)?.['Relation Name'] ?? ''} ${alias}`.trim();
  }).join(', ');
  const collect = (node: PlanNode, into: Equivalences) => {
    for (const key of conditionKeys) {
      if (typeof node[key] === 'string') for (const [a, b] of equalities(node[key] as string)) into.union(a, b);
    }
    // a subquery's output column is the column it selects: s.region_code ≡ c.region_code
    if (node['Node Type'] === 'Subquery Scan' && node.Alias) {
      const child = rowChildren(node)[0];
      for (const output of node.Output ?? []) {
        const column = termKey(output)?.split('.')[1];
        const sources = (child?.Output ?? []).map(termKey).filter((k): k is string => !!k && k.split('.')[1] === column);
        if (column && sources.length === 1) into.union(`${node.Alias}.${column}`, sources[0]!);
      }
    }
  };
  // The equalities of one query level: its own and its InitPlans' (queries of their own, with their own
  // aliases), not its SubPlans' (an EXISTS's condition says nothing of the outer rows).
  const level = (node: PlanNode, into: Equivalences): Equivalences => {
    collect(node, into);
    for (const child of node.Plans ?? []) if (child['Parent Relationship'] !== 'SubPlan') level(child, into);
    return into;
  };
  const colocated = (eq: Equivalences, left: string[], right: string[]) => left.some((l) => right.some((r) => eq.find(l) === eq.find(r)));
  const findings: PlanFinding[] = [];

  const visit = (node: PlanNode, eq: Equivalences): void => {
    const children = rowChildren(node);
    if (/Join|Nested Loop/.test(node['Node Type']) && children.length === 2) {
      const [left, right] = [distributedKeys(children[0]!), distributedKeys(children[1]!)];
      if (left.length && right.length && !colocated(eq, left, right)) {
        const conditions = conditionKeys.map((k) => node[k]).filter(Boolean).join(' AND ') || "none at the join, none equating region_code in the inner side's own";
        findings.push({ rule: 'join', detail: `${node['Join Type'] ?? ''} join of ${describeKeys(left)} with ${describeKeys(right)} without region_code equality (${conditions})` });
      }
    }
    if (node['Node Type'] === 'WindowAgg') {
      const input = distributedKeys(node, true);
      const keys = windowKeys(node);
      if (input.length && !keys.some((k) => input.some((i) => eq.find(i) === eq.find(k)))) {
        findings.push({ rule: 'window', detail: `window over ${describeKeys(input)} not partitioned by region_code (its input sorted by ${keys.join(', ') || 'nothing'})` });
      }
    }
    for (const child of node.Plans ?? []) {
      if (child['Parent Relationship'] !== 'SubPlan') { visit(child, eq); continue; }
      const local = level(child, new Equivalences(eq));
      // everything the subquery reads, its own InitPlans too (inside a SubPlan they see the outer row)
      const inside: string[] = [];
      walk(child, (n) => { const t = n['Relation Name']; if (t && distributionColumn.has(t)) inside.push(`${n.Alias}.${distributionColumn.get(t)}`); });
      if (inside.length) {
        // the correlation may sit in a subquery of the subquery: every equality inside counts here
        const deep = new Equivalences(eq);
        const defined = new Set<string>();
        let text = '';
        walk(child, (n) => {
          collect(n, deep);
          if (n.Alias) defined.add(n.Alias);
          text += conditionKeys.map((k) => (typeof n[k] === 'string' ? ` ${n[k] as string}` : '')).join('');
        });
        const outer = [...new Set([...text.matchAll(/\b([a-z_][a-z0-9_]*)\.[a-z_][a-z0-9_]*\b/g)].map((m) => m[1]!))]
          .filter((a) => aliases.has(a) && !defined.has(a));
        // not correlated: Citus plans it apart, as an intermediate result
        const outerKeys = outer.flatMap((a) => distributedKeys(aliases.get(a)!));
        if (outer.length && !outerKeys.length) {
          findings.push({ rule: 'subquery', detail: `subquery on ${describeKeys(inside)} correlated with ${outer.join(', ')}, rows of no distributed table (${outer.map((a) => aliases.get(a)!['Node Type']).join(', ')})` });
        } else if (outer.length && !colocated(deep, inside, outerKeys)) {
          findings.push({ rule: 'subquery', detail: `subquery on ${describeKeys(inside)} correlated with ${describeKeys(outerKeys)} without region_code equality` });
        }
      }
      visit(child, local);
    }
  };
  visit(root, level(root, new Equivalences()));
  return findings;
}

/** Whether every distributed table the statement reads is held to one value of its distribution column; those that are not. */
function singleShard(root: PlanNode): { single: boolean; unpinned: string[] } {
  const eq = new Equivalences();
  const constants: string[] = [];
  walk(root, (node) => {
    // outer joins' conditions hold for the joined rows only; filters and inner joins hold for every row read
    if (/Left|Right|Full|Anti/.test(node['Join Type'] ?? '')) return;
    for (const key of conditionKeys) {
      if (typeof node[key] !== 'string') continue;
      for (const [a, b] of equalities(node[key] as string)) { eq.union(a, b); for (const k of [a, b]) if (k.startsWith('=')) constants.push(k); }
    }
  });
  const unpinned: string[] = [];
  walk(root, (node) => {
    const t = node['Relation Name'];
    if (t && distributionColumn.has(t) && !eq.pinned(`${node.Alias}.${distributionColumn.get(t)}`, constants)) unpinned.push(`${t} ${node.Alias}`);
  });
  return { single: unpinned.length === 0, unpinned };
}

// ---------------------------------------------------------------------------------------------------------
// The dashboards' statements
// ---------------------------------------------------------------------------------------------------------

/**
 * One statement the hub sent: the viewer settings of its transaction, the panel that asked it, as which viewer,
 * and whether the figures came from the facts or (after a refresh) the rollups.
 */
interface Sent { text: string; values: unknown[]; settings: unknown[]; panel: string; viewer: string; figures: string }
interface Explained extends Sent { plan: PlanNode }

/** The page's own queries besides the panels': a case opened from a table, the records behind a figure. */
function pageQuery(file: string): string {
  const source = fs.readFileSync(path.join(dashboardDir, 'web', 'src', 'views', file), 'utf8');
  const query = /const query = `([^`]+)`/.exec(source)?.[1];
  if (!query) throw new Error(`dashboards/web/src/views/${file}: no \`const query = \`…\`\` found`);
  return query;
}

/**
 * Every statement the API's connections send, tagged with the panel being asked and by whom: the API's pool
 * hands out each connection through `acquire`, where its `query` is wrapped once (below the counting proxy of
 * api-context.ts, so the hub's own count is unchanged).
 */
function recordStatements(apiPool: Pool): { sent: Sent[]; asking(panel: string, viewer: string, figures: string): void; stop(): void } {
  const sent: Sent[] = [];
  const wrapped = new WeakSet<object>();
  const viewerOf = new WeakMap<object, unknown[]>();
  let asked = { panel: '', viewer: '', figures: '' };
  let recording = true;
  apiPool.on('acquire', (client: PoolClient) => {
    if (wrapped.has(client)) return;
    wrapped.add(client);
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const config = args[0] as string | { text?: string; values?: unknown[] };
      const text = typeof config === 'string' ? config : config?.text;
      const values = (Array.isArray(args[1]) ? args[1] : typeof config === 'object' ? config?.values : undefined) ?? [];
      if (recording && text) {
        if (/set_config\('hub\.viewer_role'/.test(text)) viewerOf.set(client, values);
        else if (!/^\s*(begin|commit|rollback|set )/i.test(text)) sent.push({ text, values, settings: viewerOf.get(client) ?? [], ...asked });
      }
      return query(...args);
    };
  });
  return { sent, asking: (panel, viewer, figures) => { asked = { panel, viewer, figures }; }, stop: () => { recording = false; } };
}

/** The plan of a sent statement as its viewer, in a transaction that is rolled back. */
async function explain(client: PoolClient, statement: Sent): Promise<PlanNode> {
  await client.query('begin read only');
  try {
    await client.query(`select set_config('hub.viewer_role', $1, true), set_config('hub.viewer_subtree', $2, true), set_config('hub.viewer_agency', $3, true)`,
      statement.settings.length ? statement.settings : ['NONE', '', '']);
    const { rows } = await client.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(`explain (format json, verbose) ${statement.text}`, statement.values);
    return rows[0]!['QUERY PLAN'][0]!.Plan;
  } finally {
    await client.query('rollback');
  }
}

describe('the dashboards under schema/distribution.yaml', () => {
  let explained: Explained[];
  let countyRegion: string;

  beforeAll(async () => {
    const { key } = readAnswerKey(dir);
    const asOf = key.asOf;
    const years = key.periods.filter((p) => /^\d{4}$/.test(p.id) && p.to < asOf);
    const year = years.at(-1)!;
    const previous = years.at(-2) ?? year;
    const [place] = await sql<{ county: string; uscc: string; caseId: string }>(`select left(a.region_code, 6) as county, c.agency_uscc as uscc, c.case_id as "caseId"
      from cases c join agencies a on a.uscc = c.agency_uscc and a.region_code = c.region_code
      where left(a.region_code, 6) !~ '00$' and c.decided_on between $1 and $2 order by c.agency_uscc, c.case_id limit 1`, [year.from, year.to]);
    countyRegion = place!.county;
    const province = `${countyRegion.slice(0, 2)}0000`;
    const catalog = loadDashboardCatalog(hubSchema());
    const pages = [
      { dashboard: 'page', id: 'case', kind: 'page', query: pageQuery('case-view.ts') },
      { dashboard: 'page', id: 'records', kind: 'page', query: pageQuery('records-view.ts') },
    ];
    const recorder = recordStatements(api.api.apiPool);
    // the variables the page gives a panel (dashboards/web/src/app-state.ts, variablesOf), for a province and a county
    const viewers = [
      { name: 'province', claims: { role: 'PROVINCE', sub: 'citus-province' }, region: province, child: 'PREFECTURE', level: 'PREFECTURE' },
      { name: 'county', claims: { role: 'SUPERVISOR', region: countyRegion, sub: 'citus-county' }, region: countyRegion, child: 'AGENCY', level: null },
    ];
    const ask = async (figures: string) => {
      for (const viewer of viewers) {
        const token = await api.token(viewer.claims);
        const offered: Record<string, unknown> = {
          scope: { regionCode: viewer.region }, period: { from: year.from, to: year.to }, previous: { from: previous.from, to: previous.to },
          trend: { from: `${year.to.slice(0, 4)}-01-01`, to: year.to }, asOf, childDimension: viewer.child, parent: viewer.region,
          childLevel: viewer.level, first: 20, after: null, agencyUscc: place!.uscc, caseId: place!.caseId,
          indicator: 'publicationTimeliness', part: 'DENOMINATOR',
        };
        const panels = [...catalog.dashboards.flatMap((d) => d.panels.map((p) => ({ ...p, dashboard: d.id }))), ...pages];
        for (const panel of panels) {
          const queries: [string, string][] = panel.kind === 'ranking'
            ? (viewer.level ? ['regions', 'frozenList', 'frozen'] : ['agencies', 'frozenList', 'frozen']).map((n) => [n, String(panel[n as keyof typeof panel])])
            : [['query', String(panel.query)]];
          for (const [name, query] of queries) {
            recorder.asking(`${panel.dashboard}/${panel.id}${name === 'query' ? '' : `/${name}`}`, viewer.name, figures);
            const declared = new Set([...query.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)\s*:/g)].map((m) => m[1]!));
            const variables = Object.fromEntries(Object.entries({ ...offered, rankingKey: null, id: '1' }).filter(([k]) => declared.has(k)));
            const answer = await api.gql(query, variables, token);
            if (answer.errors) throw new Error(`${panel.dashboard}/${panel.id}/${name} as ${viewer.name}: ${JSON.stringify(answer.errors)}`);
          }
        }
      }
    };
    await ask('from facts');
    await refreshRollups(pool, profile, { asOf });
    await ask('from rollups'); // as a served province's dashboards are, once `hub refresh` has run
    recorder.stop();

    const client = await api.api.apiPool.connect();
    try {
      const plans = new Map<string, PlanNode>();
      explained = [];
      for (const statement of recorder.sent) {
        const key = JSON.stringify([statement.text, statement.values, statement.settings]);
        if (!plans.has(key)) plans.set(key, await explain(client, statement));
        explained.push({ ...statement, plan: plans.get(key)! });
      }
    } finally {
      client.release();
    }
  }, 600000);

  /** Findings by statement, each with the panels that sent it (and as which viewers, from which figures). */
  function report(findingsOf: (statement: Explained) => string[]): string[] {
    const byStatement = new Map<string, { panels: Set<string>; viewers: Set<string>; figures: Set<string>; findings: Set<string> }>();
    for (const statement of explained) {
      const findings = findingsOf(statement);
      if (!findings.length) continue;
      const entry = byStatement.get(statement.text) ?? { panels: new Set(), viewers: new Set(), figures: new Set(), findings: new Set() };
      entry.panels.add(statement.panel);
      entry.viewers.add(statement.viewer);
      entry.figures.add(statement.figures);
      for (const f of findings) entry.findings.add(f);
      byStatement.set(statement.text, entry);
    }
    const list = (values: Set<string>) => [...values].join(', ');
    return [...byStatement].map(([text, { panels, viewers, figures, findings }]) =>
      `${list(panels)} (as ${list(viewers)}; figures ${list(figures)})\n  ${[...findings].join('\n  ')}` +
      `\n  statement: ${text.replace(/\s+/g, ' ').trim().slice(0, 200)}…`);
  }

  test('the dashboards were asked and their statements explained', () => {
    expect(explained.length).toBeGreaterThan(100);
    expect(new Set(explained.map((s) => s.panel)).size).toBeGreaterThan(20);
    const read = new Set<string>();
    for (const s of explained) walk(s.plan, (n) => { if (n['Relation Name']) read.add(n['Relation Name']); });
    // both paths ran: the facts and the rollups
    expect([...read].filter((t) => ['cases', 'agency_monthly_rollups'].includes(t)).sort()).toEqual(['agency_monthly_rollups', 'cases']);
  });

  test('every dashboard statement joins distributed tables on region_code, correlates its subqueries on it and windows by it', () => {
    expect(report((s) => planFindings(s.plan).map((f) => `${f.rule}: ${f.detail}`))).toEqual([]);
  });

  test('single shard: a case opened from a table is read for its one region_code', () => {
    const unpinned = report((s) => (s.panel === 'page/case' ? singleShard(s.plan).unpinned.map((k) => `reads ${k} for any region_code`) : []));
    expect(unpinned).toEqual([]);
  });

  test("a county's overview: its dated figures from its subtree's rows (one shard), the rest fans out; after a rollup refresh only the check for pending changes fans out", async () => {
    // a county's agencies carry the codes of the county and of its townships, which hash to different shards;
    // with hash distribution only an equality on region_code keeps a statement on one shard
    const [codes] = await sql<{ n: number }>(`select count(distinct a.region_code)::int as n from agencies a
      where starts_with(a.region_code, (select r.subtree_prefix from regions r where r.code = $1))`, [countyRegion]);
    expect(codes!.n).toBeGreaterThan(1);
    const overview = explained.filter((s) => s.panel === 'overview/headline' && s.viewer === 'county');
    const tablesRead = (s: Explained) => { const t: string[] = []; walk(s.plan, (n) => { if (n['Relation Name'] && distributionColumn.has(n['Relation Name'])) t.push(n['Relation Name']); }); return t; };
    const reading = overview.filter((s) => tablesRead(s).length);
    // the county's own dated figures come from its subtree's row: one region_code, one shard
    const subtree = reading.filter((s) => tablesRead(s).every((t) => t === 'subtree_monthly_rollups'));
    expect(subtree.length).toBeGreaterThan(0);
    expect(subtree.filter((s) => !singleShard(s.plan).single).map((s) => s.text)).toEqual([]);
    const fanOut = reading.filter((s) => !subtree.includes(s));
    expect(fanOut.length).toBeGreaterThan(0);
    expect(fanOut.filter((s) => singleShard(s.plan).single).map((s) => s.text)).toEqual([]);
    const read = (figures: string) => new Set(fanOut.filter((s) => s.figures === figures).flatMap(tablesRead));
    expect(read('from facts')).toContain('cases');
    // from the rollups only the plan fans out (the scope's changes not yet rolled up; agencies are a reference
    // table): every figure of the headline is its subtree's rows, and it selects no annual-report or people figure
    expect([...read('from rollups')]).toEqual(['changed_days']);
  });
});

describe('the plan check itself', () => {
  // controls: statements Citus cannot push down, which the check must name
  const controls: [string, string, RegExp][] = [
    ['a join of two distributed tables on agency_uscc alone',
      `select count(*) from cases c join appeals ap on ap.agency_uscc = c.agency_uscc and ap.case_id = c.case_id`, /^join: .*cases.*appeals|^join: .*appeals.*cases/],
    ['a subquery on a distributed table correlated with rows of a function',
      `select a.uscc, (select max(c.decided_on) from cases c where c.agency_uscc = a.uscc) from unnest(array['x']) as a(uscc)`, /^subquery: .* rows of no distributed table/],
    ['a subquery correlated on agency_uscc alone',
      `select c.case_id from cases c where exists (select 1 from appeals ap where ap.agency_uscc = c.agency_uscc and ap.case_id = c.case_id and ap.kind = 'RECONSIDERATION' limit 1)`, /^(subquery|join): /],
    ['a window over distributed rows by agency',
      `select c.case_id, rank() over (partition by c.agency_uscc order by c.decided_on) from cases c`, /^window: /],
  ];
  test.each(controls)('flags %s', async (_what, statement, expected) => {
    const { rows } = await pool.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(`explain (format json, verbose) ${statement}`);
    const findings = planFindings(rows[0]!['QUERY PLAN'][0]!.Plan).map((f) => `${f.rule}: ${f.detail}`);
    expect({ statement, findings: findings.filter((f) => expected.test(f)).length > 0 ? 'flagged' : findings }).toEqual({ statement, findings: 'flagged' });
  });

  test('passes a co-located join and windows by region_code or over an aggregate, and pins a statement filtered on one region_code to one shard', async () => {
    for (const pinned of [`c.region_code = '350502'`, `c.region_code = any(array['350502'])`]) {
      const { rows } = await pool.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(`explain (format json, verbose)
        select c.case_id, p.published_on from cases c join publications p on p.region_code = c.region_code and p.agency_uscc = c.agency_uscc and p.case_id = c.case_id
        where ${pinned}`);
      const root = rows[0]!['QUERY PLAN'][0]!.Plan;
      expect({ pinned, findings: planFindings(root), shard: singleShard(root) }).toEqual({ pinned, findings: [], shard: { single: true, unpinned: [] } });
    }
    for (const ranked of [
      `select c.agency_uscc, rank() over (order by count(*) desc) from cases c group by c.agency_uscc`,
      `select c.case_id, rank() over (partition by c.region_code order by c.decided_on) from cases c`,
    ]) {
      const { rows: [explained] } = await pool.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(`explain (format json, verbose) ${ranked}`);
      expect({ ranked, findings: planFindings(explained!['QUERY PLAN'][0]!.Plan) }).toEqual({ ranked, findings: [] });
    }
  });
});
