import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
beforeAll(async () => { db = await createTestDatabase(); });
afterAll(async () => { await db?.drop(); });

const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
  db.orm.em.getConnection().execute<T[]>(text, params);

describe('warehouse schema', () => {
  test('the migrated schema is exactly what the entities describe (no drift besides the hand-written composite foreign keys)', async () => {
    const diff = await db.orm.schema.getUpdateSchemaSQL({ wrap: false });
    const drift = diff.split('\n').map((line) => line.trim())
      .filter((line) => line && !/_fk"|agencies_uscc_region_unique/.test(line));
    expect(drift).toEqual([]);
  });

  test('every fact table has the region code first in its primary key (the distribution column)', async () => {
    const rows = await sql<{ table_name: string; columns: string[] }>(`
      select tc.table_name, array_agg(kcu.column_name::text order by kcu.ordinal_position) as columns
      from information_schema.table_constraints tc
      join information_schema.key_column_usage kcu
        on kcu.constraint_name = tc.constraint_name and kcu.table_name = tc.table_name
      where tc.constraint_type = 'PRIMARY KEY' and tc.table_schema = 'public'
      group by tc.table_name`);
    const keys = Object.fromEntries(rows.map((row) => [row.table_name, row.columns]));
    const facts = ['personnel', 'certificate_history', 'cases', 'publications', 'legal_reviews', 'appeals', 'recordings', 'evaluations', 'annual_reports', 'supervision_letters'];
    for (const table of facts) expect({ table, first: keys[table]?.[0] }).toEqual({ table, first: 'region_code' });
    expect(keys.cases).toEqual(['region_code', 'agency_uscc', 'case_id']);
  });

  test('the region tree is loaded down to townships, with subtree prefixes', async () => {
    const levels = await sql<{ level: string; n: number }>(`select level, count(*)::int as n from regions group by level`);
    const byLevel = Object.fromEntries(levels.map((row) => [row.level, row.n]));
    expect(byLevel.PROVINCE).toBe(31);
    expect(byLevel.PREFECTURE).toBeGreaterThan(330);
    expect(byLevel.TOWNSHIP).toBeGreaterThan(40000);
    const [quanzhou] = await sql<{ name: string; subtree_prefix: string; parent_code: string }>(
      `select name, subtree_prefix, parent_code from regions where code = '350500'`);
    expect(quanzhou).toEqual({ name: '泉州市', subtree_prefix: '3505', parent_code: '350000' });
  });

  test('a fact must belong to a known agency in that agency\'s own region', async () => {
    const lineage = `'test', 'row 1', 'hash'`;
    await sql(`insert into agencies (uscc, name, region_code, tier, domain, kind, updated_at, lineage_source, lineage_position, lineage_content_hash)
      values ('91350500MA2Y0K3L8T', '泉州市市场监督管理局', '350500', 'CITY', '市场监管', 'STATUTORY', now(), ${lineage})`);
    await sql(`insert into cases (region_code, agency_uscc, case_id, action_type, updated_at, lineage_source, lineage_position, lineage_content_hash)
      values ('350500', '91350500MA2Y0K3L8T', 'C-1', 'PENALTY', now(), ${lineage})`);
    await expect(sql(`insert into cases (region_code, agency_uscc, case_id, action_type, updated_at, lineage_source, lineage_position, lineage_content_hash)
      values ('350502', '91350500MA2Y0K3L8T', 'C-2', 'PENALTY', now(), ${lineage})`)).rejects.toThrow(/cases_agency_fk/);
    await expect(sql(`insert into publications (region_code, agency_uscc, case_id, published_on, updated_at, lineage_source, lineage_position, lineage_content_hash)
      values ('350500', '91350500MA2Y0K3L8T', 'NO-SUCH-CASE', '2025-01-02', now(), ${lineage})`)).rejects.toThrow(/publications_case_fk/);
    await expect(sql(`insert into cases (region_code, agency_uscc, case_id, action_type, updated_at, lineage_source, lineage_position, lineage_content_hash)
      values ('350500', '91350500MA2Y0K3L8T', 'C-3', 'FINE', now(), ${lineage})`)).rejects.toThrow(/action_type/);
  });
});
