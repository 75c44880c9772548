import PgBoss from 'pg-boss';
import type { Pool } from 'pg';
import { SourceBusyError } from '../../etl/pipeline/run-lock';
import { formatRunSummary } from '../../etl/pipeline/run-summary';
import { runSource } from '../../etl/pipeline/run-source';
import { writeCheckpoint } from '../ledger/checkpoints';
import type { LedgerSigningKey } from '../ledger/signing-key';
import type { SourceDefinition } from '../../etl/sources/source-definition';
import type { PolicyProfile } from '../domain/profile/policy-profile';
import { formatRefresh, refreshRollups } from '../metrics/rollups/refresh-rollups';

/**
 * Scheduled and on-demand ETL runs while the hub serves, as pg-boss jobs kept in PostgreSQL: a queue per
 * source that holds at most one waiting and one running job ('stately'), so a source never runs twice at
 * once, and a failed run is retried with backoff. Cron expressions are read in Asia/Shanghai. After each run
 * the indicator rollups are refreshed for what it changed, and each night just after midnight they move to the
 * new day (deadlines that passed change statuses without any new data).
 */
export interface EtlScheduler {
  /** queue a run of the source now; resolves to the job id, or null when one is already waiting */
  runNow(sourceId: string, trigger?: string): Promise<string | null>;
  stop(): Promise<void>;
}

export interface SchedulerOptions {
  databaseUrl: string;
  pool: Pool;
  sources: SourceDefinition[];
  log: (line: string) => void;
  /** the rules the rollups are computed under */
  profile: PolicyProfile;
  /** signs the ledger's chain heads after each run (src/ledger/checkpoints.ts); absent: no checkpoints */
  ledgerKey?: LedgerSigningKey;
  /** retries of a failed run, and the first delay between them in seconds (doubling) */
  retryLimit?: number;
  retryDelaySeconds?: number;
}

const queueOf = (sourceId: string) => `etl.${sourceId}`;
const ROLLUP_QUEUE = 'rollups.refresh';
/** 00:05 Asia/Shanghai: the new day's statuses, before anyone looks at a dashboard */
const NIGHTLY = '5 0 * * *';

export async function startEtlScheduler(options: SchedulerOptions): Promise<EtlScheduler> {
  const boss = new PgBoss({ connectionString: options.databaseUrl, schema: 'pgboss', max: 2 });
  boss.on('error', (error: Error) => options.log(`[scheduler] ${error.message}`));
  await boss.start();
  const byId = new Map(options.sources.map((source) => [source.id, source]));
  const refresh = async () => options.log(formatRefresh(await refreshRollups(options.pool, options.profile)));

  if (!(await boss.getQueue(ROLLUP_QUEUE))) {
    await boss.createQueue(ROLLUP_QUEUE, { name: ROLLUP_QUEUE, policy: 'stately', retryLimit: 3, retryDelay: 60, retryBackoff: true });
  }
  await boss.schedule(ROLLUP_QUEUE, NIGHTLY, {}, { tz: 'Asia/Shanghai' });
  await boss.work(ROLLUP_QUEUE, { batchSize: 1 }, refresh);

  for (const source of options.sources) {
    const queue = queueOf(source.id);
    if (!(await boss.getQueue(queue))) {
      await boss.createQueue(queue, {
        name: queue, policy: 'stately',
        retryLimit: options.retryLimit ?? 3, retryDelay: options.retryDelaySeconds ?? 60, retryBackoff: true,
        expireInSeconds: 6 * 3600,
      });
    }
    if (source.schedule) await boss.schedule(queue, source.schedule, { sourceId: source.id, trigger: 'schedule' }, { tz: 'Asia/Shanghai' });
    else await boss.unschedule(queue);

    await boss.work<{ sourceId: string; trigger?: string }>(queue, { batchSize: 1 }, async (jobs) => {
      for (const job of jobs) {
        const summary = await runSource(options.pool, byId.get(job.data.sourceId)!, { trigger: job.data.trigger ?? 'schedule' })
          .catch((error: unknown) => {
            // another run of the source holds it: let pg-boss try again later
            if (error instanceof SourceBusyError) options.log(`[scheduler] ${error.message}`);
            throw error;
          });
        options.log(formatRunSummary(summary));
        // what the run committed reaches the dashboards now (a failed run may have committed batches too)
        await refresh().catch((error: unknown) => options.log(`[rollups] refresh failed: ${error instanceof Error ? error.message : String(error)}`));
        // what the run appended to the ledger is signed now: a later rewrite of it cannot go unnoticed
        if (options.ledgerKey) {
          await writeCheckpoint(options.pool, options.ledgerKey)
            .catch((error: unknown) => options.log(`[ledger] checkpoint failed: ${error instanceof Error ? error.message : String(error)}`));
        }
        if (summary.status === 'FAILED') throw new Error(`run ${summary.runId} of ${summary.sourceId} failed: ${summary.error ?? 'see its problems'}`);
      }
    });
  }

  return {
    async runNow(sourceId, trigger = 'api') {
      if (!byId.has(sourceId)) throw new Error(`no source ${sourceId} (known: ${[...byId.keys()].join(', ')})`);
      return boss.send(queueOf(sourceId), { sourceId, trigger });
    },
    async stop() {
      await boss.stop({ graceful: true, timeout: 30000, wait: true });
    },
  };
}
