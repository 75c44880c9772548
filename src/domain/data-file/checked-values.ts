import { isCivilDate } from '../calendar/civil-date';
import { InvalidValueError } from '../errors';
import { lineOf, type YamlText } from './yaml-text';

/**
 * Reading checked values out of a data file (a policy profile, a feed mapping, a calendar override, the
 * sources file). Each reader returns the value or records a problem at its path and bails out, so one pass
 * reports every problem of a file, not just the first; `dataFileError` turns the problems into one error,
 * a line each: `file: path: reason (line N)`.
 *
 *   const problems = new Problems();
 *   const outcome = problems.attempt(() => readThing(yaml.value, [], problems));
 *   if (!outcome.ok) throw dataFileError(THING_INVALID, origin, problems.list, yaml);
 */

export type Segment = string | number;

export interface Problem {
  path: Segment[];
  reason: string;
}

const BAIL = Symbol('bail');

export class Problems {
  readonly list: Problem[] = [];

  note(at: Segment[], reason: string): void {
    this.list.push({ path: at, reason });
  }

  fail(at: Segment[], reason: string): never {
    this.note(at, reason);
    throw BAIL;
  }

  /** Bails out when anything was noted since `before` (a length of `list`). */
  failIfNotedSince(before: number): void {
    if (this.list.length > before) throw BAIL;
  }

  /** Runs a reader; a problem it records marks this value failed instead of stopping the whole pass. */
  attempt<T>(read: () => T): { ok: true; value: T } | { ok: false } {
    try {
      return { ok: true, value: read() };
    } catch (error) {
      if (error === BAIL) return { ok: false };
      throw error;
    }
  }
}

export type Reader<T> = (value: unknown, at: Segment[], problems: Problems) => T;

const OPTIONAL = Symbol('optional');
type OptionalReader<T> = Reader<T | undefined> & { [OPTIONAL]: true };

/** A key that may be left out; when it is, the read value has no such key. */
export function optional<T>(read: Reader<T>): OptionalReader<T> {
  const reader = ((value, at, problems) => (value === undefined ? undefined : read(value, at, problems))) as OptionalReader<T>;
  reader[OPTIONAL] = true;
  return reader;
}

/** A value that may be written as null (`period: null`: shown without end). */
export function nullable<T>(read: Reader<T>): Reader<T | null> {
  return (value, at, problems) => (value === null ? null : read(value, at, problems));
}

/** A value as a message shows it: texts quoted, containers by kind, long texts cut. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return `the date ${value.toISOString().slice(0, 10)} (quote dates: '2021-09-01')`;
  if (typeof value === 'object') return 'a mapping';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}..."` : text;
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

export function knownList(names: readonly string[]): string {
  return `known: ${names.join(', ')}`;
}

/** `ranking.components[2].weight`; the empty path is the file's top level. */
export function formatPath(at: readonly Segment[]): string {
  return at.map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : i === 0 ? segment : `.${segment}`)).join('') || '(top level)';
}

type Shape = Record<string, Reader<unknown>>;
export type ShapeValue<S extends Shape> = { [K in keyof S]: S[K] extends Reader<infer T> ? T : never };

/**
 * A mapping with exactly these keys: an unknown key is a typo, a missing required one an omission. `check`
 * runs on the fully read value for rules that span several keys. `refused` names keys a writer is likely to
 * try and must not use, with the reason, which the unknown-key problem then gives.
 */
export function mapping<S extends Shape>(
  shape: S,
  options: {
    check?: (value: ShapeValue<S>, at: Segment[], problems: Problems) => void;
    refused?: Record<string, string>;
  } = {},
): Reader<ShapeValue<S>> {
  const keys = Object.keys(shape);
  const { check, refused = {} } = options;
  return (value, at, problems) => {
    if (!isMapping(value)) return problems.fail(at, `expected a mapping with keys ${keys.join(', ')}, got ${describe(value)}`);
    const before = problems.list.length;
    for (const key of Object.keys(value)) {
      if (Object.hasOwn(shape, key)) continue;
      const why = Object.hasOwn(refused, key) ? `: ${refused[key]}` : '';
      problems.note([...at, key], `unknown key${why} (${knownList(keys)})`);
    }
    const result: Record<string, unknown> = {};
    for (const key of keys) {
      const read = shape[key]!;
      if (value[key] === undefined && !(OPTIONAL in read)) {
        problems.note([...at, key], 'missing');
        continue;
      }
      const outcome = problems.attempt(() => read(value[key], [...at, key], problems));
      if (outcome.ok && outcome.value !== undefined) result[key] = outcome.value;
    }
    problems.failIfNotedSince(before);
    const typed = result as ShapeValue<S>;
    check?.(typed, at, problems);
    problems.failIfNotedSince(before);
    return typed;
  };
}

/** A list of values each read by `read`; an item listed twice is refused unless `unique: false`. */
export function list<T>(read: Reader<T>, options: { nonEmpty?: boolean; unique?: boolean } = {}): Reader<T[]> {
  const { nonEmpty = false, unique = true } = options;
  return (value, at, problems) => {
    if (!Array.isArray(value)) return problems.fail(at, `expected a list, got ${describe(value)}`);
    if (nonEmpty && value.length === 0) problems.fail(at, 'expected at least one item, got an empty list');
    const before = problems.list.length;
    const result: T[] = [];
    // A code listed twice is almost always a slip for another code, so it is reported rather than dropped.
    const firstIndex = new Map<T, number>();
    value.forEach((item, index) => {
      const outcome = problems.attempt(() => read(item, [...at, index], problems));
      if (!outcome.ok) return;
      const first = firstIndex.get(outcome.value);
      if (unique && first !== undefined) problems.note([...at, index], `${describe(item)} is listed twice (also at [${first}])`);
      if (first === undefined) firstIndex.set(outcome.value, index);
      result.push(outcome.value);
    });
    problems.failIfNotedSince(before);
    return result;
  };
}

/** One of a code list; a Chinese label in place of its code gets named, since that is the usual slip. */
export function code<C extends string>(table: { codes: readonly C[]; labels: Record<C, string> }, what: string): Reader<C> {
  return (value, at, problems) => {
    if (typeof value === 'string' && (table.codes as readonly string[]).includes(value)) return value as C;
    const labelled = table.codes.find((c) => table.labels[c] === value);
    if (labelled) problems.fail(at, `write the code ${labelled}, not its label ${describe(value)}`);
    return problems.fail(at, `unknown ${what} ${describe(value)} (${knownList(table.codes)})`);
  };
}

/** One of a list of words (penalty kinds are words, not codes), or one of a few literals. */
export function word<W extends string>(words: readonly W[], what: string): Reader<W> {
  return (value, at, problems) => {
    if (typeof value === 'string' && (words as readonly string[]).includes(value)) return value as W;
    return problems.fail(at, `unknown ${what} ${describe(value)} (${knownList(words)})`);
  };
}

/** A text of a set form (a name, an id); `expected` says the form: 'an id of lower-case letters, ...'. */
export function matching(pattern: RegExp, expected: string): Reader<string> {
  return (value, at, problems) =>
    typeof value === 'string' && pattern.test(value) ? value : problems.fail(at, `expected ${expected}, got ${describe(value)}`);
}

export function number(options: { min?: number; max?: number; integer?: boolean; maxDecimals?: number; positive?: boolean }): Reader<number> {
  const { min, max, integer = false, maxDecimals, positive = false } = options;
  const noun = integer ? 'whole number' : 'number';
  const expected =
    min !== undefined && max !== undefined ? `a ${noun} from ${min} to ${max}`
      : positive ? `a positive ${noun}`
      : min === 0 ? `a non-negative ${noun}`
      : min !== undefined ? `a ${noun} of at least ${min}`
      : `a ${noun}`;
  return (value, at, problems) => {
    if (typeof value !== 'number') return problems.fail(at, `expected ${expected}, got ${describe(value)}`);
    const ok =
      Number.isFinite(value) && (!integer || Number.isInteger(value)) &&
      (min === undefined || value >= min) && (max === undefined || value <= max) && (!positive || value > 0);
    if (!ok) problems.fail(at, `expected ${expected}, got ${describe(value)}`);
    // Decimal places read from the shortest round-trip text, the way the YAML file spells the number.
    const decimals = /\.(\d+)$/.exec(String(value))?.[1]?.length ?? 0;
    if (maxDecimals !== undefined && (decimals > maxDecimals || /e/i.test(String(value)))) {
      problems.fail(at, `expected at most ${maxDecimals} decimals, got ${describe(value)}`);
    }
    return value;
  };
}

export const bool: Reader<boolean> = (value, at, problems) =>
  typeof value === 'boolean' ? value : problems.fail(at, `expected true or false, got ${describe(value)}`);

export const text: Reader<string> = (value, at, problems) =>
  typeof value === 'string' && value.trim() !== '' ? value : problems.fail(at, `expected a non-empty text, got ${describe(value)}`);

export const civilDate: Reader<string> = (value, at, problems) =>
  isCivilDate(value) ? value : problems.fail(at, `expected a real date 'YYYY-MM-DD', got ${describe(value)}`);

/** Frozen all the way down: what a data file rules is not changed by whoever reads it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * One error for every problem of a file, a line each: `origin: path: reason (line N)`, the line where the
 * file states the value (none for a value given in code rather than read from `yaml`). `code` is the
 * loader's own (PROFILE_INVALID, MAPPING_INVALID, ...); the error's value lists the problems for machines.
 */
export function dataFileError(code: string, origin: string, problems: readonly Problem[], yaml?: YamlText): InvalidValueError {
  const message = problems
    .map((problem) => {
      const line = yaml ? lineOf(yaml, problem.path) : undefined;
      return `${origin}: ${formatPath(problem.path)}: ${problem.reason}${line ? ` (line ${line})` : ''}`;
    })
    .join('\n');
  return new InvalidValueError(code, { origin, problems: problems.map((p) => ({ path: formatPath(p.path), reason: p.reason })) }, message);
}

/** A whole file's value read with `read`, frozen; every problem found in one error (see dataFileError). */
export function readDataFile<T>(read: Reader<T>, value: unknown, code: string, origin: string, yaml?: YamlText): T {
  const problems = new Problems();
  const outcome = problems.attempt(() => read(value, [], problems));
  if (!outcome.ok) throw dataFileError(code, origin, problems.list, yaml);
  return deepFreeze(outcome.value);
}
