import { assertCivilDate, compareDates } from '../domain/calendar/civil-date';
import { ActionTypes, type ActionType } from '../domain/codes';
import { InvalidValueError } from '../domain/errors';
import { checkScope, type Scope } from '../metrics/scope/scope';
import { civilDateOf } from './scalars';
import type { PeriodInput, ScopeInput } from './types/common';

/** Arguments as the metrics take them, checked, with errors that name the argument (Chinese, as users read them). */

export function scopeOf(input: ScopeInput | undefined | null): Scope {
  if (!input) return {};
  return checkScope({
    ...(input.regionCode && { regionCode: input.regionCode }),
    ...(input.agencyUscc && { agencyUscc: input.agencyUscc }),
    ...(input.domain && { domain: input.domain }),
    ...(input.actionType && { actionType: input.actionType as ActionType }),
  });
}

export function periodOf(input: PeriodInput): { from: string; to: string } {
  const from = civilDateOf(input.from);
  const to = civilDateOf(input.to);
  if (compareDates(from, to) > 0) throw new InvalidValueError('BAD_PERIOD', input, `期间 period 的起始日 ${from} 晚于截止日 ${to}`);
  return { from, to };
}

export function asOfOr(today: string, asOf: Date | string | undefined | null): string {
  if (asOf === undefined || asOf === null) return today;
  const date = civilDateOf(asOf);
  assertCivilDate(date, 'asOf');
  return date;
}

/** Page sizes are capped: a larger `first` is refused rather than silently cut, so a client knows it asked too much. */
export function pageSizeOf(first: number | undefined | null, cap: number, fallback = 50): number {
  const size = first ?? Math.min(fallback, cap);
  if (!Number.isInteger(size) || size < 1 || size > cap) {
    throw new InvalidValueError('PAGE_TOO_LARGE', first, `first 须为 1 到 ${cap} 之间的整数（收到 ${String(first)}）；请分页读取`);
  }
  return size;
}

/** Opaque keyset cursors: the sort key of the last row, as base64url JSON. */
export function encodeCursor(key: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined | null, length: number): unknown[] | null {
  if (!cursor) return null;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(key) && key.length === length) return key;
  } catch { /* refused below */ }
  throw new InvalidValueError('BAD_CURSOR', cursor, `after 游标无效：请使用上一页 pageInfo.endCursor 的值`);
}

export const actionTypeCodes: readonly string[] = ActionTypes.codes;
