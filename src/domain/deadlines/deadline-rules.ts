import type { ActionType, Procedure } from '../codes';

/**
 * The deadlines of DOMAIN.md §4, as the policy profile states them. Working days follow the calendar;
 * calendar days do not (APL art. 85 makes only its 二日/三日/五日/七日 working days).
 */
export interface DeadlineRules {
  publication: {
    /** working days after the decision date, by action type; `default` for every type not listed */
    workingDays: Partial<Record<ActionType, number>> & { default: number };
  };
  withdrawal: { workingDays: number };
  upload: { hours: number };
  archive: { calendarDays: number };
  decision: { calendarDays: number; actionTypes: ActionType[]; procedures: Procedure[] };
}
