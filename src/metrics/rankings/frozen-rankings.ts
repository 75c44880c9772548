import { createHash } from 'node:crypto';
import { canonicalJson } from '../../domain/canonical-json';
import { InvalidValueError } from '../../domain/errors';
import type { PolicyProfile } from '../../domain/profile/policy-profile';
import { rankUnits, type RankingUnit } from '../../domain/ranking/rank-units';
import type { Queryable } from '../sql/sql-parameters';
import { computeRanking, type Ranking, type RankingRequest } from './compute-ranking';

/**
 * Freezing a ranking (DOMAIN.md §5 "a published ranking is frozen"): computed now, stored as the exact text it is
 * published as, with the request, the profile and the inputs; read back as those bytes forever. A new freeze of
 * the same ranking is a new version. `verifyFrozenRanking` re-derives the result from the stored inputs and
 * profile: the stored text must come out byte for byte.
 */
export interface FrozenRankingRecord {
  id: string;
  rankingKey: string;
  version: number;
  title: string;
  asOf: string;
  profileName: string;
  frozenAt: Date;
  frozenBy: string;
  resultSha256: string;
  /** the ranking as published: canonical JSON */
  result: string;
}

/** What identifies "the same ranking" across versions: units, parent, level or domain, period. */
export function rankingKeyOf(request: RankingRequest): string {
  return request.units === 'regions'
    ? `regions:${request.parentRegionCode}:${request.level}:${request.period.from}:${request.period.to}`
    : `agencies:${request.parentRegionCode}:${request.domain ?? '*'}:${request.period.from}:${request.period.to}`;
}

/** The published text of a ranking: what it ranks, under which rules, and the entries. */
export function publishedText(ranking: Pick<Ranking, 'request' | 'profileName' | 'profileFingerprint' | 'entries'>): string {
  return canonicalJson({
    request: ranking.request, profileName: ranking.profileName, profileFingerprint: ranking.profileFingerprint,
    entries: ranking.entries,
  });
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export async function freezeRanking(db: Queryable, request: RankingRequest, profile: PolicyProfile,
  options: { title: string; frozenBy: string }): Promise<FrozenRankingRecord> {
  if (!options.title.trim()) throw new InvalidValueError('TITLE_REQUIRED', options.title, '冻结排名需要标题（例如「2025 年度法治政府建设考评 设区市排名」）');
  const ranking = await computeRanking(db, request, profile);
  const result = publishedText(ranking);
  const key = rankingKeyOf(request);
  // versions of one ranking are numbered in order; the unique index turns a race into a clear error
  const { rows } = await db.query<Row>(
    `insert into frozen_rankings (ranking_key, version, title, as_of, profile_name, profile_fingerprint, profile, request, inputs, result, result_sha256, frozen_by)
     select $1, coalesce(max(version), 0) + 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 from frozen_rankings where ranking_key = $1
     returning ${COLUMNS}`,
    [key, options.title.trim(), request.asOf, profile.name, ranking.profileFingerprint, canonicalJson(profile),
      canonicalJson(request), canonicalJson(ranking.inputs), result, sha256(result), options.frozenBy]);
  return recordOf(rows[0]!);
}

export async function listFrozenRankings(db: Queryable, filter: { rankingKey?: string } = {}): Promise<FrozenRankingRecord[]> {
  const { rows } = await db.query<Row>(
    `select ${COLUMNS} from frozen_rankings where $1::text is null or ranking_key = $1 order by ranking_key, version`,
    [filter.rankingKey ?? null]);
  return rows.map(recordOf);
}

export async function readFrozenRanking(db: Queryable, id: string): Promise<FrozenRankingRecord | null> {
  if (!/^\d+$/.test(id)) throw new InvalidValueError('BAD_ID', id, `冻结排名编号应为数字，收到 ${JSON.stringify(id)}`);
  const { rows } = await db.query<Row>(`select ${COLUMNS} from frozen_rankings where id = $1`, [id]);
  return rows[0] ? recordOf(rows[0]) : null;
}

/**
 * Re-derives a frozen ranking from its stored inputs and profile and compares with the stored text. A mismatch
 * means the stored row was altered or the ranking rules changed since: either way the stored text stands, and
 * the caller is told.
 */
export async function verifyFrozenRanking(db: Queryable, id: string): Promise<{ ok: boolean; problem: string | null }> {
  const { rows } = await db.query<{ profile: string; request: string; inputs: string; result: string; result_sha256: string; profile_name: string; profile_fingerprint: string }>(
    'select profile, request, inputs, result, result_sha256, profile_name, profile_fingerprint from frozen_rankings where id = $1', [id]);
  const row = rows[0];
  if (!row) return { ok: false, problem: `没有编号为 ${id} 的冻结排名` };
  if (sha256(row.result) !== row.result_sha256) return { ok: false, problem: '存储的排名文本与其 SHA-256 不符：记录被改动过' };
  const profile = JSON.parse(row.profile) as PolicyProfile;
  const published = JSON.parse(row.result) as Pick<Ranking, 'entries'>;
  const labels = new Map(published.entries.map((entry) => [entry.key, entry]));
  const entries = rankUnits(JSON.parse(row.inputs) as RankingUnit[], profile.ranking).map((entry) => {
    const unit = labels.get(entry.key);
    return { ...entry, regionCode: unit?.regionCode ?? '', agencyUscc: unit?.agencyUscc ?? null, name: unit?.name ?? '' };
  });
  const again = publishedText({
    request: JSON.parse(row.request) as RankingRequest, profileName: row.profile_name, profileFingerprint: row.profile_fingerprint, entries,
  });
  return again === row.result ? { ok: true, problem: null } : { ok: false, problem: '由存储的输入和政策配置重新计算的结果与存储的排名不一致' };
}

const COLUMNS = 'id, ranking_key, version, title, as_of, profile_name, frozen_at, frozen_by, result_sha256, result';
interface Row {
  id: string; ranking_key: string; version: number; title: string; as_of: string; profile_name: string;
  frozen_at: Date; frozen_by: string; result_sha256: string; result: string;
}
function recordOf(row: Row): FrozenRankingRecord {
  return {
    id: String(row.id), rankingKey: row.ranking_key, version: row.version, title: row.title, asOf: row.as_of,
    profileName: row.profile_name, frozenAt: row.frozen_at, frozenBy: row.frozen_by, resultSha256: row.result_sha256, result: row.result,
  };
}
