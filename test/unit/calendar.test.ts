import { parseNamedPeriod } from '../../src/domain/calendar/named-period';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  addCalendarDays,
  compareDates,
  daysBetween,
  isCivilDate,
  todayInShanghai,
} from '../../src/domain/calendar/civil-date';
import {
  type CalendarOverride,
  WorkingDayCalendar,
  loadCalendar,
  loadCalendarOverrides,
} from '../../src/domain/calendar/working-day-calendar';

const XINJIANG_URUMQI_TIANSHAN = '650102';
const FUJIAN_XIAMEN_SIMING = '350502';

function anOverride(fields: Partial<CalendarOverride> = {}): CalendarOverride {
  return { id: 'test', name: '测试区', regionPrefixes: ['65'], daysOff: [], workingDays: [], ...fields };
}

/** A folder in os.tmpdir() holding one override file with the given text. */
function anOverrideFolder(fileName: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calendar-overrides-'));
  fs.writeFileSync(path.join(dir, fileName), text, 'utf8');
  return dir;
}

const national = new WorkingDayCalendar();
const shipped = loadCalendar();

describe('civil dates', () => {
  test('a civil date is a real YYYY-MM-DD day: 2024-02-29 yes, 2025-02-29, 2025-02-30 and 2025-2-8 no', () => {
    expect(isCivilDate('2024-02-29')).toBe(true);
    expect(isCivilDate('2025-02-29')).toBe(false);
    expect(isCivilDate('2025-02-30')).toBe(false);
    expect(isCivilDate('2025-2-8')).toBe(false);
    expect(isCivilDate(20250208)).toBe(false);
  });

  test('calendar-day arithmetic crosses months, leap days and years', () => {
    expect(addCalendarDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addCalendarDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addCalendarDays('2025-03-01', -1)).toBe('2025-02-28');
    expect(daysBetween('2025-01-01', '2025-04-01')).toBe(90);
    expect(daysBetween('2025-04-01', '2025-01-01')).toBe(-90);
    expect(compareDates('2025-01-09', '2025-01-10')).toBeLessThan(0);
    expect(compareDates('2025-01-10', '2025-01-10')).toBe(0);
  });

  test('arithmetic on an impossible date throws instead of rolling over', () => {
    expect(() => addCalendarDays('2025-02-30', 1)).toThrow("'2025-02-30' is not a real date");
  });

  test('today is the civil date in Asia/Shanghai (UTC+8), whatever the machine zone', () => {
    expect(todayInShanghai(new Date('2025-03-31T15:59:59Z'))).toBe('2025-03-31');
    expect(todayInShanghai(new Date('2025-03-31T16:00:00Z'))).toBe('2025-04-01');
  });
});

describe('working-day calendar: national schedule', () => {
  test('the horizon is the years chinese-days publishes a schedule for, from 1 January to 31 December', () => {
    const yearsDir = path.join(path.dirname(require.resolve('chinese-days/package.json')), 'dist', 'years');
    const years = fs
      .readdirSync(yearsDir)
      .filter((f) => /^\d{4}\.json$/.test(f))
      .map((f) => Number(f.slice(0, 4)))
      .sort((a, b) => a - b);
    expect(national.horizon).toEqual({ from: `${years[0]}-01-01`, to: `${years[years.length - 1]}-12-31` });
  });

  test('each day says whether it is worked and why: holiday, make-up Saturday, weekend, ordinary weekday', () => {
    expect(national.day('2024-10-01')).toEqual({ date: '2024-10-01', working: false, reason: '国庆节' });
    expect(national.day('2024-10-12')).toEqual({ date: '2024-10-12', working: true, reason: '调休上班 (国庆节)' });
    expect(national.day('2024-10-13')).toEqual({ date: '2024-10-13', working: false, reason: '周末' });
    expect(national.day('2024-10-14')).toEqual({ date: '2024-10-14', working: true, reason: '工作日' });
  });

  test('the N-th working day after a date skips the holiday and counts the make-up days (issue facts)', () => {
    expect(national.addWorkingDays('2024-09-27', 7)).toEqual({ date: '2024-10-12', provisional: false });
    expect(national.addWorkingDays('2025-01-24', 7)).toEqual({ date: '2025-02-10', provisional: false });
    expect(national.addWorkingDays('2026-09-18', 20)).toEqual({ date: '2026-10-22', provisional: false });
    expect(national.addWorkingDays('2026-04-30', 3)).toEqual({ date: '2026-05-08', provisional: false });
  });

  test('the start date is not counted even when it is itself a working day', () => {
    expect(national.addWorkingDays('2024-10-14', 1).date).toBe('2024-10-15');
    expect(national.addWorkingDays('2024-10-13', 1).date).toBe('2024-10-14');
  });

  test('working days between two dates count those after the first up to and including the second', () => {
    expect(national.workingDaysBetween('2024-09-27', '2024-10-12')).toBe(7);
    expect(national.workingDaysBetween('2024-09-27', '2024-10-14')).toBe(8);
    expect(national.workingDaysBetween('2024-10-01', '2024-10-07')).toBe(0);
    expect(national.workingDaysBetween('2024-10-14', '2024-10-14')).toBe(0);
    expect(national.workingDaysBetween('2024-10-14', '2024-10-01')).toBe(0);
  });

  test('adding and counting agree with stepping day by day through every day of a year', () => {
    for (const region of [undefined, XINJIANG_URUMQI_TIANSHAN]) {
      for (let start = '2025-01-01'; start <= '2025-12-31'; start = addCalendarDays(start, 1)) {
        let cursor = start;
        for (let counted = 0; counted < 7; ) {
          cursor = addCalendarDays(cursor, 1);
          if (shipped.isWorkingDay(cursor, region)) counted++;
        }
        expect(shipped.addWorkingDays(start, 7, region).date).toBe(cursor);
        expect(shipped.workingDaysBetween(start, cursor, region)).toBe(7);
      }
    }
  });
});

describe('working-day calendar: horizon', () => {
  const lastCovered = national.horizon.to;

  test('a deadline inside the horizon is final, even one landing on its last day', () => {
    expect(national.addWorkingDays('2026-12-10', 7)).toEqual({ date: '2026-12-21', provisional: false });
    expect(national.addWorkingDays(addCalendarDays(lastCovered, -1), 1).provisional).toBe(false);
  });

  test('a deadline running past the horizon is provisional, counting Monday–Friday beyond it', () => {
    // 2026-12-24 (Thu): 25, 28, 29, 30, 31 December inside; then 2027-01-01 (Fri) and 01-04 (Mon) assumed.
    expect(national.addWorkingDays('2026-12-24', 7)).toEqual({ date: '2027-01-04', provisional: true });
    expect(national.addWorkingDays('2027-03-05', 1)).toEqual({ date: '2027-03-08', provisional: true });
  });

  test('a day past the horizon says in its reason that it is assumed, not published', () => {
    expect(national.covers('2027-01-01')).toBe(false);
    expect(national.day('2027-01-01')).toMatchObject({ working: true, reason: expect.stringContaining('超出日历范围') });
    expect(national.day('2027-01-02')).toMatchObject({ working: false, reason: expect.stringContaining('超出日历范围') });
  });

  test('a date before the horizon has no schedule and throws rather than guessing', () => {
    const before = addCalendarDays(national.horizon.from, -1);
    expect(() => national.day(before)).toThrow(`no working-day schedule before ${national.horizon.from}`);
    expect(() => national.addWorkingDays('2003-06-02', 7)).toThrow(/no working-day schedule before/);
    expect(() => national.day(before)).toThrow(expect.objectContaining({ code: 'DATE_BEFORE_CALENDAR', value: before }));
  });

  test('a malformed date or day count is refused', () => {
    expect(() => national.day('2025-02-30')).toThrow("'2025-02-30' is not a real date");
    expect(() => national.addWorkingDays('2025-03-03', 0)).toThrow(/whole number ≥ 1/);
    expect(() => national.addWorkingDays('2025-03-03', 1.5)).toThrow(/whole number ≥ 1/);
  });
});

describe('working-day calendar: regional overrides', () => {
  test('the shipped Xinjiang file applies to region codes starting with 65', () => {
    const overrides = loadCalendarOverrides();
    const xinjiang = overrides.find((o) => o.id === 'xinjiang');
    expect(xinjiang).toMatchObject({ name: '新疆', regionPrefixes: ['65'] });
    expect(xinjiang?.daysOff).toContainEqual({ date: '2025-03-31', name: '肉孜节' });
  });

  test('肉孜节 2025 (Monday 03-31) is a day off in Xinjiang only', () => {
    expect(shipped.day('2025-03-31', XINJIANG_URUMQI_TIANSHAN)).toEqual({ date: '2025-03-31', working: false, reason: '肉孜节 (新疆)' });
    expect(shipped.day('2025-03-31', FUJIAN_XIAMEN_SIMING)).toEqual({ date: '2025-03-31', working: true, reason: '工作日' });
    expect(shipped.day('2025-03-31')).toEqual({ date: '2025-03-31', working: true, reason: '工作日' });
  });

  test('a regional day off moves a deadline only inside its region (7 working days after 2025-03-27)', () => {
    // 28, 31 Mar, 1, 2, 3 Apr, (4 Apr 清明), 7, 8 Apr — and in Xinjiang 31 Mar is 肉孜节.
    expect(shipped.addWorkingDays('2025-03-27', 7, FUJIAN_XIAMEN_SIMING)).toEqual({ date: '2025-04-08', provisional: false });
    expect(shipped.addWorkingDays('2025-03-27', 7, XINJIANG_URUMQI_TIANSHAN)).toEqual({ date: '2025-04-09', provisional: false });
    expect(shipped.workingDaysBetween('2025-03-27', '2025-04-09', FUJIAN_XIAMEN_SIMING)).toBe(8);
    expect(shipped.workingDaysBetween('2025-03-27', '2025-04-09', XINJIANG_URUMQI_TIANSHAN)).toBe(7);
  });

  test('a regional make-up working day makes a weekend worked inside the region only', () => {
    const calendar = new WorkingDayCalendar([
      anOverride({ name: '测试区', workingDays: [{ date: '2025-03-29', name: '调休上班' }] }),
    ]);
    expect(calendar.day('2025-03-29', '650102')).toEqual({ date: '2025-03-29', working: true, reason: '调休上班 (测试区)' });
    expect(calendar.isWorkingDay('2025-03-29', '350502')).toBe(false);
  });

  test('a region declaring a national day off a working day is obeyed inside the region', () => {
    const calendar = new WorkingDayCalendar([anOverride({ workingDays: [{ date: '2024-10-07', name: '调休上班' }] })]);
    expect(calendar.isWorkingDay('2024-10-07', '650102')).toBe(true);
    expect(calendar.isWorkingDay('2024-10-07', '350502')).toBe(false);
  });

  test('when two overrides match, the one with the longer prefix (more specific region) wins', () => {
    const calendar = new WorkingDayCalendar([
      anOverride({ id: 'province', name: '省', regionPrefixes: ['65'], daysOff: [{ date: '2025-05-06', name: '省假' }] }),
      anOverride({ id: 'city', name: '市', regionPrefixes: ['6501'], workingDays: [{ date: '2025-05-06', name: '市上班' }] }),
    ]);
    expect(calendar.day('2025-05-06', '650102')).toMatchObject({ working: true, reason: '市上班 (市)' });
    expect(calendar.day('2025-05-06', '654002')).toMatchObject({ working: false, reason: '省假 (省)' });
  });

  test('an override given in code is checked like a file', () => {
    expect(() => new WorkingDayCalendar([anOverride({ id: 'bad', daysOff: [{ date: '2025-02-30', name: 'x' }] })])).toThrow(
      `calendar override 'bad': daysOff[0].date: expected a real date 'YYYY-MM-DD', got "2025-02-30"`,
    );
  });
});

describe('working-day calendar: malformed override files', () => {
  const valid = (daysOff: string, extra = '') =>
    `name: 测试区\nregionPrefixes: ['65']\ndaysOff:\n${daysOff}\n${extra}`;

  test('an impossible date names the file, the entry and the value', () => {
    const dir = anOverrideFolder(
      'bad-date.yaml',
      valid(`  - { date: '2025-03-31', name: 肉孜节 }\n  - { date: '2025-06-06', name: 古尔邦节 }\n  - { date: '2025-02-30', name: 古尔邦节 }`),
    );
    expect(() => loadCalendarOverrides(dir)).toThrow(
      `${path.join(dir, 'bad-date.yaml')}: daysOff[2].date: expected a real date 'YYYY-MM-DD', got "2025-02-30" (line 6)`,
    );
  });

  test('a date outside the national horizon is refused: overrides only adjust covered years', () => {
    const dir = anOverrideFolder('future.yaml', valid(`  - { date: '2099-03-20', name: 肉孜节 }`));
    expect(() => loadCalendarOverrides(dir)).toThrow(/future\.yaml: daysOff\[0\]\.date: "2099-03-20" lies outside the national calendar's horizon/);
  });

  test('a misspelt key is refused instead of silently dropping its days', () => {
    const dir = anOverrideFolder('typo.yaml', valid(`  - { date: '2025-03-31', name: 肉孜节 }`, `dayOff: []\n`));
    expect(() => loadCalendarOverrides(dir)).toThrow(/typo\.yaml: dayOff: unknown key \(known: name, regionPrefixes, source, daysOff, workingDays\) \(line 5\)/);
  });

  test('an unquoted numeric region prefix is refused with the value', () => {
    const dir = anOverrideFolder('prefix.yaml', `name: 测试区\nregionPrefixes: [65]\ndaysOff: []\n`);
    expect(() => loadCalendarOverrides(dir)).toThrow(/prefix\.yaml: regionPrefixes\[0\]: expected a quoted string of 1–12 digits, e\.g\. '65', got 65/);
  });

  test('the same date listed twice is refused, naming both entries', () => {
    const dir = anOverrideFolder(
      'twice.yaml',
      valid(`  - { date: '2025-03-31', name: 肉孜节 }`, `workingDays:\n  - { date: '2025-03-31', name: 调休上班 }\n`),
    );
    expect(() => loadCalendarOverrides(dir)).toThrow(
      /twice\.yaml: workingDays\[0\]\.date: "2025-03-31" is already listed as daysOff\[0\]/,
    );
  });

  test('a file that is not YAML names the file', () => {
    const dir = anOverrideFolder('broken.yaml', 'name: [unclosed\n');
    expect(() => loadCalendarOverrides(dir)).toThrow(/broken\.yaml:\d+:\d+: YAML syntax error/);
  });

  test('a missing folder is an error, not an empty calendar', () => {
    expect(() => loadCalendarOverrides(path.join(os.tmpdir(), 'no-such-calendar-folder-xyz'))).toThrow(/does not exist/);
  });
});

describe('working-day calendar: time zone independence', () => {
  const originalTz = process.env.TZ;
  afterAll(() => {
    if (originalTz === undefined) delete process.env.TZ;
    else process.env.TZ = originalTz;
  });

  test('deadlines are the same on a machine west of UTC as in Shanghai', () => {
    for (const tz of ['America/Los_Angeles', 'Asia/Shanghai', 'Pacific/Kiritimati']) {
      process.env.TZ = tz;
      const calendar = new WorkingDayCalendar();
      expect(calendar.addWorkingDays('2024-09-27', 7).date).toBe('2024-10-12');
      expect(calendar.day('2024-10-12').working).toBe(true);
      expect(addCalendarDays('2025-03-09', 1)).toBe('2025-03-10');
    }
  });
});

describe('named periods', () => {
  test.each([
    ['2025', '2025-01-01', '2025-12-31'], ['2024H1', '2024-01-01', '2024-06-30'], ['2024H2', '2024-07-01', '2024-12-31'],
    ['2024Q1', '2024-01-01', '2024-03-31'], ['2024Q4', '2024-10-01', '2024-12-31'], ['2024-02', '2024-02-01', '2024-02-29'],
    ['2025-02', '2025-02-01', '2025-02-28'], ['2025-03-05..2025-04-01', '2025-03-05', '2025-04-01'],
  ])('%s is %s – %s', (text, from, to) => {
    expect(parseNamedPeriod(text)).toEqual({ from, to });
  });
  test('anything else is refused with the forms it takes', () => {
    expect(() => parseNamedPeriod('2025Q5')).toThrow(/2025Q1（季度）/);
    expect(() => parseNamedPeriod('2025-04-01..2025-03-01')).toThrow(/起始日期晚于结束日期/);
    expect(() => parseNamedPeriod('2025-02-30..2025-03-01')).toThrow();
  });
});
