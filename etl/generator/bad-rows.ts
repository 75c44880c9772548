/**
 * Deliberately bad rows: each kind spoils a good record in one way a clerk's export really goes wrong, and
 * states the reason codes the hub's validator (etl/feed/parse-row.ts) gives for it — all of them, which is
 * why each kind touches only what it needs (a decision dated before filing keeps its closing date after
 * the new decision date, so that no second reason appears).
 *
 * A row is a WireRecord: the typed record, keyed by JSON field name, with some fields replaced by raw text
 * the writers put into the file as it is (`{ raw: '2025-02-30' }`).
 */
import type { EntityName } from '../feed/entity-names';
import { feedEntities, type FieldSpec } from '../feed/feed-entities';
import type { FeedRecords } from '../feed/parse-row';
import { addDays } from './dates';
import { wrongCheckCharacter } from './names';
import type { Random } from './random';

export interface Raw { raw: string }
export type WireValue = string | number | boolean | Date | readonly string[] | null | Raw;
export type WireRecord = Record<string, WireValue>;

export function isRaw(value: WireValue | undefined): value is Raw {
  return typeof value === 'object' && value !== null && !(value instanceof Date) && !Array.isArray(value);
}

export function wireOf<E extends EntityName>(record: FeedRecords[E]): WireRecord {
  return { ...(record as unknown as WireRecord) };
}

/** What a transport can carry: Arrow columns are typed, the API's updatedAt orders its pages. */
export interface Carrier {
  /** raw text only in text and code columns (Arrow) */
  typedColumns: boolean;
  /** updatedAt must stay a valid timestamp (API: the simulator orders items by it, and so do positions) */
  keepsUpdatedAt: boolean;
}

export interface BadKind<E extends EntityName = EntityName> {
  id: string;
  entity: E;
  /** the reason codes parseFeedRow gives, sorted */
  reasons: string[];
  /** fields it fills with raw text */
  rawFields: readonly string[];
  /** fields it changes */
  touches: readonly string[];
  applies(record: FeedRecords[E]): boolean;
  spoil(row: WireRecord, record: FeedRecords[E], rng: Random): void;
}

function kind<E extends EntityName>(entity: E, id: string, reasons: string[], options: {
  raw?: string[];
  touches?: string[];
  applies?: (record: FeedRecords[E]) => boolean;
  spoil: (row: WireRecord, record: FeedRecords[E], rng: Random) => void;
}): BadKind<E> {
  return {
    id, entity, reasons: [...reasons].sort(), rawFields: options.raw ?? [], touches: [...(options.touches ?? []), ...(options.raw ?? [])],
    applies: options.applies ?? (() => true), spoil: options.spoil,
  };
}

/** A day that does not exist in the record's own year: 2025-02-30 */
const unrealDate = (date: string | null) => `${(date ?? '2025').slice(0, 4)}-02-30`;

export const badKinds: { [E in EntityName]: BadKind<E>[] } = {
  agencies: [
    kind('agencies', 'agency-uscc-check', ['USCC_CHECK_CHARACTER'], {
      touches: ['uscc'], spoil: (row, r, rng) => { row.uscc = wrongCheckCharacter(r.uscc, rng); },
    }),
    kind('agencies', 'agency-unknown-region', ['UNKNOWN_REGION'], {
      // 3505 99 is the shape of a county code, but no county of 泉州 has it
      raw: ['regionCode'], spoil: (row, r) => { row.regionCode = { raw: `${r.regionCode.slice(0, 4)}99` }; },
    }),
    kind('agencies', 'agency-region-format', ['REGION_CODE_FORMAT'], {
      raw: ['regionCode'], spoil: (row, r) => { row.regionCode = { raw: r.regionCode.slice(0, 5) }; },
    }),
    kind('agencies', 'agency-tier-mismatch', ['TIER_REGION_MISMATCH'], {
      touches: ['tier'], applies: (r) => r.tier === 'CITY', spoil: (row) => { row.tier = 'COUNTY'; },
    }),
    kind('agencies', 'agency-unknown-kind', ['UNKNOWN_CODE'], {
      raw: ['kind'], spoil: (row) => { row.kind = { raw: '事业单位' }; },
    }),
    kind('agencies', 'agency-no-name', ['REQUIRED'], { touches: ['name'], spoil: (row) => { row.name = null; } }),
    kind('agencies', 'agency-uscc-length', ['USCC_LENGTH'], { touches: ['uscc'], spoil: (row, r) => { row.uscc = r.uscc.slice(0, 17); } }),
  ],
  personnel: [
    kind('personnel', 'person-agency-uscc-check', ['USCC_CHECK_CHARACTER'], {
      touches: ['agencyUscc'], spoil: (row, r, rng) => { row.agencyUscc = wrongCheckCharacter(r.agencyUscc, rng); },
    }),
    kind('personnel', 'person-unreal-expiry', ['INVALID_DATE'], {
      raw: ['expiresOn'], applies: (r) => r.expiresOn !== null, spoil: (row, r) => { row.expiresOn = { raw: unrealDate(r.expiresOn) }; },
    }),
    kind('personnel', 'person-expires-before-issued', ['EXPIRES_BEFORE_ISSUED'], {
      touches: ['expiresOn'], applies: (r) => r.issuedOn !== null,
      spoil: (row, r, rng) => { row.expiresOn = addDays(r.issuedOn!, -rng.int(1, 400)); },
    }),
    kind('personnel', 'person-unknown-role', ['UNKNOWN_CODE'], { raw: ['role'], spoil: (row) => { row.role = { raw: '协管员' }; } }),
    kind('personnel', 'person-bad-boolean', ['INVALID_BOOLEAN'], {
      raw: ['legalQualification'], spoil: (row) => { row.legalQualification = { raw: '有' }; },
    }),
    kind('personnel', 'person-no-name', ['REQUIRED'], { touches: ['name'], spoil: (row) => { row.name = null; } }),
    kind('personnel', 'person-suspension-reversed', ['SUSPENSION_ENDS_BEFORE_START'], {
      touches: ['suspendedFrom', 'suspendedTo'], applies: (r) => r.issuedOn !== null,
      spoil: (row, r, rng) => {
        const from = addDays(r.issuedOn!, rng.int(60, 300));
        row.suspendedFrom = from;
        row.suspendedTo = addDays(from, -rng.int(1, 30));
      },
    }),
    kind('personnel', 'person-unknown-status', ['UNKNOWN_CODE'], {
      raw: ['certificateStatus'], applies: (r) => r.certificateNo !== null, spoil: (row) => { row.certificateStatus = { raw: '过期' }; },
    }),
  ],
  cases: [
    kind('cases', 'case-unreal-decision-date', ['INVALID_DATE'], {
      raw: ['decidedOn'], applies: (r) => r.decidedOn !== null, spoil: (row, r) => { row.decidedOn = { raw: unrealDate(r.decidedOn) }; },
    }),
    kind('cases', 'case-decided-before-filed', ['DECIDED_BEFORE_FILED'], {
      touches: ['decidedOn'], applies: (r) => r.decidedOn !== null && r.filedOn !== null,
      spoil: (row, r, rng) => { row.decidedOn = addDays(r.filedOn!, -rng.int(1, 20)); },
    }),
    kind('cases', 'case-negative-amount', ['NEGATIVE_AMOUNT'], {
      touches: ['amount'], applies: (r) => r.amount !== null, spoil: (row, r) => { row.amount = `-${r.amount}`; },
    }),
    kind('cases', 'case-unknown-action-type', ['UNKNOWN_CODE'], {
      raw: ['actionType'], spoil: (row) => { row.actionType = { raw: '行政奖励' }; },
    }),
    kind('cases', 'case-no-action-type', ['REQUIRED'], { touches: ['actionType'], spoil: (row) => { row.actionType = null; } }),
    kind('cases', 'case-penalty-kinds-on-licence', ['PENALTY_KINDS_ON_NON_PENALTY'], {
      touches: ['penaltyKinds'], applies: (r) => r.actionType !== 'PENALTY', spoil: (row) => { row.penaltyKinds = ['警告']; },
    }),
    kind('cases', 'case-amount-in-words', ['INVALID_AMOUNT'], {
      raw: ['amount'], applies: (r) => r.amount !== null, spoil: (row) => { row.amount = { raw: '约五千元' }; },
    }),
    kind('cases', 'case-closed-before-decided', ['CLOSED_BEFORE_DECIDED'], {
      touches: ['closedOn'], applies: (r) => r.closedOn !== null && r.decidedOn !== null,
      spoil: (row, r, rng) => { row.closedOn = addDays(r.decidedOn!, -rng.int(1, 10)); },
    }),
    kind('cases', 'case-agency-uscc-check', ['USCC_CHECK_CHARACTER'], {
      touches: ['agencyUscc'], spoil: (row, r, rng) => { row.agencyUscc = wrongCheckCharacter(r.agencyUscc, rng); },
    }),
    kind('cases', 'case-bad-boolean', ['INVALID_BOOLEAN'], { raw: ['isMajor'], spoil: (row) => { row.isMajor = { raw: '重大' }; } }),
    kind('cases', 'case-archived-before-closed', ['ARCHIVED_BEFORE_CLOSED'], {
      touches: ['archivedOn'], applies: (r) => r.archivedOn !== null && r.closedOn !== null,
      spoil: (row, r, rng) => { row.archivedOn = addDays(r.closedOn!, -rng.int(1, 10)); },
    }),
    kind('cases', 'case-unreadable-update-time', ['INVALID_TIMESTAMP'], {
      raw: ['updatedAt'], spoil: (row, r) => { row.updatedAt = { raw: `${r.updatedAt.getUTCFullYear()}-13-01 09:00:00` }; },
    }),
  ],
  publications: [
    kind('publications', 'publication-unreal-date', ['INVALID_DATE'], {
      raw: ['publishedOn'], spoil: (row, r) => { row.publishedOn = { raw: unrealDate(r.publishedOn) }; },
    }),
    kind('publications', 'publication-withdrawn-before-published', ['WITHDRAWN_BEFORE_PUBLISHED'], {
      touches: ['withdrawnOn'], spoil: (row, r, rng) => { row.withdrawnOn = addDays(r.publishedOn, -rng.int(1, 30)); },
    }),
    kind('publications', 'publication-no-date', ['REQUIRED'], { touches: ['publishedOn'], spoil: (row) => { row.publishedOn = null; } }),
    kind('publications', 'publication-no-case', ['REQUIRED'], { touches: ['caseId'], spoil: (row) => { row.caseId = null; } }),
  ],
  reviews: [
    kind('reviews', 'review-round-zero', ['OUT_OF_RANGE'], { touches: ['round'], spoil: (row) => { row.round = 0; } }),
    kind('reviews', 'review-completed-before-submitted', ['REVIEW_COMPLETED_BEFORE_SUBMITTED'], {
      touches: ['completedOn'], applies: (r) => r.submittedOn !== null && r.completedOn !== null,
      spoil: (row, r, rng) => { row.completedOn = addDays(r.submittedOn!, -rng.int(1, 10)); },
    }),
    kind('reviews', 'review-unknown-opinion', ['UNKNOWN_CODE'], {
      raw: ['opinion'], applies: (r) => r.opinion !== null, spoil: (row) => { row.opinion = { raw: '基本同意' }; },
    }),
    kind('reviews', 'review-round-in-words', ['INVALID_INTEGER'], { raw: ['round'], spoil: (row) => { row.round = { raw: '第一轮' }; } }),
  ],
  appeals: [
    kind('appeals', 'appeal-unknown-outcome', ['UNKNOWN_CODE'], {
      raw: ['outcome'], applies: (r) => r.outcome !== null, spoil: (row) => { row.outcome = { raw: '败诉' }; },
    }),
    kind('appeals', 'appeal-concluded-before-filed', ['APPEAL_CONCLUDED_BEFORE_FILED'], {
      touches: ['concludedOn'], applies: (r) => r.concludedOn !== null && r.filedOn !== null,
      spoil: (row, r, rng) => { row.concludedOn = addDays(r.filedOn!, -rng.int(1, 20)); },
    }),
    kind('appeals', 'appeal-no-kind', ['REQUIRED'], { touches: ['kind'], spoil: (row) => { row.kind = null; } }),
    kind('appeals', 'appeal-unknown-kind', ['UNKNOWN_CODE'], { raw: ['kind'], spoil: (row) => { row.kind = { raw: '信访' }; } }),
  ],
  recordings: [
    kind('recordings', 'recording-bad-digest', ['INVALID_SHA256'], {
      raw: ['sha256'], applies: (r) => r.sha256 !== null, spoil: (row, r) => { row.sha256 = { raw: r.sha256!.slice(0, 63) }; },
    }),
    kind('recordings', 'recording-uploaded-before-recorded', ['UPLOADED_BEFORE_RECORDED'], {
      touches: ['uploadedAt'], applies: (r) => r.uploadedAt !== null,
      spoil: (row, r, rng) => { row.uploadedAt = new Date(r.recordedAt.getTime() - rng.int(1, 48) * 3_600_000); },
    }),
    kind('recordings', 'recording-unknown-method', ['UNKNOWN_CODE'], { raw: ['method'], spoil: (row) => { row.method = { raw: '录像' }; } }),
    kind('recordings', 'recording-unreal-time', ['INVALID_TIMESTAMP'], {
      raw: ['recordedAt'], spoil: (row, r) => { row.recordedAt = { raw: `${r.recordedAt.getUTCFullYear()}-13-01 10:00:00` }; },
    }),
    kind('recordings', 'recording-no-stage', ['REQUIRED'], { touches: ['stage'], spoil: (row) => { row.stage = null; } }),
  ],
  evaluations: [
    kind('evaluations', 'evaluation-score-over-100', ['OUT_OF_RANGE'], { touches: ['score'], spoil: (row) => { row.score = '120.00'; } }),
    kind('evaluations', 'evaluation-unknown-grade', ['UNKNOWN_CODE'], { raw: ['grade'], spoil: (row) => { row.grade = { raw: '良好' }; } }),
    kind('evaluations', 'evaluation-no-grade', ['REQUIRED'], { touches: ['grade'], spoil: (row) => { row.grade = null; } }),
    kind('evaluations', 'evaluation-score-in-words', ['INVALID_DECIMAL'], { raw: ['score'], spoil: (row) => { row.score = { raw: '九十分' }; } }),
  ],
  annualReports: [
    kind('annualReports', 'report-two-digit-year', ['OUT_OF_RANGE'], { touches: ['year'], spoil: (row, r) => { row.year = r.year % 100; } }),
    kind('annualReports', 'report-unreal-date', ['INVALID_DATE'], {
      raw: ['submittedOn'], applies: (r) => r.submittedOn !== null, spoil: (row, r) => { row.submittedOn = { raw: `${r.submittedOn!.slice(0, 4)}-01-32` }; },
    }),
    kind('annualReports', 'report-agency-uscc-check', ['USCC_CHECK_CHARACTER'], {
      touches: ['agencyUscc'], spoil: (row, r, rng) => { row.agencyUscc = wrongCheckCharacter(r.agencyUscc, rng); },
    }),
  ],
  letters: [
    kind('letters', 'letter-due-before-issued', ['DUE_BEFORE_ISSUED'], {
      touches: ['dueOn'], applies: (r) => r.dueOn !== null && (r.rectifiedOn === null || r.rectifiedOn >= r.issuedOn),
      spoil: (row, r, rng) => { row.dueOn = addDays(r.issuedOn, -rng.int(1, 20)); },
    }),
    kind('letters', 'letter-unknown-kind', ['UNKNOWN_CODE'], { raw: ['kind'], spoil: (row) => { row.kind = { raw: '通知书' }; } }),
    kind('letters', 'letter-no-issue-date', ['REQUIRED'], { touches: ['issuedOn'], spoil: (row) => { row.issuedOn = null; } }),
    kind('letters', 'letter-rectified-before-issued', ['RECTIFIED_BEFORE_ISSUED'], {
      touches: ['rectifiedOn'], spoil: (row, r, rng) => { row.rectifiedOn = addDays(r.issuedOn, -rng.int(1, 20)); },
    }),
  ],
};

const RAW_CAPABLE_FORMS = new Set<FieldSpec['form']>(['text', 'enum']);

function fieldOf(entity: EntityName, key: string): FieldSpec {
  const field = feedEntities[entity].fields.find((f) => f.key === key);
  if (!field) throw new Error(`${entity} has no field ${key}`);
  return field;
}

function carries(kind: BadKind, carrier: Carrier): boolean {
  if (carrier.typedColumns && kind.rawFields.some((key) => !RAW_CAPABLE_FORMS.has(fieldOf(kind.entity, key).form))) return false;
  if (carrier.keepsUpdatedAt && kind.touches.includes('updatedAt')) return false;
  return true;
}

/**
 * Picks, among the kinds that apply to the record and that the transport can carry, the one used least so far
 * (ties: the first listed), so that even a small province shows every kind, including those that fit few rows.
 */
export class BadRowPicker {
  private readonly used = new Map<string, number>();

  pick<E extends EntityName>(entity: E, record: FeedRecords[E], carrier: Carrier): BadKind<E> | null {
    let best: BadKind<E> | null = null;
    let bestUses = Infinity;
    for (const candidate of badKinds[entity] as BadKind<E>[]) {
      if (!candidate.applies(record) || !carries(candidate as BadKind, carrier)) continue;
      const uses = this.used.get(candidate.id) ?? 0;
      if (uses < bestUses) {
        best = candidate;
        bestUses = uses;
      }
    }
    if (best) this.used.set(best.id, bestUses + 1);
    return best;
  }
}

/** The natural key parseFeedRow builds for a row: stored values, or the delivered text of a key field that failed. */
export function expectedNaturalKey(entity: EntityName, row: WireRecord): string | null {
  const parts: string[] = [];
  for (const key of feedEntities[entity].naturalKey) {
    const value = row[key];
    if (value === null || value === undefined) return null;
    if (isRaw(value)) {
      const text = value.raw.trim();
      if (text === '') return null;
      parts.push(text);
    } else if (Array.isArray(value) || value instanceof Date) {
      throw new Error(`${entity}.${key} cannot be part of a natural key`);
    } else {
      parts.push(String(value));
    }
  }
  return parts.join('|');
}
