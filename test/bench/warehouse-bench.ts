import { startBenchServer } from './bench-database';
import { startHubApiProcess } from './hub-api-process';
import { benchQuestions, type QueryBenchTarget, type QuestionFigures } from './query-bench';
import { scaledWarehouse } from './scaled-warehouse';
import { benchArrow, benchRefresh, benchThroughput, type ArrowFigures, type RefreshFigures, type ThroughputFigures } from './serving-bench';

/**
 * The warehouse grown to each scale of BENCH_QUERY_SCALES (default 1M, 5M, 20M cases) in one database; at each
 * scale the dashboard questions; at the first, throughput and the daily delta; at the first scale of at least
 * BENCH_ARROW_CASES (5M), the Arrow export.
 */
export interface ScaleFigures {
  cases: number;
  copySeconds: number;
  /** null: a kept warehouse already held this scale, rolled up */
  fullRefreshSeconds: number | null;
  rollupRows: number | null;
  questions: QuestionFigures[];
  throughput?: ThroughputFigures;
  refresh?: RefreshFigures;
  arrow?: ArrowFigures;
}

const benchEnv = { HUB_RATE_LIMIT_PER_MINUTE: '100000000' };

export async function benchWarehouse(log: (line: string) => void): Promise<ScaleFigures[]> {
  const scales = (process.env.BENCH_QUERY_SCALES || '1000000,5000000,20000000').split(',').map(Number);
  const arrowAt = Number(process.env.BENCH_ARROW_CASES || 5_000_000);
  // what is measured at each scale (all by default): iterating on one figure need not wait for the others
  const measured = new Set((process.env.BENCH_WAREHOUSE_PARTS || 'questions,throughput,delta,arrow').split(','));
  const server = await startBenchServer();
  const figures: ScaleFigures[] = [];
  let arrowDone = false;
  try {
    const warehouse = await scaledWarehouse(server.url, 'hub_bench_warehouse', Number(process.env.BENCH_BASE_CASES || 200_000), log,
      { keep: process.env.BENCH_KEEP_WAREHOUSE === '1' });
    try {
      for (const [i, scale] of scales.entries()) {
        const grown = await warehouse.growTo(scale);
        log(`at ${grown.cases.toLocaleString('en-US')} cases:`);
        const cached = await startHubApiProcess(warehouse.url, benchEnv);
        const uncached = await startHubApiProcess(warehouse.url, { ...benchEnv, HUB_RESPONSE_CACHE_SECONDS: '0' });
        try {
          const target = (apiUrl: string, token: string): QueryBenchTarget => ({
            apiUrl, token, ownerUrl: warehouse.url, asOf: warehouse.asOf, province: '350000', year: { from: '2025-01-01', to: '2025-12-31' },
          });
          const scaleFigures: ScaleFigures = {
            cases: grown.cases, copySeconds: grown.copySeconds, fullRefreshSeconds: grown.refresh && grown.refresh.milliseconds / 1000, rollupRows: grown.refresh?.rows ?? null,
            questions: measured.has('questions') ? await benchQuestions(target(uncached.url, uncached.token), log) : [],
          };
          if (i === 0 && measured.has('throughput')) scaleFigures.throughput = await benchThroughput(target(cached.url, cached.token), uncached.url, log);
          if (i === 0 && measured.has('delta')) scaleFigures.refresh = await benchRefresh(target(cached.url, cached.token), log);
          if (!arrowDone && measured.has('arrow') && grown.cases >= arrowAt) {
            scaleFigures.arrow = await benchArrow(target(uncached.url, uncached.token), log);
            arrowDone = true;
          }
          figures.push(scaleFigures);
        } finally {
          await cached.stop();
          await uncached.stop();
        }
      }
    } finally {
      await warehouse.close();
    }
    return figures;
  } finally {
    await server.stop();
  }
}
