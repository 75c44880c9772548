import type { PgType } from './load-specs';

/**
 * PostgreSQL COPY text format, one value at a time: the fastest way in (pg-copy-streams), and exact —
 * dates stay civil dates, amounts stay decimal strings, instants go as ISO-8601 with their zone.
 */
const NULL = '\\N';

/** what COPY text must escape; most values have none, and one native test is cheaper than a loop in JS */
const needsEscape = /[\\\t\n\r]/;

function escapeText(text: string): string {
  if (!needsEscape.test(text)) return text;
  // backslash first, then the characters that end a field or a line
  let out = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    let replacement: string | null = null;
    if (ch === 92) replacement = '\\\\';
    else if (ch === 9) replacement = '\\t';
    else if (ch === 10) replacement = '\\n';
    else if (ch === 13) replacement = '\\r';
    if (replacement !== null) {
      out += text.slice(start, i) + replacement;
      start = i + 1;
    }
  }
  return start === 0 ? text : out + text.slice(start);
}

/** An array literal ({"a","b"}) for a text[] column, quoted so that commas and braces in items are data. */
function arrayLiteral(items: readonly unknown[]): string {
  return '{' + items.map((item) => '"' + String(item).replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"').join(',') + '}';
}

export function copyValue(value: unknown, type: PgType): string {
  if (value === null || value === undefined) return NULL;
  switch (type) {
    case 'timestamptz':
      return value instanceof Date ? value.toISOString() : escapeText(String(value));
    case 'boolean':
      return value ? 't' : 'f';
    case 'text[]':
      return escapeText(arrayLiteral(Array.isArray(value) ? value : [value]));
    default:
      return escapeText(String(value));
  }
}

export function copyLine(values: string[]): string {
  return values.join('\t') + '\n';
}
