import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { createPool } from '../../src/database/pg';
import { dropDatabase, freshDatabase, startBenchServer } from './bench-database';
import { caseCsvHeaders, writeAgenciesCsv, writeCasesArrow, writeCasesCsv } from './feed-fixtures';
import { median, runMeasured } from './measure';

export interface EtlFigures {
  cases: number;
  rawCopyRowsPerSecond: number;
  csv: { rowsPerSecond: number; ratioToCopy: number; peakRssMiB: number };
  arrow: { rowsPerSecond: number; ratioToCopy: number; peakRssMiB: number };
  memory: { cases: number; peakRssMiB: number };
  repeats: number;
}

const hubBin = path.resolve(__dirname, '..', '..', '..', 'bin', 'hub.js');

/** The physical limit: the same CSV rows COPYed by the server into a bare table of text columns. */
async function rawCopy(url: string, csvFile: string): Promise<number> {
  const pool = createPool(url, 1);
  const client = await pool.connect();
  try {
    await client.query(`drop table if exists bare_cases`);
    await client.query(`create table bare_cases (${caseCsvHeaders.map((h) => `"${h}" text`).join(', ')})`);
    const started = process.hrtime.bigint();
    await pipeline(fs.createReadStream(csvFile), client.query(copyFrom(`copy bare_cases from stdin with (format csv, header true)`)));
    return Number(process.hrtime.bigint() - started) / 1e9;
  } finally {
    client.release();
    await pool.end();
  }
}

async function etlLoad(serverUrl: string, dir: string): Promise<{ seconds: number; peakRssMiB: number }> {
  const url = await freshDatabase(serverUrl, 'hub_bench_etl');
  try {
    const env = { ...process.env, DATABASE_URL: url };
    return await runMeasured(process.execPath, [hubBin, 'etl', 'run', '--files', dir], env);
  } finally {
    await dropDatabase(serverUrl, 'hub_bench_etl');
  }
}

export async function benchEtl(log: (line: string) => void): Promise<EtlFigures> {
  const cases = Number(process.env.BENCH_CASES || 1_000_000);
  const memoryCases = Number(process.env.BENCH_MEMORY_CASES || 2_000_000);
  const repeats = Number(process.env.BENCH_REPEATS || 3);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-bench-etl-'));
  const server = await startBenchServer();
  try {
    const csvDir = path.join(work, 'csv');
    const arrowDir = path.join(work, 'arrow');
    const bigDir = path.join(work, 'big');
    for (const dir of [csvDir, arrowDir, bigDir]) { fs.mkdirSync(dir); await writeAgenciesCsv(dir); }
    log(`writing ${cases} cases as CSV and Arrow, ${memoryCases} as CSV …`);
    await writeCasesCsv(path.join(csvDir, 'cases-2025.csv'), cases);
    await writeCasesArrow(path.join(arrowDir, 'cases-2025.arrow'), cases);
    await writeCasesCsv(path.join(bigDir, 'cases-2025.csv'), memoryCases);

    const copySeconds: number[] = [];
    const bareUrl = await freshDatabase(server.url, 'hub_bench_copy');
    for (let i = 0; i < repeats; i++) copySeconds.push(await rawCopy(bareUrl, path.join(csvDir, 'cases-2025.csv')));
    await dropDatabase(server.url, 'hub_bench_copy');
    const rawCopyRowsPerSecond = cases / median(copySeconds);
    log(`raw COPY: ${Math.round(rawCopyRowsPerSecond)} rows/s`);

    const measure = async (dir: string, label: string) => {
      const runs = [];
      for (let i = 0; i < repeats; i++) runs.push(await etlLoad(server.url, dir));
      const rowsPerSecond = cases / median(runs.map((run) => run.seconds));
      const peakRssMiB = Math.max(...runs.map((run) => run.peakRssMiB));
      log(`ETL ${label}: ${Math.round(rowsPerSecond)} rows/s, ${(rowsPerSecond / rawCopyRowsPerSecond).toFixed(2)} × raw COPY, peak RSS ${peakRssMiB.toFixed(0)} MiB`);
      return { rowsPerSecond, ratioToCopy: rowsPerSecond / rawCopyRowsPerSecond, peakRssMiB };
    };
    const csv = await measure(csvDir, 'CSV');
    const arrow = await measure(arrowDir, 'Arrow');
    const big = await etlLoad(server.url, bigDir);
    log(`ETL of ${memoryCases} CSV rows: peak RSS ${big.peakRssMiB.toFixed(0)} MiB (${big.seconds.toFixed(0)} s)`);
    return { cases, rawCopyRowsPerSecond, csv, arrow, memory: { cases: memoryCases, peakRssMiB: big.peakRssMiB }, repeats };
  } finally {
    await server.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
