import type { Pool } from 'pg';
import type { PolicyProfile } from '../domain/profile/policy-profile';

/**
 * Writes the profile's display periods (公示期限) into `display_period_rules`, from which the database keeps each
 * case's days in public view (`public_case_windows`, the PublicCaseWindows migration). Replaced as a whole in one
 * transaction, with the windows rebuilt once in it, so a reader sees the old rules and windows or the new ones,
 * never a mix. The hub calls it at start, after migrating, with the profile it runs; rules that are already
 * there are left alone, since rebuilding the windows reads every published case. Returns how many rules the
 * profile has and whether they changed.
 */
export async function writeDisplayPeriodRules(pool: Pool, profile: PolicyProfile): Promise<{ rules: number; changed: boolean }> {
  const rows = profile.publication.displayPeriods.flatMap((set) => set.rules.map((rule, position) => ({
    effective_from: set.effectiveFrom,
    position,
    action_types: rule.when.actionTypes ?? null,
    penalty_kinds_only: rule.when.penaltyKindsOnly ?? null,
    period_unit: rule.period?.unit ?? null,
    period_count: rule.period?.count ?? null,
  })));
  const given = `jsonb_to_recordset($1::jsonb) as r(effective_from date, position smallint, action_types text[],
    penalty_kinds_only text[], period_unit text, period_count int)`;
  const client = await pool.connect();
  try {
    await client.query('begin');
    // one writer at a time, so that two hubs starting together compare and write in turn
    await client.query('lock table display_period_rules in share row exclusive mode');
    const { rows: [same] } = await client.query<{ same: boolean }>(`select
      (select coalesce(jsonb_agg(to_jsonb(r) order by r.effective_from, r.position), '[]') from display_period_rules r) =
      (select coalesce(jsonb_agg(to_jsonb(r) order by r.effective_from, r.position), '[]') from ${given}) as same`, [JSON.stringify(rows)]);
    if (same!.same) {
      await client.query('commit');
      return { rules: rows.length, changed: false };
    }
    // the rules' trigger would rebuild the windows after each statement: once, after both, is enough
    await client.query(`select set_config('hub.display_rules_writing', 'on', true)`);
    await client.query('delete from display_period_rules');
    await client.query(`insert into display_period_rules (effective_from, position, action_types, penalty_kinds_only, period_unit, period_count)
      select * from ${given}`, [JSON.stringify(rows)]);
    await client.query('select hub_public_windows_rebuild()');
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  return { rules: rows.length, changed: true };
}
