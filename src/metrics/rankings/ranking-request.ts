import { viewerSeesRegion, type Viewer } from '../../domain/access/viewer';
import type { PolicyProfile } from '../../domain/profile/policy-profile';
import { regionDirectory } from '../../domain/regions';
import type { Period } from '../indicators/indicator-engine';
import type { Queryable } from '../sql/sql-parameters';
import { computeRanking, type Ranking, type RankingRequest, type RankingResultEntry, type RegionLevel } from './compute-ranking';
import type { FrozenRankingRecord } from './frozen-rankings';

/**
 * A ranking as a viewer asks for it, one rule for every way of asking (the GraphQL `ranking`, `agencyRanking`,
 * `frozenRanking` and `freezeRanking`, and GET /export/ranking.xlsx): what the request is, whether the viewer
 * may have it computed, and a frozen version read as the viewer. The caller's connection is inside the viewer's
 * transaction (access/viewer-transaction.ts), so row-level security decides which facts and frozen versions it reads.
 */

/** The arguments of a ranking, as civil dates; no level: the agencies of the parent (optionally of one domain). */
export interface RankingArguments {
  parentRegionCode: string;
  level?: RegionLevel | undefined;
  domain?: string | undefined;
  period: Period;
  asOf: string;
}

/** The request the arguments make; an unknown parent region is refused (InvalidValueError) with its code. */
export function rankingRequestOf(args: RankingArguments): RankingRequest {
  const parentRegionCode = regionDirectory().require(args.parentRegionCode).code;
  const { period, asOf } = args;
  return args.level
    ? { units: 'regions', parentRegionCode, level: args.level, period, asOf }
    : { units: 'agencies', parentRegionCode, ...(args.domain && { domain: args.domain }), period, asOf };
}

/**
 * A ranking is computed only over a parent region inside the viewer's jurisdiction: computed from the part a
 * viewer may see, a ranking of units beyond it would be misleading, and its entries would reveal nothing but
 * absence. So agencies and the public (who supervise no region) have none computed. A county bureau reads a
 * prefecture's ranking as published (frozen), when it is shared with it.
 */
export function viewerMayRank(viewer: Viewer, parentRegionCode: string): boolean {
  return viewerSeesRegion(viewer, parentRegionCode);
}

/** The ranking computed now for `viewer`; null when the viewer may not have it (viewerMayRank). */
export async function rankingForViewer(db: Queryable, viewer: Viewer, request: RankingRequest, profile: PolicyProfile): Promise<Ranking | null> {
  if (!viewerMayRank(viewer, request.parentRegionCode)) return null;
  return computeRanking(db, request, profile);
}

/**
 * A frozen ranking's published text, read back: what it ranked, under which profile, and its entries. A frozen
 * version is read through row-level security (the frozen_rankings policy: supervisors of its parent region and
 * up), so one the viewer may not see reads as one that does not exist.
 */
export interface PublishedRanking {
  request: RankingRequest;
  profileName: string;
  profileFingerprint: string;
  entries: RankingResultEntry[];
}

export function publishedRankingOf(record: FrozenRankingRecord): PublishedRanking {
  return JSON.parse(record.result) as PublishedRanking;
}

