import fs from 'node:fs';
import type { Pool } from 'pg';
import { apiDatabaseUrl, createApiPool } from '../../src/access/api-login';
import { withViewer } from '../../src/access/viewer-transaction';
import { readConfig } from '../../src/config';
import { publicViewer } from '../../src/domain/access/viewer';
import { addCalendarDays, monthEnd, todayInShanghai } from '../../src/domain/calendar/civil-date';
import type { ActionType, PenaltyKind } from '../../src/domain/codes';
import {
  displayPeriodFor, displayPeriodRuleFor, loadPolicyProfile, type DisplayPeriod, type PolicyProfile,
} from '../../src/domain/profile/policy-profile';
import { writeDisplayPeriodRules } from '../../src/warehouse/display-period-rules';
import { loadSyntheticProvince, readAnswerKey } from '../support/synthetic-province';
import { createTestPool, type TestPool } from '../support/test-database';

/**
 * The public's view of a case is decided when the case or its publication is written (public_case_windows, kept
 * by triggers) and compared with today when read. The windows are those the profile's display periods give
 * (computed here in TypeScript from the profile, not by the database's rule), follow every write to cases,
 * publications and the rules in the same statement, and decide what the API's role reads as the public.
 */
jest.setTimeout(300000);

let test_: TestPool;
let pool: Pool;
let api: Pool;
let dir: string;
let profile: PolicyProfile;

interface Window { key: string; shown_from: string; shown_until: string | null }

beforeAll(async () => {
  test_ = await createTestPool();
  pool = test_.pool;
  dir = await loadSyntheticProvince(pool, { seed: 20261203, scale: 400, prefix: 'public-windows-' });
  profile = loadPolicyProfile({ name: readAnswerKey(dir).key.profile });
  await writeDisplayPeriodRules(pool, profile);
  api = createApiPool(await apiDatabaseUrl(pool, test_.db.url, readConfig({ ...process.env, DATABASE_URL: test_.db.url }).api), 2);
}, 300000);

afterAll(async () => {
  await api?.end();
  await test_?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** A civil date plus a display period, as PostgreSQL adds an interval: the day clamped to the month's end. */
function plusPeriod(date: string, period: DisplayPeriod): string {
  if (period.unit === 'days') return addCalendarDays(date, period.count);
  const months = period.unit === 'years' ? 12 * period.count : period.count;
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const index = year * 12 + (month - 1) + months;
  const first = `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}-01`;
  const last = monthEnd(first);
  return Number(last.slice(8)) < day ? last : `${first.slice(0, 8)}${String(day).padStart(2, '0')}`;
}

/** What the profile says each publicly disclosed, published case's window is. */
async function expectedWindows(rules: PolicyProfile): Promise<Window[]> {
  const { rows } = await pool.query<{ key: string; action_type: ActionType; penalty_kinds: PenaltyKind[]; published_on: string; withdrawn_on: string | null }>(
    `select c.region_code || '|' || c.agency_uscc || '|' || c.case_id as key, c.action_type, c.penalty_kinds,
       p.published_on::text, p.withdrawn_on::text
     from cases c join publications p using (region_code, agency_uscc, case_id) where c.disclosure = 'PUBLIC'`);
  return rows.map((row) => {
    const set = displayPeriodRuleFor(rules, row.published_on);
    const period = set ? displayPeriodFor(set, { actionType: row.action_type, penaltyKinds: row.penalty_kinds }) : null;
    const end = period ? plusPeriod(row.published_on, period) : null;
    const until = [end, row.withdrawn_on].filter((day): day is string => day !== null).sort()[0] ?? null;
    return { key: row.key, shown_from: row.published_on, shown_until: until };
  }).sort((a, b) => a.key.localeCompare(b.key));
}

async function storedWindows(): Promise<Window[]> {
  const { rows } = await pool.query<Window>(`select region_code || '|' || agency_uscc || '|' || case_id as key, shown_from::text, shown_until::text
    from public_case_windows order by 1`);
  return rows.sort((a, b) => a.key.localeCompare(b.key));
}

const windowOf = async (key: string) => (await storedWindows()).find((window) => window.key === key);

/** The case keys and publication keys the API's role reads as the public. */
async function publicKeys(): Promise<{ cases: string[]; publications: string[] }> {
  return withViewer(api, publicViewer, async (client) => {
    const keys = async (table: string) => (await client.query<{ key: string }>(
      `select region_code || '|' || agency_uscc || '|' || case_id as key from ${table} order by 1`)).rows.map((row) => row.key);
    return { cases: await keys('cases'), publications: await keys('publications') };
  });
}

const shownToday = (windows: Window[], today: string) => windows
  .filter((window) => window.shown_from <= today && (window.shown_until === null || today < window.shown_until)).map((window) => window.key).sort();

/** A case in public view today with a publication that is not withdrawn, and its key as columns. */
async function aShownCase(): Promise<{ key: string; region: string; agency: string; caseId: string }> {
  const today = todayInShanghai();
  const window = (await storedWindows()).find((w) => w.shown_until === null && w.shown_from <= today)!;
  const [region, agency, caseId] = window.key.split('|') as [string, string, string];
  return { key: window.key, region, agency, caseId };
}

test('every publicly disclosed, published case has the window its display period and withdrawal give, and no other case has one', async () => {
  const expected = await expectedWindows(profile);
  // the synthetic province has every kind: shown without end, periods that end, withdrawals, undisclosed cases
  expect(expected.some((window) => window.shown_until === null)).toBe(true);
  expect(expected.some((window) => window.shown_until !== null)).toBe(true);
  const { rows: [counts] } = await pool.query<{ exempt: number; unpublished: number }>(`select
    (select count(*)::int from cases where disclosure <> 'PUBLIC') as exempt,
    (select count(*)::int from cases c where not exists (select 1 from publications p where (p.region_code, p.agency_uscc, p.case_id) = (c.region_code, c.agency_uscc, c.case_id))) as unpublished`);
  expect(counts!.exempt).toBeGreaterThan(0);
  expect(counts!.unpublished).toBeGreaterThan(0);
  expect(await storedWindows()).toEqual(expected);
});

test('the public reads the cases and publications whose window holds today, and no others', async () => {
  const shown = shownToday(await storedWindows(), todayInShanghai());
  expect(shown.length).toBeGreaterThan(0);
  const { rows: [all] } = await pool.query<{ n: number }>('select count(*)::int as n from cases');
  expect(shown.length).toBeLessThan(all!.n);
  const read = await publicKeys();
  expect(read.cases).toEqual(shown);
  expect(read.publications).toEqual(shown);
});

test('a withdrawal, an undisclosed case, a removed publication and a new one move the window in the same statement', async () => {
  const { key, region, agency, caseId } = await aShownCase();
  const today = todayInShanghai();
  const keyParams = [region, agency, caseId];
  const where = 'region_code = $1 and agency_uscc = $2 and case_id = $3';
  // the row as jsonb text: dates and instants come back exactly as they were
  const { rows: [saved] } = await pool.query<{ row: string; published_on: string }>(
    `select to_jsonb(p)::text as row, p.published_on::text from publications p where ${where}`, keyParams);
  try {
    // withdrawn today: out of public view at once
    await pool.query(`update publications set withdrawn_on = $4 where ${where}`, [...keyParams, today]);
    expect((await windowOf(key))?.shown_until).toBe(today);
    expect((await publicKeys()).cases).not.toContain(key);
    await pool.query(`update publications set withdrawn_on = null where ${where}`, keyParams);
    expect((await windowOf(key))?.shown_until).toBeNull();
    expect((await publicKeys()).cases).toContain(key);

    await pool.query(`update cases set disclosure = 'EXEMPT' where ${where}`, keyParams);
    expect(await windowOf(key)).toBeUndefined();
    expect((await publicKeys()).publications).not.toContain(key);
    await pool.query(`update cases set disclosure = 'PUBLIC' where ${where}`, keyParams);
    expect(await windowOf(key)).toBeDefined();

    await pool.query(`delete from publications where ${where}`, keyParams);
    expect(await windowOf(key)).toBeUndefined();
    expect((await publicKeys()).cases).not.toContain(key);
  } finally {
    await pool.query(`insert into publications select * from json_populate_record(null::publications, $1::json)`, [saved!.row]);
  }
  expect(await windowOf(key)).toEqual({ key, shown_from: saved!.published_on, shown_until: null });
  expect(await storedWindows()).toEqual(await expectedWindows(profile));
});

test('a penalty whose kinds change gets the display period of its new kinds; a write of nothing a window depends on leaves the windows unwritten', async () => {
  const today = todayInShanghai();
  const { rows: [penalty] } = await pool.query<{ region_code: string; agency_uscc: string; case_id: string; kinds: string[] }>(
    `select c.region_code, c.agency_uscc, c.case_id, c.penalty_kinds as kinds from cases c join public_case_windows w using (region_code, agency_uscc, case_id)
     where c.action_type = 'PENALTY' and not (c.penalty_kinds <@ array['警告', '通报批评']) and w.shown_from >= '2021-09-01' and w.shown_until > $1
     order by c.case_id limit 1`, [today]);
  const key = [penalty!.region_code, penalty!.agency_uscc, penalty!.case_id];
  const where = 'region_code = $1 and agency_uscc = $2 and case_id = $3';
  const written = async () => (await pool.query<{ version: string }>(`select xmin::text as version from public_case_windows where ${where}`, key)).rows[0]?.version;
  const before = await written();
  await pool.query(`update cases set closed_on = closed_on, updated_at = updated_at where ${where}`, key);
  await pool.query(`update publications set platform = platform where ${where}`, key);
  expect(await written()).toBe(before);
  try {
    // 仅受警告 → 3 months instead of 3 years
    await pool.query(`update cases set penalty_kinds = array['警告'] where ${where}`, key);
    expect(await written()).not.toBe(before);
    const moved = await windowOf(key.join('|'));
    expect(moved!.shown_until).toBe(plusPeriod(moved!.shown_from, { unit: 'months', count: 3 }));
    expect(await storedWindows()).toEqual(await expectedWindows(profile));
  } finally {
    await pool.query(`update cases set penalty_kinds = $4 where ${where}`, [...key, penalty!.kinds]);
  }
  expect(await storedWindows()).toEqual(await expectedWindows(profile));
});

test('new display rules move every window once, the same rules move none, and the old rules bring the old windows back', async () => {
  const original = await storedWindows();
  const version = async () => (await pool.query<{ v: string }>('select last_value::text as v from hub_data_version')).rows[0]!.v;
  const unchanged = await version();
  expect(await writeDisplayPeriodRules(pool, profile)).toEqual({ rules: expect.any(Number), changed: false });
  expect(await version()).toBe(unchanged);

  // every decision shown for 10 days
  const shorter: PolicyProfile = {
    ...profile,
    publication: {
      ...profile.publication,
      displayPeriods: [{ effectiveFrom: '2000-01-01', rules: [{ when: {}, period: { unit: 'days', count: 10 } }] }],
    },
  };
  expect((await writeDisplayPeriodRules(pool, shorter)).changed).toBe(true);
  const moved = await storedWindows();
  expect(moved).toEqual(await expectedWindows(shorter));
  expect(moved.every((window) => window.shown_until !== null && window.shown_until <= addCalendarDays(window.shown_from, 10))).toBe(true);
  expect((await publicKeys()).cases).toEqual(shownToday(moved, todayInShanghai()));

  expect((await writeDisplayPeriodRules(pool, profile)).changed).toBe(true);
  expect(await storedWindows()).toEqual(original);
});

test('a statement that writes the rules directly rebuilds the windows after it', async () => {
  const original = await storedWindows();
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(`update display_period_rules set period_unit = 'days', period_count = 1 where period_unit is not null`);
    const moved = (await client.query<{ n: number }>(`select count(*)::int as n from public_case_windows where shown_until = shown_from + 1`)).rows[0]!.n;
    expect(moved).toBeGreaterThan(0);
    await client.query('rollback');
  } finally {
    client.release();
  }
  expect(await storedWindows()).toEqual(original);
});
