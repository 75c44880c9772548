/**
 * Periods as a supervisor names them — 2025, 2025Q3, 2025-03, or 2025-01-01..2025-06-30 — and the ranges the
 * panels ask for: the period itself, the one before it (for "what changed"), and the twelve months ending
 * with it (for trends).
 */
export interface Period { from: string; to: string }
export type PeriodKind = 'YEAR' | 'QUARTER' | 'MONTH' | 'RANGE';

const pad = (n: number) => String(n).padStart(2, '0');
const iso = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`;
const lastDay = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

export function kindOf(spec: string): PeriodKind | null {
  if (/^\d{4}$/.test(spec)) return 'YEAR';
  if (/^\d{4}Q[1-4]$/.test(spec)) return 'QUARTER';
  if (/^\d{4}-(0[1-9]|1[0-2])$/.test(spec)) return 'MONTH';
  if (/^\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}$/.test(spec)) return 'RANGE';
  return null;
}

export function periodOf(spec: string): Period {
  const y = Number(spec.slice(0, 4));
  switch (kindOf(spec)) {
    case 'YEAR': return { from: iso(y, 1, 1), to: iso(y, 12, 31) };
    case 'QUARTER': {
      const q = Number(spec[5]);
      return { from: iso(y, q * 3 - 2, 1), to: iso(y, q * 3, lastDay(y, q * 3)) };
    }
    case 'MONTH': {
      const m = Number(spec.slice(5, 7));
      return { from: iso(y, m, 1), to: iso(y, m, lastDay(y, m)) };
    }
    case 'RANGE': {
      const [from, to] = spec.split('..') as [string, string];
      return from <= to ? { from, to } : { from: to, to: from };
    }
    default: throw new Error(`期间 ${spec} 无法识别：应为 2025、2025Q3、2025-03 或 2025-01-01..2025-06-30`);
  }
}

export function labelOf(spec: string): string {
  switch (kindOf(spec)) {
    case 'YEAR': return `${spec} 年`;
    case 'QUARTER': return `${spec.slice(0, 4)} 年第 ${spec[5]} 季度`;
    case 'MONTH': return `${spec.slice(0, 4)} 年 ${Number(spec.slice(5, 7))} 月`;
    default: return spec.replace('..', ' 至 ');
  }
}

function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The period just before: the previous year, quarter or month; for a range, as many days before it. */
export function previousOf(spec: string): Period {
  const y = Number(spec.slice(0, 4));
  switch (kindOf(spec)) {
    case 'YEAR': return periodOf(String(y - 1));
    case 'QUARTER': {
      const q = Number(spec[5]);
      return periodOf(q === 1 ? `${y - 1}Q4` : `${y}Q${q - 1}`);
    }
    case 'MONTH': {
      const m = Number(spec.slice(5, 7));
      return periodOf(m === 1 ? `${y - 1}-12` : `${y}-${pad(m - 1)}`);
    }
    default: {
      const { from, to } = periodOf(spec);
      const days = Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000) + 1;
      return { from: addDays(from, -days), to: addDays(from, -1) };
    }
  }
}

/** The twelve calendar months ending with the period's last month (no later than the as-of date's month). */
export function trendOf(spec: string, asOf: string): Period {
  const end = periodOf(spec).to < asOf ? periodOf(spec).to : asOf;
  const y = Number(end.slice(0, 4));
  const m = Number(end.slice(5, 7));
  const startMonth = m === 12 ? 1 : m + 1;
  const startYear = m === 12 ? y : y - 1;
  return { from: iso(startYear, startMonth, 1), to: iso(y, m, lastDay(y, m)) };
}
