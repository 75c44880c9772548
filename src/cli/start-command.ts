import fs from 'node:fs';
import type { Command } from 'commander';
import { createProgress } from '../../etl/pipeline/progress';
import { runSource } from '../../etl/pipeline/run-source';
import { formatRunSummary } from '../../etl/pipeline/run-summary';
import type { SourceDefinition } from '../../etl/sources/source-definition';
import { loadSourcesFile } from '../../etl/sources/sources-file';
import { readConfig } from '../config';
import { startDemo, type Demo } from '../demo/demo-province';
import { demoViewers } from '../demo/demo-viewers';
import { loadPolicy } from '../domain/policy';
import { formatRefresh, refreshRollups } from '../metrics/rollups/refresh-rollups';
import { startEtlScheduler, type EtlScheduler } from '../jobs/etl-scheduler';
import { hubSchema } from '../graphql/build-schema';
import { writeCheckpoint } from '../ledger/checkpoints';
import { ledgerSigningKey } from '../ledger/signing-key';
import { recordVerification, verifyLedger } from '../ledger/verify-ledger';
import { createDashboardSite, type DemoViewer } from '../server/dashboard-site';
import { startHttpServer, type HubServer } from '../server/http-server';
import { openApi, type OpenApi } from '../server/open-api';
import { migrateWarehouse } from '../warehouse/migrate';
import { log, openHubSession, type HubSession } from './hub-session';

/** Sources that have never had a successful run: on a first start, the demo's. */
async function neverLoaded(session: HubSession, sources: SourceDefinition[]): Promise<SourceDefinition[]> {
  const { rows } = await session.pool().query<{ source: string }>(`select distinct source from etl_runs where status = 'SUCCEEDED'`);
  const loaded = new Set(rows.map((row) => row.source));
  return sources.filter((source) => !loaded.has(source.id));
}

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('start the database (embedded unless DATABASE_URL is set), migrate, load, and serve the hub until Ctrl-C; ' +
      'without HUB_SOURCES it generates and loads a synthetic demo province')
    .option('--no-demo', 'no synthetic demo province: serve what the warehouse holds, pull only HUB_SOURCES')
    .action(async (options: { demo: boolean }) => {
      const config = readConfig();
      const policy = loadPolicy(config.profile);
      const session = await openHubSession(config);
      let demo: Demo | undefined;
      let scheduler: EtlScheduler | undefined;
      let server: HubServer | undefined;
      let api: OpenApi | undefined;
      let stopping: Promise<void> | null = null;
      const stop = (reason: string) => {
        stopping ??= (async () => {
          log(`${reason}: stopping`);
          await server?.close();
          await api?.close();
          await scheduler?.stop();
          await demo?.stop();
          await session.close();
          log('stopped');
        })();
        return stopping;
      };
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        process.once(signal, () => {
          stop(signal).then(() => process.exit(0), (error: unknown) => {
            log(`error while stopping: ${error instanceof Error ? error.message : String(error)}`);
            process.exit(1);
          });
        });
      }
      try {
        log(`database: ${session.database.description}`);
        const report = await migrateWarehouse(session.orm);
        log(`schema version ${report.schemaVersion}` +
          (report.applied.length ? ` (applied ${report.applied.join(', ')})` : '') +
          `; ${report.regions.total} regions`);
        log(`policy profile ${policy.profile.name}; holiday calendar ${policy.calendar.horizon.from} – ${policy.calendar.horizon.to}`);

        let sources: SourceDefinition[] = [];
        if (options.demo && !config.sourcesConfigured) {
          demo = await startDemo(config, log);
          sources = demo.sources;
        } else if (fs.existsSync(config.sourcesFile)) {
          sources = loadSourcesFile(config.sourcesFile);
        }
        for (const source of await neverLoaded(session, sources)) {
          if (!demo) break; // a deployment's sources load on their schedule, or by `hub etl run`
          const summary = await runSource(session.pool(), source, { trigger: 'start', progress: createProgress() });
          log(formatRunSummary(summary));
        }
        // rollups as of today for this profile: incremental after the loads above, full when the date or profile moved
        log(formatRefresh(await refreshRollups(session.pool(), policy.profile)));
        // the ledger's chain heads, signed: from here on a rewrite of any stored version shows in `hub verify`
        const ledgerKey = ledgerSigningKey({ dataDir: config.dataDir });
        const checkpoint = ledgerKey && await writeCheckpoint(session.pool(), ledgerKey);
        if (checkpoint) log(`ledger checkpoint ${checkpoint.id}: ${checkpoint.agencies} agency chains signed`);
        // and verified, so that the data-quality dashboard shows each agency's chain as of this start
        const verification = await verifyLedger(session.pool(), { trustedPublicKey: ledgerKey?.publicKeyPem ?? null });
        await recordVerification(session.pool(), verification);
        const broken = verification.agencies.filter((agency) => !agency.ok).length;
        log(`ledger verified: ${verification.agencies.length} agencies, ${verification.entries} entries, ` +
          (broken ? `${broken} BROKEN (run hub verify for the entries)` : 'every chain intact'));
        if (sources.length) {
          scheduler = await startEtlScheduler({
            databaseUrl: session.database.url, pool: session.pool(), sources, log, profile: policy.profile, ...(ledgerKey && { ledgerKey }),
          });
          log(`scheduled sources: ${sources.filter((s) => s.schedule).map((s) => `${s.id} (${s.schedule})`).join(', ') || 'none'}`);
        }
        api = await openApi({ ownerPool: session.pool(), ownerUrl: session.database.url, config, profile: policy.profile, sources, log });
        // the demo offers a viewer per tier on the dashboards' login box; a deployment's come from `hub token`
        const viewers: DemoViewer[] | undefined = demo ? await demoViewers(session.pool(), api.tokens) : undefined;
        const site = createDashboardSite({ schema: hubSchema(), ...(viewers && { demoViewers: viewers }) });
        server = await startHttpServer(session.orm, policy, { port: config.port, host: config.host, api: api.endpoints, site });
        log(`hub serving on ${server.url} (dashboards: ${server.url}/; health: ${server.url}/healthz; GraphQL: ${server.url}/graphql; ` +
          `exports: ${server.url}/export/<dataset>.arrow; a token for a viewer: npx hub token --role PROVINCE)`);
        if (viewers?.length) log(`demo viewers on the login box: ${viewers.map((v) => v.label).join('、')}`);
      } catch (error) {
        await stop('start failed');
        throw error;
      }
    });
}
