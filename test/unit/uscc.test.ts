import { InvalidValueError } from '../../src/domain/errors';
import { assertUscc, isValidUscc, usccCheckCharacter, usccProblem } from '../../src/domain/uscc';

/** A code for a Quanzhou (350500) company whose check character is computed, not copied. */
function aUscc({ first17 = '91350500MA2Y0K3L8' }: { first17?: string } = {}): string {
  return first17 + usccCheckCharacter(first17);
}

describe('统一社会信用代码 (GB 32100-2015)', () => {
  test('published codes pass the check character rule', () => {
    // The example code printed in GB 32100 and codes printed on well-known business licences.
    for (const code of ['91350100M000100Y43', '914403001922038216', '91440300708461136T', '91110108551385082Q']) {
      expect({ code, problem: usccProblem(code) }).toEqual({ code, problem: null });
    }
  });

  test('the check character is 31 minus the weighted sum (weights 3^i mod 31) modulo 31, in the GB 32100 charset', () => {
    expect(usccCheckCharacter('91350100M000100Y4')).toBe('3');
    expect(usccCheckCharacter('91350500MA2Y0K3L8')).toBe('T');
    // sum ≡ 0 (mod 31) gives 0, not the 31st character
    expect(usccCheckCharacter('00000000000000000')).toBe('0');
  });

  test('a code made with usccCheckCharacter is valid', () => {
    expect(isValidUscc(aUscc())).toBe(true);
    expect(isValidUscc(aUscc({ first17: '12350500003587965' }))).toBe(true);
  });

  test('a wrong check character names the code, the expected and the actual character', () => {
    const problem = usccProblem('91350500MA2Y0K3L85');
    expect(problem).toEqual({
      code: 'USCC_CHECK_CHARACTER',
      message: '统一社会信用代码 91350500MA2Y0K3L85 校验位应为 T，实为 5',
      expected: 'T',
      actual: '5',
    });
  });

  test('a code of the wrong length says how long it should be and is', () => {
    expect(usccProblem('ABC')).toEqual({
      code: 'USCC_LENGTH',
      message: '统一社会信用代码 "ABC" 应为 18 位，实为 3 位',
      expected: '18',
      actual: '3',
    });
    expect(usccProblem('   ')).toMatchObject({ code: 'USCC_LENGTH', message: '统一社会信用代码为空', actual: '0' });
  });

  test('a character outside the charset (I, O, Z, S, V excluded) is named with its position', () => {
    const problem = usccProblem('91350500MA2Y0K3LIT');
    expect(problem).toMatchObject({ code: 'USCC_CHARSET', actual: 'I' });
    expect(problem?.message).toContain('"91350500MA2Y0K3LIT"');
    expect(problem?.message).toContain('第 17 位字符 "I"');
  });

  test('positions 3 to 8 are the division code and must be digits', () => {
    const problem = usccProblem('9135A500MA2Y0K3L8T');
    expect(problem).toMatchObject({ code: 'USCC_CHARSET', actual: 'A' });
    expect(problem?.message).toContain('第 5 位字符 "A"');
    expect(problem?.message).toContain('行政区划码');
  });

  test('a full-width character is reported with the half-width character meant', () => {
    const problem = usccProblem('９1350500MA2Y0K3L8T');
    expect(problem).toMatchObject({ code: 'USCC_CHARSET', actual: '９' });
    expect(problem?.message).toContain('第 1 位字符 "９" 不合法（全角字符，应为半角 9）');
  });

  test('input is trimmed and upper-cased before checking', () => {
    expect(isValidUscc('  91350500ma2y0k3l8t \n')).toBe(true);
    expect(assertUscc(' 91350500ma2y0k3l8t ')).toBe('91350500MA2Y0K3L8T');
  });

  test('the GB 11714 check of the embedded organisation code is not enforced', () => {
    // GB 11714 would want MA2Y0K3L7; the USCC's own check is the 18th character, and that one is right.
    expect(isValidUscc(aUscc({ first17: '91350500MA2Y0K3L1' }))).toBe(true);
  });

  test('assertUscc throws an InvalidValueError carrying the reason code, the raw value and the message', () => {
    let thrown: unknown;
    try {
      assertUscc('91350500MA2Y0K3L85');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(InvalidValueError);
    expect(thrown).toMatchObject({
      name: 'InvalidValueError',
      code: 'USCC_CHECK_CHARACTER',
      value: '91350500MA2Y0K3L85',
      message: '统一社会信用代码 91350500MA2Y0K3L85 校验位应为 T，实为 5',
    });
  });

  test('usccCheckCharacter refuses input that is not 17 charset characters', () => {
    expect(() => usccCheckCharacter('9135050')).toThrow(InvalidValueError);
    expect(() => usccCheckCharacter('91350500MA2Y0K3LO')).toThrow('第 17 位字符 "O"');
  });
});
