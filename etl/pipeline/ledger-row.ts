import crypto from 'node:crypto';
import {
  jsonbArray, jsonbDate, jsonbInstant, jsonbKeyOrder, jsonbNumeric, jsonbSmallint, jsonbString, jsonbUtcTimestamp,
} from '../../src/ledger/jsonb-text';
import type { LoadSpec, PgType } from './load-specs';

/**
 * The ledger's row hash of a merged row, taken in Node from its staged record: `ledger_row_hash` (migration Ledger)
 * is the SHA-256 of the stored row's jsonb text without its lineage and its nulls, and PostgreSQL computing it for
 * every merged row cost a third of a cases batch. Verification still computes it in SQL over the stored rows, so
 * this must give the same bytes (src/ledger/jsonb-text.ts says how; test/integration/ledger-row-hash.test.ts
 * compares the two).
 *
 * The stored row is the staged one: the upsert (merge-sql.ts) inserts every key and data column from the staging
 * table and on conflict sets every data column from it, and the rest of the row is
 * - region_code and agency_uscc, which parent resolution sets: given here as the merge returned them;
 * - the lineage columns, which the hash leaves out;
 * - the spec's unloadedColumns, null unless something else wrote them (the upsert flags such rows, and PostgreSQL
 *   hashes them).
 * A value given in a form the renderers do not vouch for makes the row's text null: PostgreSQL hashes that row.
 */
export interface LedgerRowLayout {
  /** the stored row's `jsonb_strip_nulls(to_jsonb(t) - lineage)::text`, null when PostgreSQL is to hash the row */
  jsonb(record: Record<string, unknown>, regionCode: string, agencyUscc: string): string | null;
  /** its `ledger_row_hash(t)`, null likewise */
  hash(record: Record<string, unknown>, regionCode: string, agencyUscc: string): string | null;
}

type Render = (value: unknown) => string | null;

/**
 * Each value as its column stores it, from the same JavaScript value copy-text.ts writes into the COPY text (and by
 * the same conversion: String(value), a boolean by truthiness, a list's items by String).
 */
function rendererOf(type: PgType): Render {
  switch (type) {
    case 'text':
      // a varchar(n) stores a longer value whose excess is spaces cut to n, so a text ending in a space may be stored
      // shorter (the feed parsers trim: only a record built otherwise has one)
      return (value) => {
        const text = String(value);
        return text.endsWith(' ') ? null : jsonbString(text);
      };
    case 'date':
      return (value) => jsonbDate(String(value));
    case 'timestamptz':
      return (value) => value instanceof Date ? jsonbInstant(value) : typeof value === 'string' ? jsonbUtcTimestamp(value) : null;
    case 'boolean':
      return (value) => (value ? 'true' : 'false');
    case 'smallint':
      return (value) => jsonbSmallint(String(value));
    case 'text[]':
      return (value) => jsonbArray((Array.isArray(value) ? value : [value]).map((item) => jsonbString(String(item))));
    default: {
      const scale = /^numeric\(\d+,(\d+)\)$/.exec(type);
      if (!scale) throw new Error(`ledger-row: no jsonb rendering for the load spec type ${type}; add one to src/ledger/jsonb-text.ts`);
      const digits = Number(scale[1]);
      return (value) => jsonbNumeric(String(value), digits);
    }
  }
}

const PARENT = ['region_code', 'agency_uscc'];

/** A member of the row's jsonb object: `{"key": ` as the first, `, "key": ` after, and how its value is found and written. */
interface Member { first: string; next: string; field: string | null; parent: 'region_code' | 'agency_uscc' | null; render: Render }

function layoutOf(spec: LoadSpec): LedgerRowLayout {
  const columns = new Map([...spec.keys, ...spec.columns].map((c) => [c.column, c]));
  for (const name of PARENT) {
    if (columns.has(name)) throw new Error(`ledger-row: the load spec of ${spec.table} loads ${name} from the record; the ledger's row text takes it from parent resolution`);
  }
  const members: Member[] = jsonbKeyOrder([...PARENT, ...columns.keys()]).map((name) => {
    const column = columns.get(name);
    const key = { first: `{${jsonbString(name)}: `, next: `, ${jsonbString(name)}: ` };
    return column
      ? { ...key, field: column.field, parent: null, render: rendererOf(column.type) }
      : { ...key, field: null, parent: name as Member['parent'], render: (value) => jsonbString(String(value)) };
  });
  const jsonb = (record: Record<string, unknown>, regionCode: string, agencyUscc: string): string | null => {
    let text = '';
    for (const member of members) {
      const value = member.field === null ? (member.parent === 'region_code' ? regionCode : agencyUscc) : record[member.field];
      // jsonb_strip_nulls: a null column is no member at all
      if (value === null || value === undefined) continue;
      const rendered = member.render(value);
      if (rendered === null) return null;
      text = text ? text + member.next + rendered : member.first + rendered;
    }
    return `${text}}`;
  };
  return {
    jsonb,
    hash(record, regionCode, agencyUscc) {
      const text = jsonb(record, regionCode, agencyUscc);
      // UTF-8, as convert_to(…, 'UTF8') gives it to sha256; the one-shot hash costs a third of a Hash object's
      return text === null ? null : crypto.hash('sha256', text, 'hex');
    },
  };
}

const layouts = new Map<LoadSpec, LedgerRowLayout>();

export function ledgerRowLayout(spec: LoadSpec): LedgerRowLayout {
  let layout = layouts.get(spec);
  if (!layout) layouts.set(spec, (layout = layoutOf(spec)));
  return layout;
}
