import path from 'node:path';
import type { Pool, PoolClient } from 'pg';
import { pullEntityPages } from '../connectors/http-api';
import type { EntityName } from '../feed/entity-names';
import { applyMapping, entityOfMappedFile, loadMapping, type FeedMapping } from '../feed/mapping';
import { parseFeedRow } from '../feed/parse-row';
import { FeedReadError, type RawRow } from '../raw-row';
import { listFeedFiles, openFeedFile } from '../readers/feed-file';
import type { SourceDefinition } from '../sources/source-definition';
import { addCounts, countsWith, emptyCounts, type BatchItem, type EntityCounts, type SourceScope } from './batch-types';
import { batchesOf } from './batches';
import { loadBatch, loadPreparedBatch, prepareBatch } from './load-batch';
import { loadOrder } from './load-specs';
import { silentProgress, type Progress } from './progress';
import { releaseHeldRows } from './release-held';
import { lockSource } from './run-lock';
import { closeInterruptedRuns, finishRun, registerSource, saveRunCounts, startRun, type RunProblem } from './run-record';
import { scopeOf } from './source-scope';

export interface RunOptions {
  /** what started the run: cli, schedule, api, start (the demo load) */
  trigger: string;
  /** load this folder instead of the source's own location (a clerk's manual delivery) */
  files?: string;
  /** a run that refused, held or could not read anything is FAILED rather than SUCCEEDED */
  strict?: boolean;
  progress?: Progress;
  /** rows per batch (one transaction each) for file sources */
  batchSize?: number;
  env?: NodeJS.ProcessEnv;
}

export interface RunSummary {
  runId: string;
  sourceId: string;
  status: 'SUCCEEDED' | 'FAILED';
  startedAt: Date;
  finishedAt: Date;
  counts: Record<string, EntityCounts>;
  problems: RunProblem[];
  error: string | null;
}

/** Where an entity's interrupted pull resumes: the same updatedSince, from the first page not committed. */
interface PullResume { updatedSince: string | null; nextPage: number; maxSeen: string | null; startedAt: string }

/**
 * A pull's progress on its source: per-entity watermarks and, for each entity whose pull was cut off, where to
 * resume. One resume point per entity: a run cut off in cases must still find its place after pulling the
 * agencies that come before them. (`pull` is how checkpoints stored one, for a single entity, before.)
 */
interface PullCheckpoint {
  watermarks: Partial<Record<EntityName, string>>;
  resume?: Partial<Record<EntityName, PullResume>>;
  pull?: PullResume & { entity: EntityName };
}

const defaultBatchSize = 5000;
/** how far the agency platform's clock may be ahead of ours */
const clockSkewMs = 5 * 60 * 1000;

/**
 * One run of one source: lock it, record the run, extract → parse and validate → stage → merge batch by
 * batch, release rows whose parents arrived, and record how every row ended. A failure ends the run as
 * FAILED with what it had committed kept; a rerun continues from there.
 */
export async function runSource(pool: Pool, source: SourceDefinition, options: RunOptions): Promise<RunSummary> {
  const client = await pool.connect();
  const progress = options.progress ?? silentProgress;
  try {
    await registerSource(client, source);
    const unlock = await lockSource(client, source.id);
    await closeInterruptedRuns(client, source.id);
    const startedAt = new Date();
    const runId = await startRun(client, source.id, options.trigger);
    const counts: Record<string, EntityCounts> = {};
    const problems: RunProblem[] = [];
    let error: string | null = null;
    try {
      const mapping = source.mapping ? loadMapping(source.mapping) : null;
      const context: ExtractContext = { client, runId, scope: scopeOf({ id: source.id, coversAgencyUscc: source.covers.agency, coversRegionCode: source.covers.region }), mapping, counts, problems, progress, options };
      if (source.transport === 'FOLDER' || options.files) {
        await extractFolder(context, path.resolve(options.files ?? source.location));
      } else {
        await extractApi(context, source);
      }
      const released = await releaseHeldRows(client, runId);
      for (const [entity, add] of Object.entries(released)) addCounts(counts[entity] ??= emptyCounts(), add!);
    } catch (failure) {
      error = failure instanceof Error ? failure.message : String(failure);
    } finally {
      progress.done();
    }
    const refusedAny = Object.values(counts).some((c) => c.quarantined > 0 || c.held > 0) || problems.length > 0;
    const status = error || (options.strict && refusedAny) ? 'FAILED' : 'SUCCEEDED';
    const finishedAt = await finishRun(client, runId, { status, counts, problems, error });
    await unlock();
    return { runId, sourceId: source.id, status, startedAt, finishedAt, counts, problems, error };
  } finally {
    client.release();
  }
}

interface ExtractContext {
  client: PoolClient;
  runId: string;
  scope: SourceScope;
  mapping: FeedMapping | null;
  counts: Record<string, EntityCounts>;
  problems: RunProblem[];
  progress: Progress;
  options: RunOptions;
}

function parseBatch(entity: EntityName, rows: RawRow[], mapping: FeedMapping | null): BatchItem[] {
  return rows.map((row) => {
    const mapped = mapping ? applyMapping(entity, row, mapping) : row;
    return { row: mapped, parsed: parseFeedRow(entity, mapped, mapping ?? {}) as BatchItem['parsed'] };
  });
}

async function extractFolder(context: ExtractContext, folder: string): Promise<void> {
  const files = await listFeedFiles(folder);
  const opened = [];
  for (const file of files) {
    let feed;
    try {
      feed = await openFeedFile(file);
    } catch (error) {
      if (!(error instanceof FeedReadError)) throw error;
      context.problems.push({ where: path.basename(file), message: error.message });
      continue;
    }
    const entity = (context.mapping && entityOfMappedFile(context.mapping, path.basename(file))) ?? feed.entity;
    if (!entity) {
      context.problems.push({ where: path.basename(file), message:
        `无法判断文件 ${path.basename(file)} 的实体：请在文件名中写明（如 cases-2024Q3.csv、执法案件.xlsx），或增加“实体”列` });
      continue;
    }
    opened.push({ file, entity, rows: feed.rows });
  }
  // parents first, so that children seldom have to wait
  opened.sort((a, b) => loadOrder.indexOf(a.entity) - loadOrder.indexOf(b.entity) || a.file.localeCompare(b.file));
  for (const { file, entity, rows: fileRows } of opened) {
    context.progress.stage(`${path.basename(file)} (${entity})`);
    const total = (context.counts[entity] ??= emptyCounts());
    // While PostgreSQL merges one batch, the next is read, parsed and prepared: the two cores work at once.
    let merging: Promise<void> = Promise.resolve();
    try {
      for await (const rows of batchesOf(fileRows, context.options.batchSize ?? defaultBatchSize)) {
        const prepared = prepareBatch(entity, parseBatch(entity, rows, context.mapping));
        await merging;
        merging = loadPreparedBatch(context.client, prepared, {
          runId: context.runId, scope: context.scope,
          // the run's row says how far it got: committed with the batch, it is exact even after a crash
          beforeCommit: (client, counts) => saveRunCounts(client, context.runId, countsWith(context.counts, entity, counts)),
        }).then((counts) => {
          addCounts(total, counts);
          context.progress.advance(rows.length);
        });
      }
      await merging;
    } catch (error) {
      // an unreadable file (cut off, not what its name says) is this file's problem: the rows it gave before
      // are stored, and the other files still load
      await merging;
      if (!(error instanceof FeedReadError)) throw error;
      context.problems.push({ where: path.basename(file), message: error.message });
    }
  }
}

async function readCheckpoint(client: PoolClient, sourceId: string): Promise<PullCheckpoint> {
  const { rows } = await client.query<{ checkpoint: PullCheckpoint | null }>('select checkpoint from sources where id = $1', [sourceId]);
  const checkpoint = rows[0]?.checkpoint ?? { watermarks: {} };
  if (checkpoint.pull) {
    const { entity, ...resume } = checkpoint.pull;
    (checkpoint.resume ??= {})[entity] ??= resume;
    delete checkpoint.pull;
  }
  return checkpoint;
}

async function saveCheckpoint(client: PoolClient, sourceId: string, checkpoint: PullCheckpoint): Promise<void> {
  const marks = Object.values(checkpoint.watermarks).filter((mark): mark is string => Boolean(mark)).sort();
  await client.query(`update sources set checkpoint = $2, watermark = $3 where id = $1`,
    [sourceId, JSON.stringify(checkpoint), marks[0] ?? null]);
}

/**
 * The agency API, entity by entity in load order, page by page from the watermark. Each page is one batch
 * and commits the checkpoint with it, so a crash resumes at the first page not committed, with the same
 * updatedSince. The next run asks for what is newer than the newest updatedAt seen (that instant included:
 * rows stamped with it may still have been arriving; reading them again changes nothing).
 *
 * Numbered pages over changing data can skip a row: when a row on a page already read is updated, it moves
 * to the end and every later row shifts one place up, so the row at the next page boundary is never served.
 * Its updatedAt is older than the newest seen, so advancing the watermark would lose it for good. Hence a
 * pull that saw rows stamped after it began (the data changed under it) keeps its old watermark: the next run
 * reads the same span again, which costs reads but changes nothing already stored.
 */
async function extractApi(context: ExtractContext, source: SourceDefinition): Promise<void> {
  const env = context.options.env ?? process.env;
  const token = source.tokenEnv ? env[source.tokenEnv] : undefined;
  if (source.tokenEnv && !token) {
    throw new Error(`source ${source.id} needs its API token in the environment variable ${source.tokenEnv}, which is not set`);
  }
  const checkpoint = await readCheckpoint(context.client, source.id);
  const resumes = (checkpoint.resume ??= {});
  for (const entity of source.entities ?? loadOrder) {
    const resume = resumes[entity];
    const since = resume ? resume.updatedSince : checkpoint.watermarks[entity] ?? null;
    let maxSeen = resume?.maxSeen ?? null;
    const pullStartedAt = resume?.startedAt ?? new Date(Date.now() - clockSkewMs).toISOString();
    const total = (context.counts[entity] ??= emptyCounts());
    context.progress.stage(`${source.id} ${entity}`);
    const pages = pullEntityPages({
      baseUrl: source.location, entity, token, pageSize: source.pageSize,
      updatedSince: since ? new Date(new Date(since).getTime() - 1) : null,
      startPage: resume?.nextPage ?? 1,
    });
    for await (const page of pages) {
      const items = parseBatch(entity, page.rows, context.mapping);
      for (const item of items) {
        const updatedAt = item.parsed.ok ? item.parsed.record.updatedAt : null;
        if (updatedAt instanceof Date && (!maxSeen || updatedAt.toISOString() > maxSeen)) maxSeen = updatedAt.toISOString();
      }
      resumes[entity] = { updatedSince: since, nextPage: page.page + 1, maxSeen, startedAt: pullStartedAt };
      addCounts(total, await loadBatch(context.client, {
        runId: context.runId, scope: context.scope, entity, items,
        beforeCommit: async (client, counts) => {
          await saveCheckpoint(client, source.id, checkpoint);
          await saveRunCounts(client, context.runId, countsWith(context.counts, entity, counts));
        },
      }));
      context.progress.advance(page.rows.length);
    }
    const changedDuringPull = maxSeen !== null && maxSeen >= pullStartedAt;
    if (maxSeen && !changedDuringPull) checkpoint.watermarks[entity] = maxSeen;
    delete resumes[entity];
    await saveCheckpoint(context.client, source.id, checkpoint);
  }
}
