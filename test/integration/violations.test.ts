import fs from 'node:fs';
import type { Pool, PoolClient } from 'pg';
import { createPool } from '../../src/database/pg';
import { addCalendarDays, daysBetween } from '../../src/domain/calendar/civil-date';
import { loadCalendarOverrides, WorkingDayCalendar } from '../../src/domain/calendar/working-day-calendar';
import { InvalidValueError } from '../../src/domain/errors';
import { loadPolicyProfile, type PolicyProfile } from '../../src/domain/profile/policy-profile';
import { indicatorDefinitions, type IndicatorDefinition } from '../../src/metrics/indicators/indicator-definitions';
import { computeIndicators, indicatorStatement, type NamedPeriod, type Rate } from '../../src/metrics/indicators/indicator-engine';
import type { Scope } from '../../src/metrics/scope/scope';
import type { Queryable } from '../../src/metrics/sql/sql-parameters';
import { ViolationKinds, type ViolationKind } from '../../src/metrics/violations/violation-kinds';
import {
  listViolations, MAX_VIOLATION_PAGE, type ViolationItem, type ViolationListRequest,
} from '../../src/metrics/violations/violation-list';
import { loadSyntheticProvince, readAnswerKey, type AnswerKeyCase, type AnswerKeyFile } from '../support/synthetic-province';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * Violation lists on a synthetic province pulled through the real ETL (as indicators.test.ts loads it): each
 * list has as many items as its indicator fails, lists the very cases the generator's answer key marks, pages
 * without loss or repetition, narrows with the scope, and loses a case once it is put right.
 */

jest.setTimeout(120000);

let db: TestDatabase;
let pool: Pool;
let dir: string;
let key: AnswerKeyFile;
let keyCases: AnswerKeyCase[];
let profile: PolicyProfile;
/** every item of every kind over the whole province, as of T, no period */
let everything: ViolationItem[];

const itemKey = (item: ViolationItem) => `${item.kind}|${item.agencyUscc}|${item.caseId ?? ''}|${item.letterNo ?? ''}|${item.recordId ?? ''}`;
const caseKey = (agencyUscc: string, caseId: string | null) => `${agencyUscc}|${caseId}`;

/** Every page of a list, followed by its cursor; checks the pages' own promises on the way. */
async function listAll(request: Omit<ViolationListRequest, 'after' | 'limit'>, limit = MAX_VIOLATION_PAGE, on: Queryable = pool) {
  const items: ViolationItem[] = [];
  let after: string | null = null;
  let total: number | undefined;
  for (let pages = 0; ; pages++) {
    if (pages > 10_000) throw new Error('the cursor does not move on');
    const page = await listViolations(on, { ...request, after, limit }, profile);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    if (total !== undefined) expect(page.total).toBe(total);
    total = page.total;
    items.push(...page.items);
    if (page.nextCursor === null) break;
    expect(page.items).toHaveLength(limit);
    after = page.nextCursor;
  }
  return { items, total: total! };
}

async function countOf(kind: ViolationKind, scope: Scope, period: NamedPeriod | undefined, on: Queryable = pool): Promise<number> {
  const page = await listViolations(on, { scope, asOf: key.asOf, kinds: [kind], limit: 1, ...(period && { period }) }, profile);
  return page.total;
}

const failing = (rate: Rate) => rate.denominator - rate.numerator;

/** An indicator counted by the engine with its numerator changed: "done by T, on time or not" instead of "on time". */
async function doneByT(name: 'withdrawalTimeliness' | 'rectificationTimeliness', numerator: readonly string[], scope: Scope, period: NamedPeriod): Promise<Rate> {
  const base = indicatorDefinitions.find((d) => d.name === name)!;
  const column = Object.keys(base.numerator)[0]!;
  const definition: IndicatorDefinition = { ...base, numerator: { [column]: numerator } };
  const statement = indicatorStatement({ scope, periods: [period], asOf: key.asOf }, profile, 'scope', [definition]);
  const { rows } = await pool.query<{ indicator: string; numerator: number; denominator: number }>(statement.text, statement.values);
  const row = rows.find((r) => r.indicator === name);
  return { numerator: row?.numerator ?? 0, denominator: row?.denominator ?? 0, rate: null };
}

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url);
  dir = await loadSyntheticProvince(pool, { seed: 20261125, scale: 1500, prefix: 'violations-' });
  ({ key, cases: keyCases } = readAnswerKey(dir));
  profile = loadPolicyProfile({ name: key.profile });
  everything = (await listAll({ scope: {}, asOf: key.asOf })).items;
}, 300000);

afterAll(async () => {
  await pool?.end();
  await db?.drop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('each list has as many items as its indicator fails', () => {
  const prefectures = () => Object.entries(key.regions).filter(([, region]) => region.level === 'PREFECTURE').map(([code]) => code);

  test('the province has items of every kind, so that the identities below say something', () => {
    const kinds = new Map<ViolationKind, number>();
    for (const item of everything) kinds.set(item.kind, (kinds.get(item.kind) ?? 0) + 1);
    expect(Object.fromEntries(ViolationKinds.map((kind) => [kind, (kinds.get(kind) ?? 0) > 0])))
      .toEqual(Object.fromEntries(ViolationKinds.map((kind) => [kind, true])));
  });

  test.each([['the province', () => ({})], ['a prefecture', () => ({ regionCode: prefectures()[0]! })]] as const)(
    'for %s, every quarter and year: overdue publications, review, handling and recording violations are denominator − numerator; '
    + 'late publications the difference of timeliness and publication rate; unwithdrawn and unrectified ones the misses not done by T',
    async (_, scopeOf) => {
      const scope: Scope = scopeOf();
      const wrong: unknown[] = [];
      for (const period of key.periods) {
        const figures = await computeIndicators(pool, { scope, period, asOf: key.asOf }, profile);
        const expected: Record<ViolationKind, number> = {
          OVERDUE_PUBLICATION: failing(figures.publicationRate),
          LATE_PUBLICATION: failing(figures.publicationTimeliness) - failing(figures.publicationRate),
          REVIEW_VIOLATION: failing(figures.reviewCoverage),
          UNCERTIFIED_HANDLING: failing(figures.certifiedHandling),
          MISSING_RECORDING: failing(figures.recordingCompliance),
          WITHDRAWAL_NOT_DONE: failing(await doneByT('withdrawalTimeliness', ['WITHDRAWN_ON_TIME', 'WITHDRAWN_LATE'], scope, period)),
          OVERDUE_RECTIFICATION: failing(await doneByT('rectificationTimeliness', ['ON_TIME', 'LATE'], scope, period)),
        };
        // the engine's figures for the misses done late are in the real indicators' denominators too
        const withdrawnLate = failing(figures.withdrawalTimeliness) - expected.WITHDRAWAL_NOT_DONE;
        const rectifiedLate = failing(figures.rectificationTimeliness) - expected.OVERDUE_RECTIFICATION;
        if (withdrawnLate < 0 || rectifiedLate < 0) wrong.push({ period: period.id, withdrawnLate, rectifiedLate });
        for (const kind of ViolationKinds) {
          const got = await countOf(kind, scope, period);
          if (got !== expected[kind]) wrong.push({ period: period.id, kind, expected: expected[kind], got });
        }
      }
      expect(wrong).toEqual([]);
    });
});

describe('the lists name the cases the generator\'s answer key marks', () => {
  const listed = (kind: ViolationKind) => everything.filter((item) => item.kind === kind).map((item) => caseKey(item.agencyUscc, item.caseId)).sort();
  const marked = (pick: (c: AnswerKeyCase) => boolean) => keyCases.filter(pick).map((c) => caseKey(c.agencyUscc, c.caseId)).sort();

  test('overdue publications: unpublished as of T with the deadline before T', () => {
    expect(listed('OVERDUE_PUBLICATION')).toEqual(marked((c) => c.publication.status === 'OVERDUE'));
  });

  test('late publications: published by T, after the deadline', () => {
    expect(listed('LATE_PUBLICATION')).toEqual(marked((c) => c.publication.status === 'LATE'));
  });

  test('withdrawals not done: owed, not withdrawn by T, the 3 working days gone', () => {
    expect(listed('WITHDRAWAL_NOT_DONE')).toEqual(marked((c) => c.publication.withdrawalStatus === 'NOT_WITHDRAWN' && c.publication.withdrawalDue === true));
  });

  test('review violations: major decisions without a compliant review, each with the answer key\'s violation codes', () => {
    const got = everything.flatMap((item) => (item.kind === 'REVIEW_VIOLATION' ? [[caseKey(item.agencyUscc, item.caseId), [...item.detail.violations].sort()]] : []));
    const expected = keyCases.filter((c) => c.review.required && c.review.compliant === false)
      .map((c) => [caseKey(c.agencyUscc, c.caseId), [...c.review.violations].sort()]);
    expect(got.sort()).toEqual(expected.sort());
  });

  test('uncertified or single handling: every decision the answer key finds not certified, each saying why', () => {
    expect(listed('UNCERTIFIED_HANDLING')).toEqual(marked((c) => !c.certifiedHandling));
    const unexplained = everything.filter((item) => item.kind === 'UNCERTIFIED_HANDLING'
      && !item.detail.tooFewHandlers && item.detail.uncertifiedHandlers.length === 0);
    expect(unexplained).toEqual([]);
    const reasons = new Set(everything.flatMap((item) => (item.kind === 'UNCERTIFIED_HANDLING'
      ? [...(item.detail.tooFewHandlers ? ['TOO_FEW'] : []), ...item.detail.uncertifiedHandlers.map((h) => h.reason)] : [])));
    expect(reasons.has('TOO_FEW') && reasons.size > 1).toBe(true);
  });

  test('missing recordings: each record\'s method falls short of what its activity or stage requires', () => {
    const short = everything.filter((item) => item.kind === 'MISSING_RECORDING')
      .filter((item) => profile.recording[item.detail.required].satisfiedBy.includes(item.detail.method));
    expect(short).toEqual([]);
  });

  test('lateness: working days after the deadline up to T in the agency\'s calendar for publications and withdrawals, calendar days for letters', () => {
    const calendar = new WorkingDayCalendar(loadCalendarOverrides());
    const wrong: unknown[] = [];
    for (const item of everything) {
      if (item.deadline === null) continue;
      const until = item.kind === 'LATE_PUBLICATION' ? item.detail.publishedOn : key.asOf;
      const expected = item.kind === 'OVERDUE_RECTIFICATION'
        ? { days: daysBetween(item.deadline, until), unit: 'CALENDAR_DAYS' }
        : { days: calendar.workingDaysBetween(item.deadline, until, item.regionCode), unit: 'WORKING_DAYS' };
      if (item.lateness?.days !== expected.days || item.lateness.unit !== expected.unit) wrong.push({ item: itemKey(item), expected, got: item.lateness });
    }
    expect(wrong.slice(0, 10)).toEqual([]);
    expect(everything.filter((item) => item.kind === 'OVERDUE_PUBLICATION').every((item) => item.deadline! < key.asOf)).toBe(true);
  });
});

describe('paging', () => {
  test('small pages meet every item exactly once, in the order kind, date, agency, case', async () => {
    const { items, total } = await listAll({ scope: {}, asOf: key.asOf }, 97);
    expect(total).toBe(everything.length);
    const keys = items.map(itemKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect([...keys].sort()).toEqual(everything.map(itemKey).sort());
    const sortKey = (item: ViolationItem) => [ViolationKinds.indexOf(item.kind), item.datedOn, item.agencyUscc, item.caseId ?? item.recordId ?? item.letterNo!] as const;
    const outOfOrder = items.slice(1).filter((item, i) => {
      const [a, b] = [sortKey(items[i]!), sortKey(item)];
      return !(a[0] < b[0] || (a[0] === b[0] && (a[1] < b[1] || (a[1] === b[1] && (a[2] < b[2] || (a[2] === b[2] && a[3] < b[3]))))));
    });
    expect(outOfOrder).toEqual([]);
  });

  test('a page holds at most MAX_VIOLATION_PAGE items; a larger limit, a bad cursor or an unknown kind is refused, named', async () => {
    const refused = async (request: Partial<ViolationListRequest>) => {
      try {
        await listViolations(pool, { scope: {}, asOf: key.asOf, limit: 10, ...request }, profile);
      } catch (error) {
        return error instanceof InvalidValueError ? { code: error.code, value: error.value } : error;
      }
      return 'accepted';
    };
    expect(await refused({ limit: MAX_VIOLATION_PAGE + 1 })).toEqual({ code: 'LIMIT_OUT_OF_RANGE', value: MAX_VIOLATION_PAGE + 1 });
    expect(await refused({ limit: 0 })).toEqual({ code: 'LIMIT_OUT_OF_RANGE', value: 0 });
    expect(await refused({ after: 'not-a-cursor' })).toEqual({ code: 'INVALID_CURSOR', value: 'not-a-cursor' });
    expect(await refused({ kinds: ['LATE_ARCHIVING' as ViolationKind] })).toEqual({ code: 'UNKNOWN_CODE', value: 'LATE_ARCHIVING' });
    expect(await refused({ period: { from: '2025-12-31', to: '2025-01-01' } })).toMatchObject({ code: 'PERIOD_REVERSED' });
    expect(await refused({ limit: MAX_VIOLATION_PAGE })).toBe('accepted');
  });
});

describe('scope and period narrow the list', () => {
  const ofKinds = (kinds: readonly ViolationKind[]) => everything.filter((item) => kinds.includes(item.kind)).map(itemKey).sort();

  test('a prefecture lists exactly the province\'s items of agencies in its subtree', async () => {
    const prefectures = Object.entries(key.regions).filter(([, region]) => region.level === 'PREFECTURE').map(([code]) => code);
    expect(prefectures.length).toBeGreaterThan(1);
    for (const code of prefectures) {
      const { items } = await listAll({ scope: { regionCode: code }, asOf: key.asOf });
      const expected = everything.filter((item) => item.regionCode.startsWith(code.slice(0, 4))).map(itemKey).sort();
      expect({ code, items: items.map(itemKey).sort() }).toEqual({ code, items: expected });
    }
  });

  test('an agency lists its own items; an action type narrows cases and records but not supervision letters', async () => {
    const agency = everything.find((item) => item.kind === 'OVERDUE_RECTIFICATION')!.agencyUscc;
    const own = await listAll({ scope: { agencyUscc: agency }, asOf: key.asOf });
    expect(own.items.map(itemKey).sort()).toEqual(everything.filter((item) => item.agencyUscc === agency).map(itemKey).sort());

    const penalties = await listAll({ scope: { actionType: 'PENALTY' }, asOf: key.asOf });
    const expected = everything.filter((item) => item.kind === 'OVERDUE_RECTIFICATION' || item.detail.actionType === 'PENALTY').map(itemKey).sort();
    expect(penalties.items.map(itemKey).sort()).toEqual(expected);
    expect(penalties.items.length).toBeLessThan(everything.length);
  });

  test('a period keeps the items whose dating date falls in it; kinds keep those kinds', async () => {
    const year = key.periods.find((p) => p.kind === 'year')!;
    const { items } = await listAll({ scope: {}, asOf: key.asOf, period: year });
    expect(items.map(itemKey).sort()).toEqual(everything.filter((item) => item.datedOn >= year.from && item.datedOn <= year.to).map(itemKey).sort());
    expect(items.length).toBeLessThan(everything.length);

    const kinds: ViolationKind[] = ['WITHDRAWAL_NOT_DONE', 'OVERDUE_RECTIFICATION'];
    const some = await listAll({ scope: {}, asOf: key.asOf, kinds });
    expect(some.items.map(itemKey).sort()).toEqual(ofKinds(kinds));
  });
});

describe('as of T', () => {
  test.each(['OVERDUE_PUBLICATION', 'WITHDRAWAL_NOT_DONE', 'OVERDUE_RECTIFICATION'] as const)(
    '%s: a deadline on T is not yet due; the day after, the item is listed', async (kind) => {
      const item = everything.find((other) => other.kind === kind)!;
      const listedAsOf = async (asOf: string) => (await listAll({ scope: { agencyUscc: item.agencyUscc }, asOf, kinds: [kind] })).items
        .some((other) => itemKey(other) === itemKey(item));
      expect(await listedAsOf(item.deadline!)).toBe(false);
      expect(await listedAsOf(addCalendarDays(item.deadline!, 1))).toBe(true);
    });
});

describe('a violation put right leaves the list', () => {
  /** `work` inside a transaction rolled back afterwards, so the province stays as loaded for the other tests */
  async function rolledBack(work: (client: PoolClient) => Promise<void>): Promise<void> {
    const client = await pool.connect();
    try {
      await client.query('begin');
      await work(client);
    } finally {
      await client.query('rollback');
      client.release();
    }
  }
  const has = (items: ViolationItem[], item: ViolationItem) => items.some((other) => itemKey(other) === itemKey(item));

  test('publishing an overdue decision by T moves it from the overdue to the late list; a publication dated after T does not', async () => {
    const overdue = everything.find((item) => item.kind === 'OVERDUE_PUBLICATION')!;
    const year = key.periods.find((p) => p.kind === 'year' && overdue.datedOn >= p.from && overdue.datedOn <= p.to)!;
    await rolledBack(async (client) => {
      const publish = (on: string) => client.query(
        `insert into publications (region_code, agency_uscc, case_id, lineage_source, lineage_position, lineage_content_hash, published_on, updated_at)
         values ($1, $2, $3, 'test', 'violations.test', 'test', $4, now())
         on conflict (region_code, agency_uscc, case_id) do update set published_on = excluded.published_on, withdrawn_on = null`,
        [overdue.regionCode, overdue.agencyUscc, overdue.caseId, on]);
      const before = await countOf('OVERDUE_PUBLICATION', {}, year, client);

      await publish(addCalendarDays(key.asOf, 1));
      expect(has((await listAll({ scope: { agencyUscc: overdue.agencyUscc }, asOf: key.asOf, kinds: ['OVERDUE_PUBLICATION'] }, 500, client)).items, overdue)).toBe(true);

      await publish(key.asOf);
      const after = await listAll({ scope: { agencyUscc: overdue.agencyUscc }, asOf: key.asOf, kinds: ['OVERDUE_PUBLICATION', 'LATE_PUBLICATION'] }, 500, client);
      expect(has(after.items, overdue)).toBe(false);
      expect(after.items.find((item) => item.kind === 'LATE_PUBLICATION' && item.caseId === overdue.caseId)).toMatchObject({
        deadline: overdue.deadline, detail: { publishedOn: key.asOf }, lateness: overdue.lateness,
      });
      expect(await countOf('OVERDUE_PUBLICATION', {}, year, client)).toBe(before - 1);
      const figures = await computeIndicators(client, { scope: {}, period: year, asOf: key.asOf }, profile);
      expect(failing(figures.publicationRate)).toBe(before - 1);
    });
  });

  test('withdrawing an owed publication, and rectifying an overdue letter, takes them off', async () => {
    const unwithdrawn = everything.find((item) => item.kind === 'WITHDRAWAL_NOT_DONE')!;
    const unrectified = everything.find((item) => item.kind === 'OVERDUE_RECTIFICATION')!;
    await rolledBack(async (client) => {
      await client.query('update publications set withdrawn_on = $4 where region_code = $1 and agency_uscc = $2 and case_id = $3',
        [unwithdrawn.regionCode, unwithdrawn.agencyUscc, unwithdrawn.caseId, key.asOf]);
      await client.query('update supervision_letters set rectified_on = $4 where region_code = $1 and agency_uscc = $2 and letter_no = $3',
        [unrectified.regionCode, unrectified.agencyUscc, unrectified.letterNo, key.asOf]);
      const after = await listAll({ scope: {}, asOf: key.asOf, kinds: ['WITHDRAWAL_NOT_DONE', 'OVERDUE_RECTIFICATION'] }, 500, client);
      expect(has(after.items, unwithdrawn)).toBe(false);
      expect(has(after.items, unrectified)).toBe(false);
      expect(after.total).toBe(everything.filter((item) => item.kind === 'WITHDRAWAL_NOT_DONE' || item.kind === 'OVERDUE_RECTIFICATION').length - 2);
    });
  });
});
