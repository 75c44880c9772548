import type { Pool } from 'pg';
import { pg } from '../database/pg';

/**
 * What the response cache needs to know of the warehouse (the DataVersion migration): the current data version
 * (the sequence every writing statement moves), and each commit of a write (the `hub_data_changed` notice),
 * on which answers computed meanwhile are dropped. Listening runs on a connection of its own; while it is down
 * the version is unknown and nothing is cached (answers are computed as without a cache), until it listens again.
 */
export interface DataVersion {
  /** the version now, or null when changes cannot be followed (no cache then) */
  read(): Promise<string | null>;
  /** called on every committed write */
  onChange(listener: () => void): void;
  close(): Promise<void>;
}

export function watchDataVersion(pool: Pool, connectionString: string, log: (line: string) => void): DataVersion {
  const listeners: (() => void)[] = [];
  let client: InstanceType<typeof pg.Client> | null = null;
  let listening = false;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  const changed = () => { for (const listener of listeners) listener(); };

  const connect = async () => {
    const next = new pg.Client({ connectionString });
    next.on('notification', changed);
    next.on('error', (error) => {
      if (listening) log(`response cache: stopped following data changes (${error.message}); caching paused`);
      listening = false;
      changed();
      void next.end().catch(() => undefined);
      if (!closed) retry = setTimeout(() => void connect(), 1000);
    });
    try {
      await next.connect();
      await next.query('listen hub_data_changed');
      if (closed) { await next.end(); return; }
      client = next;
      listening = true;
      // whatever changed while not listening is dropped
      changed();
    } catch {
      await next.end().catch(() => undefined);
      if (!closed) retry = setTimeout(() => void connect(), 1000);
    }
  };
  void connect();

  return {
    async read() {
      if (!listening) return null;
      try {
        const { rows } = await pool.query<{ version: string }>('select last_value::text || is_called::text as version from hub_data_version');
        return rows[0]!.version;
      } catch {
        return null;
      }
    },
    onChange(listener) { listeners.push(listener); },
    async close() {
      closed = true;
      clearTimeout(retry);
      listening = false;
      await client?.end().catch(() => undefined);
    },
  };
}
