/**
 * A source that does not deliver the standard format (FEEDS.md) has a mapping file, kept as data in
 * etl/mappings/<name>.yaml, that turns its rows into standard ones: its headers to FEEDS.md's, its values to
 * FEEDS.md codes, its date order, constants every row lacks, and which entity a file holds. Mapping is pure
 * renaming and relabelling; every check is still parseFeedRow's, so a mapped row is refused for the same
 * reasons, with the same messages, as a standard one.
 *
 *   const mapping = loadMapping('etl/mappings/example-county-platform.yaml');
 *   const result = parseFeedRow('cases', applyMapping('cases', row, mapping), mapping);
 *
 * The mapping is also the parse options: its dateOrder reaches the date parser that way.
 */
import path from 'node:path';
import {
  deepFreeze, describe, isMapping, knownList, list, mapping, optional, readDataFile, text,
  type Problems, type Reader, type Segment,
} from '../../src/domain/data-file/checked-values';
import { displayOrigin, parseYamlText, readTextFile, yamlFileNames } from '../../src/domain/data-file/yaml-text';
import { InvalidValueError } from '../../src/domain/errors';
import { projectRoot } from '../../src/paths';
import type { CellValue, RawRow, ReadProblem } from '../raw-row';
import { entityNamed, entityNames, type EntityName } from './entity-names';
import { feedEntities, fieldNamed, type FieldSpec } from './feed-entities';
import { dateOrders, isEmptyCell, showCell, splitList, type DateOrder } from './field-parsers';
import { normaliseHeader, parseFeedField } from './parse-row';

export interface FeedMapping {
  /** the file's name without .yaml, as a source's configuration names it */
  readonly name: string;
  /** the file as shown in messages */
  readonly origin: string;
  readonly description?: string;
  /** delivered header (normalised like parseFeedRow's) → FEEDS.md Chinese header or JSON field name */
  readonly headers: Readonly<Record<string, string>>;
  /** FEEDS.md field (header or JSON name) → delivered value → standard value (a code, 是/否, a penalty kind) */
  readonly codes: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** how the source writes year-last dates; year-first forms need no setting */
  readonly dateOrder: DateOrder;
  /**
   * FEEDS.md field → the value every row of this source has (the agency of a single-agency source). A row
   * that delivers the field anyway must agree with it.
   */
  readonly constants: Readonly<Record<string, string | number | boolean>>;
  /** which entity a file holds, for sources whose file names do not say it (first matching pattern wins) */
  readonly entities: readonly { readonly files: string; readonly entity: EntityName }[];
}

/** A row after mapping; `delivered` is the row as it came, which quarantine keeps. */
export interface MappedRow extends RawRow {
  readonly delivered: RawRow['values'];
}

export const MAPPING_INVALID = 'MAPPING_INVALID';
export const MAPPING_NOT_FOUND = 'MAPPING_NOT_FOUND';
export const feedMappingsDir = path.join(projectRoot, 'etl', 'mappings');

// ---------------------------------------------------------------------------------------------------------
// Applying a mapping
// ---------------------------------------------------------------------------------------------------------

interface ColumnPlan {
  readonly field: FieldSpec;
  /** delivered value → standard value, for fields the mapping relabels */
  readonly values: ReadonlyMap<string, string> | null;
}

interface EntityPlan {
  /** normalised delivered header → the field it feeds */
  readonly columns: ReadonlyMap<string, ColumnPlan>;
  /** header exactly as delivered → plan (null: not a column this mapping or FEEDS.md knows) */
  readonly delivered: Map<string, ColumnPlan | null>;
  readonly constants: readonly { readonly field: FieldSpec; readonly value: CellValue }[];
}

/** Same bound as parseFeedRow's header cache, for the same reason. */
const DELIVERED_CACHE_LIMIT = 4096;
const plans = new WeakMap<FeedMapping, Map<EntityName, EntityPlan>>();

function valueMapOf(mapping: FeedMapping, entity: EntityName, field: FieldSpec): ReadonlyMap<string, string> | null {
  for (const [name, values] of Object.entries(mapping.codes)) {
    if (fieldNamed(entity, name) === field) return new Map(Object.entries(values));
  }
  return null;
}

function planFor(mapping: FeedMapping, entity: EntityName): EntityPlan {
  let byEntity = plans.get(mapping);
  if (!byEntity) plans.set(mapping, (byEntity = new Map()));
  let plan = byEntity.get(entity);
  if (plan) return plan;

  const columns = new Map<string, ColumnPlan>();
  const fieldPlans = new Map<FieldSpec, ColumnPlan>();
  for (const field of feedEntities[entity].fields) {
    const column = { field, values: valueMapOf(mapping, entity, field) };
    fieldPlans.set(field, column);
    columns.set(field.key, column);
    columns.set(field.header, column);
  }
  // A delivered header naming a field of another entity is left alone: one mapping serves all of a source's files.
  for (const [delivered, target] of Object.entries(mapping.headers)) {
    const field = fieldNamed(entity, target);
    if (field) columns.set(delivered, fieldPlans.get(field)!);
  }
  const constants = Object.entries(mapping.constants).flatMap(([name, value]) => {
    const field = fieldNamed(entity, name);
    return field ? [{ field, value }] : [];
  });
  plan = { columns, delivered: new Map(), constants };
  byEntity.set(entity, plan);
  return plan;
}

function columnOf(plan: EntityPlan, header: string): ColumnPlan | null {
  const cached = plan.delivered.get(header);
  if (cached !== undefined) return cached;
  const column = plan.columns.get(normaliseHeader(header)) ?? null;
  if (plan.delivered.size < DELIVERED_CACHE_LIMIT) plan.delivered.set(header, column);
  return column;
}

function cellText(cell: CellValue): string | null {
  if (typeof cell === 'string') return cell.trim();
  if (typeof cell === 'number' || typeof cell === 'bigint' || typeof cell === 'boolean') return String(cell);
  return null;
}

/** The standard value for a delivered one; values the mapping does not name pass unchanged to the parser. */
function relabel(cell: CellValue, column: ColumnPlan): CellValue {
  const values = column.values;
  if (values === null || isEmptyCell(cell)) return cell;
  if (column.field.form === 'list') {
    const items = splitList(cell);
    return Array.isArray(items) ? items.map((item) => values.get(item) ?? item) : cell;
  }
  const text = cellText(cell);
  return text === null ? cell : values.get(text) ?? cell;
}

/**
 * The row in the standard layout: mapped columns under their FEEDS.md JSON names with values relabelled,
 * constants filled in, other columns as delivered (parseFeedRow ignores them, quarantine keeps them). Pure:
 * `row` is not changed, and the result carries it as `delivered`. Two columns feeding one field with
 * different values, or a row contradicting a constant, get a read problem, so the row is refused saying so.
 */
export function applyMapping(entity: EntityName, row: RawRow, mapping: FeedMapping): MappedRow {
  const plan = planFor(mapping, entity);
  const values: Record<string, CellValue> = {};
  let problems: ReadProblem[] | null = null;
  for (const header in row.values) {
    const cell = row.values[header];
    const column = columnOf(plan, header);
    if (column === null) {
      values[header] = cell;
      continue;
    }
    const key = column.field.key;
    const mapped = relabel(cell, column);
    const earlier = values[key];
    if (earlier === undefined || isEmptyCell(earlier)) values[key] = mapped;
    else if (!isEmptyCell(mapped) && cellText(earlier) !== cellText(mapped)) {
      (problems ??= []).push({
        code: 'DUPLICATE_COLUMN', field: column.field.header,
        message: `${column.field.header} 由多列映射而来且取值不同：${showCell(earlier)} 与 ${showCell(mapped)}（映射文件 ${mapping.origin}）`,
      });
    }
  }
  for (const { field, value } of plan.constants) {
    const delivered = values[field.key];
    if (delivered !== undefined && !isEmptyCell(delivered) && cellText(delivered) !== cellText(value)) {
      (problems ??= []).push({
        code: 'MAPPING_CONSTANT_CONFLICT', field: field.header,
        message: `${field.header} 应为本数据源的固定值 ${showCell(value)}，实为 ${showCell(delivered)}（映射文件 ${mapping.origin}）`,
      });
    }
    values[field.key] = value;
  }
  const readProblems = problems ? [...(row.readProblems ?? []), ...problems] : row.readProblems;
  return { values, position: row.position, ...(readProblems ? { readProblems } : {}), delivered: row.values };
}

const filePatterns = new WeakMap<FeedMapping, readonly { pattern: RegExp; entity: EntityName }[]>();

/** `*` any run of characters, `?` one; the whole file name must match. */
function globPattern(glob: string): RegExp {
  const source = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 'i');
}

/** The entity a file of this source holds by the mapping's `entities` patterns, or null (then the file name rules). */
export function entityOfMappedFile(mapping: FeedMapping, fileName: string): EntityName | null {
  let patterns = filePatterns.get(mapping);
  if (!patterns) {
    patterns = mapping.entities.map(({ files, entity }) => ({ pattern: globPattern(files), entity }));
    filePatterns.set(mapping, patterns);
  }
  return patterns.find(({ pattern }) => pattern.test(fileName))?.entity ?? null;
}

// ---------------------------------------------------------------------------------------------------------
// Reading a mapping file: every problem of the file in one error, each with its path and line
// (src/domain/data-file/)
// ---------------------------------------------------------------------------------------------------------

/** Every entity's field a name (header or JSON name) stands for. */
function fieldsNamed(name: string): { entity: EntityName; field: FieldSpec }[] {
  return entityNames.flatMap((entity) => {
    const field = fieldNamed(entity, name);
    return field ? [{ entity, field }] : [];
  });
}

const UNKNOWN_FIELD = 'is not a FEEDS.md field: give its Chinese header (案件编号) or its JSON field name (caseId)';

/** A value the field accepts in at least one entity that has it, or the reason of the first refusal. */
function fieldValueProblem(name: string, value: unknown): string | null {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    return `expected a text, number or true/false, got ${describe(value)}`;
  }
  let first: string | null = null;
  for (const { entity } of fieldsNamed(name)) {
    const outcome = parseFeedField(entity, name, value);
    if (outcome.ok) return null;
    first ??= outcome.reasons.map((r) => r.message).join('; ');
  }
  return first;
}

/**
 * The entries of a mapping whose keys are the source's own (headers, values) or FEEDS.md fields. Not a
 * mapping: noted, and no entries, so the rest of the file is still checked.
 */
function entriesOf(value: unknown, at: Segment[], problems: Problems, what: string): [string, unknown][] {
  if (isMapping(value)) return Object.entries(value);
  problems.note(at, `expected a mapping of ${what}, got ${describe(value)}`);
  return [];
}

const readHeaders: Reader<Record<string, string>> = (value, at, problems) => {
  const headers: Record<string, string> = {};
  const spelt = new Map<string, string>();
  for (const [delivered, target] of entriesOf(value, at, problems, 'delivered headers to FEEDS.md fields')) {
    const where = [...at, delivered];
    const normal = normaliseHeader(delivered);
    const before = spelt.get(normal);
    if (before !== undefined) problems.note(where, `the same header as ${JSON.stringify(before)} once spaces are trimmed`);
    spelt.set(normal, delivered);
    if (typeof target !== 'string') {
      problems.note(where, `expected a FEEDS.md field name, got ${describe(target)}`);
    } else if (fieldsNamed(target.trim()).length === 0) {
      problems.note(where, `${JSON.stringify(target)} ${UNKNOWN_FIELD}`);
    } else {
      headers[normal] = target.trim();
    }
  }
  return headers;
};

const readCodes: Reader<Record<string, Record<string, string>>> = (value, at, problems) => {
  const codes: Record<string, Record<string, string>> = {};
  for (const [name, map] of entriesOf(value, at, problems, 'FEEDS.md fields to value maps')) {
    if (fieldsNamed(name).length === 0) {
      problems.note([...at, name], `${JSON.stringify(name)} ${UNKNOWN_FIELD}`);
      continue;
    }
    const values: Record<string, string> = {};
    for (const [delivered, standard] of entriesOf(map, [...at, name], problems, 'delivered values to standard values')) {
      const problem = fieldValueProblem(name, standard);
      if (problem) problems.note([...at, name, delivered], `${describe(standard)} is not a value of ${name}: ${problem}`);
      else values[delivered.trim()] = String(standard);
    }
    codes[name] = values;
  }
  return codes;
};

const readConstants: Reader<Record<string, string | number | boolean>> = (value, at, problems) => {
  const constants: Record<string, string | number | boolean> = {};
  for (const [name, constant] of entriesOf(value, at, problems, 'FEEDS.md fields to values')) {
    if (fieldsNamed(name).length === 0) {
      problems.note([...at, name], `${JSON.stringify(name)} ${UNKNOWN_FIELD}`);
      continue;
    }
    const problem = fieldValueProblem(name, constant);
    if (problem) problems.note([...at, name], problem);
    else constants[name] = constant as string | number | boolean;
  }
  return constants;
};

const readDateOrder: Reader<DateOrder> = (value, at, problems) =>
  (dateOrders as readonly unknown[]).includes(value)
    ? (value as DateOrder)
    : problems.fail(at, `expected one of ${dateOrders.join(', ')} (how 18/05/2024-style dates are ordered), got ${describe(value)}`);

const readEntities = list(
  mapping({
    files: (value, at, problems) =>
      typeof value === 'string' && value.trim() !== ''
        ? value.trim()
        : problems.fail(at, `expected a file name pattern such as 'ajxx_*.csv', got ${describe(value)}`),
    entity: (value, at, problems): EntityName =>
      (typeof value === 'string' ? entityNamed(value) : null) ??
      problems.fail(at, `unknown entity ${describe(value)} (${knownList(entityNames)})`),
  }),
  { unique: false },
);

const readMappingFile = mapping({
  description: optional(text),
  headers: optional(readHeaders),
  codes: optional(readCodes),
  dateOrder: optional(readDateOrder),
  constants: optional(readConstants),
  entities: optional(readEntities),
});

/** A checked mapping from YAML text; `origin` names the file in every error, and its base name is the mapping's name. */
export function parseFeedMapping(text: string, origin: string): FeedMapping {
  const yaml = parseYamlText(text, origin, MAPPING_INVALID);
  const file = readDataFile(readMappingFile, yaml.value, MAPPING_INVALID, origin, yaml);
  return deepFreeze({
    name: path.basename(origin).replace(/\.ya?ml$/i, ''),
    origin,
    ...(file.description !== undefined ? { description: file.description } : {}),
    headers: file.headers ?? {},
    codes: file.codes ?? {},
    dateOrder: file.dateOrder ?? 'YMD',
    constants: file.constants ?? {},
    entities: file.entities ?? [],
  });
}

/** The names of the mappings in etl/mappings/, sorted. */
export function availableMappings(): string[] {
  return yamlFileNames(feedMappingsDir);
}

/** The mapping in `file` (a path, or a name in etl/mappings/), checked; every problem of the file in one error. */
export function loadMapping(file: string): FeedMapping {
  const resolved = /[\\/]|\.ya?ml$/i.test(file) ? path.resolve(file) : path.join(feedMappingsDir, `${file}.yaml`);
  const origin = displayOrigin(resolved);
  const text = readTextFile(resolved, () => new InvalidValueError(MAPPING_NOT_FOUND, file,
    `no feed mapping ${origin} (available in ${displayOrigin(feedMappingsDir)}: ${availableMappings().join(', ') || 'none'})`));
  return parseFeedMapping(text, origin);
}
