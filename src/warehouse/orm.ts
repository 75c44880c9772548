import 'reflect-metadata';
import { sessionTimeZone } from '../database/pg';
import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, MikroORM, type Options } from '@mikro-orm/postgresql';
import { warehouseEntities } from './entities';
import { migrationsList } from './migrations';

/**
 * The ORM over the warehouse. Schema changes happen only through the migrations listed in
 * ./migrations (never schema sync at start-up); the list is explicit so the same code runs from
 * TypeScript under test and from the compiled build.
 */
export function warehouseOrmOptions(databaseUrl: string, overrides: Partial<Options> = {}): Options {
  return defineConfig({
    clientUrl: databaseUrl,
    entities: warehouseEntities,
    extensions: [Migrator],
    migrations: {
      migrationsList,
      tableName: 'schema_migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      // hub migrate reports what it applied itself
      silent: true,
    },
    // DOMAIN.md §3: days, months and years are Asia/Shanghai's, also in SQL (date_trunc, ::date).
    pool: {
      min: 0,
      max: 10,
      afterCreate(connection: { query(sql: string, cb: (error?: Error) => void): void }, done: (error: Error | undefined, connection: unknown) => void) {
        connection.query(`SET TIME ZONE '${sessionTimeZone}'`, (error) => done(error, connection));
      },
    },
    allowGlobalContext: false,
    debug: false,
    ...overrides,
  });
}

export async function openWarehouse(databaseUrl: string, overrides: Partial<Options> = {}): Promise<MikroORM> {
  return MikroORM.init(warehouseOrmOptions(databaseUrl, overrides));
}
