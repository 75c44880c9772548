import { createHash } from 'node:crypto';
import { canonicalJson } from '../../domain/canonical-json';
import type { PolicyProfile } from '../../domain/profile/policy-profile';
import type { Queryable } from '../sql/sql-parameters';

/** What the rollups currently hold: counts as of `asOf` under the profile with this fingerprint. */
export interface RollupState {
  asOf: string;
  profileName: string;
  profileFingerprint: string;
  refreshedAt: Date;
  fullRefreshAt: Date;
}

const fingerprints = new WeakMap<PolicyProfile, string>();

/**
 * The profile's identity for the rollups: any change of a rule, threshold or list changes it. Every answer from
 * the rollups checks it, so it is kept for a profile as loaded (frozen all the way down, it cannot change); one
 * built otherwise is hashed each time.
 */
export function profileFingerprint(profile: PolicyProfile): string {
  const kept = fingerprints.get(profile);
  if (kept !== undefined) return kept;
  const fingerprint = createHash('sha256').update(canonicalJson(profile)).digest('hex');
  if (Object.isFrozen(profile)) fingerprints.set(profile, fingerprint);
  return fingerprint;
}

/** The columns of `rollup_state` a read selects, and the state they make. */
export const rollupStateColumns = 'as_of, profile_name, profile_fingerprint, refreshed_at, full_refresh_at';
export interface RollupStateRow { as_of: string; profile_name: string; profile_fingerprint: string; refreshed_at: Date; full_refresh_at: Date }

export function rollupStateOf(row: RollupStateRow | undefined): RollupState | null {
  return row?.as_of ? {
    asOf: row.as_of, profileName: row.profile_name, profileFingerprint: row.profile_fingerprint,
    refreshedAt: row.refreshed_at, fullRefreshAt: row.full_refresh_at,
  } : null;
}

export async function readRollupState(db: Queryable): Promise<RollupState | null> {
  const { rows } = await db.query<RollupStateRow>(`select ${rollupStateColumns} from rollup_state where id = 1`);
  return rollupStateOf(rows[0]);
}

/** Why the rollups cannot answer for this as-of date and profile; null: they can (changes pending aside). */
export function staleness(state: RollupState | null, asOf: string, profile: PolicyProfile): string | null {
  if (!state) return '汇总表尚未生成';
  if (state.asOf !== asOf) return `汇总表截至 ${state.asOf}，不是 ${asOf}`;
  if (state.profileFingerprint !== profileFingerprint(profile)) return `汇总表按另一版政策配置（${state.profileName}）计算`;
  return null;
}
