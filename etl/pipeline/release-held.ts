import type { PoolClient } from 'pg';
import { emptyCounts, type BatchItem, type EntityCounts } from './batch-types';
import { loadBatch } from './load-batch';
import { loadOrder } from './load-specs';
import { scopeOfStoredSource } from './source-scope';

const batchSize = 5000;

/**
 * Loads the held rows whose parent has arrived (from any source, in any run), parents' entities first, as if
 * they had just been delivered from their own source and position. Returns per entity how many it released.
 */
export async function releaseHeldRows(client: PoolClient, runId: string): Promise<Partial<Record<string, EntityCounts>>> {
  const result: Partial<Record<string, EntityCounts>> = {};
  for (const entity of loadOrder) {
    const tried = new Set<string>();
    for (;;) {
      const { rows } = await client.query<{
        id: string; source: string; natural_key: string; record: Record<string, unknown>;
        raw: Record<string, unknown>; position: string; position_detail: Record<string, unknown>;
      }>(
        `select id, source, natural_key, record, raw, position, position_detail from held_rows h
         where status = 'HELD' and entity = $1 and not (id = any($2::bigint[]))
           and case parent_kind
                 when 'agency' then exists (select 1 from agencies a where a.uscc = h.parent_key)
                 else exists (select 1 from cases c where c.case_id = h.parent_key) end
         order by source, id limit ${batchSize}`,
        [entity, [...tried]]);
      if (!rows.length) break;
      const bySource = new Map<string, BatchItem[]>();
      for (const row of rows) {
        tried.add(row.id);
        const items = bySource.get(row.source) ?? [];
        items.push({
          row: { values: row.raw as BatchItem['row']['values'], position: { ...row.position_detail, label: row.position } },
          parsed: { ok: true, record: row.record, naturalKey: row.natural_key },
        });
        bySource.set(row.source, items);
      }
      for (const [sourceId, items] of bySource) {
        const scope = await scopeOfStoredSource(client, sourceId);
        const counts = await loadBatch(client, { runId, scope, entity, items });
        const total = (result[entity] ??= emptyCounts());
        // a released row is counted once, as released; rows that must still wait stay held (and are not re-counted)
        total.released += counts.inserted + counts.updated + counts.unchanged;
        total.quarantined += counts.quarantined;
      }
    }
  }
  return result;
}
