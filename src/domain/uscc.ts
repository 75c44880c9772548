import { InvalidValueError } from './errors';

/**
 * 统一社会信用代码 (GB 32100-2015): 登记管理部门码 (1) + 机构类别码 (1) + 登记管理机关行政区划码 (6 digits)
 * + 主体标识码 (组织机构代码, 9, itself ending in a GB 11714 check character) + 校验码 (1).
 *
 * We validate the 18th character only. The 9th character of the organisation code has its own GB 11714 check,
 * but codes converted from old registrations do not always satisfy it, and the standard's own check character
 * already covers every one of the first 17 characters — rejecting on it would quarantine genuine agencies.
 */
export type UsccProblem = {
  code: 'USCC_LENGTH' | 'USCC_CHARSET' | 'USCC_CHECK_CHARACTER';
  message: string;
  expected?: string;
  actual?: string;
};

const LENGTH = 18;
/** GB 32100 代码字符集: digits and capitals without I, O, Z, S, V (easily confused with 1, 0, 2, 5, U). */
const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const MODULUS = CHARSET.length; // 31
/** GB 32100: the weight of position i (1-based) is 3^(i-1) mod 31. */
const WEIGHTS: number[] = [];
for (let i = 0, w = 1; i < LENGTH - 1; i++, w = (w * 3) % MODULUS) WEIGHTS.push(w);
/** Positions 3–8 are the registering authority's GB/T 2260 division code, so digits only. */
const DIVISION_CODE_POSITIONS = { from: 3, to: 8 };

function normalise(value: string): string {
  return value.trim().toUpperCase();
}

/** The character at each position, counted by code point so that a stray CJK or emoji counts as one. */
function charactersOf(value: string): string[] {
  return [...value];
}

function charsetProblem(value: string, chars: string[]): UsccProblem | null {
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    const position = i + 1;
    const inDivisionCode = position >= DIVISION_CODE_POSITIONS.from && position <= DIVISION_CODE_POSITIONS.to;
    if (inDivisionCode ? ch >= '0' && ch <= '9' : CHARSET.includes(ch)) continue;
    // Spreadsheets often carry full-width characters (９１３５…); name the half-width one the clerk meant.
    const halfWidth = ch.normalize('NFKC').toUpperCase();
    const hint = halfWidth !== ch && halfWidth.length === 1 ? `（全角字符，应为半角 ${halfWidth}）` : '';
    const rule = inDivisionCode
      ? `第 ${DIVISION_CODE_POSITIONS.from}–${DIVISION_CODE_POSITIONS.to} 位是行政区划码，只能是数字`
      : '只能使用数字和除 I、O、Z、S、V 以外的大写字母';
    return {
      code: 'USCC_CHARSET',
      message: `统一社会信用代码 "${value}" 第 ${position} 位字符 "${ch}" 不合法${hint}：${rule}`,
      actual: ch,
    };
  }
  return null;
}

function computeCheckCharacter(first17: string[]): string {
  let sum = 0;
  for (let i = 0; i < first17.length; i++) sum += CHARSET.indexOf(first17[i]!) * WEIGHTS[i]!;
  return CHARSET[(MODULUS - (sum % MODULUS)) % MODULUS]!;
}

/** What is wrong with a USCC as a clerk typed it (trimmed and upper-cased first), or null when it is valid. */
export function usccProblem(value: string): UsccProblem | null {
  const code = normalise(value);
  const chars = charactersOf(code);
  if (chars.length !== LENGTH) {
    const message =
      chars.length === 0 ? '统一社会信用代码为空' : `统一社会信用代码 "${code}" 应为 ${LENGTH} 位，实为 ${chars.length} 位`;
    return { code: 'USCC_LENGTH', message, expected: String(LENGTH), actual: String(chars.length) };
  }
  const badChar = charsetProblem(code, chars);
  if (badChar) return badChar;
  const expected = computeCheckCharacter(chars.slice(0, LENGTH - 1));
  const actual = chars[LENGTH - 1]!;
  if (expected !== actual) {
    return {
      code: 'USCC_CHECK_CHARACTER',
      message: `统一社会信用代码 ${code} 校验位应为 ${expected}，实为 ${actual}`,
      expected,
      actual,
    };
  }
  return null;
}

export function isValidUscc(value: string): boolean {
  return usccProblem(value) === null;
}

/** The 18th character for the first 17 (the data generator uses this to make valid codes). */
export function usccCheckCharacter(first17: string): string {
  const code = normalise(first17);
  const chars = charactersOf(code);
  if (chars.length !== LENGTH - 1) {
    throw new InvalidValueError(
      'USCC_LENGTH',
      first17,
      `统一社会信用代码前 ${LENGTH - 1} 位 "${code}" 应为 ${LENGTH - 1} 位，实为 ${chars.length} 位`,
    );
  }
  const badChar = charsetProblem(code, chars);
  if (badChar) throw new InvalidValueError(badChar.code, first17, badChar.message);
  return computeCheckCharacter(chars);
}

/** The normalised USCC, or an InvalidValueError naming the value and what is wrong with it. */
export function assertUscc(value: string): string {
  const problem = usccProblem(value);
  if (problem) throw new InvalidValueError(problem.code, value, problem.message);
  return normalise(value);
}
