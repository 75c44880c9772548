/**
 * The synthetic province's enforcement bodies: real 福建省 regions (GB/T 2260 codes from the region tree),
 * made-up agencies. Every agency name carries （演示） so that no one takes it for the real body.
 *
 * How much of the province takes part grows with the scale: a demo of a few thousand cases covers a few
 * counties of two prefectures, a benchmark of hundreds of thousands all nine.
 */
import type { ActionType, AgencyKind, AgencyTier } from '../../src/domain/codes';
import { regionDirectory, type Region } from '../../src/domain/regions';
import { instantAt } from './dates';
import { organisationCode, shortPlace, uscc } from './names';
import type { Random, Weighted } from './random';

export const SYNTHETIC_MARK = '（演示）';
export const PROVINCE_CODE = '350000';

export interface PrefectureInfo {
  code: string;
  /** the one-character abbreviation of its documents: 泉 in 泉市监罚〔2025〕12号 */
  short: string;
  /** source ids: quanzhou-platform, xiamen-folder */
  pinyin: string;
  /** 闽C…: the letter of its certificate numbers (as on its licence plates) */
  plate: string;
  /** relative size of its enforcement load */
  weight: number;
}

/** In the order they join as the scale grows; 泉州 first, as the platform served over HTTP. */
export const PREFECTURES: readonly PrefectureInfo[] = [
  { code: '350500', short: '泉', pinyin: 'quanzhou', plate: 'C', weight: 1.3 },
  { code: '350200', short: '厦', pinyin: 'xiamen', plate: 'D', weight: 1.1 },
  { code: '350100', short: '榕', pinyin: 'fuzhou', plate: 'A', weight: 1.3 },
  { code: '350600', short: '漳', pinyin: 'zhangzhou', plate: 'E', weight: 0.9 },
  { code: '350300', short: '莆', pinyin: 'putian', plate: 'B', weight: 0.7 },
  { code: '350900', short: '宁', pinyin: 'ningde', plate: 'J', weight: 0.6 },
  { code: '350800', short: '龙', pinyin: 'longyan', plate: 'F', weight: 0.6 },
  { code: '350400', short: '明', pinyin: 'sanming', plate: 'G', weight: 0.6 },
  { code: '350700', short: '南', pinyin: 'nanping', plate: 'H', weight: 0.5 },
];

/** 金门县 is administered from Taipei: no agency of the province's platform acts there. */
const EXCLUDED_COUNTIES = new Set(['350527']);

export interface DomainInfo {
  /** 执法领域 as the feed carries it */
  domain: string;
  /** in case and person ids: 350502-SCJG-2025-00012 */
  code: string;
  /** in decision numbers: 泉市监罚 */
  doc: string;
  name(tier: AgencyTier, region: Region, prefecture: Region): string;
  kind: AgencyKind;
  /** USCC 登记管理部门码 + 机构类别码: 11 机关, 12 事业单位 */
  usccPrefix: string;
  /** officers of a city-level body; county bodies have about 60% */
  officers: number;
  /** relative number of cases */
  weight: number;
  actions: Weighted<ActionType>;
}

const plain = (suffix: string) => (_tier: AgencyTier, region: Region) => `${region.name}${suffix}`;

/** City-level domains in the order they join; county-level ones are the first eleven of the same list. */
export const DOMAINS: readonly DomainInfo[] = [
  {
    domain: '市场监管', code: 'SCJG', doc: '市监', name: plain('市场监督管理局'), kind: 'STATUTORY', usccPrefix: '11',
    officers: 60, weight: 3,
    actions: [['LICENSING', 30], ['PENALTY', 45], ['INSPECTION', 15], ['COERCION', 6], ['CONFIRMATION', 1], ['OTHER', 3]],
  },
  {
    domain: '生态环境', code: 'STHJ', doc: '环', kind: 'STATUTORY', usccPrefix: '11', officers: 30, weight: 0.8,
    // since the 2019 vertical reform a county's bureau is a branch of the city's
    name: (tier, region, prefecture) => tier === 'CITY' ? `${region.name}生态环境局` : `${prefecture.name}生态环境局${region.name}分局`,
    actions: [['LICENSING', 25], ['PENALTY', 40], ['INSPECTION', 25], ['COERCION', 8], ['OTHER', 2]],
  },
  {
    domain: '住房城乡建设', code: 'ZJ', doc: '建', name: plain('住房和城乡建设局'), kind: 'STATUTORY', usccPrefix: '11',
    officers: 25, weight: 1.3,
    actions: [['LICENSING', 50], ['PENALTY', 25], ['INSPECTION', 15], ['COERCION', 4], ['CONFIRMATION', 4], ['OTHER', 2]],
  },
  {
    domain: '交通运输', code: 'JTYS', doc: '交', name: plain('交通运输局'), kind: 'STATUTORY', usccPrefix: '11',
    officers: 40, weight: 1.6,
    actions: [['LICENSING', 35], ['PENALTY', 45], ['INSPECTION', 12], ['COERCION', 6], ['OTHER', 2]],
  },
  {
    domain: '城市管理', code: 'CSGL', doc: '城管', name: plain('城市管理局'), kind: 'STATUTORY', usccPrefix: '11',
    officers: 50, weight: 2,
    actions: [['LICENSING', 20], ['PENALTY', 55], ['INSPECTION', 10], ['COERCION', 13], ['OTHER', 2]],
  },
  {
    domain: '应急管理', code: 'YJGL', doc: '应急', name: plain('应急管理局'), kind: 'STATUTORY', usccPrefix: '11',
    officers: 20, weight: 0.7,
    actions: [['LICENSING', 20], ['PENALTY', 35], ['INSPECTION', 40], ['COERCION', 3], ['OTHER', 2]],
  },
  {
    domain: '自然资源', code: 'ZRZY', doc: '自然资', kind: 'STATUTORY', usccPrefix: '11', officers: 25, weight: 0.8,
    name: (tier, region) => tier === 'CITY' ? `${region.name}自然资源和规划局` : `${region.name}自然资源局`,
    actions: [['LICENSING', 35], ['PENALTY', 25], ['INSPECTION', 10], ['COERCION', 8], ['EXPROPRIATION', 12], ['CONFIRMATION', 8], ['OTHER', 2]],
  },
  {
    domain: '农业农村', code: 'NYNC', doc: '农', name: plain('农业农村局'), kind: 'STATUTORY', usccPrefix: '11',
    officers: 20, weight: 0.6,
    actions: [['LICENSING', 35], ['PENALTY', 30], ['INSPECTION', 20], ['COERCION', 3], ['BENEFIT', 8], ['CONFIRMATION', 2], ['OTHER', 2]],
  },
  {
    domain: '卫生健康', code: 'WSJK', doc: '卫健', kind: 'STATUTORY', usccPrefix: '11', officers: 20, weight: 0.8,
    name: (tier, region) => tier === 'CITY' ? `${region.name}卫生健康委员会` : `${region.name}卫生健康局`,
    actions: [['LICENSING', 45], ['PENALTY', 30], ['INSPECTION', 20], ['COERCION', 2], ['OTHER', 3]],
  },
  {
    domain: '文化和旅游', code: 'WHLY', doc: '文旅', kind: 'STATUTORY', usccPrefix: '11', officers: 15, weight: 0.5,
    name: (tier, region) => tier === 'CITY' ? `${region.name}文化广电和旅游局` : `${region.name}文化和旅游局`,
    actions: [['LICENSING', 45], ['PENALTY', 30], ['INSPECTION', 22], ['OTHER', 3]],
  },
  {
    domain: '人力资源社会保障', code: 'RSSB', doc: '人社', name: plain('人力资源和社会保障局'), kind: 'STATUTORY', usccPrefix: '11',
    officers: 15, weight: 0.6,
    actions: [['LICENSING', 15], ['PENALTY', 15], ['INSPECTION', 15], ['CONFIRMATION', 25], ['BENEFIT', 25], ['OTHER', 5]],
  },
  {
    domain: '水利', code: 'SL', doc: '水', name: plain('水利局'), kind: 'STATUTORY', usccPrefix: '11', officers: 10, weight: 0.3,
    actions: [['LICENSING', 45], ['PENALTY', 25], ['INSPECTION', 20], ['EXPROPRIATION', 5], ['OTHER', 5]],
  },
  {
    domain: '审计', code: 'SJ', doc: '审', name: plain('审计局'), kind: 'STATUTORY', usccPrefix: '11', officers: 8, weight: 0.08,
    actions: [['PENALTY', 40], ['INSPECTION', 50], ['OTHER', 10]],
  },
];

/** 授权组织: a public institution empowered by law (住房公积金管理条例), one per prefecture. */
const HOUSING_FUND: DomainInfo = {
  domain: '住房公积金', code: 'GJJ', doc: '公积金', kind: 'AUTHORIZED', usccPrefix: '12', officers: 6, weight: 0.3,
  name: (_tier, _region, prefecture) => `${prefecture.name}住房公积金中心`,
  actions: [['CONFIRMATION', 40], ['BENEFIT', 30], ['PENALTY', 10], ['INSPECTION', 10], ['OTHER', 10]],
};

/** 受委托组织: an enforcement brigade acting in the name of the county's agriculture bureau. */
const ENTRUSTED_BRIGADE: DomainInfo = {
  domain: '农业农村', code: 'NYZF', doc: '农执', kind: 'ENTRUSTED', usccPrefix: '12', officers: 10, weight: 0.4,
  name: plain('农业综合执法大队'),
  actions: [['PENALTY', 60], ['INSPECTION', 35], ['COERCION', 5]],
};

/** 乡镇（街道）综合行政执法: APL art. 24 lets townships and streets exercise county powers assigned to them. */
const TOWNSHIP: DomainInfo = {
  domain: '综合执法', code: 'ZHZF', doc: '综执', kind: 'STATUTORY', usccPrefix: '11', officers: 6, weight: 0.35,
  name: (_tier, region) => region.name.endsWith('街道') ? `${region.name}办事处` : `${region.name}人民政府`,
  actions: [['PENALTY', 50], ['INSPECTION', 25], ['COERCION', 10], ['LICENSING', 10], ['OTHER', 5]],
};

export interface SupervisingBureau {
  /** the justice bureau's region: the prefecture for city-level agencies, the county for the others */
  regionCode: string;
  name: string;
  /** in letter numbers: 泉司监〔2025〕3号, 晋江司监〔2025〕1号 */
  short: string;
}

export interface SyntheticAgency {
  /** 0-based, in generation order */
  index: number;
  uscc: string;
  name: string;
  regionCode: string;
  regionName: string;
  prefectureCode: string;
  prefectureName: string;
  /** the county the agency sits in (its own region for county agencies), null for city-level ones */
  countyCode: string | null;
  countyName: string | null;
  tier: AgencyTier;
  kind: AgencyKind;
  domain: DomainInfo;
  prefecture: PrefectureInfo;
  /** document-number prefix: 泉市监, 晋江市监 */
  docPrefix: string;
  /** id prefix of its cases and people: 350502-SCJG */
  idPrefix: string;
  /** relative case volume */
  weight: number;
  /** places its parties come from (county names) */
  partyPlaces: { code: string; name: string }[];
  supervisor: SupervisingBureau;
  updatedAt: Date;
}

export interface Participation {
  prefectures: number;
  /** counties per prefecture, the first one (泉州, served over HTTP) gets one more at small scale */
  counties: number;
  cityDomains: number;
  countyDomains: number;
  townshipsPerCounty: number;
  /** every n-th county has an entrusted brigade */
  entrustedEvery: number;
}

/** How much of the province takes part at a scale (number of cases). */
export function participationAt(scale: number): Participation {
  if (scale < 20_000) return { prefectures: 2, counties: 2, cityDomains: 8, countyDomains: 6, townshipsPerCounty: 1, entrustedEvery: 3 };
  if (scale < 100_000) return { prefectures: 4, counties: 4, cityDomains: 11, countyDomains: 8, townshipsPerCounty: 1, entrustedEvery: 2 };
  return { prefectures: 9, counties: Infinity, cityDomains: DOMAINS.length, countyDomains: 11, townshipsPerCounty: 2, entrustedEvery: 3 };
}

export interface Province {
  province: Region;
  prefectures: { info: PrefectureInfo; region: Region; counties: Region[] }[];
  agencies: SyntheticAgency[];
}

const TIER_WEIGHT: Record<AgencyTier, number> = { CITY: 1.4, COUNTY: 1, TOWNSHIP: 1 };

/** A township-level code that is a town or street, not a development zone (统计用区划代码 4xx). */
function isTownOrStreet(region: Region): boolean {
  return region.level === 'TOWNSHIP' && region.code.length === 9 && region.code[6] !== '4';
}

export function buildProvince(scale: number, rng: Random): Province {
  const regions = regionDirectory();
  const plan = participationAt(scale);
  const province = regions.require(PROVINCE_CODE);
  const taken = PREFECTURES.slice(0, plan.prefectures);
  const agencies: SyntheticAgency[] = [];
  const usedUscc = new Set<string>();
  const usedShorts = new Map<string, string>();

  const prefectures = taken.map((info, p) => {
    const region = regions.require(info.code);
    const all = regions.children(info.code).filter((r) => r.level === 'COUNTY' && !EXCLUDED_COUNTIES.has(r.code));
    const counties = all.slice(0, p === 0 && plan.counties !== Infinity ? plan.counties + 1 : plan.counties);
    return { info, region, counties };
  });

  const add = (domain: DomainInfo, tier: AgencyTier, region: Region, prefecture: (typeof prefectures)[number], county: Region | null) => {
    const agencyRng = rng.fork('agency', region.code, domain.code);
    let code: string;
    do {
      code = uscc(domain.usccPrefix, (county ?? region).code.slice(0, 6), organisationCode(agencyRng, 'digits'));
    } while (usedUscc.has(code));
    usedUscc.add(code);
    const regionShort = tier === 'CITY' ? prefecture.info.short : shortPlace(region.name).slice(0, 2);
    const supervisorRegion = tier === 'CITY' ? prefecture.region : county!;
    const supervisorShort = tier === 'CITY' ? prefecture.info.short : shortPlace(county!.name).slice(0, 2);
    const clash = usedShorts.get(supervisorShort);
    if (clash && clash !== supervisorRegion.code) throw new Error(`letter prefix ${supervisorShort} is used by ${clash} and ${supervisorRegion.code}`);
    usedShorts.set(supervisorShort, supervisorRegion.code);
    const places = county ? [county] : prefecture.counties.length ? prefecture.counties : [prefecture.region];
    agencies.push({
      index: agencies.length,
      uscc: code,
      name: `${domain.name(tier, region, prefecture.region)}${SYNTHETIC_MARK}`,
      regionCode: region.code,
      regionName: region.name,
      prefectureCode: prefecture.region.code,
      prefectureName: prefecture.region.name,
      countyCode: county?.code ?? null,
      countyName: county?.name ?? null,
      tier,
      kind: domain.kind,
      domain,
      prefecture: prefecture.info,
      docPrefix: `${regionShort}${domain.doc}`,
      idPrefix: `${region.code}-${domain.code}`,
      weight: domain.weight * TIER_WEIGHT[tier] * prefecture.info.weight,
      partyPlaces: places.map((r) => ({ code: r.code, name: r.name })),
      supervisor: {
        regionCode: supervisorRegion.code,
        name: `${supervisorRegion.name}司法局${SYNTHETIC_MARK}`,
        short: supervisorShort,
      },
      updatedAt: instantAt(`2023-12-${String(agencyRng.int(4, 28)).padStart(2, '0')}`, agencyRng.int(9, 17), agencyRng.int(0, 59), agencyRng.int(0, 59)),
    });
  };

  let countyNumber = 0;
  for (const prefecture of prefectures) {
    for (const domain of DOMAINS.slice(0, plan.cityDomains)) add(domain, 'CITY', prefecture.region, prefecture, null);
    add(HOUSING_FUND, 'CITY', prefecture.region, prefecture, null);
    for (const county of prefecture.counties) {
      for (const domain of DOMAINS.slice(0, plan.countyDomains)) add(domain, 'COUNTY', county, prefecture, county);
      if (countyNumber++ % plan.entrustedEvery === 0) add(ENTRUSTED_BRIGADE, 'COUNTY', county, prefecture, county);
      const townships = regions.children(county.code).filter(isTownOrStreet);
      const chosen = rng.fork('townships', county.code).sample(townships, plan.townshipsPerCounty);
      chosen.sort((a, b) => (a.code < b.code ? -1 : 1));
      for (const township of chosen) add(TOWNSHIP, 'TOWNSHIP', township, prefecture, county);
    }
  }
  return { province, prefectures, agencies };
}
