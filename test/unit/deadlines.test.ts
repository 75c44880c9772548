import { loadCalendar } from '../../src/domain/calendar/working-day-calendar';
import type { DeadlineRules } from '../../src/domain/deadlines/deadline-rules';
import {
  archiveDeadline,
  decisionDeadline,
  decisionDeadlineApplies,
  isOnOrBefore,
  publicationDeadline,
  uploadDeadline,
  withdrawalDeadline,
} from '../../src/domain/deadlines/deadlines';

/** The default profile values of DOMAIN.md §4, overridable per test. */
function someRules(changes: Partial<DeadlineRules> = {}): DeadlineRules {
  return {
    publication: { workingDays: { LICENSING: 7, PENALTY: 7, default: 20 } },
    withdrawal: { workingDays: 3 },
    upload: { hours: 24 },
    archive: { calendarDays: 30 },
    decision: { calendarDays: 90, actionTypes: ['PENALTY'], procedures: ['ORDINARY'] },
    ...changes,
  };
}

const calendar = loadCalendar();
const rules = someRules();
const XIAMEN = '350502';
const URUMQI = '650102';

describe('publication deadline (DOMAIN.md §4.1)', () => {
  test('a penalty decided 2024-09-27 must be published within 7 working days: by 2024-10-12 (make-up Saturday)', () => {
    expect(publicationDeadline('2024-09-27', 'PENALTY', XIAMEN, rules, calendar)).toEqual({ date: '2024-10-12', provisional: false });
  });

  test('a licence decided 2025-01-24 must be published within 7 working days across 春节: by 2025-02-10', () => {
    expect(publicationDeadline('2025-01-24', 'LICENSING', XIAMEN, rules, calendar)).toEqual({ date: '2025-02-10', provisional: false });
  });

  test('any other decision gets 20 working days: an inspection decided 2026-09-18 is due 2026-10-22', () => {
    expect(publicationDeadline('2026-09-18', 'INSPECTION', XIAMEN, rules, calendar)).toEqual({ date: '2026-10-22', provisional: false });
  });

  test('the number of working days is the profile’s, per action type', () => {
    const strict = someRules({ publication: { workingDays: { PENALTY: 5, default: 10 } } });
    expect(publicationDeadline('2024-09-27', 'PENALTY', XIAMEN, strict, calendar).date).toBe('2024-10-10');
    expect(publicationDeadline('2024-09-27', 'LICENSING', XIAMEN, strict, calendar).date).toBe('2024-10-16');
  });

  test('a Xinjiang agency gets 肉孜节 2025 added to its deadline, an agency elsewhere does not', () => {
    expect(publicationDeadline('2025-03-27', 'PENALTY', XIAMEN, rules, calendar).date).toBe('2025-04-08');
    expect(publicationDeadline('2025-03-27', 'PENALTY', URUMQI, rules, calendar).date).toBe('2025-04-09');
  });

  test('a deadline running past the calendar horizon is provisional; one inside it is not', () => {
    const last = calendar.horizon.to;
    const lateDecision = publicationDeadline(last, 'PENALTY', XIAMEN, rules, calendar);
    expect(lateDecision.provisional).toBe(true);
    expect(publicationDeadline('2026-12-10', 'PENALTY', XIAMEN, rules, calendar)).toEqual({ date: '2026-12-21', provisional: false });
  });
});

describe('withdrawal deadline (DOMAIN.md §4.1, APL art. 48)', () => {
  test('a publication must be withdrawn within 3 working days of the outcome: 2026-04-30 → 2026-05-08 (劳动节)', () => {
    expect(withdrawalDeadline('2026-04-30', XIAMEN, rules, calendar)).toEqual({ date: '2026-05-08', provisional: false });
  });
});

describe('on time means on or before the deadline (DOMAIN.md §3)', () => {
  const deadline = publicationDeadline('2024-09-27', 'PENALTY', XIAMEN, rules, calendar);

  test('a publication dated on the deadline is on time', () => {
    expect(isOnOrBefore('2024-10-12', deadline)).toBe(true);
  });

  test('a publication dated before the deadline is on time', () => {
    expect(isOnOrBefore('2024-09-27', deadline)).toBe(true);
  });

  test('a publication dated the day after the deadline is late', () => {
    expect(isOnOrBefore('2024-10-13', deadline)).toBe(false);
    expect(isOnOrBefore('2024-10-13', '2024-10-12')).toBe(false);
  });
});

describe('upload deadline (DOMAIN.md §4.4): 24 hours after the record is made', () => {
  test('the deadline is the instant 24 hours later, across midnight in Shanghai', () => {
    const recordedAt = new Date('2025-03-31T23:30:00+08:00');
    expect(uploadDeadline(recordedAt, rules).toISOString()).toBe(new Date('2025-04-01T23:30:00+08:00').toISOString());
  });

  test('the number of hours is the profile’s', () => {
    const recordedAt = new Date('2025-03-31T08:00:00Z');
    expect(uploadDeadline(recordedAt, someRules({ upload: { hours: 48 } })).toISOString()).toBe('2025-04-02T08:00:00.000Z');
  });
});

describe('calendar-day deadlines (APL art. 85: only 二日/三日/五日/七日 are working days)', () => {
  test('a case closed 2025-01-31 must be archived within 30 calendar days: by 2025-03-02', () => {
    expect(archiveDeadline('2025-01-31', rules)).toBe('2025-03-02');
  });

  test('the archive period runs through holidays: closed 2024-09-27, due 2024-10-27', () => {
    expect(archiveDeadline('2024-09-27', rules)).toBe('2024-10-27');
  });

  test('an ordinary-procedure penalty filed 2025-01-01 must be decided within 90 days: by 2025-04-01 (APL art. 60)', () => {
    expect(decisionDeadline('2025-01-01', rules)).toBe('2025-04-01');
  });

  test('the 90-day rule applies to ordinary-procedure penalties only, by default', () => {
    expect(decisionDeadlineApplies('PENALTY', 'ORDINARY', rules)).toBe(true);
    expect(decisionDeadlineApplies('PENALTY', 'SUMMARY', rules)).toBe(false);
    expect(decisionDeadlineApplies('LICENSING', 'ORDINARY', rules)).toBe(false);
  });

  test('a profile may extend the 90-day rule to other action types', () => {
    const wider = someRules({ decision: { calendarDays: 90, actionTypes: ['PENALTY', 'COERCION'], procedures: ['ORDINARY'] } });
    expect(decisionDeadlineApplies('COERCION', 'ORDINARY', wider)).toBe(true);
  });
});
