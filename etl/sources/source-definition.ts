import type { EntityName } from '../feed/entity-names';

/** One source as the sources file defines it, with its location resolved (see etl/sources/sources-file.ts). */
export interface SourceDefinition {
  id: string;
  name: string;
  transport: 'HTTP' | 'FOLDER';
  /** base URL of the agency API, or an absolute folder */
  location: string;
  /** the region whose agencies it reports for, or the one agency it reports for */
  covers: { region?: string; agency?: string };
  /** cron expression (Asia/Shanghai) for scheduled pulls while the hub serves */
  schedule?: string;
  /**
   * hours after a scheduled time by which a successful run must have finished, or the source shows as LATE on
   * the data-quality dashboard (src/etl-status/source-health.ts); absent: DEFAULT_LATE_AFTER_HOURS there
   */
  lateAfterHours?: number;
  /** name of the environment variable holding the API's bearer token (never the token itself) */
  tokenEnv?: string;
  /** mapping name (etl/mappings/<name>.yaml) when the source does not deliver the standard format */
  mapping?: string;
  /** HTTP: which entities to pull, in load order; default all */
  entities?: EntityName[];
  pageSize?: number;
  /** the data is synthetic (the demo province): shown as such wherever it appears */
  synthetic?: boolean;
}
