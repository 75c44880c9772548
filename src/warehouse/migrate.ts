import type { MikroORM } from '@mikro-orm/postgresql';
import { loadRegions } from './reference/load-regions';
import { loadWorkingDays } from './reference/load-working-days';

export interface MigrationReport {
  applied: string[];
  schemaVersion: string | null;
  regions: { total: number; changed: number };
  calendar: { variants: number; days: number; changed: number; horizon: string };
}

/** Applies pending migrations, then brings reference data (the region tree, the working-day calendar) up to date. */
export async function migrateWarehouse(orm: MikroORM): Promise<MigrationReport> {
  const applied = await orm.getMigrator().up();
  const regions = await loadRegions(orm.em.fork());
  const calendar = await loadWorkingDays(orm.em.fork());
  return { applied: applied.map((m) => m.name), schemaVersion: await schemaVersion(orm), regions, calendar };
}

/** The newest applied migration's name, or null on an empty database. */
export async function schemaVersion(orm: MikroORM): Promise<string | null> {
  const rows = await orm.em.getConnection().execute<{ name: string }[]>(
    `select name from schema_migrations order by id desc limit 1`,
  ).catch((error: { code?: string }) => {
    if (error.code === '42P01') return []; // undefined_table: nothing migrated yet
    throw error;
  });
  return rows[0]?.name ?? null;
}
