import type { App, PanelDefinition, Region } from '../app-state.js';
import { at, type Rate } from '../format.js';

/** What a panel renderer gets: the app, where the viewer is, the panel's definition, and how to drill. */
export interface PanelContext {
  app: App;
  region: Region;
  panel: PanelDefinition;
  variables: Record<string, unknown>;
  /** to the records behind an indicator's numerator, denominator or shortfall, optionally narrowed */
  openRecords(indicator: string, part: 'NUMERATOR' | 'DENOMINATOR' | 'SHORTFALL', narrow?: ScopeStep | null): void;
  openCase(agencyUscc: string, caseId: string): void;
  /** narrow the scope to a region or agency (a bar, a row); false when it cannot be narrowed further */
  narrow(step: ScopeStep): boolean;
}

/** One step down: an aggregate key of a region or an agency. */
export interface ScopeStep { dimension: string; value: string }

export interface AggregateRow { keys: { dimension: string; value: string; label: string }[]; rate: Rate }

export function rowsAt(data: unknown, path: unknown): unknown[] {
  const rows = typeof path === 'string' ? at(data, path) : data;
  return Array.isArray(rows) ? rows : [];
}

/** A drill step from an aggregate row's first key, when it names a region or an agency. */
export function stepOf(row: unknown): ScopeStep | null {
  const key = (row as AggregateRow | undefined)?.keys?.[0];
  return key && ['PREFECTURE', 'COUNTY', 'AGENCY'].includes(key.dimension) ? { dimension: key.dimension, value: key.value } : null;
}

/** Raised by a renderer when the data holds nothing to show: the panel says 本期无数据. */
export class NoData extends Error {
  constructor(message = '本期无数据') { super(message); }
}
