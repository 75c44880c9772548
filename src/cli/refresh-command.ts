import type { Command } from 'commander';
import { loadPolicy } from '../domain/policy';
import { formatRefresh, refreshRollups } from '../metrics/rollups/refresh-rollups';
import { withHubSession } from './hub-session';

export function registerRefreshCommand(program: Command): void {
  program
    .command('refresh')
    .description('bring the indicator rollups up to date: the days the ETL changed, or everything with --full ' +
      '(a full refresh also happens by itself when the as-of date or the policy profile changed)')
    .option('--full', 'recompute every rollup from the facts')
    .option('--as-of <date>', 'the date the rollups are to be as of (YYYY-MM-DD; default today in Asia/Shanghai)')
    .action(async (options: { full?: boolean; asOf?: string }) => {
      await withHubSession(async (session) => {
        const policy = loadPolicy(session.config.profile);
        const result = await refreshRollups(session.pool(), policy.profile, {
          ...(options.full && { full: true }), ...(options.asOf && { asOf: options.asOf }),
        });
        console.log(formatRefresh(result));
      });
    });
}
