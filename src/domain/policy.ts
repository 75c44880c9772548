import { loadCalendar, type WorkingDayCalendar } from './calendar/working-day-calendar';
import { loadPolicyProfile, type PolicyProfile } from './profile/policy-profile';

/** The rules in force: the policy profile and the working-day calendar, both read from data files. */
export interface Policy { profile: PolicyProfile; calendar: WorkingDayCalendar }

/** Reads and checks both, so that a broken profile or calendar file stops the hub at start, naming the file. */
export function loadPolicy(profileName: string): Policy {
  return { profile: loadPolicyProfile({ name: profileName }), calendar: loadCalendar() };
}
