import type { QuarantineReason } from '../../src/warehouse/entities/quarantined-row';
import type { RawRow } from '../raw-row';

/** A delivered row after parsing: a typed record with its natural key, or every reason it is refused. */
export type ParsedRowResult =
  | { ok: true; record: Record<string, unknown>; naturalKey: string }
  | { ok: false; reasons: QuarantineReason[]; naturalKey: string | null };

export interface BatchItem { row: RawRow; parsed: ParsedRowResult }

/** Which agencies a source may deliver for; a row outside is refused (a county platform cannot report another county). */
export interface SourceScope { sourceId: string; agencyUscc: string | null; regionPrefix: string | null }

/** What became of every row read (FEEDS.md: nothing is lost, so read = inserted + updated + unchanged + quarantined + held). */
export interface EntityCounts {
  read: number; inserted: number; updated: number; unchanged: number; quarantined: number; held: number;
  /** rows held by earlier batches or runs that this one loaded once their parent had arrived */
  released: number;
}

export const emptyCounts = (): EntityCounts =>
  ({ read: 0, inserted: 0, updated: 0, unchanged: 0, quarantined: 0, held: 0, released: 0 });

export function addCounts(into: EntityCounts, add: EntityCounts): EntityCounts {
  for (const key of Object.keys(into) as (keyof EntityCounts)[]) into[key] += add[key];
  return into;
}

/** The run's counts as they stand once `add` (a batch of `entity` not yet committed) is counted, leaving `all` as it is. */
export function countsWith(all: Record<string, EntityCounts>, entity: string, add: EntityCounts): Record<string, EntityCounts> {
  return { ...all, [entity]: addCounts({ ...(all[entity] ?? emptyCounts()) }, add) };
}
