/**
 * The one place that computes a deadline (DOMAIN.md §3, §4; STYLE.md "one way to do each thing").
 * Every number comes from the policy profile's DeadlineRules; working days come from the calendar.
 */
import type { ActionType, Procedure } from '../codes';
import { InvalidValueError } from '../errors';
import { addCalendarDays, compareDates } from '../calendar/civil-date';
import type { DeadlineDate, WorkingDayCalendar } from '../calendar/working-day-calendar';
import type { DeadlineRules } from './deadline-rules';

const MS_PER_HOUR = 3_600_000;

/**
 * Last day to publish a decision (§4.1): the N-th working day after the decision date, N by action
 * type (default profile: 7 for 行政许可/行政处罚, 20 otherwise). APL art. 85 makes these working days.
 */
export function publicationDeadline(
  decidedOn: string,
  actionType: ActionType,
  regionCode: string | undefined,
  rules: DeadlineRules,
  calendar: WorkingDayCalendar,
): DeadlineDate {
  const workingDays = rules.publication.workingDays[actionType] ?? rules.publication.workingDays.default;
  return calendar.addWorkingDays(decidedOn, workingDays, regionCode);
}

/** Last day to withdraw a publication after a correcting outcome (§4.1; APL art. 48: 三日内 = 3 working days). */
export function withdrawalDeadline(
  outcomeOn: string,
  regionCode: string | undefined,
  rules: DeadlineRules,
  calendar: WorkingDayCalendar,
): DeadlineDate {
  return calendar.addWorkingDays(outcomeOn, rules.withdrawal.workingDays, regionCode);
}

/**
 * Instant by which a record must reach the platform (§4.4, seed 000: within 24 hours of being made).
 * Hours run on the clock, not on civil dates, so this is an instant and no calendar is involved.
 */
export function uploadDeadline(recordedAt: Date, rules: DeadlineRules): Date {
  if (Number.isNaN(recordedAt.getTime())) {
    throw new InvalidValueError('INVALID_INSTANT', recordedAt, 'uploadDeadline: recordedAt is not a valid instant');
  }
  return new Date(recordedAt.getTime() + rules.upload.hours * MS_PER_HOUR);
}

/**
 * Last day to archive a closed case (§4.4, seed 003: within 30 days). Calendar days, not working
 * days (APL art. 85 covers only its 二日/三日/五日/七日); the closing day itself is not counted.
 */
export function archiveDeadline(closedOn: string, rules: DeadlineRules): string {
  return addCalendarDays(closedOn, rules.archive.calendarDays);
}

/** Last day to decide an ordinary-procedure penalty (§4.4; APL art. 60: 自立案之日起九十日内), filing day not counted. */
export function decisionDeadline(filedOn: string, rules: DeadlineRules): string {
  return addCalendarDays(filedOn, rules.decision.calendarDays);
}

/** Whether the 90-day rule covers a case (APL art. 60: penalties under the ordinary procedure, by default). */
export function decisionDeadlineApplies(actionType: ActionType, procedure: Procedure, rules: DeadlineRules): boolean {
  return rules.decision.actionTypes.includes(actionType) && rules.decision.procedures.includes(procedure);
}

/** An act dated on the deadline is in time (§3: "a publication dated on or before the deadline is on time"). */
export function isOnOrBefore(date: string, deadline: string | DeadlineDate): boolean {
  return compareDates(date, typeof deadline === 'string' ? deadline : deadline.date) <= 0;
}
