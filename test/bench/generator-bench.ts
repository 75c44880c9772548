import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runMeasured } from './measure';

const hubBin = path.resolve(__dirname, '..', '..', '..', 'bin', 'hub.js');

/** `hub generate` at scale: how long, and how much memory (it streams: memory must not grow with the scale). */
export async function benchGenerator(log: (line: string) => void): Promise<{ cases: number; seconds: number; peakRssMiB: number }> {
  const cases = Number(process.env.BENCH_GENERATE_CASES || 200_000);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-bench-generate-'));
  try {
    const run = await runMeasured(process.execPath, [hubBin, 'generate', '--seed', '1', '--scale', String(cases), '--out', path.join(out, 'province')], process.env);
    log(`generate ${cases} cases: ${run.seconds.toFixed(1)} s, peak RSS ${run.peakRssMiB.toFixed(0)} MiB`);
    return { cases, seconds: run.seconds, peakRssMiB: run.peakRssMiB };
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}
