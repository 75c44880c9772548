import path from 'node:path';
import { describe, isMapping, list, mapping, matching, optional, readDataFile, text, type Reader } from '../domain/data-file/checked-values';
import { displayOrigin, parseYamlText, readTextFile, type YamlText } from '../domain/data-file/yaml-text';
import { InvalidValueError } from '../domain/errors';
import { projectRoot } from '../paths';

/**
 * The warehouse on Citus (distributed PostgreSQL), as schema/distribution.yaml states it: which tables are
 * distributed by region code and in which co-location group, which are reference tables (a copy on every node),
 * which stay on the coordinator, and the caveats Citus brings with the triggers and policies of its tables.
 * This module reads and checks the file and renders the set-up SQL (`hub schema --citus`); whether the migrated
 * schema and the hub's queries keep to the plan is test/integration/citus-layout.test.ts's to check.
 */

export const distributionFile = path.join(projectRoot, 'schema', 'distribution.yaml');

export const Placements = ['distributed', 'reference', 'local'] as const;
export type Placement = (typeof Placements)[number];

/** What Citus does differently with the triggers and policies of its tables; the layout test recognises each. */
export const CaveatKinds = ['viewer-settings', 'nested-execution', 'unsafe-triggers', 'statement-triggers'] as const;
export type CaveatKind = (typeof CaveatKinds)[number];

export interface TablePlan {
  table: string;
  placement: Placement;
  reason: string;
  /** distributed only: the distribution column and the co-location group */
  column?: string;
  group?: string;
}

export interface Caveat {
  issue: string;
  handling: string;
  /** unsafe-triggers: the distributed tables created with citus.enable_unsafe_triggers on */
  tables: string[];
  policies: string[];
  triggers: string[];
}

export interface DistributionPlan {
  /** every table of schema public, in the file's order within each placement */
  tables: TablePlan[];
  /** other schemas the hub creates, with why the plan leaves them out */
  notCovered: Record<string, string>;
  colocationGroups: Record<string, string>;
  caveats: Partial<Record<CaveatKind, Caveat>>;
}

const identifier = matching(/^[a-z_][a-z0-9_]*$/, 'a lower-case SQL name (letters, digits, _)');

/** A mapping whose keys are SQL names (tables, schemas, groups), each value read by `read`. */
function byName<T>(read: Reader<T>): Reader<Record<string, T>> {
  return (value, at, problems) => {
    if (!isMapping(value)) return problems.fail(at, `expected a mapping of names, got ${describe(value)}`);
    const before = problems.list.length;
    const result: Record<string, T> = {};
    for (const [name, entry] of Object.entries(value)) {
      const named = problems.attempt(() => identifier(name, [...at, name], problems));
      const outcome = problems.attempt(() => read(entry, [...at, name], problems));
      if (named.ok && outcome.ok) result[name] = outcome.value;
    }
    problems.failIfNotedSince(before);
    return result;
  };
}

const names = optional(list(identifier));
const caveat = mapping({ issue: text, handling: text, tables: names, policies: names, triggers: names });

const planFile = mapping({
  not_covered: byName(text),
  colocation_groups: byName(text),
  distributed: byName(mapping({ column: identifier, group: identifier, reason: text })),
  reference: byName(mapping({ reason: text })),
  local: byName(mapping({ reason: text })),
  caveats: mapping({
    'viewer-settings': optional(caveat), 'nested-execution': optional(caveat), 'unsafe-triggers': optional(caveat), 'statement-triggers': optional(caveat),
  }),
}, {
  check: (file, at, problems) => {
    const seen = new Map<string, Placement>();
    for (const placement of Placements) {
      for (const table of Object.keys(file[placement])) {
        const first = seen.get(table);
        if (first) problems.note([...at, placement, table], `${table} is also under ${first}: a table has one placement`);
        else seen.set(table, placement);
      }
    }
    for (const [table, entry] of Object.entries(file.distributed)) {
      if (!Object.hasOwn(file.colocation_groups, entry.group)) {
        problems.note([...at, 'distributed', table, 'group'], `co-location group ${entry.group} is not under colocation_groups (known: ${Object.keys(file.colocation_groups).join(', ')})`);
      }
    }
    for (const [index, table] of (file.caveats['unsafe-triggers']?.tables ?? []).entries()) {
      if (!Object.hasOwn(file.distributed, table)) problems.note([...at, 'caveats', 'unsafe-triggers', 'tables', index], `${table} is not a distributed table of this file`);
    }
  },
});

function planOf(file: ReturnType<typeof planFile>): DistributionPlan {
  const tables: TablePlan[] = [];
  for (const placement of Placements) {
    const entries: Record<string, { reason: string; column?: string; group?: string }> = file[placement];
    for (const [table, entry] of Object.entries(entries)) tables.push({ table, placement, ...entry });
  }
  const caveats: Partial<Record<CaveatKind, Caveat>> = {};
  for (const kind of CaveatKinds) {
    const read = file.caveats[kind];
    if (read) caveats[kind] = { issue: read.issue, handling: read.handling, tables: read.tables ?? [], policies: read.policies ?? [], triggers: read.triggers ?? [] };
  }
  return { tables, notCovered: file.not_covered, colocationGroups: file.colocation_groups, caveats };
}

/** The plan in `text`; every problem of the file in one InvalidValueError (DISTRIBUTION_INVALID), a line each. */
export function parseDistributionPlan(source: string, origin: string): DistributionPlan {
  const yaml: YamlText = parseYamlText(source, origin, 'DISTRIBUTION_INVALID');
  return planOf(readDataFile(planFile, yaml.value, 'DISTRIBUTION_INVALID', origin, yaml));
}

export function readDistributionPlan(file: string = distributionFile): DistributionPlan {
  const origin = displayOrigin(file);
  const source = readTextFile(file, () => new InvalidValueError('DISTRIBUTION_INVALID', { origin }, `${origin}: no such file: the distribution plan is schema/distribution.yaml`));
  return parseDistributionPlan(source, origin);
}

export function tablesPlaced(plan: DistributionPlan, placement: Placement): TablePlan[] {
  return plan.tables.filter((t) => t.placement === placement);
}

const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;
const comment = (value: string) => value.replace(/\s+/g, ' ').trim();

/** Skips a table Citus already manages, so that the script can be run again after a failure. */
const unlessManaged = (table: string) => `where not exists (select from pg_dist_partition where logicalrelid = ${literal(table)}::regclass)`;

/**
 * The SQL that puts the warehouse on Citus, in dependency order: reference tables first (a distributed table's
 * foreign key to a reference table needs the reference table), then each co-location group, its first table
 * starting the group and the others joining it, a referenced table before the tables referencing it (the
 * file's order, which the layout test checks against the foreign keys).
 */
export function citusSetupSql(plan: DistributionPlan): string {
  const unsafeTables = new Set(plan.caveats['unsafe-triggers']?.tables ?? []);
  const lines = [
    '-- The warehouse on Citus, rendered from schema/distribution.yaml by `hub schema --citus`.',
    '-- Run once on the coordinator after `hub migrate`, with the workers added (citus_add_node) and the coordinator',
    '-- registered (citus_set_coordinator_host). Tables Citus already manages are skipped, so it can be run again.',
    '-- A table that held rows keeps its coordinator copy until truncate_local_data_after_distributing_table() clears it',
    "-- (ledger_entries' no-truncate trigger refuses that as it refuses any TRUNCATE: disable it for that call).",
    `-- Left on the coordinator as plain tables: ${tablesPlaced(plan, 'local').map((t) => t.table).join(', ')}.`,
    `-- Read the caveats first (schema/distribution.yaml): ${Object.keys(plan.caveats).join(', ')}.`,
    '',
    '-- foreign keys between distributed tables need one placement per shard',
    'set citus.shard_replication_factor = 1;',
    '',
    '-- reference tables: a copy on every node',
  ];
  for (const t of tablesPlaced(plan, 'reference')) {
    lines.push(`-- ${comment(t.reason)}`, `select create_reference_table(${literal(t.table)}) ${unlessManaged(t.table)};`);
  }
  for (const [group, why] of Object.entries(plan.colocationGroups)) {
    const members = tablesPlaced(plan, 'distributed').filter((t) => t.group === group);
    if (members.length === 0) continue;
    lines.push('', `-- co-location group ${group}: ${comment(why)}`);
    for (const [index, t] of members.entries()) {
      const colocate = index === 0 ? 'none' : members[0]!.table;
      const create = `select create_distributed_table(${literal(t.table)}, ${literal(t.column!)}, colocate_with => ${literal(colocate)}) ${unlessManaged(t.table)};`;
      lines.push(`-- ${comment(t.reason)}`);
      if (unsafeTables.has(t.table)) {
        lines.push('-- caveat unsafe-triggers: its triggers are created on every shard', 'set citus.enable_unsafe_triggers = on;', create, 'reset citus.enable_unsafe_triggers;');
      } else {
        lines.push(create);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}
