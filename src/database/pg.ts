import pg from 'pg';

/**
 * node-postgres as the hub uses it. DATE columns hold civil dates (DOMAIN.md §3) and are read as
 * 'YYYY-MM-DD' strings (node-postgres would make them Date objects at local midnight, which shifts the day on
 * a machine not in UTC+8); every session runs in Asia/Shanghai so that SQL buckets days, months and years in
 * China Standard Time. Import pg from here rather than from 'pg'.
 */
const DATE_OID = 1082;
pg.types.setTypeParser(DATE_OID, (value: string) => value);

export const sessionTimeZone = 'Asia/Shanghai';

export function createPool(connectionString: string, max = 4): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, options: `-c TimeZone=${sessionTimeZone}` });
  // An idle connection the server closes (a restart, a shutdown, an administrator) is dropped by the pool and
  // replaced on next use; unhandled, its error would end the process.
  pool.on('error', () => undefined);
  // So would the error a connection emits when it is lost while checked out (a request or a load in progress
  // during a restart): node-postgres emits it on the client as well as failing the query, and the pool listens
  // only to idle clients. The holder learns of it from the failed query (or, between queries, from the next),
  // and the pool discards the client when it is released.
  pool.on('connect', (client) => { client.on('error', () => undefined); });
  return pool;
}

export { pg };
