import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Pool } from 'pg';
import { runSource } from '../../etl/pipeline/run-source';
import { createPool } from '../../src/database/pg';
import { loadPolicyProfile, type PolicyProfile } from '../../src/domain/profile/policy-profile';
import { caseChecksAsOf } from '../../src/metrics/checks/case-check-rows';
import { computeIndicators } from '../../src/metrics/indicators/indicator-engine';
import { computeRanking, type RankingRequest } from '../../src/metrics/rankings/compute-ranking';
import { freezeRanking, publishedText, readFrozenRanking, verifyFrozenRanking } from '../../src/metrics/rankings/frozen-rankings';
import { refreshRollups } from '../../src/metrics/rollups/refresh-rollups';
import { writeCsv } from '../support/builders/feed-files';
import { spawnHub } from '../support/hub-process';
import { loadSyntheticProvince, readAnswerKey } from '../support/synthetic-province';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * Rankings over the synthetic province: units and their figures agree with the indicators, the profile's rules
 * decide the order, small units are 样本不足, and a frozen ranking reads the same bytes after late data arrives.
 */
jest.setTimeout(180000);

let db: TestDatabase;
let pool: Pool;
let dir: string;
let profile: PolicyProfile;
let asOf: string;
let year: { from: string; to: string };
let province: string;
const folders: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url);
  dir = await loadSyntheticProvince(pool, { seed: 20261127, scale: 1500, prefix: 'rankings-' });
  const { key } = readAnswerKey(dir);
  profile = loadPolicyProfile({ name: key.profile });
  asOf = key.asOf;
  year = key.periods.filter((period) => /^\d{4}$/.test(period.id)).map(({ from, to }) => ({ from, to })).at(-1)!;
  province = (await pool.query<{ code: string }>(`select substr(region_code, 1, 2) || '0000' as code from agencies limit 1`)).rows[0]!.code;
  await refreshRollups(pool, profile, { asOf });
}, 240000);

afterAll(async () => {
  await pool?.end();
  await db?.drop();
  for (const folder of [dir, ...folders]) if (folder) fs.rmSync(folder, { recursive: true, force: true });
});

const prefectures = (): RankingRequest => ({ units: 'regions', parentRegionCode: province, level: 'PREFECTURE', period: year, asOf });

describe('rankings', () => {
  test('every prefecture is listed; each unit\'s component figures are its region\'s indicators; ranks follow scores with shared ties', async () => {
    const ranking = await computeRanking(pool, prefectures(), profile);
    expect(ranking.computedFrom).toBe('rollups');
    const { rows } = await pool.query<{ code: string }>(`select code from regions where level = 'PREFECTURE' and code like $1 order by code`, [province.slice(0, 2) + '%']);
    expect(ranking.entries.map((entry) => entry.regionCode).sort()).toEqual(rows.map((row) => row.code));

    const ranked = ranking.entries.filter((entry) => entry.status === 'RANKED');
    expect(ranked.length).toBeGreaterThanOrEqual(2);
    for (const entry of ranking.entries.filter((e) => e.decisions > 0)) {
      const figures = await computeIndicators(pool, { scope: { regionCode: entry.regionCode }, period: year, asOf }, profile);
      for (const component of entry.components) {
        expect({ unit: entry.regionCode, indicator: component.indicator, numerator: component.numerator ?? 0, denominator: component.denominator ?? 0 })
          .toEqual({ unit: entry.regionCode, indicator: component.indicator, numerator: figures[component.indicator].numerator, denominator: figures[component.indicator].denominator });
      }
    }
    for (let i = 1; i < ranked.length; i++) {
      const [previous, current] = [ranked[i - 1]!, ranked[i]!];
      expect(current.score!).toBeLessThanOrEqual(previous.score!);
      expect(current.rank).toBe(Math.abs(current.score! - previous.score!) < 1e-6 ? previous.rank : i + 1);
    }
    for (const entry of ranking.entries.filter((e) => e.decisions < profile.ranking.minimumDecisions)) {
      expect(entry).toMatchObject({ status: 'INSUFFICIENT_SAMPLE', rank: null, score: null });
    }
  });

  test('agencies of a region are ranked too, and an agency with fewer decisions than the minimum is 样本不足, however good its rates', async () => {
    const ranking = await computeRanking(pool, { units: 'agencies', parentRegionCode: province, period: year, asOf }, profile);
    const small = ranking.entries.filter((entry) => entry.decisions < profile.ranking.minimumDecisions);
    expect(small.length).toBeGreaterThan(0);
    for (const entry of small) expect(entry.status).not.toBe('RANKED');
    const ranked = ranking.entries.filter((entry) => entry.status === 'RANKED');
    expect(ranked.length).toBeGreaterThanOrEqual(1);
    for (const entry of ranked) expect(entry.decisions).toBeGreaterThanOrEqual(profile.ranking.minimumDecisions);
    expect(ranking.entries.map((entry) => entry.agencyUscc).sort())
      .toEqual((await pool.query<{ uscc: string }>('select uscc from agencies order by uscc')).rows.map((row) => row.uscc));
  });

  test('weights are the profile\'s: weighing only correction reorders the units, with no code change', async () => {
    const usual = await computeRanking(pool, prefectures(), profile);
    const correctionOnly: PolicyProfile = {
      ...profile, name: 'correction-only',
      ranking: { ...profile.ranking, components: profile.ranking.components.map((c) => ({ ...c, weight: c.indicator === 'correctionRate' ? 1 : 0 })) },
    };
    const other = await computeRanking(pool, prefectures(), correctionOnly);
    const order = (entries: typeof usual.entries) => entries.filter((e) => e.status === 'RANKED').map((e) => e.regionCode);
    expect(order(other.entries)).not.toEqual(order(usual.entries));
    for (const entry of other.entries.filter((e) => e.status === 'RANKED')) {
      const correction = entry.components.find((c) => c.indicator === 'correctionRate')!;
      expect(entry.score).toBeCloseTo(correction.componentScore!, 9);
    }
  });

  test('a frozen ranking reads the same bytes after late data changes the live one, re-derives from its inputs, and a new freeze is a new version', async () => {
    const frozen = await freezeRanking(pool, prefectures(), profile, { title: '年度设区市排名（测试）', frozenBy: 'test' });
    expect(frozen).toMatchObject({ version: 1, asOf });
    expect(frozen.result).toBe(publishedText(await computeRanking(pool, prefectures(), profile)));

    // a publication dated on its deadline arrives late: the decision becomes ON_TIME, the live ranking moves
    const overdue = (await caseChecksAsOf(pool, { scope: { regionCode: province }, asOf }, profile))
      .find((check) => check.publication.status === 'OVERDUE' && check.decidedOn! >= year.from && check.decidedOn! <= year.to)!;
    expect(overdue).toBeDefined();
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'rankings-late-'));
    folders.push(folder);
    writeCsv(path.join(folder, '公示记录.csv'), 'publications', [
      { caseId: overdue.caseId, publishedOn: overdue.publication.deadline, updatedAt: `${asOf} 10:00:00` }]);
    const summary = await runSource(pool, { id: 'late', name: '补报', transport: 'FOLDER', location: folder, covers: { agency: overdue.agencyUscc } }, { trigger: 'test' });
    expect(summary.status).toBe('SUCCEEDED');
    await refreshRollups(pool, profile, { asOf });
    const live = publishedText(await computeRanking(pool, prefectures(), profile));
    expect(live).not.toBe(frozen.result);

    expect((await readFrozenRanking(pool, frozen.id))!.result).toBe(frozen.result);
    expect(await verifyFrozenRanking(pool, frozen.id)).toEqual({ ok: true, problem: null });
    const again = await freezeRanking(pool, prefectures(), profile, { title: '年度设区市排名（测试）', frozenBy: 'test' });
    expect(again).toMatchObject({ version: 2, rankingKey: frozen.rankingKey });
    expect(again.result).toBe(live);

    // an altered stored row is caught
    await pool.query(`update frozen_rankings set result = replace(result, '"rank":1', '"rank":9') where id = $1`, [frozen.id]);
    expect(await verifyFrozenRanking(pool, frozen.id)).toMatchObject({ ok: false });
  });

  test('hub rank prints the table with 样本不足 marked; hub rank freeze and hub rank frozen <id> print the stored bytes', async () => {
    const env = { ...process.env, DATABASE_URL: db.url };
    const hub = async (...args: string[]) => {
      const child = spawnHub(args, env);
      return { code: await child.exited, output: child.output() };
    };
    const shown = await hub('rank', '--parent', province, '--level', 'prefecture', '--period', year.from.slice(0, 4), '--as-of', asOf);
    expect(shown.code).toBe(0);
    expect(shown.output).toMatch(/名次\s+单位\s+得分/);
    expect(shown.output).toContain('样本不足');
    const frozen = await hub('rank', 'freeze', '--parent', province, '--level', 'PREFECTURE', '--period', year.from.slice(0, 4), '--as-of', asOf, '--title', 'CLI 冻结');
    expect(frozen.code).toBe(0);
    const id = /frozen ranking (\d+)/.exec(frozen.output)![1]!;
    const printed = await hub('rank', 'frozen', id);
    expect(printed.code).toBe(0);
    expect(printed.output).toContain((await readFrozenRanking(pool, id))!.result);
    expect((await hub('rank', 'frozen', id, '--verify')).output).toContain('verified');
    const refused = await hub('rank', '--parent', province, '--period', '2025Q5');
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/2025Q5/);
  });
});
