import type { Pool } from 'pg';
import { createPool } from '../../src/database/pg';
import { loadPolicyProfile } from '../../src/domain/profile/policy-profile';
import { tablesWithoutNotice } from '../../src/warehouse/migrations/Migration20261201010000DataVersion';
import { startTestApi, type TestApi } from '../support/api-server';
import { loadSyntheticProvince, readAnswerKey } from '../support/synthetic-province';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * The API's response cache: a repeated read is answered from the cache, never across viewers, and never after
 * a write has committed — whether the write came before the request or while an answer was being computed.
 */
jest.setTimeout(180000);

let db: TestDatabase;
let pool: Pool;
let api: TestApi;
let agency: { uscc: string; name: string; region: string };
let tokens: { county: string; otherCounty: string; province: string };

const AGENCY = 'query CachedAgency($uscc: String!) { agency(uscc: $uscc) { uscc name } }';

async function ask(token: string): Promise<{ name: string | null; cache: string | null }> {
  const response = await fetch(`${api.url}/graphql`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: AGENCY, variables: { uscc: agency.uscc } }),
  });
  const body = await response.json() as { data: { agency: { name: string } | null } };
  return { name: body.data.agency?.name ?? null, cache: response.headers.get('x-hub-cache') };
}

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url);
  const dir = await loadSyntheticProvince(pool, { seed: 7, scale: 600, prefix: 'response-cache-' });
  const profile = loadPolicyProfile({ name: readAnswerKey(dir).key.profile });
  const { rows: [first, second] } = await pool.query<{ uscc: string; name: string; region_code: string }>(
    `select distinct on (region_code) uscc, name, region_code from agencies
     where length(region_code) = 6 and region_code not like '%00' order by region_code, uscc limit 2`);
  agency = { uscc: first!.uscc, name: first!.name, region: first!.region_code };
  api = await startTestApi(db, pool, profile);
  tokens = {
    county: await api.token({ role: 'SUPERVISOR', region: agency.region, sub: 'cache-a' }),
    otherCounty: await api.token({ role: 'SUPERVISOR', region: second!.region_code, sub: 'cache-b' }),
    province: await api.token({ role: 'PROVINCE', sub: 'cache-p' }),
  };
  // the cache follows changes once its listening connection is up
  for (let i = 0; i < 50; i++) {
    await ask(tokens.county);
    if ((await ask(tokens.county)).cache === 'hit') break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
});

afterAll(async () => {
  await api?.close();
  await pool?.end();
  await db?.drop();
});

test('a repeated read is answered from the cache, per viewer', async () => {
  await pool.query('update agencies set name = name where uscc = $1', [agency.uscc]);
  const first = await ask(tokens.county);
  const second = await ask(tokens.county);
  expect(first).toEqual({ name: agency.name, cache: null });
  expect(second).toEqual({ name: agency.name, cache: 'hit' });
  // another viewer's identical request is computed for that viewer: to another county this agency is unknown
  expect(await ask(tokens.otherCounty)).toEqual({ name: null, cache: null });
  expect((await ask(tokens.province)).cache).toBeNull();
});

test('a committed write is seen by the very next request', async () => {
  await ask(tokens.county);
  expect((await ask(tokens.county)).cache).toBe('hit');
  await pool.query('update agencies set name = $2 where uscc = $1', [agency.uscc, `${agency.name}（更名）`]);
  expect(await ask(tokens.county)).toEqual({ name: `${agency.name}（更名）`, cache: null });
  await pool.query('update agencies set name = $2 where uscc = $1', [agency.uscc, agency.name]);
  expect((await ask(tokens.county)).name).toBe(agency.name);
});

test('an answer computed while a write was under way is dropped when the write commits', async () => {
  const writer = await pool.connect();
  try {
    await writer.query('begin');
    await writer.query('update agencies set name = $2 where uscc = $1', [agency.uscc, `${agency.name}（进行中）`]);
    // the version has moved, the data not yet: this answer is the old one and is kept under the new version
    expect(await ask(tokens.county)).toEqual({ name: agency.name, cache: null });
    expect(await ask(tokens.county)).toEqual({ name: agency.name, cache: 'hit' });
    await writer.query('commit');
  } finally {
    writer.release();
  }
  let seen = await ask(tokens.county);
  for (let i = 0; i < 40 && seen.name !== `${agency.name}（进行中）`; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    seen = await ask(tokens.county);
  }
  expect(seen.name).toBe(`${agency.name}（进行中）`);
  await pool.query('update agencies set name = $2 where uscc = $1', [agency.uscc, agency.name]);
});

test('every table the API reads gives notice of its writes', async () => {
  const { rows } = await pool.query<{ table_name: string; noticed: boolean }>(`
    select c.relname as table_name,
      exists (select 1 from pg_trigger t where t.tgrelid = c.oid and t.tgname = 'hub_data_changed') as noticed
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1`);
  const without = rows.filter((row) => !row.noticed).map((row) => row.table_name);
  expect(without.sort()).toEqual([...tablesWithoutNotice].sort());
});
