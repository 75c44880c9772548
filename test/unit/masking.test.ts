import compoundSurnames from '../../src/domain/data/compound-surnames.json';
import { maskParty, maskPersonName } from '../../src/domain/masking';

describe('masking a natural person’s name for the public view', () => {
  test.each([
    ['张三', '张*'],
    ['张三丰', '张**'],
    ['李', '李'],
    [' 王小明 ', '王**'],
  ])('a single-character surname is kept and every other character masked: %s → %s', (name, masked) => {
    expect(maskPersonName(name)).toBe(masked);
  });

  test.each([
    ['欧阳娜娜', '欧阳**'],
    ['司马光', '司马*'],
    ['诸葛孔明', '诸葛**'],
    ['上官婉儿', '上官**'],
  ])('a compound surname (复姓) keeps both characters: %s → %s', (name, masked) => {
    expect(maskPersonName(name)).toBe(masked);
  });

  test('a two-character name that spells a compound surname is surname plus given name, so one character is kept', () => {
    expect(maskPersonName('司马')).toBe('司*');
    expect(maskPersonName('欧阳')).toBe('欧*');
  });

  test('a name that only starts like a compound surname is not treated as one', () => {
    expect(maskPersonName('欧建国')).toBe('欧**');
  });

  test.each([
    ['买买提·艾力', '买**·**'],
    ['买买提•艾力', '买**•**'],
    ['买买提．艾力', '买**．**'],
    ['阿依古丽·买买提·吐尔逊', '阿***·***·***'],
  ])('a transliterated name keeps its first character and its dots: %s → %s', (name, masked) => {
    expect(maskPersonName(name)).toBe(masked);
  });

  test.each([
    ['John Smith', 'J*** S****'],
    ['Mary-Jane O’Neil', 'M***-J*** O’N***'],
    ['ANNA', 'A***'],
  ])('a Latin-letter name keeps the first letter of each word: %s → %s', (name, masked) => {
    expect(maskPersonName(name)).toBe(masked);
  });

  test('an empty name stays empty', () => {
    expect(maskPersonName('  ')).toBe('');
  });

  test('the compound surname list has no duplicates and only two-character entries', () => {
    expect(new Set(compoundSurnames).size).toBe(compoundSurnames.length);
    expect(compoundSurnames.filter((s) => [...s].length !== 2)).toEqual([]);
  });
});

describe('masking a party by its type', () => {
  test('only a natural person is masked', () => {
    expect(maskParty('PERSON', '张三')).toBe('张*');
    expect(maskParty('LEGAL_PERSON', '泉州市某某贸易有限公司')).toBe('泉州市某某贸易有限公司');
    expect(maskParty('OTHER_ORG', '泉州市某某商会')).toBe('泉州市某某商会');
  });

  test('a sole trader (个体工商户) is shown by default and masked when the profile asks', () => {
    expect(maskParty('SOLE_TRADER', '张三')).toBe('张三');
    expect(maskParty('SOLE_TRADER', '张三', true)).toBe('张*');
  });
});
