import fs from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { InvalidValueError } from '../errors';
import { projectRoot } from '../../paths';
import type { Segment } from './checked-values';

/**
 * YAML data files as text: parsed once, with what it takes to point a reader at a line. The checks on what
 * the file says are checked-values.ts's; this module knows only YAML and files.
 */
export interface YamlText {
  /** the document as plain values (mappings, lists, strings, numbers, booleans, null) */
  readonly value: unknown;
  readonly doc: Document;
  readonly lines: LineCounter;
}

/**
 * `text` parsed, or an InvalidValueError with `code` naming each syntax error as `origin:line:col`. A key
 * given twice is a syntax error: the second would otherwise silently win.
 */
export function parseYamlText(text: string, origin: string, code: string): YamlText {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const message = doc.errors
      .map((error) => {
        const { line, col } = lines.linePos(error.pos[0]);
        return `${origin}:${line}:${col}: YAML syntax error: ${error.message}`;
      })
      .join('\n');
    throw new InvalidValueError(code, { origin }, message);
  }
  return { value: doc.toJS(), doc, lines };
}

/** The range of the entry at `at` when the file states it: a mapping entry's key, a list item's start. */
function rangeOf(doc: Document, at: readonly Segment[]): readonly number[] | undefined {
  const parent = at.length === 1 ? doc.contents : doc.getIn(at.slice(0, -1), true);
  const last = at[at.length - 1];
  if (isMap(parent)) {
    const pair = parent.items.find((item) => isScalar(item.key) && String(item.key.value) === String(last));
    return isScalar(pair?.key) ? pair.key.range ?? undefined : undefined;
  }
  if (isSeq(parent) && typeof last === 'number') {
    const item = parent.items[last];
    return isScalar(item) || isMap(item) || isSeq(item) ? item.range ?? undefined : undefined;
  }
  return undefined;
}

/**
 * The line of the entry at `at`, or of its nearest ancestor the file states (a missing key is reported at
 * the mapping that lacks it). Undefined at the top level and for a value the file does not state at all
 * (a whole section inherited from a base profile).
 */
export function lineOf(yaml: YamlText, at: readonly Segment[]): number | undefined {
  for (let depth = at.length; depth > 0; depth--) {
    const range = rangeOf(yaml.doc, at.slice(0, depth));
    if (range) return yaml.lines.linePos(range[0]!).line;
  }
  return undefined;
}

/** A file as messages show it: relative to the project with '/' when inside it, else as given. */
export function displayOrigin(file: string): string {
  const relative = path.relative(projectRoot, file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative.split(path.sep).join('/');
}

/** The text of `file`, or the error `missing()` gives when there is no such file (it names what there is). */
export function readTextFile(file: string, missing: () => Error): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw missing();
    throw error;
  }
}

/** The names (without .yaml) of the *.yaml files in `dir`, sorted; none when the folder does not exist. */
export function yamlFileNames(dir: string): string[] {
  try {
    return fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -'.yaml'.length)).sort();
  } catch {
    return [];
  }
}
