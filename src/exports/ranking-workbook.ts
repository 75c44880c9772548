import { Workbook, type Worksheet } from 'exceljs';
import type { Viewer } from '../domain/access/viewer';
import { InvalidValueError } from '../domain/errors';
import type { IndicatorName, PolicyProfile } from '../domain/profile/policy-profile';
import type { RankedComponent, RankingStatus } from '../domain/ranking/rank-units';
import { regionDirectory, type Region, type RegionLevel } from '../domain/regions';
import { indicatorDefinitions } from '../metrics/indicators/indicator-definitions';
import type { RankingRequest, RankingResultEntry } from '../metrics/rankings/compute-ranking';
import { rankingKeyOf, readFrozenRanking } from '../metrics/rankings/frozen-rankings';
import { publishedRankingOf, rankingForViewer, rankingRequestOf } from '../metrics/rankings/ranking-request';
import type { Queryable } from '../metrics/sql/sql-parameters';
import { regionLevels } from '../warehouse/entities/region';
import {
  checkRange, dateParameter, named, readParameters, refuseParameter, requiredDateParameter, requiredParameter, type ExportSubject,
} from './query-parameters';

/**
 * GET /export/ranking.xlsx: the ranking a dashboard shows, as an Excel workbook for the clerks who file it — a
 * ranking computed now (the GraphQL `ranking` / `agencyRanking`) or a frozen version (`frozenRanking`), under the
 * same viewer rules (metrics/rankings/ranking-request.ts), read through the caller's viewer transaction.
 *
 * Sheets: 排名 (one row per unit, in the ranking's order), 分子分母 (one row per unit × component: the figures the
 * score was computed from) and 说明 (what the ranking is, and who exported it when).
 *
 * Every text cell holds a plain string (a shared string in the file, never a formula), formatted as Text ('@'):
 * a unit name like `=cmd|' /C calc'!A0` stays text when the file is opened, and stays text when a clerk edits
 * the cell and presses Enter (Excel re-reads a General cell's input as a formula; a Text cell's it keeps as
 * typed). No apostrophe is prepended: the name in the file is the name in the warehouse.
 */

// ---------------------------------------------------------------------------------------------------------------
// Query parameters

const subject: ExportSubject = { zh: '导出 ranking.xlsx', en: 'export ranking.xlsx' };
const PARAMETERS = ['frozen', 'parent', 'level', 'domain', 'from', 'to', 'asOf'] as const;

/** The levels a ranking of regions ranks (regionLevels is the tree's order, top down); a province is ranked under nothing. */
const RANKED_LEVELS = ['PREFECTURE', 'COUNTY', 'TOWNSHIP'] as const;

const LEVEL_LABELS: Record<RegionLevel, string> = {
  PROVINCE: '省级', PREFECTURE: '设区市', COUNTY: '县（市、区）', TOWNSHIP: '乡镇（街道）',
};

const STATUS_LABELS: Record<RankingStatus, string> = {
  RANKED: '参与排名', INSUFFICIENT_SAMPLE: '样本不足', NO_SCORE: '无可计分指标',
};

/** Frozen ids are bigint: at most 18 digits always fit, so a longer one is refused here, not by the database. */
const FROZEN_ID = /^[1-9]\d{0,17}$/;

export type RankingExportRequest = { kind: 'frozen'; id: string } | { kind: 'computed'; request: RankingRequest };

/**
 * What GET /export/ranking.xlsx asks for: `frozen=<id>`, or `parent`, `from`, `to` with optional `level`
 * (PREFECTURE|COUNTY|TOWNSHIP; none: agencies, then optionally `domain`) and `asOf` (default `today`). Every
 * parameter is checked here, before anything is read; a refusal names the parameter (InvalidValueError, 400).
 */
export function rankingExportRequestOf(query: URLSearchParams, today: string): RankingExportRequest {
  const parameters = readParameters(query, subject, PARAMETERS);
  const frozen = parameters.get('frozen');
  if (frozen !== undefined) {
    const other = [...parameters.keys()].find((name) => name !== 'frozen');
    if (other !== undefined) {
      throw refuseParameter('CONFLICTING_PARAMETER', other, `查询参数 ${other} 不能与 frozen 同时给出：冻结版本已定其上级区划、排名对象、期间与截至日`,
        `query parameter ${other} cannot be given with frozen: a frozen version fixes its parent, units, period and as-of date`);
    }
    if (!FROZEN_ID.test(frozen)) {
      throw refuseParameter('BAD_ID', frozen, `查询参数 frozen=${frozen} 无效：冻结排名编号应为正整数`,
        `query parameter frozen=${frozen} is not a frozen ranking id (a positive whole number)`);
    }
    return { kind: 'frozen', id: frozen };
  }

  const parentCode = requiredParameter(parameters, 'parent', subject,
    { zh: '上级区划代码，如 350000；或以 frozen=<编号> 导出冻结版本', en: 'the parent region code, e.g. 350000; or frozen=<id> for a frozen version' });
  const parent = named('parent', parentCode, () => regionDirectory().require(parentCode));
  const level = levelParameter(parameters.get('level'), parent);
  const domain = parameters.get('domain');
  if (level !== undefined && domain !== undefined) {
    throw refuseParameter('CONFLICTING_PARAMETER', 'domain', '查询参数 domain 只用于执法主体排名（不给 level 时）：区划排名不按执法领域划分',
      'query parameter domain applies to rankings of agencies (no level) only');
  }
  const from = requiredDateParameter(parameters, 'from', subject);
  const to = requiredDateParameter(parameters, 'to', subject);
  checkRange(from, to);
  const asOf = dateParameter(parameters, 'asOf') ?? today;
  return { kind: 'computed', request: rankingRequestOf({ parentRegionCode: parent.code, level, domain, period: { from, to }, asOf }) };
}

function levelParameter(value: string | undefined, parent: Region): (typeof RANKED_LEVELS)[number] | undefined {
  if (value === undefined) return undefined;
  const level = RANKED_LEVELS.find((known) => known === value);
  if (level === undefined) {
    throw refuseParameter('UNKNOWN_CODE', value,
      `查询参数 level=${value} 无效：应为 ${RANKED_LEVELS.map((l) => `${l}（${LEVEL_LABELS[l]}）`).join('、')}；不给 level 则对执法主体排名`,
      `query parameter level=${value} is not one of ${RANKED_LEVELS.join(', ')} (no level: a ranking of agencies)`);
  }
  // a level at or above the parent's would be an empty workbook that looks like a ranking
  if (regionLevels.indexOf(level) <= regionLevels.indexOf(parent.level)) {
    throw refuseParameter('LEVEL_NOT_BELOW_PARENT', value,
      `查询参数 level=${value} 无效：上级区划 ${parent.name}（${parent.code}）是${LEVEL_LABELS[parent.level]}，其下没有${LEVEL_LABELS[level]}可排`,
      `query parameter level=${value} is not below the parent ${parent.code} (${parent.level})`);
  }
  return level;
}

// ---------------------------------------------------------------------------------------------------------------
// The ranking as the viewer may have it

/** What the workbook shows: a ranking's request and entries, and, for a frozen version, its record. */
export interface WorkbookRanking {
  request: RankingRequest;
  profileName: string;
  entries: readonly RankingResultEntry[];
  /** the components' order when there are no entries to carry it */
  components: readonly IndicatorName[];
  /** how a computed ranking was read; null for a frozen version */
  computedFrom: 'rollups' | 'facts' | null;
  frozen: null | { id: string; version: number; title: string; frozenAt: Date; frozenBy: string; resultSha256: string };
  exportedAt: Date;
  exportedBy: string;
}

export interface RankingWorkbookFile {
  /** 排名-350000-PREFECTURE-2025-01-01_2025-12-31.xlsx */
  fileName: string;
  /** the same in ASCII, for clients that do not read RFC 5987 (ranking-350000-PREFECTURE-…) */
  asciiFileName: string;
  bytes: Buffer;
}

function forbidden(viewer: Viewer, parent: Region): InvalidValueError {
  const rule = '排名只为上级区划在其辖区内的监督机关（司法局）、省级用户和管理员计算';
  const why = viewer.role === 'PUBLIC' ? `未携带令牌（公众）不能导出排名：${rule}`
    : viewer.role === 'AGENCY' ? `执法主体不能导出排名：${rule}`
      : `无权导出 ${parent.name}（${parent.code}）的排名：该区划不在您的辖区内；${rule}`;
  return new InvalidValueError('FORBIDDEN', parent.code, why);
}

/**
 * Domains are free text from the feeds (no catalog to check against): one no agency anywhere has is a misspelling,
 * refused rather than answered with an empty ranking. One the parent's agencies lack is a ranking with no units.
 */
async function checkDomain(db: Queryable, request: RankingRequest): Promise<void> {
  if (request.units !== 'agencies' || request.domain === undefined) return;
  const { rows: [known] } = await db.query<{ known: boolean }>('select exists (select 1 from agencies where domain = $1) as known', [request.domain]);
  if (!known?.known) {
    throw refuseParameter('UNKNOWN_CODE', request.domain, `查询参数 domain=${request.domain} 无效：没有执法主体属于这一执法领域（按名称完全匹配，如「市场监管」）`,
      `query parameter domain=${request.domain} matches no agency's enforcement domain`);
  }
}

/**
 * The workbook of the ranking the query asks for, as `viewer` may have it: `db` is inside the viewer's
 * transaction. Refusals are InvalidValueError: a bad parameter (400, code of query-parameters.ts or above), a
 * parent outside the jurisdiction (FORBIDDEN, 403: an empty workbook would pass for a ranking), a frozen version
 * that does not exist or that the viewer may not see (NOT_FOUND, 404: the same answer for both, as GraphQL's null).
 */
export async function rankingWorkbookFor(db: Queryable, viewer: Viewer, query: URLSearchParams, profile: PolicyProfile,
  today: string, now: Date = new Date()): Promise<RankingWorkbookFile> {
  const asked = rankingExportRequestOf(query, today);
  const exported = { exportedAt: now, exportedBy: viewer.subject ?? viewer.role };
  if (asked.kind === 'frozen') {
    const record = await readFrozenRanking(db, asked.id);
    if (!record) throw new InvalidValueError('NOT_FOUND', asked.id, `没有编号为 ${asked.id} 的冻结排名，或您无权查看`);
    const published = publishedRankingOf(record);
    return rankingWorkbook({
      request: published.request, profileName: published.profileName, entries: published.entries, components: [],
      computedFrom: null, ...exported,
      frozen: { id: record.id, version: record.version, title: record.title, frozenAt: record.frozenAt, frozenBy: record.frozenBy, resultSha256: record.resultSha256 },
    });
  }
  await checkDomain(db, asked.request);
  const ranking = await rankingForViewer(db, viewer, asked.request, profile);
  if (!ranking) throw forbidden(viewer, regionDirectory().require(asked.request.parentRegionCode));
  return rankingWorkbook({
    request: ranking.request, profileName: ranking.profileName, entries: ranking.entries,
    components: profile.ranking.components.map((c) => c.indicator), computedFrom: ranking.computedFrom, frozen: null, ...exported,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The workbook

const RATE = '0.0%';
const SCORE = '0.00';
const TEXT = '@';

type Value = string | number | null;

interface Column<R> {
  header: string;
  value(row: R): Value;
  /** number format of the column's numbers; text is always '@' */
  numFmt?: string;
}

const labelOf = (indicator: string): string => indicatorDefinitions.find((d) => d.name === indicator)?.label ?? indicator;

/** Display width in Excel's character units: a CJK character takes two. */
function widthOf(text: string): number {
  let width = 0;
  for (const ch of text) width += /[\u1100-\uffff]/.test(ch) ? 2 : 1;
  return width;
}

/**
 * One cell: a string stays a string (never a formula object, whatever it starts with) in Text format; a number a
 * number in its format; null an empty cell.
 */
function put(sheet: Worksheet, row: number, column: number, value: Value, numFmt?: string): void {
  if (value === null) return;
  const cell = sheet.getCell(row, column);
  if (typeof value === 'string') {
    cell.value = value;
    cell.numFmt = TEXT;
  } else {
    cell.value = value;
    if (numFmt) cell.numFmt = numFmt;
  }
}

/** Header and rows, the header frozen with the first `frozenColumns`, columns as wide as their content. */
function addTable<R>(workbook: Workbook, name: string, columns: readonly Column<R>[], rows: readonly R[], frozenColumns = 0): Worksheet {
  const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', xSplit: frozenColumns, ySplit: 1 }] });
  const widths = columns.map((c) => widthOf(c.header));
  columns.forEach((c, i) => put(sheet, 1, i + 1, c.header));
  sheet.getRow(1).font = { bold: true };
  rows.forEach((row, r) => columns.forEach((c, i) => {
    const value = c.value(row);
    put(sheet, r + 2, i + 1, value, c.numFmt);
    if (value !== null) widths[i] = Math.max(widths[i]!, typeof value === 'string' ? widthOf(value) : 8);
  }));
  columns.forEach((_, i) => { sheet.getColumn(i + 1).width = Math.min(Math.max(widths[i]! + 2, 6), 60); });
  return sheet;
}

/** The components in the order the entries carry them (the profile's), or `fallback` when no entry carries any. */
function componentOrder(entries: readonly RankingResultEntry[], fallback: readonly IndicatorName[]): IndicatorName[] {
  const order: IndicatorName[] = [];
  for (const entry of entries) for (const c of entry.components) if (!order.includes(c.indicator)) order.push(c.indicator);
  return order.length > 0 ? order : [...fallback];
}

const componentOf = (entry: RankingResultEntry, indicator: IndicatorName): RankedComponent | undefined =>
  entry.components.find((c) => c.indicator === indicator);

const codeOf = (entry: RankingResultEntry): string => entry.agencyUscc ?? entry.regionCode;

function rankingColumns(components: readonly IndicatorName[]): Column<RankingResultEntry>[] {
  return [
    { header: '名次', value: (e) => e.rank },
    { header: '单位', value: (e) => e.name },
    { header: '代码', value: codeOf },
    { header: '综合得分', value: (e) => e.score, numFmt: SCORE },
    { header: '决定数', value: (e) => e.decisions },
    { header: '状态', value: (e) => STATUS_LABELS[e.status] },
    ...components.flatMap((indicator): Column<RankingResultEntry>[] => [
      { header: labelOf(indicator), value: (e) => componentOf(e, indicator)?.rate ?? null, numFmt: RATE },
      { header: `${labelOf(indicator)}得分`, value: (e) => componentOf(e, indicator)?.componentScore ?? null, numFmt: SCORE },
    ]),
  ];
}

interface FigureRow { entry: RankingResultEntry; component: RankedComponent }

/**
 * The bound that entered the score is the lower one for an indicator where higher is better and the upper one
 * where lower is better (纠错率): each goes in its own column, so neither is shown under the other's name.
 */
const figureColumns: readonly Column<FigureRow>[] = [
  { header: '单位', value: (r) => r.entry.name },
  { header: '代码', value: (r) => codeOf(r.entry) },
  { header: '指标', value: (r) => labelOf(r.component.indicator) },
  { header: '分子', value: (r) => r.component.numerator },
  { header: '分母', value: (r) => r.component.denominator },
  { header: '比率', value: (r) => r.component.rate, numFmt: RATE },
  { header: 'Wilson下界', value: (r) => (r.component.direction === 'higher' ? r.component.bound : null), numFmt: RATE },
  { header: 'Wilson上界', value: (r) => (r.component.direction === 'lower' ? r.component.bound : null), numFmt: RATE },
  { header: '方案权重', value: (r) => r.component.weight },
  { header: '实际权重', value: (r) => r.component.effectiveWeight, numFmt: RATE },
  { header: '得分', value: (r) => r.component.componentScore, numFmt: SCORE },
];

/** A time as Beijing time reads it: 2026-11-28 10:00:00. */
function beijingTime(instant: Date): string {
  return new Date(instant.getTime() + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

function unitsLabel(request: RankingRequest): string {
  if (request.units === 'regions') return `${LEVEL_LABELS[request.level]}（${request.level}）`;
  return request.domain === undefined ? '执法主体' : `执法主体（执法领域：${request.domain}）`;
}

function titleOf(ranking: WorkbookRanking, parent: Region): string {
  if (ranking.frozen) return ranking.frozen.title;
  const { request } = ranking;
  return request.units === 'regions' ? `${parent.name} ${LEVEL_LABELS[request.level]}排名`
    : `${parent.name} 执法主体排名${request.domain === undefined ? '' : `（${request.domain}）`}`;
}

function notes(ranking: WorkbookRanking, parent: Region): [string, string][] {
  const { request, frozen } = ranking;
  return [
    ['标题', titleOf(ranking, parent)],
    ['上级区划', `${parent.name}（${parent.code}）`],
    ['排名对象', unitsLabel(request)],
    ['期间', `${request.period.from} 至 ${request.period.to}`],
    ['截至日', request.asOf],
    ['考评方案', ranking.profileName],
    ['rankingKey', rankingKeyOf(request)],
    ...(frozen ? [
      ['版本', `第 ${frozen.version} 版（冻结排名编号 ${frozen.id}）`],
      ['冻结时间', `${beijingTime(frozen.frozenAt)}（北京时间）`],
      ['冻结人', frozen.frozenBy],
      ['结果 SHA-256', frozen.resultSha256],
      ['来源', '冻结版本：发布时存储的排名，原样导出'],
    ] satisfies [string, string][] : [
      ['来源', `即时计算（${ranking.computedFrom === 'facts' ? '明细数据' : '指标汇总表'}）`],
    ] satisfies [string, string][]),
    ['计分', '各项比率以 Wilson 95% 置信界计分：越高越好的指标得分 = 100 × 下界，越低越好的（如纠错率）= 100 × (1 − 上界)；'
      + '分母为 0 的指标不计分，其余权重重新归一（实际权重）；决定数少于考评方案最低数的单位为「样本不足」，不参与排名；并列者名次相同'],
    ['导出时间', `${beijingTime(ranking.exportedAt)}（北京时间）`],
    ['导出人', ranking.exportedBy],
  ];
}

const safeName = (text: string, pattern: RegExp) => text.replace(pattern, '_');

function fileNames(ranking: WorkbookRanking): { fileName: string; asciiFileName: string } {
  const { request, frozen } = ranking;
  const units = request.units === 'regions' ? request.level : `AGENCIES${request.domain === undefined ? '' : `-${request.domain}`}`;
  const stem = `${request.parentRegionCode}-${units}-${request.period.from}_${request.period.to}${frozen ? `-v${frozen.version}` : ''}`;
  return {
    fileName: `排名-${safeName(stem, /[^\p{L}\p{N}._-]/gu)}.xlsx`,
    asciiFileName: `ranking-${safeName(stem, /[^A-Za-z0-9._-]/g)}.xlsx`,
  };
}

/** The workbook's bytes and names. Pure: what the ranking says, nothing read. */
export async function rankingWorkbook(ranking: WorkbookRanking): Promise<RankingWorkbookFile> {
  const parent = regionDirectory().require(ranking.request.parentRegionCode);
  const workbook = new Workbook();
  workbook.creator = '行政执法监督数据中台';
  workbook.title = titleOf(ranking, parent);
  workbook.created = ranking.exportedAt;
  workbook.modified = ranking.exportedAt;

  const components = componentOrder(ranking.entries, ranking.components);
  addTable(workbook, '排名', rankingColumns(components), ranking.entries, 2);
  const figures = ranking.entries.flatMap((entry) => components.flatMap((indicator) => {
    const component = componentOf(entry, indicator);
    return component ? [{ entry, component }] : [];
  }));
  addTable(workbook, '分子分母', figureColumns, figures, 3);

  const sheet = workbook.addWorksheet('说明');
  const rows = notes(ranking, parent);
  rows.forEach(([key, value], i) => { put(sheet, i + 1, 1, key); put(sheet, i + 1, 2, value); });
  sheet.getColumn(1).font = { bold: true };
  sheet.getColumn(1).width = Math.max(...rows.map(([key]) => widthOf(key))) + 2;
  sheet.getColumn(2).width = Math.min(Math.max(...rows.map(([, value]) => widthOf(value))) + 2, 100);
  sheet.getColumn(2).alignment = { wrapText: true, vertical: 'top' };

  return { ...fileNames(ranking), bytes: Buffer.from(await workbook.xlsx.writeBuffer()) };
}
