import type { Viewer } from '../domain/access/viewer';
import { assertCivilDate, compareDates } from '../domain/calendar/civil-date';
import { ActionTypes, type ActionType } from '../domain/codes';
import { InvalidValueError } from '../domain/errors';
import { regionDirectory } from '../domain/regions';
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

/**
 * The scope narrowed to the viewer's jurisdiction, for what is computed per agency. Row-level security hides
 * other agencies' facts, but agencies are reference data anyone reads, so a step that starts from each agency of
 * the scope (reviewer staffing, annual reports: one row per agency) would count an agency beyond the viewer's
 * reach as having no reviewers and no report. Narrowed, such an agency is not in the scope at all — the same
 * answer as for what does not exist. Scopes beyond the jurisdiction altogether hold no agency.
 */
export function scopeWithin(viewer: Viewer, scope: Scope): Scope {
  const nothing: Scope = { ...scope, agencyUsccs: [] };
  switch (viewer.role) {
    case 'AGENCY': {
      const own = viewer.agencyUscc;
      if (own === undefined || (scope.agencyUscc !== undefined && scope.agencyUscc !== own)) return nothing;
      return { ...scope, agencyUscc: own };
    }
    case 'SUPERVISOR': {
      const own = viewer.regionCode;
      if (own === undefined) return nothing;
      const directory = regionDirectory();
      if (scope.regionCode === undefined || directory.isWithin(own, scope.regionCode)) return { ...scope, regionCode: own };
      return directory.isWithin(scope.regionCode, own) ? scope : nothing;
    }
    default:
      // the public reads every agency's published records; the province and administrators everything
      return scope;
  }
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
