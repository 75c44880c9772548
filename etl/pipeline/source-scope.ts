import type { PoolClient } from 'pg';
import { regionDirectory, subtreePrefix } from '../../src/domain/regions';
import type { SourceScope } from './batch-types';

/** A source's reach as the batch loader needs it: its covered agency, or the code prefix of its covered region. */
export function scopeOf(source: { id: string; coversAgencyUscc?: string | null; coversRegionCode?: string | null }): SourceScope {
  return {
    sourceId: source.id,
    agencyUscc: source.coversAgencyUscc ?? null,
    regionPrefix: source.coversRegionCode ? subtreePrefix(regionDirectory().require(source.coversRegionCode)) : null,
  };
}

export async function scopeOfStoredSource(client: PoolClient, sourceId: string): Promise<SourceScope> {
  const { rows } = await client.query<{ covers_agency_uscc: string | null; covers_region_code: string | null }>(
    'select covers_agency_uscc, covers_region_code from sources where id = $1', [sourceId]);
  if (!rows[0]) throw new Error(`source ${sourceId} is not registered`);
  return scopeOf({ id: sourceId, coversAgencyUscc: rows[0].covers_agency_uscc, coversRegionCode: rows[0].covers_region_code });
}
