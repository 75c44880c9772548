/**
 * Cron expressions as the sources file writes a source's schedule: five fields (minute hour day-of-month
 * month day-of-week), read in Asia/Shanghai. Only checked here, closely enough that a typo ('0 2 * *',
 * '0 25 * * *', '0 2 * * MON-FRY') is refused when the file is read rather than never firing.
 */

interface CronField {
  name: string;
  min: number;
  max: number;
  /** names allowed in place of numbers, in order from `min` */
  names?: readonly string[];
}

const FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  // 0 and 7 are both Sunday, as in Vixie cron.
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

export const CRON_FORM = 'minute hour day-of-month month day-of-week';

function valueProblem(field: CronField, text: string): { value: number } | { problem: string } {
  const named = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return { value: field.min + named };
  if (!/^\d+$/.test(text)) {
    const names = field.names ? ` or ${field.names[0]}–${field.names[field.names.length - 1]}` : '';
    return { problem: `${field.name} ${JSON.stringify(text)} is not a number${names}` };
  }
  const value = Number(text);
  if (value < field.min || value > field.max) return { problem: `${field.name} ${value} is outside ${field.min}–${field.max}` };
  return { value };
}

/** A field: `*`, a value or a range `a-b`, each with an optional step `/n`, or a comma list of those. */
function fieldProblem(field: CronField, text: string): string | null {
  for (const item of text.split(',')) {
    const [base = '', step, extra] = item.split('/');
    if (extra !== undefined) return `${field.name} ${JSON.stringify(item)} has more than one '/'`;
    if (step !== undefined && (!/^\d+$/.test(step) || Number(step) < 1 || Number(step) > field.max)) {
      return `${field.name} ${JSON.stringify(item)}: the step after '/' must be a whole number from 1 to ${field.max}`;
    }
    if (base === '*') continue;
    const [from = '', to, more] = base.split('-');
    if (more !== undefined || from === '' || to === '') return `${field.name} ${JSON.stringify(item)} is not a value or a range a-b`;
    const start = valueProblem(field, from);
    if ('problem' in start) return start.problem;
    if (to === undefined) continue;
    const end = valueProblem(field, to);
    if ('problem' in end) return end.problem;
    if (end.value < start.value) return `${field.name} range ${JSON.stringify(base)} runs backwards`;
  }
  return null;
}

/** What is wrong with a five-field cron expression, or null when it reads. */
export function cronProblem(expression: string): string | null {
  const fields = expression.trim().split(/\s+/).filter((f) => f !== '');
  if (fields.length !== FIELDS.length) {
    return `expected ${FIELDS.length} fields (${CRON_FORM}), got ${fields.length} in ${JSON.stringify(expression)}`;
  }
  for (const [i, field] of FIELDS.entries()) {
    const problem = fieldProblem(field, fields[i]!);
    if (problem) return `${problem} in ${JSON.stringify(expression)} (${CRON_FORM})`;
  }
  return null;
}
