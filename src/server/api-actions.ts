import type { Pool } from 'pg';
import { runSource } from '../../etl/pipeline/run-source';
import { formatRunSummary } from '../../etl/pipeline/run-summary';
import type { SourceDefinition } from '../../etl/sources/source-definition';
import type { PolicyProfile } from '../domain/profile/policy-profile';
import type { ApiActions } from '../graphql/api-context';
import { formatRefresh, refreshRollups } from '../metrics/rollups/refresh-rollups';

/**
 * What the API's mutations set going, run by the hub as the warehouse's owner (the API's own role cannot write
 * facts). The resolver has already checked that the viewer may act on the source. A run is started, not awaited:
 * the answer carries its id once it is recorded, and the data-quality lists show how it goes.
 */
export function createApiActions(options: { ownerPool: Pool; sources: readonly SourceDefinition[]; profile: PolicyProfile; log(line: string): void }): ApiActions {
  return {
    async runSource(sourceId, viewer) {
      const source = options.sources.find((s) => s.id === sourceId);
      if (!source) return { status: 'REFUSED', runId: null, message: `数据来源 ${sourceId} 未在本中台的来源配置中，无法采集` };
      const since = new Date();
      const trigger = `api:${viewer.role.toLowerCase()}`.slice(0, 20);
      void runSource(options.ownerPool, source, { trigger })
        .then(async (summary) => {
          options.log(formatRunSummary(summary));
          options.log(formatRefresh(await refreshRollups(options.ownerPool, options.profile)));
        })
        .catch((error: unknown) => options.log(`run of ${sourceId} requested by ${viewer.subject ?? viewer.role} failed: ${error instanceof Error ? error.message : String(error)}`));
      // the run is recorded within moments unless another run of the source holds its lock: then it waits its turn
      for (let waited = 0; waited < 3000; waited += 100) {
        const { rows } = await options.ownerPool.query<{ id: string }>(
          `select id::text from etl_runs where source = $1 and trigger = $2 and started_at >= $3 order by id desc limit 1`, [sourceId, trigger, since]);
        if (rows[0]) return { status: 'STARTED', runId: rows[0].id, message: `已开始采集 ${sourceId}（运行 ${rows[0].id}）` };
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return { status: 'STARTED', runId: null, message: `已请求采集 ${sourceId}；该来源正有运行，完成后开始` };
    },
  };
}
