import crypto from 'node:crypto';
import type { Pool } from 'pg';
import type { ApiConfig } from '../config';
import { createPool, pg } from '../database/pg';

/** The role the API connects as: made by the ApiAccess migration, with grants and no way around row-level security. */
export const apiRole = 'hub_api';

/**
 * The API's password when configuration gives no login of its own: derived from the owner's credentials, so
 * that every hub process of one cluster (the embedded default, test databases side by side) agrees on it
 * without storing another secret, and none of them resets what another relies on.
 */
function derivedPassword(ownerUrl: string): string {
  const owner = new URL(ownerUrl);
  return crypto.createHmac('sha256', `${decodeURIComponent(owner.password)}@${owner.username}`).update(apiRole).digest('base64url');
}

async function canLogIn(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The connection string of the API's pool. With HUB_API_DATABASE_URL it is that (production: a role the DBA
 * made like `hub_api`). Otherwise the owner makes `hub_api` a login with the derived password, once: when the
 * password already works, nothing is changed.
 */
export async function apiDatabaseUrl(ownerPool: Pool, ownerUrl: string, config: ApiConfig): Promise<string> {
  if (config.databaseUrl) return config.databaseUrl;
  const url = new URL(ownerUrl);
  url.username = apiRole;
  url.password = derivedPassword(ownerUrl);
  const apiUrl = url.toString();
  await ownerPool.query(`do $$ begin execute format('grant connect on database %I to ${apiRole}', current_database()); end $$`);
  if (await canLogIn(apiUrl)) return apiUrl;
  for (let attempt = 1; ; attempt++) {
    try {
      // the password is base64url (letters, digits, - and _): safe as a literal, which ALTER ROLE requires
      await ownerPool.query(`alter role ${apiRole} with login password '${url.password.replace(/[^A-Za-z0-9_-]/g, '')}'`);
      return apiUrl;
    } catch (error) {
      // two hubs of one cluster altering the role at once: the other one's change is the same
      if (attempt >= 5 || !/concurrently updated/.test(String(error))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

/** The API's pool: its own connections, as `hub_api`, in Asia/Shanghai, with a statement time limit. */
export function createApiPool(url: string, max = 8): Pool {
  const pool = createPool(url, max);
  pool.on('connect', (client) => { client.query(`set statement_timeout = '30s'`).catch(() => undefined); });
  return pool;
}
