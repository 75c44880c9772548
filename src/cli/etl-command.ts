import { manualSourceFor } from '../../etl/sources/manual-source';
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { createProgress } from '../../etl/pipeline/progress';
import { formatRunSummary } from '../../etl/pipeline/run-summary';
import { runSource, type RunSummary } from '../../etl/pipeline/run-source';
import type { SourceDefinition } from '../../etl/sources/source-definition';
import { writeCheckpoint } from '../ledger/checkpoints';
import { ledgerSigningKey } from '../ledger/signing-key';
import { findSource, loadSourcesFile } from '../../etl/sources/sources-file';
import type { HubConfig } from '../config';
import { loadPolicy } from '../domain/policy';
import { formatRefresh, refreshRollups } from '../metrics/rollups/refresh-rollups';
import { withHubSession } from './hub-session';

function readSources(config: HubConfig): SourceDefinition[] {
  if (!fs.existsSync(config.sourcesFile)) {
    throw new Error(`no sources file at ${config.sourcesFile}: set HUB_SOURCES to yours (format: etl/sources.example.yaml), ` +
      'or run `hub start` once to generate the demo province');
  }
  return loadSourcesFile(config.sourcesFile);
}

export function registerEtlCommand(program: Command): void {
  const etl = program.command('etl').description('load agency feeds into the warehouse');

  etl
    .command('run')
    .description('run every source of the sources file (or one), and print what became of every row')
    .option('--source <id>', 'only this source')
    .option('--files <dir>', 'load the feed files in this folder (with --source: as that source, else as an ad hoc source)')
    .option('--strict', 'fail the run when any row is quarantined or held, or a file cannot be read')
    .option('--batch-size <rows>', 'rows per transaction for files', '5000')
    .action(async (options: { source?: string; files?: string; strict?: boolean; batchSize: string }) => {
      const batchSize = Number(options.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`--batch-size ${options.batchSize} is not a positive whole number`);
      await withHubSession(async (session) => {
        let sources: SourceDefinition[];
        if (options.files && !options.source) sources = [manualSourceFor(options.files)];
        else {
          const all = readSources(session.config);
          sources = options.source ? [findSource(all, options.source)] : all;
        }
        const summaries: RunSummary[] = [];
        for (const source of sources) {
          const summary = await runSource(session.pool(), source, {
            trigger: 'cli', files: options.files, strict: options.strict, batchSize, progress: createProgress(),
          });
          summaries.push(summary);
          console.log(formatRunSummary(summary));
        }
        // what was loaded reaches the dashboards now, not at the next scheduled refresh
        console.log(formatRefresh(await refreshRollups(session.pool(), loadPolicy(session.config.profile).profile)));
        // and what it appended to the ledger is signed
        const checkpoint = await writeCheckpoint(session.pool(), ledgerSigningKey({ dataDir: session.config.dataDir })!);
        if (checkpoint) console.log(`ledger checkpoint ${checkpoint.id}: ${checkpoint.agencies} agency chains signed`);
        if (summaries.some((summary) => summary.status === 'FAILED')) process.exitCode = 1;
      });
    });

  etl
    .command('sources')
    .description('list the sources with their last run, watermark, and rows in quarantine or waiting')
    .action(async () => {
      await withHubSession(async (session) => {
        const sources = readSources(session.config);
        const { rows } = await session.pool().query<{
          id: string; watermark: Date | null; last_status: string | null; last_finished: Date | null;
          quarantined: number; held: number;
        }>(
          `select s.id, s.watermark,
             (select status from etl_runs r where r.source = s.id order by r.id desc limit 1) as last_status,
             (select finished_at from etl_runs r where r.source = s.id order by r.id desc limit 1) as last_finished,
             (select count(*)::int from quarantine q where q.source = s.id and q.status = 'QUARANTINED') as quarantined,
             (select count(*)::int from held_rows h where h.source = s.id and h.status = 'HELD') as held
           from sources s`);
        const state = new Map(rows.map((row) => [row.id, row]));
        console.log(`sources file: ${session.config.sourcesFile}`);
        for (const source of sources) {
          const known = state.get(source.id);
          const covers = source.covers.region ? `region ${source.covers.region}` : source.covers.agency ? `agency ${source.covers.agency}` : 'any agency';
          console.log(`${source.id}  ${source.name}${source.synthetic ? ' [合成数据 synthetic]' : ''}`);
          console.log(`    ${source.transport} ${source.location} · ${covers}${source.schedule ? ` · schedule ${source.schedule}` : ''}`);
          console.log(known
            ? `    last run ${known.last_status ?? 'never'}${known.last_finished ? ` at ${known.last_finished.toISOString()}` : ''}` +
              ` · watermark ${known.watermark?.toISOString() ?? '—'} · quarantined ${known.quarantined} · waiting ${known.held}`
            : '    never run');
        }
      });
    });
}
