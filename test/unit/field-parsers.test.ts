import { ActionTypes, MajorGrounds, PenaltyKinds } from '../../src/domain/codes';
import type { CellValue } from '../../etl/raw-row';
import {
  enumListParser, enumParser, parseBoolean, parseDate, parseDecimal, parseInteger, parseList, parseMoney, parseText,
  parseTimestamp, type Parsed,
} from '../../etl/feed/field-parsers';

/** The value of a successful parse, or the failure itself so that a wrong expectation shows the message. */
function valueOf<T>(parsed: Parsed<T>): T | null | { code: string; message: string } {
  return parsed.ok ? parsed.value : { code: parsed.code, message: parsed.message };
}

function failureOf<T>(parsed: Parsed<T>): { code: string; message: string } {
  if (parsed.ok) throw new Error(`expected a failure, got ${JSON.stringify(parsed.value)}`);
  return { code: parsed.code, message: parsed.message };
}

describe('dates: every form of FEEDS.md gives the civil date', () => {
  test.each<[string, CellValue]>([
    ['ISO', '2024-05-18'],
    ['slashes without zero padding', '2024/5/18'],
    ['dots', '2024.5.18'],
    ['compact yyyymmdd', '20240518'],
    ['Chinese 年月日', '2024年5月18日'],
    ['surrounding spaces', '  2024-05-18 '],
    ['full-width digits', '２０２４-０５-１８'],
    ['yyyymmdd typed as a number in a spreadsheet', 20240518],
    ['an Excel serial number (1900 leap-year bug accounted for)', 45430],
    ['an Excel serial with a time fraction (the day is kept)', 45430.75],
    ['an Excel serial saved as text by a CSV export', '45430'],
    ['an XLSX/Arrow date: UTC midnight of the civil date', new Date(Date.UTC(2024, 4, 18))],
    ['a Date that is an instant: its Shanghai civil date', new Date('2024-05-17T16:30:00Z')],
    ['a timestamp without zone: Shanghai wall clock', '2024-05-18 23:30:00'],
    ['a timestamp with zone: its Shanghai civil date', '2024-05-17T20:00:00Z'],
  ])('%s', (_form, cell) => {
    expect(valueOf(parseDate(cell))).toBe('2024-05-18');
  });

  test('Excel serial 45430 is 2024-05-18, as Excel itself shows it (serial 1 = 1900-01-01, 60 = the false 1900-02-29)', () => {
    expect(valueOf(parseDate(44927))).toBe('2023-01-01');
    expect(valueOf(parseDate(45430))).toBe('2024-05-18');
    expect(valueOf(parseDate(45431))).toBe('2024-05-19');
  });

  test('an empty cell is null, not an error', () => {
    for (const cell of [null, undefined, '', '   ', '\u3000']) expect(valueOf(parseDate(cell))).toBeNull();
  });

  test('a day that does not exist is refused naming the value', () => {
    expect(failureOf(parseDate('2025-02-30'))).toEqual({ code: 'INVALID_DATE', message: '"2025-02-30" 不是有效日期' });
    expect(failureOf(parseDate('2025/2/29'))).toMatchObject({ code: 'INVALID_DATE' });
    expect(failureOf(parseDate(20250230))).toMatchObject({ code: 'INVALID_DATE' });
  });

  test('the field label leads the message when given', () => {
    expect(failureOf(parseDate('2025-02-30', { label: '决定日期' })).message).toBe('决定日期 "2025-02-30" 不是有效日期');
  });

  test('text that is no date says which forms are accepted', () => {
    const failure = failureOf(parseDate('下周一'));
    expect(failure.code).toBe('INVALID_DATE');
    expect(failure.message).toContain('"下周一"');
    expect(failure.message).toContain('2024/5/18');
  });

  test('a year-last date is read by the source order: DMY and MDY', () => {
    expect(valueOf(parseDate('18/05/2024', { dateOrder: 'DMY' }))).toBe('2024-05-18');
    expect(valueOf(parseDate('05/18/2024', { dateOrder: 'MDY' }))).toBe('2024-05-18');
    expect(valueOf(parseDate('2024-05-18', { dateOrder: 'DMY' }))).toBe('2024-05-18');
  });

  test('a year-last date without a source order is refused rather than guessed, pointing at dateOrder', () => {
    const failure = failureOf(parseDate('05/06/2024'));
    expect(failure.code).toBe('INVALID_DATE');
    expect(failure.message).toContain('dateOrder');
  });

  test('numbers that are neither yyyymmdd nor a plausible serial are refused (a year is not a date)', () => {
    expect(failureOf(parseDate(2024)).code).toBe('INVALID_DATE');
    expect(failureOf(parseDate(true)).code).toBe('INVALID_DATE');
  });

  test('a year outside 1900–2199 is a slip, not a date', () => {
    expect(failureOf(parseDate('0024-05-18')).code).toBe('INVALID_DATE');
  });
});

describe('timestamps: an instant, Asia/Shanghai when no zone is written', () => {
  const at1403Shanghai = '2024-05-18T06:03:00.000Z';

  test.each<[string, CellValue]>([
    ['ISO with zone', '2024-05-18T14:03:00+08:00'],
    ['ISO in UTC', '2024-05-18T06:03:00Z'],
    ['ISO without zone', '2024-05-18T14:03:00'],
    ['space separated', '2024-05-18 14:03:00'],
    ['slashes without seconds', '2024/5/18 14:03'],
    ['Chinese date with time', '2024年5月18日 14:03'],
    ['yyyyMMddHHmmss', '20240518140300'],
    ['Excel serial with the time as fraction', 45430 + (14 * 60 + 3) / 1440],
    ['a Date instant', new Date(at1403Shanghai)],
    ['epoch milliseconds (Java platforms)', Date.parse(at1403Shanghai)],
  ])('%s', (_form, cell) => {
    expect((valueOf(parseTimestamp(cell)) as Date).toISOString()).toBe(at1403Shanghai);
  });

  test('a date alone is midnight in Shanghai', () => {
    expect((valueOf(parseTimestamp('2024-05-18')) as Date).toISOString()).toBe('2024-05-17T16:00:00.000Z');
  });

  test('a time of day that does not exist is refused', () => {
    expect(failureOf(parseTimestamp('2024-05-18 25:00')).code).toBe('INVALID_TIMESTAMP');
    expect(failureOf(parseTimestamp('2024-02-30 10:00')).code).toBe('INVALID_TIMESTAMP');
  });

  test('year-last date-times follow the source order', () => {
    expect((valueOf(parseTimestamp('18/05/2024 14:03', { dateOrder: 'DMY' })) as Date).toISOString()).toBe(at1403Shanghai);
  });
});

describe('money: yuan as an exact decimal with two places', () => {
  test.each<[CellValue, string]>([
    ['12000', '12000.00'],
    ['12,000.00', '12000.00'],
    ['1.2万', '12000.00'],
    ['¥12000', '12000.00'],
    ['￥12,000', '12000.00'],
    ['12000元', '12000.00'],
    ['1.5万元', '15000.00'],
    ['1.23456万', '12345.60'],
    ['0.5', '0.50'],
    ['007', '7.00'],
    [1234.5, '1234.50'],
    [0.1 + 0.2, '0.30'],
    [12000n, '12000.00'],
    ['9999999999999999.99', '9999999999999999.99'],
  ])('%p → %s', (cell, expected) => {
    expect(valueOf(parseMoney(cell))).toBe(expected);
  });

  test('a negative amount is refused', () => {
    expect(failureOf(parseMoney('-12000', { label: '罚没金额' }))).toEqual({
      code: 'NEGATIVE_AMOUNT',
      message: '罚没金额不能为负数，实为 "-12000"',
    });
    expect(failureOf(parseMoney(-5)).code).toBe('NEGATIVE_AMOUNT');
  });

  test('more than two decimals after scaling is refused, from text or from a number cell', () => {
    expect(failureOf(parseMoney('12.345')).code).toBe('AMOUNT_PRECISION');
    expect(failureOf(parseMoney('1.2345678万')).code).toBe('AMOUNT_PRECISION');
    expect(failureOf(parseMoney(12.345)).code).toBe('AMOUNT_PRECISION');
  });

  test('text that is no amount is refused naming it', () => {
    const failure = failureOf(parseMoney('一万二'));
    expect(failure.code).toBe('INVALID_AMOUNT');
    expect(failure.message).toContain('"一万二"');
  });
});

describe('booleans, integers, decimals, text', () => {
  test.each<[CellValue, boolean]>([
    ['是', true], ['否', false], ['Y', true], ['n', false], ['1', true], ['0', false], ['TRUE', true], ['false', false],
    [true, true], [false, false], [1, true], [0, false],
  ])('boolean %p is %p', (cell, expected) => {
    expect(valueOf(parseBoolean(cell))).toBe(expected);
  });

  test('a boolean word outside the list is refused', () => {
    expect(failureOf(parseBoolean('可能')).code).toBe('INVALID_BOOLEAN');
    expect(failureOf(parseBoolean(2)).code).toBe('INVALID_BOOLEAN');
  });

  test('integers from text, numbers and bigints; fractions refused', () => {
    expect(valueOf(parseInteger('2024'))).toBe(2024);
    expect(valueOf(parseInteger('2024.0'))).toBe(2024);
    expect(valueOf(parseInteger(3n))).toBe(3);
    expect(failureOf(parseInteger('1.5')).code).toBe('INVALID_INTEGER');
    expect(failureOf(parseInteger(1.5)).code).toBe('INVALID_INTEGER');
  });

  test('decimals keep the scale exactly', () => {
    expect(valueOf(parseDecimal('95'))).toBe('95.00');
    expect(valueOf(parseDecimal(88.5))).toBe('88.50');
    expect(valueOf(parseDecimal('-3.5'))).toBe('-3.50');
    expect(failureOf(parseDecimal('95.555')).code).toBe('INVALID_DECIMAL');
  });

  test('text is trimmed, empty is null, and over-long text is refused', () => {
    expect(valueOf(parseText('  罚款  '))).toBe('罚款');
    expect(valueOf(parseText('\u3000'))).toBeNull();
    expect(valueOf(parseText(10023))).toBe('10023');
    expect(failureOf(parseText('一二三', { maxLength: 2, label: '姓名' }))).toEqual({
      code: 'TEXT_TOO_LONG',
      message: '姓名 "一二三" 超过 2 个字符',
    });
  });

  test('a long code a spreadsheet stored as a number has lost digits and is refused', () => {
    expect(failureOf(parseText(914403001922038216)).code).toBe('NUMBER_PRECISION_LOST');
  });
});

describe('lists and enumerations', () => {
  test('lists split on ; ； , ， and 、, trimmed, without empties or repeats', () => {
    expect(valueOf(parseList('P1; P2；P3,P4，P5、P6;;P1'))).toEqual(['P1', 'P2', 'P3', 'P4', 'P5', 'P6']);
    expect(valueOf(parseList(['P1', ' P2 ', '']))).toEqual(['P1', 'P2']);
    expect(valueOf(parseList(' ; '))).toBeNull();
  });

  test('an enumeration takes the code or the Chinese label', () => {
    const actionType = enumParser(ActionTypes);
    expect(valueOf(actionType('PENALTY'))).toBe('PENALTY');
    expect(valueOf(actionType('行政处罚'))).toBe('PENALTY');
    expect(valueOf(actionType('penalty'))).toBe('PENALTY');
  });

  test('an unknown enumeration value is refused naming it and listing the accepted labels', () => {
    const failure = failureOf(enumParser(ActionTypes)('行政处分', { label: '行为类别' }));
    expect(failure.code).toBe('UNKNOWN_CODE');
    expect(failure.message).toBe(
      '行为类别 "行政处分" 不在代码表中（可填：行政许可、行政处罚、行政强制、行政检查、行政征收征用、行政确认、行政给付、其他）');
  });

  test('a list of codes maps labels to codes; every unknown item is named', () => {
    expect(valueOf(enumListParser(MajorGrounds)('听证、PUBLIC_INTEREST'))).toEqual(['HEARING', 'PUBLIC_INTEREST']);
    expect(valueOf(enumListParser(PenaltyKinds)('罚款；警告'))).toEqual(['罚款', '警告']);
    const failure = failureOf(enumListParser(PenaltyKinds)('罚款；罚金；拘役'));
    expect(failure.code).toBe('UNKNOWN_CODE');
    expect(failure.message).toContain('"罚金"、"拘役"');
  });
});

describe('dates: the standard form is read exactly', () => {
  test.each(['20a4-05-18', '2024-0x-18', '2024-05-1x', '2024-13-01', '2024-00-10', '2023-02-29', '2024-04-31'])('%s is refused', (text) => {
    expect(failureOf(parseDate(text)).code).toBe('INVALID_DATE');
  });

  test('29 February exists in leap years only (2000 yes, 2100 no)', () => {
    expect(valueOf(parseDate('2024-02-29'))).toBe('2024-02-29');
    expect(valueOf(parseDate('2000-02-29'))).toBe('2000-02-29');
    expect(failureOf(parseDate('2100-02-29')).code).toBe('INVALID_DATE');
  });
});
