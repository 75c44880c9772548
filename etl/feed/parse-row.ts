/**
 * One delivered row of a FEEDS.md entity → a typed, checked record, or every reason it is refused (FEEDS.md:
 * a refused row is kept in quarantine with all its reasons, never half-loaded). Pure: rules that need the
 * database (the agency is known, the parent case exists, the agency's region) are the pipeline's.
 *
 * Millions of rows pass through here. Each entity is compiled once (header lookup, parsers with their
 * messages' labels, rule indexes); a row costs one pass over its cells and one over the fields.
 */
import {
  ActionTypes, AgencyTiers,
  type ActionType, type AgencyKind, AgencyTier, AppealKind, AppealOutcome, CertificateStatus, Disclosure, EvaluationGrade,
  EvaluationKind, LetterKind, MajorGround, PartyType, PenaltyKind, PersonnelRole, Procedure, RecordingActivity,
  RecordingMethod, RecordingStage, ReviewOpinion,
} from '../../src/domain/codes';
import { normaliseRegionCode, regionDirectory, regionLevelOfCode, type RegionLevel } from '../../src/domain/regions';
import { usccProblem } from '../../src/domain/uscc';
import type { QuarantineReason } from '../../src/warehouse/entities/quarantined-row';
import { MAX_CELL_BYTES, type CellValue, type RawRow, type ReadProblem } from '../raw-row';
import type { EntityName } from './entity-names';
import { feedEntities, type EntitySpec, type FieldSpec, type SpecRecord } from './feed-entities';
import {
  dateOrders, enumListParser, enumParser, formatShanghai, isEmptyCell, parseBoolean, parseDate, parseDecimal,
  parseInteger, parseList, parseMoney, parseText, parseTimestamp, showCell,
  type CodeList, type DateOrder, type FieldParser, type ParseOptions,
} from './field-parsers';

// ---------------------------------------------------------------------------------------------------------
// Typed records: the warehouse's columns (src/warehouse/entities), dates 'YYYY-MM-DD', amounts and scores
// exact decimal strings, timestamps Dates. Checked against feed-entities.ts at compile time (see below).
// ---------------------------------------------------------------------------------------------------------

export interface AgencyRecord {
  name: string;
  uscc: string;
  /** normalised: 12-digit 统计用区划代码 shortened to the tree's 6 or 9 digits */
  regionCode: string;
  tier: AgencyTier;
  domain: string;
  kind: AgencyKind;
  updatedAt: Date;
}

export interface PersonnelRecord {
  personId: string;
  name: string;
  agencyUscc: string;
  role: PersonnelRole;
  certificateNo: string | null;
  certificateCategory: string | null;
  issuedOn: string | null;
  expiresOn: string | null;
  certificateStatus: CertificateStatus | null;
  suspendedFrom: string | null;
  suspendedTo: string | null;
  legalQualification: boolean;
  updatedAt: Date;
}

export interface CaseRecord {
  caseId: string;
  agencyUscc: string;
  actionType: ActionType;
  procedure: Procedure | null;
  filedOn: string | null;
  decidedOn: string | null;
  decisionNo: string | null;
  partyType: PartyType | null;
  partyName: string | null;
  partyIdNo: string | null;
  /** yuan, two decimals */
  amount: string | null;
  penaltyKinds: PenaltyKind[];
  isMajor: boolean;
  majorGrounds: MajorGround[];
  hearingHeld: boolean;
  handlerIds: string[];
  closedOn: string | null;
  archivedOn: string | null;
  disclosure: Disclosure;
  exemptReason: string | null;
  extended: boolean;
  updatedAt: Date;
}

export interface PublicationRecord {
  caseId: string;
  decisionNo: string | null;
  publishedOn: string;
  platform: string | null;
  url: string | null;
  withdrawnOn: string | null;
  withdrawReason: string | null;
  updatedAt: Date;
}

export interface ReviewRecord {
  caseId: string;
  round: number;
  submittedOn: string | null;
  completedOn: string | null;
  reviewerIds: string[];
  opinion: ReviewOpinion | null;
  note: string | null;
  updatedAt: Date;
}

export interface AppealRecord {
  caseId: string;
  decisionNo: string | null;
  kind: AppealKind;
  filedOn: string | null;
  concludedOn: string | null;
  outcome: AppealOutcome | null;
  body: string | null;
  updatedAt: Date;
}

export interface RecordingRecord {
  recordId: string;
  caseId: string;
  stage: RecordingStage;
  activity: RecordingActivity;
  method: RecordingMethod;
  recordedAt: Date;
  uploadedAt: Date | null;
  /** lower-case hexadecimal */
  sha256: string | null;
  updatedAt: Date;
}

export interface EvaluationRecord {
  caseId: string;
  kind: EvaluationKind;
  evaluator: string | null;
  evaluatedOn: string;
  /** two decimals, 0–100 */
  score: string | null;
  grade: EvaluationGrade;
  findings: string | null;
  updatedAt: Date;
}

export interface AnnualReportRecord {
  agencyUscc: string;
  year: number;
  submittedOn: string | null;
  publishedOn: string | null;
}

export interface LetterRecord {
  letterNo: string;
  kind: LetterKind;
  agencyUscc: string;
  issuedOn: string;
  dueOn: string | null;
  rectifiedOn: string | null;
  subject: string | null;
}

export interface FeedRecords {
  agencies: AgencyRecord;
  personnel: PersonnelRecord;
  cases: CaseRecord;
  publications: PublicationRecord;
  reviews: ReviewRecord;
  appeals: AppealRecord;
  recordings: RecordingRecord;
  evaluations: EvaluationRecord;
  annualReports: AnnualReportRecord;
  letters: LetterRecord;
}
export type FeedRecord<E extends EntityName> = FeedRecords[E];

// A compile error here names an entity whose record interface above and spec in feed-entities.ts disagree
// (a field missing, or required there but nullable here): one of the two was changed without the other.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type MismatchedRecords = { [E in EntityName]: Same<FeedRecord<E>, SpecRecord<E>> extends true ? never : E }[EntityName];
type AssertNone<T extends never> = T;
export type RecordsFollowSpecs = AssertNone<MismatchedRecords>;

export type ParsedRow<E extends EntityName = EntityName> =
  | { ok: true; record: FeedRecord<E>; naturalKey: string }
  | { ok: false; reasons: QuarantineReason[]; naturalKey: string | null };

export interface ParseRowOptions {
  /** the source's order for year-last dates (`18/05/2024`): its mapping's dateOrder. A FeedMapping will do. */
  readonly dateOrder?: DateOrder;
}

// ---------------------------------------------------------------------------------------------------------
// Compiling an entity
// ---------------------------------------------------------------------------------------------------------

interface CompiledField {
  readonly spec: FieldSpec;
  readonly read: FieldParser<unknown>;
  /** per date order; only dates and timestamps differ */
  readonly options: Readonly<Record<DateOrder, ParseOptions>>;
  /** what an empty cell gives when the field is not required (a list: a new empty array) */
  readonly emptyValue: string | boolean | null | typeof NEW_LIST;
}

interface CompiledOrderRule {
  readonly earlier: number;
  readonly later: number;
  readonly code: string;
}

interface CompiledEntity {
  readonly spec: EntitySpec;
  readonly fields: readonly CompiledField[];
  /** normalised header or JSON field name → field index */
  readonly byName: ReadonlyMap<string, number>;
  /** header exactly as delivered → field index, -1 for columns the entity has not: files repeat their headers */
  readonly delivered: Map<string, number>;
  /** headers as delivered that are storable text (storableHeader), so that each is checked once */
  readonly storableHeaders: Set<string>;
  readonly keyIndexes: readonly number[];
  readonly order: readonly CompiledOrderRule[];
  /** every field's key, in spec order: the shape each record is copied from */
  readonly template: Readonly<Record<string, null>>;
  /** the entity's rules beyond single fields and date order */
  readonly rule: EntityRule | null;
}

type EntityRule = (values: readonly unknown[], reasons: QuarantineReason[]) => void;

/** A file's headers are few; an API whose items carry ever new keys must not grow the cache without end. */
const DELIVERED_CACHE_LIMIT = 4096;
/** U+3000 full-width spaces (aligned headers in Chinese spreadsheets) and a byte-order mark a reader left */
const HEADER_NOISE = /[\u3000\uFEFF]/g;

export function normaliseHeader(header: string): string {
  return header.replace(HEADER_NOISE, '').trim();
}

function readerOf(spec: FieldSpec): FieldParser<unknown> {
  switch (spec.form) {
    case 'text': return parseText;
    case 'date': return parseDate;
    case 'timestamp': return parseTimestamp;
    case 'money': return parseMoney;
    case 'boolean': return parseBoolean;
    case 'integer': return parseInteger;
    case 'decimal': return parseDecimal;
    case 'enum': return enumParser(spec.codes as CodeList);
    case 'list': return spec.codes ? enumListParser(spec.codes as CodeList) : parseList;
  }
}

/** Marks list fields: each record gets its own empty array, which the pipeline may extend. */
const NEW_LIST = Symbol('new list');

function compileField(spec: FieldSpec): CompiledField {
  const base: ParseOptions = { label: spec.header, maxLength: spec.maxLength, scale: spec.scale };
  const byOrder = (dateOrder: DateOrder): ParseOptions => Object.freeze({ ...base, dateOrder });
  const options = Object.fromEntries(dateOrders.map((order) => [order, byOrder(order)])) as Record<DateOrder, ParseOptions>;
  const emptyValue = spec.form === 'list' ? NEW_LIST : spec.default ?? null;
  return { spec, read: readerOf(spec), options, emptyValue };
}

function compile(spec: EntitySpec): CompiledEntity {
  const fields = spec.fields.map(compileField);
  const byName = new Map<string, number>();
  spec.fields.forEach((field, i) => {
    byName.set(field.key, i);
    byName.set(field.header, i);
  });
  const index = (key: string): number => {
    const i = spec.fields.findIndex((field) => field.key === key);
    if (i < 0) throw new Error(`${spec.name} has no field ${key}`);
    return i;
  };
  return {
    spec,
    fields,
    byName,
    delivered: new Map(),
    storableHeaders: new Set(),
    keyIndexes: spec.naturalKey.map(index),
    order: spec.order.map((rule) => ({ earlier: index(rule.earlier), later: index(rule.later), code: rule.code })),
    template: Object.fromEntries(spec.fields.map((field) => [field.key, null])),
    rule: entityRules[spec.name]?.(spec, index) ?? null,
  };
}

const compiled = new Map<EntityName, CompiledEntity>();

function compiledEntity(entity: EntityName): CompiledEntity {
  let found = compiled.get(entity);
  if (!found) {
    const spec: EntitySpec | undefined = feedEntities[entity];
    if (!spec) throw new Error(`unknown feed entity ${JSON.stringify(entity)}`);
    found = compile(spec);
    compiled.set(entity, found);
  }
  return found;
}

function fieldIndexOf(entity: CompiledEntity, header: string): number {
  const cached = entity.delivered.get(header);
  if (cached !== undefined) return cached;
  // JSON names are matched case-sensitively (FEEDS.md spells them; `CaseId` is not `caseId`).
  const i = entity.byName.get(normaliseHeader(header)) ?? -1;
  if (entity.delivered.size < DELIVERED_CACHE_LIMIT) entity.delivered.set(header, i);
  return i;
}

// ---------------------------------------------------------------------------------------------------------
// Reading a field
// ---------------------------------------------------------------------------------------------------------

/** Marks a field that gave a reason; distinct from null (empty) and from every value. */
const FAILED = Symbol('failed');

function reason(code: string, field: FieldSpec, message: string): QuarantineReason {
  return { code, field: field.header, message };
}

/** 统一社会信用代码 problems already say so; under another header (主体代码) the header goes first. */
function usccMessage(field: FieldSpec, message: string): string {
  return message.startsWith(field.header) ? message : `${field.header}：${message}`;
}

const SHA256 = /^[0-9a-fA-F]{64}$/;

const LEVEL_NAMES: Record<RegionLevel, string> = { PROVINCE: '省级', PREFECTURE: '地级', COUNTY: '县级', TOWNSHIP: '乡镇级' };

/** A value's own rule (FieldSpec.rule, min/max): the value as stored, or FAILED with the reason pushed. */
function checkValue(field: FieldSpec, value: unknown, reasons: QuarantineReason[]): unknown {
  switch (field.rule) {
    case 'uscc': {
      const problem = usccProblem(value as string);
      if (problem) {
        reasons.push(reason(problem.code, field, usccMessage(field, problem.message)));
        return FAILED;
      }
      return (value as string).toUpperCase();
    }
    case 'regionCode': {
      const code = normaliseRegionCode(value as string);
      if (regionLevelOfCode(code) === null) {
        reasons.push(reason('REGION_CODE_FORMAT', field,
          `${field.header} ${showCell(value as string)} 格式不正确：应为 6 位（县级及以上）或 9 位（乡镇/街道）数字`));
        return FAILED;
      }
      if (!regionDirectory().get(code)) {
        reasons.push(reason('UNKNOWN_REGION', field, `${field.header} ${code} 不存在于 GB/T 2260 区划表`));
        return FAILED;
      }
      return code;
    }
    case 'sha256':
      if (!SHA256.test(value as string)) {
        reasons.push(reason('INVALID_SHA256', field,
          `${field.header} ${showCell(value as string)} 不是 SHA-256 摘要（应为 64 位十六进制字符）`));
        return FAILED;
      }
      return (value as string).toLowerCase();
  }
  if (field.min !== undefined || field.max !== undefined) {
    const n = typeof value === 'number' ? value : Number(value);
    if ((field.min !== undefined && n < field.min) || (field.max !== undefined && n > field.max)) {
      const bounds = field.max === undefined ? `不小于 ${field.min}` : `在 ${field.min ?? '−∞'}–${field.max} 之间`;
      reasons.push(reason('OUT_OF_RANGE', field, `${field.header} ${value} 应${bounds}`));
      return FAILED;
    }
  }
  return value;
}

/** The field's stored value from its cell: parsed, defaulted, checked; FAILED with reasons pushed otherwise. */
function readField(field: CompiledField, cell: CellValue, order: DateOrder, reasons: QuarantineReason[]): unknown {
  const parsed = field.read(cell, field.options[order]);
  if (!parsed.ok) {
    reasons.push(reason(parsed.code, field.spec, parsed.message));
    return FAILED;
  }
  if (parsed.value === null) {
    if (!field.spec.required) return field.emptyValue === NEW_LIST ? [] : field.emptyValue;
    reasons.push(reason('REQUIRED', field.spec, `${field.spec.header} 为必填项，不能为空`));
    return FAILED;
  }
  return checkValue(field.spec, parsed.value, reasons);
}

/** A key part from the cell as delivered, for a row whose key field itself failed. */
function cellKeyText(cell: CellValue): string | null {
  if (typeof cell === 'string') return cell.trim() || null;
  if (typeof cell === 'number' || typeof cell === 'bigint') return String(cell);
  return null;
}

// ---------------------------------------------------------------------------------------------------------
// Cells that cannot be stored as delivered
// ---------------------------------------------------------------------------------------------------------

/**
 * What makes a delivered text unstorable: PostgreSQL text (and jsonb, where quarantine keeps the raw row)
 * cannot hold NUL, a lone UTF-16 surrogate is no character at all, and a cell over MAX_CELL_BYTES is no field
 * of a feed (see raw-row.ts). Any transport can carry them: a NUL byte in a CSV, `\u0000` or `\ud800` in an
 * API's JSON, an Arrow string column. Unchecked, one such cell failed its whole batch at COPY and ended the run.
 */
type TextProblem = 'NUL' | 'SURROGATE' | 'TOO_LARGE';

/** ES2024's String.prototype.isWellFormed / toWellFormed (V8 11.3, every Node this project runs on); TS lib is ES2023. */
interface WellFormedString { isWellFormed(): boolean; toWellFormed(): string }

/** NUL or any surrogate: one scan finds both, and only a text with a surrogate needs the pairing checked */
const SUSPECT_CHARACTER = /[\u0000\ud800-\udfff]/;

function textProblem(text: string): TextProblem | null {
  if (SUSPECT_CHARACTER.test(text)) {
    if (text.indexOf('\u0000') >= 0) return 'NUL';
    if (!(text as unknown as WellFormedString).isWellFormed()) return 'SURROGATE';
  }
  // UTF-8 takes at most 3 bytes per UTF-16 unit, so only a long text needs counting
  if (text.length * 3 > MAX_CELL_BYTES && Buffer.byteLength(text) > MAX_CELL_BYTES) return 'TOO_LARGE';
  return null;
}

const cutBuffer = new Uint8Array(MAX_CELL_BYTES);
const encoder = new TextEncoder();

/** The text as it can be kept: NUL and lone surrogates as U+FFFD, cut to MAX_CELL_BYTES between characters. */
function storableText(text: string): string {
  let kept = (text.replace(/\u0000/g, '\uFFFD') as unknown as WellFormedString).toWellFormed();
  if (kept.length * 3 > MAX_CELL_BYTES) {
    // encodeInto writes whole characters only, so the cut never splits one
    const { written } = encoder.encodeInto(kept, cutBuffer);
    if (written < Buffer.byteLength(kept)) kept = Buffer.from(cutBuffer.buffer, 0, written).toString('utf8');
  }
  return kept;
}

function unstorableReason(problem: TextProblem, label: string, field: string, text: string): QuarantineReason {
  const where = `「${label}」`;
  switch (problem) {
    case 'NUL':
      return { code: 'INVALID_CHARACTER', field, message: `${where}含有 NUL 字符（\\0），不是文本，数据库无法保存（原始内容中显示为 �）` };
    case 'SURROGATE':
      return { code: 'INVALID_CHARACTER', field, message: `${where}含有无效的 Unicode 字符（不成对的 UTF-16 代理项，原始内容中显示为 �）` };
    case 'TOO_LARGE':
      return { code: 'CELL_TOO_LARGE', field,
        message: `${where}有 ${Buffer.byteLength(text)} 字节，超过单元格上限 ${MAX_CELL_BYTES} 字节，只保留了前 ${MAX_CELL_BYTES} 字节` };
  }
}

/** Whatever an API may nest in a cell (lists, objects) is kept as JSON too, so its texts are checked the same way. */
type Nested = readonly unknown[] | { readonly [key: string]: unknown };
const isNested = (value: unknown): value is Nested => typeof value === 'object' && value !== null && !(value instanceof Date);

/** The first unstorable text in a list or nested object (keys included), with its problem, or null. */
function unstorableIn(value: Nested): { problem: TextProblem; text: string } | null {
  const entries: [string | null, unknown][] = Array.isArray(value) ? value.map((item) => [null, item]) : Object.entries(value);
  for (const [key, item] of entries) {
    for (const text of [key, item]) {
      if (typeof text !== 'string') continue;
      const problem = textProblem(text);
      if (problem) return { problem, text };
    }
    if (isNested(item)) {
      const found = unstorableIn(item);
      if (found) return found;
    }
  }
  return null;
}

function storableValue(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (!isNested(value)) return value;
  if (Array.isArray(value)) return value.map(storableValue);
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [storableText(key), storableValue(item)]));
}

/**
 * The cell as it can be stored, replaced in `values` (what quarantine keeps) when it could not be, with the
 * reason naming its field (or its header, for a column the entity has not).
 */
function storableCell(entity: CompiledEntity, values: Record<string, CellValue>, header: string, cell: string | Nested,
  reasons: QuarantineReason[]): CellValue {
  if (typeof cell === 'string') {
    const problem = textProblem(cell);
    if (!problem) return cell;
    reasons.push(unstorableReason(problem, header, fieldOfHeader(entity, header), cell));
    return (values[header] = storableText(cell));
  }
  const found = unstorableIn(cell);
  if (!found) return cell as CellValue;
  reasons.push(unstorableReason(found.problem, header, fieldOfHeader(entity, header), found.text));
  return (values[header] = storableValue(cell) as CellValue);
}

/** A header is storable text; each distinct header is checked once per entity. */
function storableHeader(entity: CompiledEntity, header: string): boolean {
  if (entity.storableHeaders.has(header)) return true;
  if (textProblem(header)) return false;
  if (entity.storableHeaders.size < DELIVERED_CACHE_LIMIT) entity.storableHeaders.add(header);
  return true;
}

/** Unstorable headers cannot be keys of the kept row: renamed to what can be stored, and refused. */
function renameHeaders(row: RawRow, badHeaders: readonly string[], reasons: QuarantineReason[]): void {
  const renamed: Record<string, CellValue> = {};
  for (const header in row.values) renamed[badHeaders.includes(header) ? storableText(header) : header] = row.values[header];
  row.values = renamed;
  for (const header of badHeaders) {
    reasons.push({ code: 'INVALID_CHARACTER', message: `表头 ${showCell(storableText(header))} 含有 NUL 字符、无效的 Unicode 字符或超过单元格上限` });
  }
}

/** The field a delivered header names, as reasons name it (the Chinese header), or the header itself for other columns. */
function fieldOfHeader(entity: CompiledEntity, header: string): string {
  const i = fieldIndexOf(entity, header);
  return i >= 0 ? entity.spec.fields[i]!.header : header;
}

/** A reader's problem as a reason, its field named as the entity names it. */
function readReason(entity: CompiledEntity, problem: ReadProblem): QuarantineReason {
  return problem.field === undefined
    ? { code: problem.code, message: problem.message }
    : { code: problem.code, field: fieldOfHeader(entity, problem.field), message: problem.message };
}

// ---------------------------------------------------------------------------------------------------------
// Rules spanning fields
// ---------------------------------------------------------------------------------------------------------

function shownValue(value: unknown): string {
  return value instanceof Date ? formatShanghai(value) : String(value);
}

/**
 * Dates here are 'YYYY-MM-DD' strings this module produced, so their text order is their calendar order;
 * compareDates would re-validate both on every row for nothing.
 */
function isBefore(later: unknown, earlier: unknown): boolean {
  if (later instanceof Date && earlier instanceof Date) return later.getTime() < earlier.getTime();
  return (later as string) < (earlier as string);
}

/** 北京, 天津, 上海, 重庆: a municipality is a province whose city-level departments sit at its own code. */
const MUNICIPALITIES = new Set(['11', '12', '31', '50']);
/** 省（自治区）直辖县级行政区划 (4190, 4290, 4690, 6590): their cities are county codes without a prefecture. */
const DIRECTLY_ADMINISTERED = '90';

/**
 * The tier an agency states must match its region's level (DOMAIN.md §1: supervision follows the tier), with
 * two leniencies where the code cannot show the tier:
 * - a municipality's city-level departments are filed under the municipality (110000) as often as under its
 *   市辖区 node (110100); both are read as the city level;
 * - a 省直辖县级市 (仙桃 429004, 济源 419001) has only a county code, and its own departments call themselves
 *   市级 as often as 县级; both are accepted.
 */
function tierFits(tier: AgencyTier, code: string, level: RegionLevel): boolean {
  switch (tier) {
    case 'CITY':
      return level === 'PREFECTURE'
        || (level === 'PROVINCE' && MUNICIPALITIES.has(code.slice(0, 2)))
        || (level === 'COUNTY' && code.slice(2, 4) === DIRECTLY_ADMINISTERED);
    case 'COUNTY':
      return level === 'COUNTY';
    case 'TOWNSHIP':
      return level === 'TOWNSHIP';
  }
}

function tierHint(tier: AgencyTier, code: string): string {
  switch (tier) {
    case 'CITY': return `市级部门应使用地级市代码（如 ${code.slice(0, 4)}00）`;
    case 'COUNTY': return '县级部门应使用县/区代码（6 位，末两位不为 00）';
    case 'TOWNSHIP': return '乡镇级主体应使用 9 位乡镇/街道代码';
  }
}

function present(value: unknown): boolean {
  return value !== FAILED && value !== null;
}

/** Rules of one entity beyond single fields and date order, each built once with its fields' indexes. */
const entityRules: Partial<Record<EntityName, (spec: EntitySpec, index: (key: string) => number) => EntityRule>> = {
  agencies: (spec, index) => {
    const tierAt = index('tier');
    const regionAt = index('regionCode');
    const tierField = spec.fields[tierAt]!;
    return (values, reasons) => {
      const tier = values[tierAt] as AgencyTier;
      const code = values[regionAt] as string;
      if (!present(tier) || !present(code)) return;
      const level = regionLevelOfCode(code)!;
      if (tierFits(tier, code, level)) return;
      reasons.push(reason('TIER_REGION_MISMATCH', tierField,
        `主体层级 ${AgencyTiers.labels[tier]} 与行政区划代码 ${code}（${LEVEL_NAMES[level]}）不符：${tierHint(tier, code)}`));
    };
  },
  cases: (spec, index) => {
    const actionAt = index('actionType');
    const kindsAt = index('penaltyKinds');
    const kindsField = spec.fields[kindsAt]!;
    // FEEDS.md: 处罚种类 is empty for decisions that are not penalties (APL art. 9 lists penalties only).
    return (values, reasons) => {
      const actionType = values[actionAt] as ActionType;
      const kinds = values[kindsAt] as PenaltyKind[];
      if (!present(actionType) || !present(kinds) || kinds.length === 0 || actionType === 'PENALTY') return;
      reasons.push(reason('PENALTY_KINDS_ON_NON_PENALTY', kindsField,
        `处罚种类 ${kinds.join('、')} 只适用于行政处罚，本案行为类别为 ${ActionTypes.labels[actionType]}`));
    };
  },
};

// ---------------------------------------------------------------------------------------------------------
// A row
// ---------------------------------------------------------------------------------------------------------

/** Two columns naming one field (案件编号 and caseId) must agree; the first non-empty one is read. */
function duplicateColumn(row: RawRow, entity: CompiledEntity, i: number, first: CellValue, second: CellValue): QuarantineReason {
  const field = entity.spec.fields[i]!;
  const columns = Object.keys(row.values).filter((header) => fieldIndexOf(entity, header) === i);
  return reason('DUPLICATE_COLUMN', field,
    `${field.header} 出现在多列（${columns.map((c) => JSON.stringify(c)).join('、')}）且取值不同：${showCell(first)} 与 ${showCell(second)}`);
}

/** Two non-empty cells say the same when their text does (`12` and 12, `A1 ` and `A1`). */
function sameCell(a: CellValue, b: CellValue): boolean {
  const text = (cell: CellValue) =>
    typeof cell === 'string' ? cell.trim() : cell instanceof Date ? cell.toISOString() : Array.isArray(cell) ? JSON.stringify(cell) : String(cell);
  return text(a) === text(b);
}

/**
 * The typed record of one delivered row of `entity`, or every reason to refuse it. Cells no warehouse column
 * or kept raw row can hold (NUL, lone surrogates, over MAX_CELL_BYTES) are refused and replaced in row.values
 * by what can be kept (storableCell), since row.values is what quarantine stores. The natural key is built
 * even for a refused row (from the cells as delivered where a key field itself failed), so that a corrected
 * reload finds and releases it; it is null only when a key field is empty.
 */
export function parseFeedRow<E extends EntityName>(entity: E, row: RawRow, options: ParseRowOptions = {}): ParsedRow<E> {
  const compiledSpec = compiledEntity(entity);
  const { fields } = compiledSpec;
  const order = options.dateOrder ?? 'YMD';
  const reasons: QuarantineReason[] = [];

  const cells: CellValue[] = new Array(fields.length);
  const values = row.values;
  let badHeaders: string[] | null = null;
  for (const header in values) {
    let cell = values[header];
    if (typeof cell === 'string' || isNested(cell)) cell = storableCell(compiledSpec, values, header, cell, reasons);
    if (!storableHeader(compiledSpec, header)) (badHeaders ??= []).push(header);
    const i = fieldIndexOf(compiledSpec, header);
    if (i < 0) continue; // not a field of this entity: it stays in the raw row quarantine keeps
    const earlier = cells[i];
    if (earlier === undefined || isEmptyCell(earlier)) cells[i] = cell;
    else if (!isEmptyCell(cell) && !sameCell(earlier, cell)) reasons.push(duplicateColumn(row, compiledSpec, i, earlier, cell));
  }
  if (badHeaders) renameHeaders(row, badHeaders, reasons);

  const parsed: unknown[] = new Array(fields.length);
  for (let i = 0; i < fields.length; i++) parsed[i] = readField(fields[i]!, cells[i], order, reasons);

  for (const rule of compiledSpec.order) {
    const earlier = parsed[rule.earlier];
    const later = parsed[rule.later];
    if (!present(earlier) || !present(later) || !isBefore(later, earlier)) continue;
    const laterField = fields[rule.later]!.spec;
    const earlierField = fields[rule.earlier]!.spec;
    reasons.push(reason(rule.code, laterField,
      `${laterField.header} ${shownValue(later)} 早于${earlierField.header} ${shownValue(earlier)}`));
  }
  compiledSpec.rule?.(parsed, reasons);

  if (row.readProblems) for (const problem of row.readProblems) reasons.push(readReason(compiledSpec, problem));

  let naturalKey: string | null = '';
  for (let k = 0; k < compiledSpec.keyIndexes.length; k++) {
    const i = compiledSpec.keyIndexes[k]!;
    const value = parsed[i];
    const part = present(value) ? String(value) : cellKeyText(cells[i]);
    if (part === null) {
      naturalKey = null;
      break;
    }
    naturalKey = k === 0 ? part : `${naturalKey}|${part}`;
  }

  if (reasons.length > 0) return { ok: false, reasons, naturalKey };
  // Copied from a template so that every record of an entity shares one object shape (fast property access
  // downstream); filling an empty object key by key would not.
  const record: Record<string, unknown> = { ...compiledSpec.template };
  for (let i = 0; i < fields.length; i++) record[fields[i]!.spec.key] = parsed[i];
  // Every key field is required, so a row without reasons has its whole key.
  return { ok: true, record: record as unknown as FeedRecord<E>, naturalKey: naturalKey! };
}

/**
 * One field of `entity` (its JSON name or Chinese header) read from a value as a row's cell would be: the
 * stored value, or the reasons. The mapping loader checks a mapping's constants and value maps with it.
 */
export function parseFeedField(
  entity: EntityName,
  field: string,
  value: CellValue,
  options: ParseRowOptions = {},
): { ok: true; value: unknown } | { ok: false; reasons: QuarantineReason[] } {
  const compiledSpec = compiledEntity(entity);
  const i = compiledSpec.byName.get(normaliseHeader(field));
  if (i === undefined) throw new Error(`${entity} has no field ${JSON.stringify(field)}`);
  const reasons: QuarantineReason[] = [];
  const parsed = readField(compiledSpec.fields[i]!, value, options.dateOrder ?? 'YMD', reasons);
  return parsed === FAILED ? { ok: false, reasons } : { ok: true, value: parsed };
}
