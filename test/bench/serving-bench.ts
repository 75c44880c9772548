import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { to as copyTo } from 'pg-copy-streams';
import { manualSourceFor } from '../../etl/sources/manual-source';
import { runSource } from '../../etl/pipeline/run-source';
import { readConfig } from '../../src/config';
import { createPool } from '../../src/database/pg';
import { loadPolicy } from '../../src/domain/policy';
import { caseCheckStatement } from '../../src/metrics/checks/case-check-statement';
import { refreshRollups } from '../../src/metrics/rollups/refresh-rollups';
import { writeAgenciesCsv, writeCasesCsv } from './feed-fixtures';
import { loadTest, type LoadTestFigures } from './load-test';
import { median } from './measure';
import { peerOverviewBody, startPostGraphilePeer } from './peer/postgraphile-peer';
import { headline, overviewQuery, previousYear, type QueryBenchTarget } from './query-bench';

/**
 * What serving a warehouse of a given size costs beyond single requests: throughput of the overview with 64
 * clients (the hub with and without its response cache, and PostGraphile 5 answering the same figures over the
 * same database), how soon a daily delta shows on the dashboards, and the Arrow export against COPY TO.
 */

export interface ThroughputFigures { hubCached: LoadTestFigures; hubUncached: LoadTestFigures; postgraphile: LoadTestFigures }

/** The overview headline with 64 clients: `hubUrl`s serve with and without the response cache. */
export async function benchThroughput(target: QueryBenchTarget, uncachedApiUrl: string, log: (line: string) => void): Promise<ThroughputFigures> {
  const seconds = Number(process.env.BENCH_LOAD_SECONDS || 10);
  const previous = previousYear(target.year);
  const hubBody = { query: overviewQuery(), variables: { scope: { regionCode: target.province }, period: target.year, previous, asOf: target.asOf } };
  const headers = { authorization: `Bearer ${target.token}` };
  const hubExpect = (data: unknown) => {
    const current = (data as { current?: { publicationRate?: { denominator: number } } }).current;
    if (!current?.publicationRate || current.publicationRate.denominator <= 0) throw new Error(`the hub answered no figures: ${JSON.stringify(data).slice(0, 300)}`);
  };
  const hubCached = await loadTest({ url: `${target.apiUrl}/graphql`, body: hubBody, headers, seconds, expectData: hubExpect });
  log(`  overview × 64 clients, hub with its response cache: ${hubCached.requestsPerSecond.toFixed(0)} req/s, p95 ${hubCached.p95.toFixed(1)} ms`);
  const hubUncached = await loadTest({ url: `${uncachedApiUrl}/graphql`, body: hubBody, headers, seconds, expectData: hubExpect });
  log(`  overview × 64 clients, hub without cache: ${hubUncached.requestsPerSecond.toFixed(0)} req/s, p95 ${hubUncached.p95.toFixed(1)} ms`);
  const peer = await startPostGraphilePeer(target.ownerUrl);
  try {
    const postgraphile = await loadTest({
      url: peer.url, headers, seconds,
      body: peerOverviewBody({ regionCode: target.province, period: target.year, previous, indicators: headline }),
      expectData: (data) => {
        const rows = (data as { current?: { denominator: number }[] }).current;
        if (!rows || rows.length !== headline.length) throw new Error(`PostGraphile answered no figures: ${JSON.stringify(data).slice(0, 300)}`);
      },
    });
    log(`  overview × 64 clients, PostGraphile 5: ${postgraphile.requestsPerSecond.toFixed(0)} req/s, p95 ${postgraphile.p95.toFixed(1)} ms`);
    return { hubCached, hubUncached, postgraphile };
  } finally {
    await peer.stop();
  }
}

export interface RefreshFigures {
  deltaRows: number; loadSeconds: number; visibleSeconds: number; incrementalSeconds: number; fullSeconds: number;
  /** answers that were errors while the delta was on its way (and the first of them) */
  errorsMeanwhile: number; firstError: string | null;
}

/**
 * A daily delta of new decisions loaded through the ETL; then the clock runs from the load's end until the
 * overview (through the API, cache on, as dashboards ask) shows the new decisions, the incremental refresh
 * running meanwhile as it does after every ETL run; compared with a full refresh of the same warehouse.
 */
export async function benchRefresh(target: QueryBenchTarget, log: (line: string) => void): Promise<RefreshFigures> {
  const deltaRows = Number(process.env.BENCH_DELTA_ROWS || 50_000);
  const pool = createPool(target.ownerUrl, 2);
  const { profile } = loadPolicy(readConfig().profile);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-bench-delta-'));
  const ask = async () => {
    const response = await fetch(`${target.apiUrl}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${target.token}` },
      body: JSON.stringify({ query: overviewQuery(), variables: { scope: { regionCode: target.province }, period: target.year, previous: previousYear(target.year), asOf: target.asOf } }),
    });
    const body = await response.json() as { data?: { current: { publicationRate: { denominator: number } } } | null; errors?: { message: string }[] };
    // an error (the facts answering a province while the delta is not yet rolled up can meet the statement time
    // limit) is counted and the overview asked again: the figure is not on the dashboard yet
    if (!body.data) { errors.push(body.errors?.[0]?.message ?? String(response.status)); return -1; }
    return body.data.current.publicationRate.denominator;
  };
  const errors: string[] = [];
  try {
    await writeAgenciesCsv(dir);
    await writeCasesCsv(path.join(dir, 'cases-delta.csv'), deltaRows, `DELTA${Date.now().toString(36)}`);
    const before = await ask();
    if (before < 0) throw new Error(`the overview answered an error before the delta: ${errors[0]}`);
    const loadStarted = Date.now();
    const summary = await runSource(pool, manualSourceFor(dir), { trigger: 'bench' });
    if (summary.error) throw new Error(`the delta did not load: ${summary.error}`);
    const loaded = Date.now();
    const refreshed = refreshRollups(pool, profile, { asOf: target.asOf });
    let visible = 0;
    for (;;) {
      if ((await ask()) > before) { visible = Date.now(); break; }
      if (Date.now() - loaded > 600_000) throw new Error('the delta did not show on the overview within 10 minutes');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const incremental = await refreshed;
    const fullStarted = Date.now();
    await refreshRollups(pool, profile, { asOf: target.asOf, full: true });
    const figures = {
      deltaRows, loadSeconds: (loaded - loadStarted) / 1000, visibleSeconds: (visible - loaded) / 1000,
      incrementalSeconds: incremental.milliseconds / 1000, fullSeconds: (Date.now() - fullStarted) / 1000,
      errorsMeanwhile: errors.length, firstError: errors[0] ?? null,
    };
    log(`  delta of ${deltaRows} rows: loaded in ${figures.loadSeconds.toFixed(1)} s; on the overview ${figures.visibleSeconds.toFixed(2)} s after; ` +
      `incremental refresh ${figures.incrementalSeconds.toFixed(2)} s vs full ${figures.fullSeconds.toFixed(1)} s; ` +
      `${figures.errorsMeanwhile} error answers meanwhile${figures.firstError ? ` (${figures.firstError})` : ''}`);
    return figures;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await pool.end();
  }
}

export interface ArrowFigures { rows: number; arrowRowsPerSecond: number; copyRowsPerSecond: number; ratio: number }

/** Counts bytes and drops them: both exports are read to the end by the client, nothing kept. */
const sink = () => { let bytes = 0; return { stream: new Writable({ write(chunk: Buffer, _e, done) { bytes += chunk.length; done(); } }), bytes: () => bytes }; };

/** GET /export/cases.arrow of the whole province vs COPY (the same statement) TO STDOUT as CSV. */
export async function benchArrow(target: QueryBenchTarget, log: (line: string) => void): Promise<ArrowFigures> {
  const repeats = Number(process.env.BENCH_ARROW_REPEATS || 1);
  const pool = createPool(target.ownerUrl, 1);
  const { profile } = loadPolicy(readConfig().profile);
  try {
    const rows = Number((await pool.query<{ n: string }>('select count(*) as n from cases')).rows[0]!.n);
    const copySeconds: number[] = [];
    const arrowSeconds: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const statement = caseCheckStatement({ scope: {}, asOf: target.asOf, ordered: false }, profile);
      const client = await pool.connect();
      try {
        const started = Date.now();
        // COPY cannot take parameters: the statement's values are inlined as literals, as psql would send them
        const text = statement.text.replace(/\$(\d+)(::[a-z0-9_[\]]+)?/g, (_m, n: string, cast: string | undefined) =>
          `${client.escapeLiteral(literal(statement.values[Number(n) - 1]))}${cast ?? ''}`);
        const out = sink();
        await pipeline(client.query(copyTo(`copy (${text}) to stdout with (format csv)`)), out.stream);
        copySeconds.push((Date.now() - started) / 1000);
      } finally {
        client.release();
      }
      const started = Date.now();
      const response = await fetch(`${target.apiUrl}/export/cases.arrow?asOf=${target.asOf}`, { headers: { authorization: `Bearer ${target.token}` } });
      if (response.status !== 200 || !response.body) throw new Error(`the Arrow export answered ${response.status}: ${await response.text()}`);
      let bytes = 0;
      const reader = response.body.getReader();
      for (let part = await reader.read(); !part.done; part = await reader.read()) bytes += part.value.length;
      if (bytes === 0) throw new Error('the Arrow export was empty');
      arrowSeconds.push((Date.now() - started) / 1000);
    }
    const figures = { rows, arrowRowsPerSecond: rows / median(arrowSeconds), copyRowsPerSecond: rows / median(copySeconds), ratio: median(copySeconds) / median(arrowSeconds) };
    log(`  Arrow export of ${rows} cases: ${Math.round(figures.arrowRowsPerSecond)} rows/s vs COPY TO ${Math.round(figures.copyRowsPerSecond)} rows/s (× ${figures.ratio.toFixed(2)})`);
    return figures;
  } finally {
    await pool.end();
  }
}

/** A bind value as the text PostgreSQL would parse it: arrays in array-literal form. */
function literal(value: unknown): string {
  if (Array.isArray(value)) return `{${value.map((item) => `"${String(item).replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
  return String(value);
}
