/** How figures are written on screen: one place, so that a test can read a number back the way it is shown. */
export type Labels = Record<string, Record<string, string>>;

export interface Rate { numerator: number; denominator: number; rate: number | null }

/** A rate as a percentage with one decimal, or — when the denominator is 0 (no records: no rate). */
export function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`;
}

export function count(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : n.toLocaleString('zh-CN');
}

export function score(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : n.toFixed(2);
}

export function dateTime(value: string | null | undefined): string {
  if (!value) return '—';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value
    : d.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}

/** A value at a dotted path ("rate.numerator", "keys.0.label"). */
export function at(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path.split('.')) {
    if (current === null || current === undefined) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

export function label(labels: Labels, list: string | undefined, value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  const text = String(value);
  return (list && labels[list]?.[text]) ?? text;
}

/** What an ETL run did, summed over its entities (counts: entity → read, inserted, …). */
export function runCounts(value: unknown): string {
  if (!value || typeof value !== 'object') return '—';
  const sum = { read: 0, inserted: 0, updated: 0, quarantined: 0, held: 0 };
  for (const entity of Object.values(value as Record<string, Record<string, number>>)) {
    for (const key of Object.keys(sum) as (keyof typeof sum)[]) sum[key] += Number(entity?.[key] ?? 0);
  }
  return `${count(sum.read)} / ${count(sum.inserted)} / ${count(sum.updated)} / ${count(sum.quarantined)} / ${count(sum.held)}`;
}
