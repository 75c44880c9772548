import type { Pool } from 'pg';
import type { PolicyProfile } from '../domain/profile/policy-profile';

/**
 * Writes the profile's display periods (公示期限) into `display_period_rules`, which the database's public-view
 * policy reads (hub_display_open). Replaced as a whole in one transaction, so a reader sees the old rules or the
 * new ones, never a mix. The hub calls it at start, after migrating, with the profile it runs.
 */
export async function writeDisplayPeriodRules(pool: Pool, profile: PolicyProfile): Promise<number> {
  const rows = profile.publication.displayPeriods.flatMap((set) => set.rules.map((rule, position) => ({
    effective_from: set.effectiveFrom,
    position,
    action_types: rule.when.actionTypes ?? null,
    penalty_kinds_only: rule.when.penaltyKindsOnly ?? null,
    period_unit: rule.period?.unit ?? null,
    period_count: rule.period?.count ?? null,
  })));
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query('delete from display_period_rules');
    await client.query(`insert into display_period_rules (effective_from, position, action_types, penalty_kinds_only, period_unit, period_count)
      select * from jsonb_to_recordset($1::jsonb) as r(effective_from date, position smallint, action_types text[], penalty_kinds_only text[], period_unit text, period_count int)`,
    [JSON.stringify(rows)]);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  return rows.length;
}
