import type { Pool } from 'pg';
import type { ApiTokens } from '../access/api-tokens';
import { regionDirectory, type Region } from '../domain/regions';
import type { DemoViewer } from '../server/dashboard-site';

/**
 * The viewers the demo offers on the dashboards' login box, one per tier of the two-tier supervision system: the
 * province's justice department, a prefecture's bureau, a county's bureau (each where the demo has the most
 * decisions) and one agency of that county. Tokens are signed like `hub token`'s and last a week.
 */
export async function demoViewers(pool: Pool, tokens: ApiTokens): Promise<DemoViewer[]> {
  const { rows } = await pool.query<{ region_code: string; agency_uscc: string; name: string; n: number }>(
    `select c.region_code, c.agency_uscc, a.name, count(*)::int as n
     from cases c join agencies a on a.uscc = c.agency_uscc
     group by 1, 2, 3 order by n desc, 2`);
  if (rows.length === 0) return [];
  const directory = regionDirectory();
  const at = (code: string, level: Region['level']) => [directory.require(code), ...directory.ancestors(code)].find((r) => r.level === level);
  const busiest = (key: (row: (typeof rows)[number]) => string | undefined, among = rows) => {
    const totals = new Map<string, number>();
    for (const row of among) {
      const k = key(row);
      if (k) totals.set(k, (totals.get(k) ?? 0) + row.n);
    }
    return [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
  };
  const province = busiest((row) => at(row.region_code, 'PROVINCE')?.code);
  const prefecture = busiest((row) => at(row.region_code, 'PREFECTURE')?.code);
  const county = busiest((row) => at(row.region_code, 'COUNTY')?.code, rows.filter((row) => at(row.region_code, 'PREFECTURE')?.code === prefecture));
  const agency = rows.find((row) => county && directory.isWithin(row.region_code, county));
  const week = '7d';
  const viewers: DemoViewer[] = [];
  if (province) {
    viewers.push({ label: `${directory.require(province).name}司法厅（省级）`, role: 'PROVINCE',
      token: await tokens.sign({ role: 'PROVINCE', region: province, sub: 'demo-province' }, week) });
  }
  for (const [code, tier] of [[prefecture, '市级'], [county, '县级']] as const) {
    if (!code) continue;
    viewers.push({ label: `${directory.require(code).name}司法局（${tier}）`, role: 'SUPERVISOR',
      token: await tokens.sign({ role: 'SUPERVISOR', region: code, sub: `demo-${code}` }, week) });
  }
  if (agency) {
    viewers.push({ label: `${agency.name}（执法主体）`, role: 'AGENCY',
      token: await tokens.sign({ role: 'AGENCY', agency: agency.agency_uscc, sub: 'demo-agency' }, week) });
  }
  return viewers;
}
