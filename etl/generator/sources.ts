/**
 * Where each agency's data goes and in what shape: one prefecture's platform over HTTP (the simulator serves
 * DIR/api), the other prefectures' folders of files, and one agency that delivers its own folder (whose
 * children now and then sit on the city platform: rows held until their parent arrives). Entities are spread
 * over formats so that every reader and every accepted field form is exercised even in a small province.
 */
import type { EntityName } from '../feed/entity-names';
import { feedEntities } from '../feed/feed-entities';
import type { SyntheticAgency, Province } from './agencies';
import { SYNTHETIC_MARK } from './agencies';
import type { Dialect } from './writers/encode';

export type FileFormat =
  | { kind: 'csv'; encoding: 'gbk' | 'utf8-bom'; dialect: Dialect }
  | { kind: 'xlsx'; dialect: Dialect; sheet: 'entity' | 'first' | 'alias' }
  | { kind: 'arrow'; dialect: Dialect };

export interface SourcePlan {
  id: string;
  name: string;
  transport: 'HTTP' | 'FOLDER';
  covers: { region?: string; agency?: string };
  /** FOLDER: relative to DIR (and to sources.yaml, which sits in DIR) */
  folder?: string;
  /** FOLDER: each entity's format */
  formats?: Record<EntityName, FileFormat>;
  schedule?: string;
  tokenEnv?: string;
}

const GBK_SLASH: Dialect = { dates: 'slash', booleans: ['是', '否'], listSeparator: '、', money: 'thousands' };
const GBK_ISO: Dialect = { dates: 'iso', booleans: ['Y', 'N'], listSeparator: '；', money: 'plain' };
const BOM_CHINESE: Dialect = { dates: 'chinese', booleans: ['是', '否'], listSeparator: ';', money: 'yuan' };
const BOM_COMPACT: Dialect = { dates: 'compact', booleans: ['1', '0'], listSeparator: ',', money: 'plain' };
const SHEET: Dialect = { dates: 'iso', booleans: ['是', '否'], listSeparator: '、', money: 'wan' };
const ARROW: Dialect = { dates: 'iso', booleans: ['是', '否'], listSeparator: '、', money: 'plain' };

const gbk = (dialect: Dialect): FileFormat => ({ kind: 'csv', encoding: 'gbk', dialect });
const bom = (dialect: Dialect): FileFormat => ({ kind: 'csv', encoding: 'utf8-bom', dialect });
const sheet = (layout: 'entity' | 'first' | 'alias' = 'entity'): FileFormat => ({ kind: 'xlsx', dialect: SHEET, sheet: layout });

/** Format sets a folder source may use; the second prefecture (present at every scale) uses the mixed one. */
const FORMAT_SETS: readonly Record<EntityName, FileFormat>[] = [
  // mixed: every format in one folder
  {
    agencies: sheet('first'), personnel: gbk(GBK_ISO), cases: { kind: 'arrow', dialect: ARROW }, publications: bom(BOM_CHINESE),
    reviews: sheet(), appeals: gbk(GBK_ISO), recordings: bom(BOM_COMPACT), evaluations: sheet(), annualReports: bom(BOM_CHINESE),
    letters: sheet(),
  },
  // a county platform's GBK export
  {
    agencies: gbk(GBK_SLASH), personnel: gbk(GBK_SLASH), cases: gbk(GBK_SLASH), publications: gbk(GBK_SLASH),
    reviews: gbk(GBK_SLASH), appeals: gbk(GBK_SLASH), recordings: gbk(GBK_SLASH), evaluations: gbk(GBK_SLASH),
    annualReports: gbk(GBK_SLASH), letters: gbk(GBK_SLASH),
  },
  // spreadsheets from the agencies' template (recordings, the biggest, as CSV)
  {
    agencies: sheet(), personnel: sheet(), cases: sheet('alias'), publications: sheet(), reviews: sheet(),
    appeals: sheet(), recordings: bom(BOM_CHINESE), evaluations: sheet(), annualReports: sheet(), letters: sheet(),
  },
  // UTF-8 exports of a newer system
  {
    agencies: bom(BOM_COMPACT), personnel: bom(BOM_COMPACT), cases: bom(BOM_COMPACT), publications: bom(BOM_COMPACT),
    reviews: bom(BOM_COMPACT), appeals: bom(BOM_COMPACT), recordings: bom(BOM_COMPACT), evaluations: bom(BOM_COMPACT),
    annualReports: bom(BOM_COMPACT), letters: bom(BOM_COMPACT),
  },
];

/** The self-reporting agency's folder: spreadsheets (cases on a sheet named 案件, 1.5万 amounts). */
const AGENCY_FOLDER_FORMATS = FORMAT_SETS[2]!;

export interface SourceLayout {
  http: SourcePlan;
  /** the agency that delivers its own folder, and that folder */
  selfReporting: { agency: SyntheticAgency; source: SourcePlan } | null;
  folders: SourcePlan[];
  all: SourcePlan[];
  /** the source an agency's rows go to */
  sourceOf(agency: SyntheticAgency): SourcePlan;
}

/** Entities delivered in one file per quarter of the case's filing (or the evaluated quarter); the rest in one file. */
export const QUARTERLY: ReadonlySet<EntityName> = new Set(['cases', 'publications', 'reviews', 'appeals', 'recordings', 'evaluations']);

export function fileNameOf(entity: EntityName, format: FileFormat, quarter: string | null): string {
  const suffix = quarter ? `-${quarter}` : '';
  switch (format.kind) {
    case 'csv': return `${feedEntities[entity].chineseName}${suffix}.csv`;
    case 'xlsx': return `${feedEntities[entity].chineseName}${suffix}.xlsx`;
    case 'arrow': return `${entity}${suffix}.arrow`;
  }
}

export function planSources(province: Province): SourceLayout {
  const [first, ...others] = province.prefectures;
  if (!first) throw new Error('no prefecture takes part');
  const http: SourcePlan = {
    id: `${first.info.pinyin}-platform`,
    name: `${first.region.name}行政执法平台${SYNTHETIC_MARK}`,
    transport: 'HTTP',
    covers: { region: first.region.code },
    schedule: '0 2 * * *',
    tokenEnv: 'HUB_DEMO_API_TOKEN',
  };
  // the first county-level market regulator of the HTTP prefecture reports by its own folder
  const self = province.agencies.find((a) => a.prefectureCode === first.region.code && a.tier === 'COUNTY' && a.domain.code === 'SCJG');
  const selfSource: SourcePlan | null = self ? {
    id: `${first.info.pinyin}-${self.regionCode}-scjg-folder`,
    name: `${self.name.replace(SYNTHETIC_MARK, '')}报送文件夹${SYNTHETIC_MARK}`,
    transport: 'FOLDER',
    covers: { agency: self.uscc },
    folder: `files/${first.info.pinyin}-${self.regionCode}-scjg-folder`,
    formats: AGENCY_FOLDER_FORMATS,
  } : null;
  const folders = others.map((prefecture, i): SourcePlan => ({
    id: `${prefecture.info.pinyin}-folder`,
    name: `${prefecture.region.name}行政执法数据报送${SYNTHETIC_MARK}`,
    transport: 'FOLDER',
    covers: { region: prefecture.region.code },
    folder: `files/${prefecture.info.pinyin}-folder`,
    formats: FORMAT_SETS[i % FORMAT_SETS.length]!,
    schedule: '30 2 * * *',
  }));
  const byPrefecture = new Map<string, SourcePlan>([[first.region.code, http]]);
  others.forEach((prefecture, i) => byPrefecture.set(prefecture.region.code, folders[i]!));
  return {
    http,
    selfReporting: self && selfSource ? { agency: self, source: selfSource } : null,
    folders,
    all: [http, ...(selfSource ? [selfSource] : []), ...folders],
    sourceOf(agency) {
      if (self && selfSource && agency.uscc === self.uscc) return selfSource;
      return byPrefecture.get(agency.prefectureCode)!;
    },
  };
}
