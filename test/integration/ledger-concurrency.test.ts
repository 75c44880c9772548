import type { Pool, PoolClient } from 'pg';
import type { EntityName } from '../../etl/feed/entity-names';
import type { BatchItem, EntityCounts, SourceScope } from '../../etl/pipeline/batch-types';
import { loadBatch } from '../../etl/pipeline/load-batch';
import { createPool } from '../../src/database/pg';
import { usccCheckCharacter } from '../../src/domain/uscc';
import { GENESIS_HASH } from '../../src/ledger/ledger-chain';
import { verifyLedger } from '../../src/ledger/verify-ledger';
import { aCase, anAgency, aPublication, quanzhouMarketBureau } from '../support/builders/feed-records';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * Two loads of one agency at once (two sources covering it, or a clerk's re-upload while the scheduled pull runs)
 * must both go in and leave its ledger chain whole (issue 8, 防删改). append-ledger.ts takes the agencies' advisory locks in USCC
 * order and only then reads their heads, so the later load waits, then chains after the earlier one's entries.
 * Each overlap here is made certain, not left to timing: the first load is held open in its transaction after it
 * appended (its beforeCommit) until pg_stat_activity shows the others waiting for its ledger locks.
 *
 * Every load notes its cases under a decision day of its own: loads that share an agency-day would meet first
 * in changed_days (the later waits there for the earlier to commit) and never reach the ledger together.
 */
jest.setTimeout(120_000);

const usccOf = (first17: string) => first17 + usccCheckCharacter(first17);
/**
 * Four agencies of three cities and a county, whose USCC order (the order the locks are taken in) differs from
 * their region order (the order the merge lists a batch's versions in) and from the order each batch lists them.
 */
const fuzhouUrbanEnforcement = usccOf('11350100MB0000010');
const fengzeMarketBureau = usccOf('11350503MB0000030');
const xiamenTransportEnforcement = usccOf('12350200MB0000020');
const agencyRecords = [
  anAgency({ uscc: fuzhouUrbanEnforcement, name: '福州市城市管理综合执法局', regionCode: '350100' }),
  anAgency({ uscc: fengzeMarketBureau, name: '泉州市丰泽区市场监督管理局', regionCode: '350503', tier: 'COUNTY' }),
  anAgency({ uscc: xiamenTransportEnforcement, name: '厦门市交通运输综合执法支队', regionCode: '350200' }),
  anAgency({ uscc: quanzhouMarketBureau }),
];
const everyAgency = [quanzhouMarketBureau, xiamenTransportEnforcement, fuzhouUrbanEnforcement, fengzeMarketBureau];
const inLockOrder = (agencies: string[]) => [...agencies].sort();

const platform: SourceScope = { sourceId: 'fujian-platform', agencyUscc: null, regionPrefix: '35' };
const clerkUpload: SourceScope = { sourceId: 'clerk-upload', agencyUscc: null, regionPrefix: '35' };

let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url, 12);
  await pool.query(`insert into sources (id, name, transport, location, covers_region_code) values
    ('fujian-platform', '福建省行政执法平台', 'HTTP', 'http://platform.invalid', '350000'),
    ('clerk-upload', '数据员上传', 'FOLDER', '/tmp', '350000')`);
  const counts = await loadInNewRun(platform, 'agencies', agencyRecords);
  expect(counts).toMatchObject({ inserted: agencyRecords.length });
});
afterAll(async () => { await pool?.end(); await db?.drop(); });

async function newRun(scope: SourceScope): Promise<string> {
  return (await pool.query<{ id: string }>(`insert into etl_runs (source) values ($1) returning id`, [scope.sourceId])).rows[0]!.id;
}

/** One batch of `entity` in a new run of the source, on a connection of its own. */
async function loadInNewRun(scope: SourceScope, entity: EntityName, items: BatchItem[]): Promise<EntityCounts> {
  const client = await pool.connect();
  try {
    return await loadBatch(client, { runId: await newRun(scope), scope, entity, items });
  } finally {
    client.release();
  }
}

const casesPerAgency = 3;

/** New cases of each agency, agencies in the order given, each decided on `decidedOn`. */
function casesOf(tag: string, agencies: string[], decidedOn: string): BatchItem[] {
  return agencies.flatMap((agencyUscc) => Array.from({ length: casesPerAgency }, (_, n) =>
    aCase({ caseId: `${tag}-${agencyUscc.slice(2, 8)}-${n + 1}`, agencyUscc, decidedOn, filedOn: decidedOn })));
}

/**
 * A load held in its transaction after it appended to the ledger, until let go (or made to fail); `reached` gives
 * how many entries of its cases (named `tag`-…) its own transaction sees by then.
 */
function heldAtCommit(tag: string) {
  let arrive!: (appended: number) => void;
  let letGo!: (failure?: Error) => void;
  const reached = new Promise<number>((resolve) => { arrive = resolve; });
  const gate = new Promise<void>((resolve, reject) => { letGo = (failure) => (failure ? reject(failure) : resolve()); });
  const beforeCommit = async (client: PoolClient) => {
    arrive((await client.query<{ n: number }>(`select count(*)::int as n from ledger_entries where natural_key like $1 || '-%'`, [tag])).rows[0]!.n);
    await gate;
  };
  return { tag, reached, letGo, beforeCommit };
}

interface StartedLoad { runId: string; pid: number; done: Promise<EntityCounts> }

/** Starts a load on a connection of its own; `done` settles when it has committed or rolled back. */
async function startLoad(scope: SourceScope, items: BatchItem[], beforeCommit?: (client: PoolClient) => Promise<void>): Promise<StartedLoad> {
  const client = await pool.connect();
  const pid = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
  const runId = await newRun(scope);
  const done = loadBatch(client, { runId, scope, entity: 'cases', items, beforeCommit }).finally(() => client.release());
  // settled by the test; never an unhandled rejection meanwhile
  done.catch(() => undefined);
  return { runId, pid, done };
}

/** Resolves once the load is in its beforeCommit, with how many entries it appended; fails if the load ends first. */
async function untilHeld(load: StartedLoad, held: ReturnType<typeof heldAtCommit>): Promise<number> {
  return Promise.race([held.reached, load.done.then((): never => { throw new Error(`run ${load.runId} committed without stopping in beforeCommit`); })]);
}

interface Wait { waitEventType: string | null; waitEvent: string | null; blockers: number[]; ledgerAgency: string | null }

/** What a backend is waiting for now, and which agency's ledger lock (if any) it has asked for and not got. */
async function waitOf(pid: number): Promise<Wait> {
  const { rows: [row] } = await pool.query<Wait>(
    `select a.wait_event_type as "waitEventType", a.wait_event as "waitEvent", pg_blocking_pids(a.pid) as blockers,
       (select u.agency from pg_locks l
          join unnest($2::text[]) as u(agency) on l.classid::bigint = (hashtextextended('ledger:' || u.agency, 0) >> 32) & 4294967295
                                             and l.objid::bigint = hashtextextended('ledger:' || u.agency, 0) & 4294967295
        where l.pid = a.pid and l.locktype = 'advisory' and l.objsubid = 1 and not l.granted) as "ledgerAgency"
     from pg_stat_activity a where a.pid = $1`, [pid, everyAgency]);
  return row ?? { waitEventType: null, waitEvent: null, blockers: [], ledgerAgency: null };
}

/** Polls until the backend waits for a ledger lock (or 15 s pass); returns what it last saw. */
async function untilWaitingForLedgerLock(load: StartedLoad): Promise<Wait> {
  const deadline = Date.now() + 15_000;
  let settled = false;
  load.done.then(() => { settled = true; }, () => { settled = true; });
  for (;;) {
    const wait = await waitOf(load.pid);
    if (wait.ledgerAgency || settled || Date.now() > deadline) return wait;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Entry { seq: string; run: string | null; natural_key: string; prev_hash: string; entry_hash: string }

async function chainOf(agencyUscc: string): Promise<Entry[]> {
  return (await pool.query<Entry>(
    `select e.seq::text, e.run::text, e.natural_key, e.prev_hash, e.entry_hash from ledger_entries e where e.agency_uscc = $1 order by e.seq`,
    [agencyUscc])).rows;
}

/** Every place the chain is not whole: a seq missing or repeated, or a prev_hash that is not the entry before it. */
function breaksIn(chain: Entry[]): string[] {
  const breaks: string[] = [];
  chain.forEach((entry, i) => {
    if (entry.seq !== String(i + 1)) breaks.push(`entry ${i + 1} has seq ${entry.seq}`);
    const before = i === 0 ? GENESIS_HASH : chain[i - 1]!.entry_hash;
    if (entry.prev_hash !== before) breaks.push(`seq ${entry.seq}: prev_hash ${entry.prev_hash.slice(0, 12)}… is not ${before.slice(0, 12)}…`);
  });
  return breaks;
}

/** The runs whose entries make up a chain, each stretch of one run's entries named once, in chain order. */
function runStretches(chain: Entry[]): (string | null)[] {
  return chain.map((entry) => entry.run).filter((run, i, runs) => i === 0 || run !== runs[i - 1]);
}

/** Every agency's chain whole, and `hub verify`'s own check clean for each (the rows against their last versions too). */
async function expectWholeChains(): Promise<Map<string, Entry[]>> {
  const chains = new Map<string, Entry[]>();
  for (const agency of everyAgency) chains.set(agency, await chainOf(agency));
  expect(Object.fromEntries([...chains].map(([agency, chain]) => [agency, breaksIn(chain)])))
    .toEqual(Object.fromEntries(everyAgency.map((agency) => [agency, []])));
  const report = await verifyLedger(pool);
  expect(report.agencies.filter((agency) => !agency.ok)).toEqual([]);
  expect(Object.fromEntries(report.agencies.map((agency) => [agency.agencyUscc, agency.entries])))
    .toEqual(Object.fromEntries([...chains].filter(([, chain]) => chain.length).map(([agency, chain]) => [agency, chain.length])));
  return chains;
}

async function headsOf(agencies: string[]): Promise<Map<string, Entry | undefined>> {
  const heads = new Map<string, Entry | undefined>();
  for (const agency of agencies) heads.set(agency, (await chainOf(agency)).at(-1));
  return heads;
}

describe('two loads of the same agencies at once', () => {
  test('the second waits for the first\'s ledger locks, then chains after its entries: both commit and every chain stays whole', async () => {
    // chains that already have a head, so that chaining on a stale head would show
    await loadInNewRun(platform, 'cases', casesOf('BASE', everyAgency, '2025-03-03'));
    const before = await headsOf(everyAgency);

    const held = heldAtCommit('PULL');
    const first = await startLoad(platform, casesOf(held.tag, everyAgency, '2025-03-04'), held.beforeCommit);
    let second: StartedLoad | undefined;
    try {
      expect(await untilHeld(first, held)).toBe(everyAgency.length * casesPerAgency);
      second = await startLoad(clerkUpload, casesOf('UPLOAD', [...everyAgency].reverse(), '2025-03-05'));
      // waiting on the first load for the lowest USCC's ledger lock: the locks are taken in USCC order
      expect(await untilWaitingForLedgerLock(second)).toEqual({ waitEventType: 'Lock', waitEvent: 'advisory', blockers: [first.pid],
        ledgerAgency: inLockOrder(everyAgency)[0] });
    } finally {
      held.letGo();
    }
    expect(await first.done).toMatchObject({ inserted: everyAgency.length * casesPerAgency });
    expect(await second!.done).toMatchObject({ inserted: everyAgency.length * casesPerAgency });

    const chains = await expectWholeChains();
    for (const agency of everyAgency) {
      const chain = chains.get(agency)!;
      expect({ agency, stretches: runStretches(chain).slice(-2) }).toEqual({ agency, stretches: [first.runId, second!.runId] });
      const firstEntry = chain.find((entry) => entry.run === first.runId)!;
      expect({ agency, seq: firstEntry.seq, prev: firstEntry.prev_hash })
        .toEqual({ agency, seq: String(Number(before.get(agency)!.seq) + 1), prev: before.get(agency)!.entry_hash });
    }
  });

  test('a load that rolls back after appending leaves no entry, and the load waiting for it chains on the head before it', async () => {
    const agencies = [xiamenTransportEnforcement, fuzhouUrbanEnforcement];
    await loadInNewRun(clerkUpload, 'cases', casesOf('BEFORE-ROLLBACK', agencies, '2025-03-06'));
    const before = await headsOf(agencies);

    const held = heldAtCommit('ROLLED-BACK');
    const failing = await startLoad(platform, casesOf(held.tag, agencies, '2025-03-07'), held.beforeCommit);
    let waiting: StartedLoad | undefined;
    try {
      // its entries are in, in its own transaction, before it fails
      expect(await untilHeld(failing, held)).toBe(agencies.length * casesPerAgency);
      waiting = await startLoad(clerkUpload, casesOf('AFTER-ROLLBACK', [...agencies].reverse(), '2025-03-08'));
      expect(await untilWaitingForLedgerLock(waiting)).toMatchObject({ waitEvent: 'advisory', blockers: [failing.pid] });
    } finally {
      held.letGo(new Error('the run\'s counts could not be saved'));
    }
    await expect(failing.done).rejects.toThrow('the run\'s counts could not be saved');
    expect(await waiting!.done).toMatchObject({ inserted: agencies.length * casesPerAgency });

    expect((await pool.query(`select count(*)::int as n from ledger_entries where run = $1`, [failing.runId])).rows[0])
      .toEqual({ n: 0 });
    expect((await pool.query(`select count(*)::int as n from cases where case_id like 'ROLLED-BACK-%'`)).rows[0]).toEqual({ n: 0 });
    const chains = await expectWholeChains();
    for (const agency of agencies) {
      const next = chains.get(agency)!.find((entry) => entry.run === waiting!.runId)!;
      expect({ agency, seq: next.seq, prev: next.prev_hash })
        .toEqual({ agency, seq: String(Number(before.get(agency)!.seq) + 1), prev: before.get(agency)!.entry_hash });
    }
  });

  test('eight loads over overlapping agencies, listed in different orders, all commit without deadlock and each appends in one unbroken stretch', async () => {
    // every one of the seven shares an agency with the held load, so all seven queue behind it; once it commits
    // they contend with one another for overlapping sets of locks
    const subsets = [[0, 1], [1, 2, 3], [3, 0], [2, 0, 1], [3, 2], [1, 3, 0], [0, 2, 3]].map((picks) => picks.map((i) => everyAgency[i]!));
    const held = heldAtCommit('GATE');
    const gate = await startLoad(platform, casesOf(held.tag, everyAgency, '2025-04-01'), held.beforeCommit);
    const others: StartedLoad[] = [];
    try {
      expect(await untilHeld(gate, held)).toBe(everyAgency.length * casesPerAgency);
      for (const [i, agencies] of subsets.entries()) {
        others.push(await startLoad(i % 2 ? clerkUpload : platform, casesOf(`MANY-${i}`, agencies, `2025-04-${String(i + 2).padStart(2, '0')}`)));
      }
      const waits = await Promise.all(others.map((load) => untilWaitingForLedgerLock(load)));
      expect(waits.map((wait) => wait.waitEvent)).toEqual(subsets.map(() => 'advisory'));
    } finally {
      held.letGo();
    }
    const outcomes = await Promise.allSettled([gate, ...others].map((load) => load.done));
    expect(outcomes.map((outcome) => (outcome.status === 'fulfilled' ? 'committed' : String(outcome.reason))))
      .toEqual([gate, ...others].map(() => 'committed'));

    const chains = await expectWholeChains();
    const runs = new Set([gate, ...others].map((load) => load.runId));
    for (const agency of everyAgency) {
      const stretches = runStretches(chains.get(agency)!).filter((run) => runs.has(run!));
      const loadsOfAgency = [gate, ...others.filter((_, i) => subsets[i]!.includes(agency))].map((load) => load.runId);
      // one stretch per load (no load's entries interleaved with another's), the held load's first
      expect({ agency, first: stretches[0], stretches: [...stretches].sort() }).toEqual({ agency, first: gate.runId, stretches: [...loadsOfAgency].sort() });
    }
  });
});

describe('the same rows from two sources at once', () => {
  /**
   * The same agency's cases and publications delivered by both sources at the same moment, each listing them in
   * the opposite order, sharing their decision days: the batches meet on the same rows and the same changed days.
   * Taken in delivery order, each could hold a row the other waits for, and PostgreSQL ended one of the two runs
   * with "deadlock detected" in about every second round; the merge takes them in key order.
   */
  const ids = Array.from({ length: 300 }, (_, i) => `SAME-${String(i).padStart(3, '0')}`);
  const decidedOn = (i: number) => `2025-0${1 + (i % 2)}-${String(1 + (i % 28)).padStart(2, '0')}`;
  const outcomes = (round: number, settled: PromiseSettledResult<unknown>[]) =>
    settled.map((result) => (result.status === 'rejected' ? `round ${round}: ${String(result.reason)}` : 'committed'));

  test('both loads commit in every round, the newer rows stand, and the ledger chain stays whole', async () => {
    for (let round = 0; round < 8; round++) {
      const at = (second: number) => new Date(Date.UTC(2025, 5, 1, round, 0, second));
      const cases = (amount: string, second: number, order: (list: string[]) => string[]) => order(ids).map((caseId, i) =>
        aCase({ caseId, agencyUscc: quanzhouMarketBureau, decidedOn: decidedOn(i), filedOn: '2024-12-01', amount, updatedAt: at(second) }));
      expect(outcomes(round, await Promise.allSettled([
        loadInNewRun(platform, 'cases', cases(`${round}.10`, 1, (list) => list)),
        loadInNewRun(clerkUpload, 'cases', cases(`${round}.20`, 2, (list) => [...list].reverse())),
      ]))).toEqual(['committed', 'committed']);
      const { rows } = await pool.query<{ amount: string; n: number }>(
        `select amount::text, count(*)::int as n from cases where agency_uscc = $1 and case_id like 'SAME-%' group by amount`, [quanzhouMarketBureau]);
      expect(rows).toEqual([{ amount: `${round}.20`, n: ids.length }]);

      const publications = (second: number, order: (list: string[]) => string[]) => order(ids).map((caseId) =>
        aPublication({ caseId, publishedOn: '2025-03-01', updatedAt: at(10 + second) }));
      expect(outcomes(round, await Promise.allSettled([
        loadInNewRun(platform, 'publications', publications(1, (list) => [...list].reverse())),
        loadInNewRun(clerkUpload, 'publications', publications(2, (list) => list)),
      ]))).toEqual(['committed', 'committed']);
    }
    await expectWholeChains();
  });
});
