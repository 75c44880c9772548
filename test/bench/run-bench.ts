import fs from 'node:fs';
import path from 'node:path';
import { benchEtl } from './etl-bench';
import { benchGenerator } from './generator-bench';
import { machine } from './measure';
import { benchWarehouse, type ScaleFigures } from './warehouse-bench';

/**
 * `npm run bench`: every benchmark, each figure beside its baseline measured in the same run and its goal.
 * Results go to test/bench/results/ as JSON and Markdown (git-ignored). BENCH_PARTS chooses (default
 * generate,etl,warehouse). Sizes: BENCH_CASES (1,000,000), BENCH_MEMORY_CASES (2,000,000), BENCH_REPEATS (3),
 * BENCH_QUERY_SCALES (1000000,5000000,20000000), BENCH_BASE_CASES (200,000), BENCH_QUERY_REPEATS (100),
 * BENCH_FACT_REPEATS (3), BENCH_FACT_TIMEOUT_SECONDS (900), BENCH_KEEP_WAREHOUSE (off), BENCH_WAREHOUSE_PARTS
 * (questions,throughput,delta,arrow), BENCH_LOAD_SECONDS (10), BENCH_DELTA_ROWS (50,000), BENCH_ARROW_CASES (5,000,000).
 */
interface Line { figure: string; value: string; baseline: string; ratio: string; goal: string; met: boolean }

async function main(): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const startedAt = new Date();
  const parts = new Set((process.env.BENCH_PARTS || 'generate,etl,warehouse').split(','));
  const generator = parts.has('generate') ? await benchGenerator(log) : null;
  const etl = parts.has('etl') ? await benchEtl(log) : null;
  const warehouse = parts.has('warehouse') ? await benchWarehouse(log) : [];
  const rate = (n: number) => `${Math.round(n).toLocaleString('en-US')} rows/s`;
  const lines: Line[] = [];
  if (etl) {
    lines.push(
      { figure: `ETL, ${etl.cases.toLocaleString('en-US')}-case CSV`, value: rate(etl.csv.rowsPerSecond), baseline: `raw COPY ${rate(etl.rawCopyRowsPerSecond)}`,
        ratio: etl.csv.ratioToCopy.toFixed(2), goal: '≥ 0.5 × raw COPY', met: etl.csv.ratioToCopy >= 0.5 },
      { figure: `ETL, ${etl.cases.toLocaleString('en-US')}-case Arrow`, value: rate(etl.arrow.rowsPerSecond), baseline: `raw COPY ${rate(etl.rawCopyRowsPerSecond)}`,
        ratio: etl.arrow.ratioToCopy.toFixed(2), goal: '≥ 0.5 × raw COPY', met: etl.arrow.ratioToCopy >= 0.5 },
      { figure: `ETL peak RSS, ${etl.memory.cases.toLocaleString('en-US')}-row CSV`, value: `${etl.memory.peakRssMiB.toFixed(0)} MiB`, baseline: '—',
        ratio: '—', goal: '< 300 MB', met: etl.memory.peakRssMiB * 1.048576 < 300 },
      { figure: 'ETL peak RSS, 1M CSV / Arrow', value: `${etl.csv.peakRssMiB.toFixed(0)} / ${etl.arrow.peakRssMiB.toFixed(0)} MiB`, baseline: '—',
        ratio: '—', goal: '< 300 MB', met: Math.max(etl.csv.peakRssMiB, etl.arrow.peakRssMiB) * 1.048576 < 300 },
    );
  }
  if (generator) {
    lines.push({ figure: `hub generate, ${generator.cases.toLocaleString('en-US')} cases`, value: `${generator.seconds.toFixed(1)} s, peak RSS ${generator.peakRssMiB.toFixed(0)} MiB`,
      baseline: '—', ratio: '—', goal: 'memory bounded (< 300 MB)', met: generator.peakRssMiB * 1.048576 < 300 });
  }
  lines.push(...warehouseLines(warehouse));
  const header = `Benchmarks of ${startedAt.toISOString().slice(0, 10)} on ${machine()}; latencies over ${process.env.BENCH_QUERY_REPEATS || 100} sequential requests after 3 unmeasured`;
  const table = ['| figure | value | baseline (same run) | ratio | goal | met |', '|---|---|---|---|---|---|',
    ...lines.map((l) => `| ${l.figure} | ${l.value} | ${l.baseline} | ${l.ratio} | ${l.goal} | ${l.met ? 'yes' : '**no**'} |`)].join('\n');
  console.log(`\n${header}\n\n${table}\n`);
  const results = path.resolve(__dirname, '..', '..', '..', 'test', 'bench', 'results');
  fs.mkdirSync(results, { recursive: true });
  fs.writeFileSync(path.join(results, 'bench.json'), JSON.stringify({ startedAt, machine: machine(), generator, etl, warehouse, lines }, null, 2));
  fs.writeFileSync(path.join(results, 'bench.md'), `${header}\n\n${table}\n`);
}

function warehouseLines(scales: ScaleFigures[]): Line[] {
  const lines: Line[] = [];
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  for (const scale of scales) {
    const at = `${(scale.cases / 1e6).toFixed(1)}M cases`;
    for (const q of scale.questions) {
      lines.push({
        figure: `${q.question}, ${at}: GraphQL p50 / p95 / p99`, value: `${ms(q.graphql.p50)} / ${ms(q.graphql.p95)} / ${ms(q.graphql.p99)}`,
        baseline: `rollup SQL p95 ${ms(q.rollupSql.p95)}; facts ${q.facts ? `p50 ${(q.facts.p50 / 1000).toFixed(1)} s` : `> ${q.factsOverSeconds} s (stopped)`}`, ratio: q.ratio.toFixed(2),
        goal: 'p95 ≤ 50 ms and ≤ 1.5 × rollup SQL', met: q.graphql.p95 <= 50 && q.ratio <= 1.5,
      });
    }
    if (scale.throughput) {
      const t = scale.throughput;
      lines.push({
        figure: `overview × 64 clients, ${at}: hub (response cache on / off)`,
        value: `${t.hubCached.requestsPerSecond.toFixed(0)} req/s, p95 ${ms(t.hubCached.p95)} / ${t.hubUncached.requestsPerSecond.toFixed(0)} req/s, p95 ${ms(t.hubUncached.p95)}`,
        baseline: `PostGraphile 5: ${t.postgraphile.requestsPerSecond.toFixed(0)} req/s, p95 ${ms(t.postgraphile.p95)}`,
        ratio: `${(t.hubCached.requestsPerSecond / t.postgraphile.requestsPerSecond).toFixed(2)} / ${(t.hubUncached.requestsPerSecond / t.postgraphile.requestsPerSecond).toFixed(2)}`,
        goal: '≥ 1,000 req/s and ahead of PostGraphile',
        met: t.hubCached.requestsPerSecond >= 1000 && t.hubCached.requestsPerSecond > t.postgraphile.requestsPerSecond,
      });
    }
    if (scale.refresh) {
      const r = scale.refresh;
      lines.push({
        figure: `daily delta of ${r.deltaRows.toLocaleString('en-US')} cases, ${at}: from the load's end to the overview showing it`,
        value: `${r.visibleSeconds.toFixed(2)} s (incremental refresh ${r.incrementalSeconds.toFixed(2)} s; load ${r.loadSeconds.toFixed(0)} s; ${r.errorsMeanwhile} error answers meanwhile)`,
        baseline: `full refresh ${r.fullSeconds.toFixed(1)} s`, ratio: (r.incrementalSeconds / r.fullSeconds).toFixed(3),
        goal: '≤ 5 s', met: r.visibleSeconds <= 5 && r.incrementalSeconds <= 5,
      });
    }
    if (scale.arrow) {
      const a = scale.arrow;
      lines.push({
        figure: `Arrow export of every case with its checks, ${at}`, value: `${Math.round(a.arrowRowsPerSecond).toLocaleString('en-US')} rows/s`,
        baseline: `COPY (same statement) TO STDOUT ${Math.round(a.copyRowsPerSecond).toLocaleString('en-US')} rows/s`, ratio: a.ratio.toFixed(2),
        goal: '≥ 0.5 × COPY TO', met: a.ratio >= 0.5,
      });
    }
  }
  return lines;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
