/**
 * One text for one value, so that a frozen ranking (DOMAIN.md §5) can be stored and later re-run and compared
 * byte for byte, and hashed. Object keys are sorted by UTF-16 code units at every level (as in RFC 8785, JSON
 * Canonicalization Scheme), there is no whitespace, and numbers and strings are written as JSON.stringify
 * writes them (the shortest text that reads back to the same number, so nothing is rounded here).
 *
 * Anything JSON.stringify would silently change or drop is refused instead — NaN and ±Infinity (written as
 * null), undefined in an array (written as null), a Map or Date or class instance (written as {} or through
 * toJSON), bigint, functions, symbols, cycles — because a frozen ranking that quietly differs from what was
 * computed is worse than one that fails to freeze. An object property whose value is undefined is left out,
 * as JSON.stringify does: `{ a: undefined }` and `{}` are the same JSON object.
 */

/** A programming error, not a data error: the message names the path ($.entries[3].score) and what to do. */
function refused(path: string, problem: string): TypeError {
  return new TypeError(`canonicalJson: at ${path}: ${problem}`);
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Code-unit order, not localeCompare: the same on every machine and Node version. */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function write(value: unknown, path: string, open: Set<object>): string {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw refused(path, `${value} is not a JSON number (JSON.stringify would write null); check the computation that produced it`);
      return JSON.stringify(value);
    case 'undefined':
      throw refused(path, 'undefined is not JSON (in an array JSON.stringify would write null); use null for "no value"');
    case 'bigint':
    case 'function':
    case 'symbol':
      throw refused(path, `a ${typeof value} is not JSON; convert it to a number or string first`);
  }
  if (value === null) return 'null';
  const object = value as object;
  if (open.has(object)) throw refused(path, 'the value contains itself (a cycle); JSON cannot represent it');
  open.add(object);
  try {
    if (Array.isArray(object)) {
      // Array.from visits holes too ([1, , 3]), which map would skip and leave as invalid JSON.
      return `[${Array.from(object, (item, index) => write(item, childPath(path, index), open)).join(',')}]`;
    }
    if (!isPlainObject(object)) {
      const kind = object.constructor?.name ?? 'an object with a custom prototype';
      throw refused(path, `${kind} is not a plain object; convert it first (a Date to its 'YYYY-MM-DD' or ISO string, a Map to an object)`);
    }
    const record = object as Record<string, unknown>;
    const members = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort(compareKeys)
      .map((key) => `${JSON.stringify(key)}:${write(record[key], childPath(path, key), open)}`);
    return `{${members.join(',')}}`;
  } finally {
    open.delete(object);
  }
}

/** The canonical JSON text of `value`; throws a TypeError naming the path of anything JSON cannot hold. */
export function canonicalJson(value: unknown): string {
  return write(value, '$', new Set());
}
