import fs from 'node:fs';
import path from 'node:path';
// The package's own isWorkday/getDayDetail normalise dates with local-time setHours(0) after parsing
// them as UTC, so on a machine west of UTC they look up the previous day. We read its data instead.
import nationalData from 'chinese-days/dist/chinese-days.json';
import { policyDir } from '../../paths';
import { civilDate, describe, list, mapping, matching, optional, readDataFile, text, type Reader } from '../data-file/checked-values';
import { displayOrigin, parseYamlText, type YamlText } from '../data-file/yaml-text';
import { InvalidValueError } from '../errors';
import { assertCivilDate, fromDayNumber, isCivilDate, toDayNumber } from './civil-date';

export interface CalendarDay {
  date: string;
  working: boolean;
  /** why: '工作日', '周末', the holiday's name ('国庆节'), '调休上班 (国庆节)', '肉孜节 (新疆)' */
  reason: string;
}

export interface DeadlineDate {
  date: string;
  /** true when the count ran past the calendar's horizon (DOMAIN.md §3): show it as provisional */
  provisional: boolean;
}

export interface CalendarOverride {
  id: string;
  /** short name of the region, shown in reasons: '新疆' */
  name: string;
  /** GB/T 2260 code prefixes the override applies to ('65' = every region code in Xinjiang) */
  regionPrefixes: string[];
  daysOff: { date: string; name: string }[];
  workingDays: { date: string; name: string }[];
  /** where the days come from (the regional government's yearly notice) */
  source?: string;
}

/** Working-day schedule of one day as the national data or an override states it. */
interface ScheduledDay {
  working: boolean;
  reason: string;
}

export const defaultCalendarDir = path.join(policyDir, 'calendars');

const INVALID_OVERRIDE = 'INVALID_CALENDAR_OVERRIDE';

// ---------------------------------------------------------------------------------------------
// National schedule (State Council notices, DOMAIN.md §3) and the years it covers.

const WEEKEND_REASON = '周末';
const WORKDAY_REASON = '工作日';

/** chinese-days values read "National Day,国庆节,3"; the Chinese name is what a clerk reads. */
function holidayName(value: string): string {
  return value.split(',')[1]?.trim() || value;
}

function buildNationalSchedule(data: { holidays: Record<string, string>; workdays: Record<string, string> }) {
  const days = new Map<string, ScheduledDay>();
  for (const [date, value] of Object.entries(data.holidays)) {
    days.set(date, { working: false, reason: holidayName(value) });
  }
  // A make-up working day wins over anything else on that date, as in chinese-days' own isWorkday.
  for (const [date, value] of Object.entries(data.workdays)) {
    days.set(date, { working: true, reason: `调休上班 (${holidayName(value)})` });
  }

  // Every year the State Council publishes has holidays in it, so the years with holidays are the
  // years covered. A gap would mean broken package data, and guessing across it is what §3 forbids.
  const years = [...new Set(Object.keys(data.holidays).map((date) => Number(date.slice(0, 4))))].sort((a, b) => a - b);
  if (years.length === 0) throw new Error('chinese-days holds no holiday schedule at all');
  const first = years[0]!;
  const last = years[years.length - 1]!;
  const missing = Array.from({ length: last - first + 1 }, (_, i) => first + i).filter((y) => !years.includes(y));
  if (missing.length > 0) {
    throw new Error(`chinese-days has no holiday schedule for ${missing.join(', ')} inside ${first}–${last}`);
  }
  return { days, horizon: Object.freeze({ from: `${first}-01-01`, to: `${last}-12-31` }) };
}

const NATIONAL = buildNationalSchedule(nationalData);

function isWeekend(dayNumber: number): boolean {
  // 1970-01-01 (day 0) was a Thursday.
  const weekday = (((dayNumber + 4) % 7) + 7) % 7;
  return weekday === 0 || weekday === 6;
}

/** Monday–Friday days in (fromExclusive, toInclusive], by day number. */
function weekdaysBetween(fromExclusive: number, toInclusive: number): number {
  if (toInclusive <= fromExclusive) return 0;
  const span = toInclusive - fromExclusive;
  let count = Math.floor(span / 7) * 5;
  for (let d = fromExclusive + Math.floor(span / 7) * 7 + 1; d <= toInclusive; d++) if (!isWeekend(d)) count++;
  return count;
}

/** Number of entries of the ascending `sorted` that are <= value. */
function countAtMost(sorted: Int32Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// ---------------------------------------------------------------------------------------------
// The calendar.

interface CompiledOverride {
  override: CalendarOverride;
  days: Map<string, ScheduledDay>;
}

export class WorkingDayCalendar {
  /** first and last date the national schedule covers; past `to` every answer is provisional */
  readonly horizon: { readonly from: string; readonly to: string };
  private readonly overrides: CompiledOverride[];
  private readonly fromDay: number;
  private readonly toDay: number;
  private readonly regionMatches = new Map<string, CompiledOverride[]>();
  /** per set of applicable overrides: the day numbers of every working day inside the horizon */
  private readonly workingDayTables = new Map<string, Int32Array>();

  constructor(overrides: CalendarOverride[] = []) {
    this.horizon = NATIONAL.horizon;
    this.fromDay = toDayNumber(this.horizon.from);
    this.toDay = toDayNumber(this.horizon.to);
    const ids = new Set<string>();
    this.overrides = overrides.map((override) => {
      if (ids.has(override.id)) {
        throw new InvalidValueError(INVALID_OVERRIDE, override.id, `calendar override '${override.id}' is given twice`);
      }
      ids.add(override.id);
      const { id, ...fields } = override;
      checkOverride(fields, `calendar override '${id}'`);
      const days = new Map<string, ScheduledDay>();
      const reason = (name: string) => `${name} (${override.name})`;
      for (const { date, name } of override.daysOff) days.set(date, { working: false, reason: reason(name) });
      for (const { date, name } of override.workingDays) days.set(date, { working: true, reason: reason(name) });
      return { override, days };
    });
  }

  /** True when `date` lies inside the horizon, i.e. its working-day status is published, not assumed. */
  covers(date: string): boolean {
    assertCivilDate(date, 'date');
    return date >= this.horizon.from && date <= this.horizon.to;
  }

  day(date: string, regionCode?: string): CalendarDay {
    assertCivilDate(date, 'date');
    this.assertNotBeforeHorizon(date);
    // A regional notice is the more specific source, so it wins over the national schedule either way
    // (Xinjiang has both added days off and cancelled national make-up days, e.g. in 2014).
    for (const { days } of this.overridesFor(regionCode)) {
      const scheduled = days.get(date);
      if (scheduled) return { date, ...scheduled };
    }
    const weekend = isWeekend(toDayNumber(date));
    if (date > this.horizon.to) {
      // DOMAIN.md §3: past the horizon nothing is known; say so in the reason rather than pretend.
      return weekend
        ? { date, working: false, reason: `${WEEKEND_REASON} (超出日历范围 ${this.horizon.to})` }
        : { date, working: true, reason: `暂按工作日 (超出日历范围 ${this.horizon.to})` };
    }
    const national = NATIONAL.days.get(date);
    if (national) return { date, ...national };
    return weekend ? { date, working: false, reason: WEEKEND_REASON } : { date, working: true, reason: WORKDAY_REASON };
  }

  isWorkingDay(date: string, regionCode?: string): boolean {
    return this.day(date, regionCode).working;
  }

  /**
   * The n-th working day after `date`, the date itself not counted ("N 个工作日内", DOMAIN.md §3;
   * APL art. 85). Provisional when any day examined lies past the horizon, in which case days past
   * the horizon count as working on Monday–Friday.
   */
  addWorkingDays(date: string, n: number, regionCode?: string): DeadlineDate {
    assertCivilDate(date, 'date');
    if (!Number.isInteger(n) || n < 1) {
      const message = `a number of working days must be a whole number ≥ 1, not ${n}`;
      throw new InvalidValueError('INVALID_DAY_COUNT', n, message);
    }
    const start = toDayNumber(date);
    this.assertNotBeforeHorizon(fromDayNumber(start + 1));
    const table = this.workingDayTable(regionCode);
    const index = countAtMost(table, start) + n - 1;
    if (index < table.length) return { date: fromDayNumber(table[index]!), provisional: false };

    let remaining = index - table.length + 1;
    let cursor = Math.max(start, this.toDay);
    while (remaining > 0) {
      cursor++;
      if (!isWeekend(cursor)) remaining--;
    }
    return { date: fromDayNumber(cursor), provisional: true };
  }

  /**
   * Working days strictly after `from` up to and including `to` (0 when to <= from): the delay of a
   * late publication in working days (DOMAIN.md §4.1). Days past the horizon count Monday–Friday.
   */
  workingDaysBetween(from: string, to: string, regionCode?: string): number {
    assertCivilDate(from, 'from');
    assertCivilDate(to, 'to');
    const [start, end] = [toDayNumber(from), toDayNumber(to)];
    if (end <= start) return 0;
    this.assertNotBeforeHorizon(fromDayNumber(start + 1));
    const table = this.workingDayTable(regionCode);
    const inside = countAtMost(table, Math.min(end, this.toDay)) - countAtMost(table, start);
    return inside + weekdaysBetween(Math.max(start, this.toDay), end);
  }

  private assertNotBeforeHorizon(date: string): void {
    if (date < this.horizon.from) {
      throw new InvalidValueError(
        'DATE_BEFORE_CALENDAR',
        date,
        `no working-day schedule before ${this.horizon.from}: ${date} lies before the national calendar's horizon ` +
          `(${this.horizon.from}..${this.horizon.to})`,
      );
    }
  }

  /** The overrides whose prefix the region code starts with, most specific (longest prefix) first. */
  private overridesFor(regionCode: string | undefined): CompiledOverride[] {
    if (!regionCode || this.overrides.length === 0) return [];
    let matches = this.regionMatches.get(regionCode);
    if (!matches) {
      const longestPrefix = (o: CompiledOverride) =>
        Math.max(...o.override.regionPrefixes.filter((p) => regionCode.startsWith(p)).map((p) => p.length), -1);
      matches = this.overrides.filter((o) => longestPrefix(o) >= 0).sort((a, b) => longestPrefix(b) - longestPrefix(a));
      this.regionMatches.set(regionCode, matches);
    }
    return matches;
  }

  private workingDayTable(regionCode: string | undefined): Int32Array {
    const matches = this.overridesFor(regionCode);
    const key = matches.map((m) => m.override.id).join('|');
    let table = this.workingDayTables.get(key);
    if (!table) {
      const working: number[] = [];
      for (let d = this.fromDay; d <= this.toDay; d++) {
        if (this.day(fromDayNumber(d), regionCode).working) working.push(d);
      }
      table = Int32Array.from(working);
      this.workingDayTables.set(key, table);
    }
    return table;
  }
}

// ---------------------------------------------------------------------------------------------
// Regional overrides: data files a region changes without a release (DOMAIN.md §3, STYLE.md).

/**
 * Dates must be real and inside the national horizon: an override only moves days the national schedule
 * already covers, so a regional day never makes a provisional deadline look final.
 */
const dayInHorizon: Reader<string> = (value, at, problems) => {
  const date = civilDate(value, at, problems);
  if (date < NATIONAL.horizon.from || date > NATIONAL.horizon.to) {
    problems.fail(at,
      `${describe(date)} lies outside the national calendar's horizon ${NATIONAL.horizon.from}..${NATIONAL.horizon.to} ` +
        '(update chinese-days before adding regional days for that year)');
  }
  return date;
};

const days = list(mapping({ date: dayInHorizon, name: text }), { unique: false });

const readOverride = mapping(
  {
    name: text,
    regionPrefixes: list(matching(/^\d{1,12}$/, "a quoted string of 1–12 digits, e.g. '65'"), { nonEmpty: true }),
    source: optional(text),
    daysOff: days,
    workingDays: optional(days),
  },
  {
    check: (override, at, problems) => {
      const seen = new Map<string, string>();
      for (const list of ['daysOff', 'workingDays'] as const) {
        (override[list] ?? []).forEach(({ date }, i) => {
          const first = seen.get(date);
          if (first !== undefined) problems.note([...at, list, i, 'date'], `${describe(date)} is already listed as ${first}`);
          else seen.set(date, `${list}[${i}]`);
        });
      }
    },
  },
);

/** An override's fields checked; `origin` starts every message ('policy/calendars/xinjiang.yaml'). */
function checkOverride(fields: unknown, origin: string, yaml?: YamlText): Omit<CalendarOverride, 'id'> {
  const override = readDataFile(readOverride, fields, INVALID_OVERRIDE, origin, yaml);
  return { ...override, workingDays: override.workingDays ?? [] };
}

/** Reads every *.yaml / *.yml file of `dir`; the file name (without extension) is the override's id. */
export function loadCalendarOverrides(dir: string = defaultCalendarDir): CalendarOverride[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new InvalidValueError(INVALID_OVERRIDE, dir, `calendar override folder ${displayOrigin(dir)} does not exist`);
  }
  const files = fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/i.test(f))
    .sort();
  return files.map((file) => {
    const full = path.join(dir, file);
    const origin = displayOrigin(full);
    const yaml = parseYamlText(fs.readFileSync(full, 'utf8'), origin, INVALID_OVERRIDE);
    return { id: path.basename(file).replace(/\.ya?ml$/i, ''), ...checkOverride(yaml.value, origin, yaml) };
  });
}

/** The national calendar plus the regional overrides of `dir` (default policy/calendars/). */
export function loadCalendar(dir?: string): WorkingDayCalendar {
  return new WorkingDayCalendar(loadCalendarOverrides(dir));
}
