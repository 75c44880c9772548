import fs from 'node:fs';
import path from 'node:path';
import { benchEtl } from './etl-bench';
import { benchGenerator } from './generator-bench';
import { machine } from './measure';

/**
 * `npm run bench`: every benchmark, each figure beside its baseline measured in the same run and its goal.
 * Results go to test/bench/results/ as JSON and Markdown (git-ignored). Sizes: BENCH_CASES (1,000,000),
 * BENCH_MEMORY_CASES (2,000,000), BENCH_REPEATS (3).
 */
interface Line { figure: string; value: string; baseline: string; ratio: string; goal: string; met: boolean }

async function main(): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const startedAt = new Date();
  const generator = await benchGenerator(log);
  const etl = await benchEtl(log);
  const rate = (n: number) => `${Math.round(n).toLocaleString('en-US')} rows/s`;
  const lines: Line[] = [
    { figure: `ETL, ${etl.cases.toLocaleString('en-US')}-case CSV`, value: rate(etl.csv.rowsPerSecond), baseline: `raw COPY ${rate(etl.rawCopyRowsPerSecond)}`,
      ratio: etl.csv.ratioToCopy.toFixed(2), goal: '≥ 0.5 × raw COPY', met: etl.csv.ratioToCopy >= 0.5 },
    { figure: `ETL, ${etl.cases.toLocaleString('en-US')}-case Arrow`, value: rate(etl.arrow.rowsPerSecond), baseline: `raw COPY ${rate(etl.rawCopyRowsPerSecond)}`,
      ratio: etl.arrow.ratioToCopy.toFixed(2), goal: '≥ 0.5 × raw COPY', met: etl.arrow.ratioToCopy >= 0.5 },
    { figure: `ETL peak RSS, ${etl.memory.cases.toLocaleString('en-US')}-row CSV`, value: `${etl.memory.peakRssMiB.toFixed(0)} MiB`, baseline: '—',
      ratio: '—', goal: '< 300 MB', met: etl.memory.peakRssMiB * 1.048576 < 300 },
    { figure: 'ETL peak RSS, 1M CSV / Arrow', value: `${etl.csv.peakRssMiB.toFixed(0)} / ${etl.arrow.peakRssMiB.toFixed(0)} MiB`, baseline: '—',
      ratio: '—', goal: '< 300 MB', met: Math.max(etl.csv.peakRssMiB, etl.arrow.peakRssMiB) * 1.048576 < 300 },
    { figure: `hub generate, ${generator.cases.toLocaleString('en-US')} cases`, value: `${generator.seconds.toFixed(1)} s, peak RSS ${generator.peakRssMiB.toFixed(0)} MiB`,
      baseline: '—', ratio: '—', goal: 'memory bounded (< 300 MB)', met: generator.peakRssMiB * 1.048576 < 300 },
  ];
  const header = `Benchmarks of ${startedAt.toISOString().slice(0, 10)} on ${machine()}; medians of ${etl.repeats} runs`;
  const table = ['| figure | value | baseline (same run) | ratio | goal | met |', '|---|---|---|---|---|---|',
    ...lines.map((l) => `| ${l.figure} | ${l.value} | ${l.baseline} | ${l.ratio} | ${l.goal} | ${l.met ? 'yes' : '**no**'} |`)].join('\n');
  console.log(`\n${header}\n\n${table}\n`);
  const results = path.resolve(__dirname, '..', '..', '..', 'test', 'bench', 'results');
  fs.mkdirSync(results, { recursive: true });
  fs.writeFileSync(path.join(results, 'bench.json'), JSON.stringify({ startedAt, machine: machine(), generator, etl, lines }, null, 2));
  fs.writeFileSync(path.join(results, 'bench.md'), `${header}\n\n${table}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
