import type { MikroORM } from '@mikro-orm/postgresql';
import { daysBetween, todayInShanghai } from '../domain/calendar/civil-date';
import type { Policy } from '../domain/policy';
import { schemaVersion } from '../warehouse/migrate';

export interface Health {
  status: 'ok' | 'unavailable';
  database: 'reachable' | 'unreachable';
  schemaVersion: string | null;
  profile: string;
  /** the last day the holiday schedule covers: deadlines past it are provisional until a newer schedule is installed */
  calendarHorizon: string;
  calendarHorizonDaysLeft: number;
  error?: string;
}

/** What an operator's probe needs: can the hub reach its database, which schema and which rules does it run. */
export async function checkHealth(orm: MikroORM, policy: Policy): Promise<Health> {
  const rules = {
    profile: policy.profile.name,
    calendarHorizon: policy.calendar.horizon.to,
    calendarHorizonDaysLeft: daysBetween(todayInShanghai(), policy.calendar.horizon.to),
  };
  try {
    const version = await schemaVersion(orm);
    return { status: 'ok', database: 'reachable', schemaVersion: version, ...rules };
  } catch (error) {
    return {
      status: 'unavailable', database: 'unreachable', schemaVersion: null, ...rules,
      error: error instanceof Error ? error.message : String(error),
    };
  }
}
