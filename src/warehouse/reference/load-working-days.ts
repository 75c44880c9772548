import type { EntityManager } from '@mikro-orm/postgresql';
import { fromDayNumber, toDayNumber } from '../../domain/calendar/civil-date';
import {
  loadCalendarOverrides, WorkingDayCalendar, type CalendarOverride,
} from '../../domain/calendar/working-day-calendar';

/**
 * Years of provisional days kept past the national horizon. Deadlines there are Monday–Friday guesses flagged
 * provisional (DOMAIN.md §3); three years covers every deadline of a decision made before an overdue upgrade
 * of chinese-days. A date beyond that has no row, and its deadline is unknown rather than guessed.
 */
const PROVISIONAL_YEARS = 3;

export const NATIONAL_VARIANT = 'national';

interface VariantPlan { id: string; name: string; overrides: string[]; probe: string | undefined }

/**
 * The distinct sets of overrides a region can be under. A region's set is decided by its longest matching
 * override prefix: every shorter matching prefix is a prefix of that one, so the prefix itself, used as a
 * region code, selects the same overrides in the same order.
 */
export function calendarVariants(overrides: CalendarOverride[]): {
  variants: VariantPlan[]; prefixes: { prefix: string; variant: string }[];
} {
  const variants = new Map<string, VariantPlan>([[NATIONAL_VARIANT, { id: NATIONAL_VARIANT, name: '全国', overrides: [], probe: undefined }]]);
  const prefixes: { prefix: string; variant: string }[] = [];
  const allPrefixes = [...new Set(overrides.flatMap((o) => o.regionPrefixes))].sort();
  for (const prefix of allPrefixes) {
    const inForce = overrides
      .map((o) => ({ o, length: Math.max(-1, ...o.regionPrefixes.filter((p) => prefix.startsWith(p)).map((p) => p.length)) }))
      .filter((m) => m.length >= 0)
      .sort((a, b) => b.length - a.length)
      .map((m) => m.o);
    const id = inForce.map((o) => o.id).join('+');
    if (!variants.has(id)) variants.set(id, { id, name: inForce.map((o) => o.name).join('+'), overrides: inForce.map((o) => o.id), probe: prefix });
    prefixes.push({ prefix, variant: id });
  }
  return { variants: [...variants.values()], prefixes };
}

/**
 * Grain: one row per calendar variant per day, from the national horizon's first day to PROVISIONAL_YEARS past
 * its last. Rebuilt from the domain calendar (chinese-days + policy/calendars/) by `hub migrate`; rows that
 * changed are rewritten, rows no longer produced are removed, all in one transaction.
 */
export async function loadWorkingDays(
  em: EntityManager, calendarDir?: string,
): Promise<{ variants: number; days: number; changed: number; horizon: string }> {
  const overrides = loadCalendarOverrides(calendarDir);
  const calendar = new WorkingDayCalendar(overrides);
  const { variants, prefixes } = calendarVariants(overrides);
  const first = toDayNumber(calendar.horizon.from);
  const last = toDayNumber(`${Number(calendar.horizon.to.slice(0, 4)) + PROVISIONAL_YEARS}-12-31`);

  const days: { variant: string; day: string; working: boolean; ordinal: number; provisional: boolean; reason: string }[] = [];
  for (const variant of variants) {
    let ordinal = 0;
    for (let d = first; d <= last; d++) {
      const date = fromDayNumber(d);
      const { working, reason } = calendar.day(date, variant.probe);
      if (working) ordinal += 1;
      days.push({ variant: variant.id, day: date, working, ordinal, provisional: !calendar.covers(date), reason });
    }
  }

  return em.transactional(async (tx) => {
    await tx.execute(
      `insert into calendar_variants (id, name, overrides, horizon_to)
       select id, name, overrides, horizon_to from jsonb_to_recordset(?::jsonb) as t(id text, name text, overrides text[], horizon_to date)
       on conflict (id) do update set name = excluded.name, overrides = excluded.overrides, horizon_to = excluded.horizon_to`,
      [JSON.stringify(variants.map((v) => ({ id: v.id, name: v.name, overrides: v.overrides, horizon_to: calendar.horizon.to })))],
    );
    const [changed] = await tx.execute<{ n: number }[]>(
      `with input as (
         select * from jsonb_to_recordset(?::jsonb)
           as t(variant text, day date, working boolean, ordinal int, provisional boolean, reason text)
       ), upserted as (
         insert into working_days (variant, day, working, ordinal, provisional, reason)
         select variant, day, working, ordinal, provisional, reason from input
         on conflict (variant, day) do update
           set working = excluded.working, ordinal = excluded.ordinal, provisional = excluded.provisional, reason = excluded.reason
           where (working_days.working, working_days.ordinal, working_days.provisional, working_days.reason)
             is distinct from (excluded.working, excluded.ordinal, excluded.provisional, excluded.reason)
         returning 1
       ), removed as (
         delete from working_days w where not exists (select 1 from input i where i.variant = w.variant and i.day = w.day)
         returning 1
       )
       select ((select count(*) from upserted) + (select count(*) from removed))::int as n`,
      [JSON.stringify(days)],
    );
    await tx.execute(`delete from calendar_region_prefixes`);
    if (prefixes.length > 0) {
      await tx.execute(
        `insert into calendar_region_prefixes (prefix, variant) select prefix, variant from jsonb_to_recordset(?::jsonb) as t(prefix text, variant text)`,
        [JSON.stringify(prefixes)],
      );
    }
    await tx.execute(`delete from calendar_variants where id not in (select jsonb_array_elements_text(?::jsonb))`, [JSON.stringify(variants.map((v) => v.id))]);
    // every deadline is looked up here: the planner must know the table's size now, not at autovacuum's next pass
    await tx.execute(`analyze working_days, calendar_region_prefixes, calendar_variants`);
    return { variants: variants.length, days: days.length, changed: changed?.n ?? 0, horizon: calendar.horizon.to };
  });
}
