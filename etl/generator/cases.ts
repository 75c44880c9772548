/**
 * One enforcement case and everything that hangs on it: its publication, legal review rounds, appeals and
 * whole-process recordings. Proportions are those of a plausible province: licensing and penalties most,
 * most decisions published on time, most major decisions reviewed properly — and every way of going wrong
 * DOMAIN.md §4 counts, in small shares.
 *
 * Events after the data's extraction date (`cutoff`) have not happened: a case filed in September whose
 * archiving would come in December is delivered unarchived.
 */
import { createHash } from 'node:crypto';
import type { WorkingDayCalendar } from '../../src/domain/calendar/working-day-calendar';
import {
  AppealOutcomes, PenaltyKinds,
  type ActionType, type AppealKind, type AppealOutcome, type MajorGround, type PartyType, type PenaltyKind, type Procedure,
  type RecordingActivity, type RecordingMethod, type RecordingStage, type ReviewOpinion,
} from '../../src/domain/codes';
import { publicationDeadline } from '../../src/domain/deadlines/deadlines';
import type { PolicyProfile } from '../../src/domain/profile/policy-profile';
import type {
  AppealRecord, CaseRecord, PersonnelRecord, PublicationRecord, RecordingRecord, ReviewRecord,
} from '../feed/parse-row';
import { SYNTHETIC_MARK, type SyntheticAgency } from './agencies';
import { certificateValidOn, isMajorDecision, recordingRequirement } from './answer-key';
import { addDays, instantAt, maxDate, WorkDays } from './dates';
import { enterpriseName, identityNumber, organisationCode, otherOrganisation, personName, soleTraderName, uscc } from './names';
import type { AgencyStaff } from './personnel';
import type { Random, Weighted } from './random';

export interface CaseBundle {
  record: CaseRecord;
  publication: PublicationRecord | null;
  reviews: ReviewRecord[];
  appeals: AppealRecord[];
  recordings: RecordingRecord[];
}

/** Per agency, for the whole run: sequence numbers of case ids and decision numbers. */
export class AgencyCounters {
  private readonly sequences = new Map<string, number>();

  next(key: string): number {
    const n = (this.sequences.get(key) ?? 0) + 1;
    this.sequences.set(key, n);
    return n;
  }
}

export interface CaseContext {
  agency: SyntheticAgency;
  staff: AgencyStaff;
  work: WorkDays;
  calendar: WorkingDayCalendar;
  profile: PolicyProfile;
  window: { from: string; to: string };
  /** the day the platforms' data was extracted: nothing after it has happened */
  cutoff: string;
  counters: AgencyCounters;
}

const ACTION_DOC: Record<ActionType, string> = {
  LICENSING: '许', PENALTY: '罚', COERCION: '强', INSPECTION: '检', EXPROPRIATION: '征', CONFIRMATION: '确', BENEFIT: '给', OTHER: '决',
};

const EXEMPT_REASONS = ['涉及国家秘密', '涉及商业秘密', '涉及个人隐私', '法律、行政法规规定不予公开'];
const REVIEW_ISSUES = ['证据不足，建议补充调查', '适用法律依据不准确', '裁量基准适用不当，罚款数额偏高', '程序存在瑕疵，未告知陈述申辩权利'];
const PLATFORM = `福建省行政执法信息公示平台${SYNTHETIC_MARK}`;

function timeOfDay(rng: Random, date: string, from = 8, to = 17): Date {
  return instantAt(date, rng.int(from, to), rng.int(0, 59), rng.int(0, 59));
}

/** A synthetic recording's digest: a hash of what it would contain, never real footage. */
function digestOf(recordId: string, recordedAt: Date): string {
  return createHash('sha256').update(`合成演示数据|${recordId}|${recordedAt.toISOString()}`).digest('hex');
}

function partyTypeFor(actionType: ActionType, rng: Random): PartyType {
  const mix: Weighted<PartyType> = actionType === 'BENEFIT' || actionType === 'CONFIRMATION'
    ? [['PERSON', 70], ['LEGAL_PERSON', 15], ['SOLE_TRADER', 10], ['OTHER_ORG', 5]]
    : actionType === 'LICENSING'
      ? [['PERSON', 20], ['LEGAL_PERSON', 50], ['SOLE_TRADER', 25], ['OTHER_ORG', 5]]
      : [['PERSON', 35], ['LEGAL_PERSON', 40], ['SOLE_TRADER', 20], ['OTHER_ORG', 5]];
  return rng.weighted(mix);
}

function party(type: PartyType, place: { code: string; name: string }, rng: Random): { name: string; idNo: string } {
  const county = place.code.slice(0, 6);
  switch (type) {
    case 'PERSON': return { name: personName(rng), idNo: identityNumber(rng, county) };
    case 'LEGAL_PERSON': return { name: enterpriseName(rng, place.name), idNo: uscc('91', county, organisationCode(rng, 'market')) };
    case 'SOLE_TRADER': return { name: soleTraderName(rng, place.name), idNo: uscc('92', county, organisationCode(rng, 'market')) };
    case 'OTHER_ORG': {
      const org = otherOrganisation(rng, place.name);
      return { name: org.name, idNo: uscc(org.usccPrefix, county, organisationCode(rng, 'market')) };
    }
  }
}

/** Whole yuan rounded to `step`, kept within bounds, as the exact decimal text the feed carries. */
function yuan(value: number, step: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.round(value / step) * step));
}

function centsText(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

const KIND_ORDER = new Map<string, number>(PenaltyKinds.map((kind, i) => [kind, i]));

interface Penalty { kinds: PenaltyKind[]; amount: string | null }

/** What fines are scaled on when the profile sets no major-decision threshold for the party's type. */
const TYPICAL_SCALE_YUAN = { individual: 10_000, organisation: 100_000 };

function penaltyOf(procedure: Procedure, partyType: PartyType, profile: PolicyProfile, rng: Random): Penalty {
  const individual = partyType === 'PERSON' || partyType === 'SOLE_TRADER';
  if (procedure === 'SUMMARY') {
    // APL art. 51: on the spot, 警告 or a fine of at most ¥200 (citizens) / ¥3,000 (organisations)
    if (rng.chance(0.4)) return { kinds: ['警告'], amount: null };
    const fine = individual ? rng.int(1, 20) * 10 : rng.int(2, 30) * 100;
    return { kinds: ['罚款'], amount: centsText(fine * 100) };
  }
  const kinds: PenaltyKind[] = [];
  const maybe = (kind: PenaltyKind, p: number) => { if (rng.chance(p)) kinds.push(kind); };
  maybe('警告', 0.25); maybe('通报批评', 0.03); maybe('罚款', 0.8); maybe('没收违法所得', 0.15); maybe('没收非法财物', 0.05);
  maybe('暂扣许可证件', 0.02); maybe('降低资质等级', 0.005); maybe('吊销许可证件', 0.015); maybe('限制开展生产经营活动', 0.01);
  maybe('责令停产停业', 0.02); maybe('责令关闭', 0.004); maybe('限制从业', 0.004);
  if (kinds.length === 0) kinds.push('警告');
  kinds.sort((a, b) => KIND_ORDER.get(a)! - KIND_ORDER.get(b)!);
  let cents = 0;
  if (kinds.includes('罚款')) {
    // the profile's threshold for the party's type: fines sit mostly below it, some above, some exactly on it
    const threshold = profile.majorDecision.fineThresholds.find((t) => t.partyTypes.includes(partyType))?.minAmountYuan
      ?? (individual ? TYPICAL_SCALE_YUAN.individual : TYPICAL_SCALE_YUAN.organisation);
    const fine = rng.chance(0.04)
      ? threshold
      : individual ? yuan(rng.logNormal(threshold * 0.25, 1), 100, 100, threshold * 20) : yuan(rng.logNormal(threshold * 0.2, 1.1), 500, 1000, threshold * 30);
    cents += Math.round(fine * 100);
  }
  if (kinds.includes('没收违法所得')) cents += Math.round(rng.logNormal(4000, 1.2) * 100);
  return { kinds, amount: cents > 0 ? centsText(cents) : null };
}

/** The decision date, by action type: the filing day itself for a penalty on the spot. */
function decisionDelay(actionType: ActionType, procedure: Procedure | null, rng: Random, work: WorkDays, filedOn: string): string {
  const calendarDays = (days: number) => {
    const date = addDays(filedOn, days);
    return rng.chance(0.95) ? work.onOrAfter(date) : date;
  };
  switch (actionType) {
    case 'PENALTY': {
      if (procedure === 'SUMMARY') return filedOn;
      const bucket = rng.weighted<readonly [number, number]>([[[15, 60], 60], [[61, 90], 32], [[91, 150], 8]]);
      return calendarDays(rng.int(bucket[0], bucket[1]));
    }
    case 'LICENSING': return work.add(filedOn, rng.int(1, 20));
    case 'INSPECTION': return calendarDays(rng.int(0, 10));
    case 'COERCION': return calendarDays(rng.int(0, 5));
    case 'EXPROPRIATION': return calendarDays(rng.int(30, 120));
    case 'CONFIRMATION':
    case 'BENEFIT': return work.add(filedOn, rng.int(3, 20));
    case 'OTHER': return calendarDays(rng.int(5, 40));
  }
}

function closingDelay(actionType: ActionType, procedure: Procedure | null, rng: Random): number {
  switch (actionType) {
    case 'PENALTY': return procedure === 'SUMMARY' ? rng.int(0, 15) : rng.int(5, 60);
    case 'COERCION': return rng.int(10, 60);
    case 'EXPROPRIATION': return rng.int(30, 120);
    case 'INSPECTION':
    case 'OTHER': return rng.int(0, 10);
    default: return rng.int(0, 5);
  }
}

function pickHandlers(staff: AgencyStaff, onDate: string, summary: boolean, rng: Random): string[] {
  const count = summary ? rng.weighted([[2, 85], [1, 15]]) : rng.weighted([[2, 92], [3, 3], [1, 4], [0, 1]]);
  const valid = staff.officers.filter((o) => certificateValidOn(o, onDate));
  const invalid = staff.officers.filter((o) => !certificateValidOn(o, onDate));
  const chosen: PersonnelRecord[] = [];
  if (count > 0 && invalid.length > 0 && rng.chance(0.03)) chosen.push(rng.pick(invalid));
  chosen.push(...rng.sample(valid, count - chosen.length));
  if (chosen.length < count) chosen.push(...rng.sample(invalid.filter((o) => !chosen.includes(o)), count - chosen.length));
  return chosen.map((p) => p.personId);
}

interface RecordingPlan { stage: RecordingStage; activity: RecordingActivity; date: string; evening?: boolean }

function recordingPlans(c: CaseRecord, agency: SyntheticAgency, rng: Random): RecordingPlan[] {
  const filed = c.filedOn!;
  const decided = c.decidedOn;
  const during = (): string => {
    const end = decided ?? addDays(filed, 30);
    const span = Math.max(0, Math.round((Date.parse(end) - Date.parse(filed)) / 86_400_000));
    return addDays(filed, rng.int(0, span));
  };
  const plans: RecordingPlan[] = [];
  const after = (from: number, to: number): string | null => (decided ? addDays(decided, rng.int(from, to)) : null);
  const push = (stage: RecordingStage, activity: RecordingActivity, date: string | null, evening = false) => {
    if (date) plans.push({ stage, activity, date, evening });
  };
  switch (c.actionType) {
    case 'PENALTY':
      if (c.procedure === 'SUMMARY') {
        push('INVESTIGATION', 'ON_SITE_INSPECTION', filed, rng.chance(0.15));
        break;
      }
      push('START', 'OTHER', filed);
      push('INVESTIGATION', 'ON_SITE_INSPECTION', during(), rng.chance(0.1));
      if (rng.chance(0.7)) push('INVESTIGATION', 'INTERVIEW', during());
      if (c.hearingHeld && decided) push('DECISION', 'HEARING', addDays(decided, -rng.int(3, 15)));
      push('SERVICE', rng.weighted<RecordingActivity>([['OTHER', 90], ['LEFT_SERVICE', 6], ['PUBLIC_SERVICE', 4]]), after(1, 7));
      break;
    case 'COERCION': {
      push('INVESTIGATION', 'ON_SITE_INSPECTION', filed);
      const demolishes = ['CSGL', 'ZJ', 'ZRZY', 'ZHZF'].includes(agency.domain.code) && rng.chance(0.3);
      if (demolishes) push('SERVICE', 'DEMOLITION', after(15, 60));
      else push('INVESTIGATION', 'SEIZURE', filed);
      break;
    }
    case 'INSPECTION':
      if (rng.chance(0.6)) push('START', 'RANDOM_CHECK', filed);
      push('INVESTIGATION', 'ON_SITE_INSPECTION', during());
      break;
    case 'LICENSING':
      push('START', 'OTHER', filed);
      if (rng.chance(0.3)) push('INVESTIGATION', 'ON_SITE_INSPECTION', during());
      break;
    case 'EXPROPRIATION':
      push('START', 'OTHER', filed);
      push('INVESTIGATION', 'ON_SITE_INSPECTION', during());
      if (rng.chance(0.3) && decided) push('DECISION', 'HEARING', addDays(decided, -rng.int(3, 15)));
      if (rng.chance(0.5)) push('SERVICE', 'PUBLIC_SERVICE', after(1, 10));
      break;
    default:
      if (rng.chance(0.7)) push('START', 'OTHER', filed);
  }
  return plans;
}

function recordingsOf(c: CaseRecord, ctx: CaseContext, rng: Random): RecordingRecord[] {
  const records: RecordingRecord[] = [];
  let n = 0;
  for (const plan of recordingPlans(c, ctx.agency, rng)) {
    if (plan.date > ctx.cutoff) continue;
    const requirement = recordingRequirement(ctx.profile, plan);
    let method: RecordingMethod;
    if (requirement) {
      const wrong = (['TEXT', 'AUDIO_VIDEO', 'FULL_AUDIO_VIDEO'] as const).filter((m) => !requirement.satisfiedBy.includes(m));
      method = rng.chance(0.93) || wrong.length === 0 ? requirement.satisfiedBy[requirement.satisfiedBy.length - 1]! : rng.pick(wrong);
      if (requirement.satisfiedBy.length > 1 && rng.chance(0.3)) method = rng.pick(requirement.satisfiedBy);
    } else {
      method = rng.chance(0.7) ? 'TEXT' : 'AUDIO_VIDEO';
    }
    const recordedAt = plan.evening ? timeOfDay(rng, plan.date, 19, 22) : timeOfDay(rng, plan.date);
    const minutes = rng.weighted<() => number>([
      [() => rng.int(5, 20 * 60), 90], [() => 24 * 60, 1], [() => rng.int(25 * 60, 96 * 60), 7], [() => -1, 2],
    ])();
    let uploadedAt: Date | null = minutes < 0 ? null : new Date(recordedAt.getTime() + minutes * 60_000);
    if (uploadedAt && new Date(uploadedAt.getTime() + 8 * 3_600_000).toISOString().slice(0, 10) > ctx.cutoff) uploadedAt = null;
    n += 1;
    const recordId = `${c.caseId}-JL${String(n).padStart(2, '0')}`;
    const last = uploadedAt ?? recordedAt;
    records.push({
      recordId, caseId: c.caseId, stage: plan.stage, activity: plan.activity, method, recordedAt, uploadedAt,
      sha256: digestOf(recordId, recordedAt),
      updatedAt: new Date(last.getTime() + rng.int(1, 30) * 60_000),
    });
  }
  return records;
}

type ReviewStory = 'compliant' | 'multiRound' | 'afterDecision' | 'withoutApproval' | 'reviewerIsHandler' | 'notRegistered' | 'none';

const REVIEW_STORIES: Weighted<ReviewStory> = [
  ['compliant', 72], ['multiRound', 7], ['afterDecision', 4], ['withoutApproval', 5], ['reviewerIsHandler', 3], ['notRegistered', 3], ['none', 6],
];

function reviewsOf(c: CaseRecord, major: boolean, ctx: CaseContext, rng: Random): ReviewRecord[] {
  const reviewers = ctx.staff.reviewers;
  const decided = c.decidedOn;
  const filed = c.filedOn!;
  const round = (n: number, submittedOn: string, completedOn: string | null, ids: string[], opinion: ReviewOpinion | null): ReviewRecord => {
    const done = completedOn !== null && completedOn <= ctx.cutoff;
    const last = done ? completedOn! : submittedOn;
    return {
      caseId: c.caseId, round: n, submittedOn, completedOn: done ? completedOn : null, reviewerIds: ids,
      opinion: done ? opinion : null,
      note: done && opinion && opinion !== 'APPROVE' ? rng.pick(REVIEW_ISSUES) : null,
      updatedAt: timeOfDay(rng, last, 9, 20),
    };
  };
  const registered = () => rng.sample(reviewers, rng.chance(0.3) ? 2 : 1).map((p) => p.personId);
  const before = (days: number) => (addDays(decided!, -days) < filed ? filed : addDays(decided!, -days));

  if (!decided) {
    // a major case still being decided may be with the legal unit already
    if (!major || !rng.chance(0.4) || reviewers.length === 0) return [];
    const submitted = ctx.work.onOrAfter(addDays(filed, rng.int(20, 60)));
    return submitted <= ctx.cutoff ? [round(1, submitted, null, registered(), null)] : [];
  }
  if (!major && !rng.chance(0.03)) return [];
  let story: ReviewStory = major ? rng.weighted(REVIEW_STORIES) : 'compliant';
  if (reviewers.length === 0 && story !== 'none') story = 'notRegistered';

  const submitted = before(rng.int(5, 20));
  const completedBy = (from: string) => {
    const date = ctx.work.add(from, rng.int(1, 5));
    return date > decided ? decided : date;
  };
  switch (story) {
    case 'none':
      return [];
    case 'compliant':
      return [round(1, submitted, completedBy(submitted), registered(), 'APPROVE')];
    case 'multiRound': {
      const first = before(rng.int(25, 40));
      const firstDone = completedBy(first);
      const second = firstDone;
      return [round(1, first, firstDone, registered(), rng.pick(['ISSUES', 'REJECT'] as const)), round(2, second, completedBy(second), registered(), 'APPROVE')];
    }
    case 'afterDecision': {
      const late = addDays(decided, rng.int(1, 10));
      return [round(1, submitted < late ? submitted : late, late, registered(), 'APPROVE')];
    }
    case 'withoutApproval':
      return [round(1, submitted, completedBy(submitted), registered(), rng.weighted<ReviewOpinion>([['ISSUES', 70], ['REJECT', 30]]))];
    case 'reviewerIsHandler': {
      const reviewer = rng.pick(reviewers);
      // the legal unit's reviewer also handled the case (seed 000: reviewers must not handle cases)
      if (!c.handlerIds.includes(reviewer.personId)) {
        if (c.handlerIds.length >= 2) c.handlerIds[c.handlerIds.length - 1] = reviewer.personId;
        else c.handlerIds.push(reviewer.personId);
      }
      return [round(1, submitted, completedBy(submitted), [reviewer.personId], 'APPROVE')];
    }
    case 'notRegistered': {
      // an outside lawyer, or an officer of the agency, signed the review
      const officers = ctx.staff.officers.filter((o) => !c.handlerIds.includes(o.personId));
      const outsider = rng.chance(0.5) || officers.length === 0
        ? `${ctx.agency.idPrefix}-WP${String(rng.int(1, 9)).padStart(2, '0')}`
        : rng.pick(officers).personId;
      return [round(1, submitted, completedBy(submitted), [outsider], 'APPROVE')];
    }
  }
}

const RECONSIDERATION: Weighted<AppealOutcome> = [
  ['UPHELD', 55], ['DISMISSED', 10], ['REVOKED', 8], ['PARTLY_REVOKED', 3], ['CHANGED', 4], ['CONFIRMED_ILLEGAL', 4],
  ['CONFIRMED_VOID', 0.5], ['ORDERED_TO_PERFORM', 1], ['ORDERED_TO_REDO', 2], ['MEDIATED', 4], ['SETTLED', 3], ['WITHDRAWN', 4], ['TERMINATED', 1.5],
];
const FIRST_INSTANCE: Weighted<AppealOutcome> = [
  ['DISMISSED', 60], ['REVOKED', 6], ['PARTLY_REVOKED', 2], ['CONFIRMED_ILLEGAL', 5], ['CHANGED', 1], ['ORDERED_TO_REDO', 2],
  ['ORDERED_TO_PERFORM', 1], ['MEDIATED', 3], ['WITHDRAWN', 12], ['TERMINATED', 2],
];
const SECOND_INSTANCE: Weighted<AppealOutcome> = [
  ['UPHELD', 70], ['DISMISSED', 8], ['REVOKED', 6], ['CHANGED', 3], ['CONFIRMED_ILLEGAL', 3], ['WITHDRAWN', 7], ['MEDIATED', 3],
];
const APPEAL_RATE: Record<ActionType, number> = {
  PENALTY: 0.04, COERCION: 0.05, EXPROPRIATION: 0.1, LICENSING: 0.005, CONFIRMATION: 0.01, BENEFIT: 0.01, INSPECTION: 0.003, OTHER: 0.005,
};

function appealsOf(c: CaseRecord, ctx: CaseContext, rng: Random): AppealRecord[] {
  const decided = c.decidedOn;
  if (!decided) return [];
  const rate = c.procedure === 'SUMMARY' ? 0.005 : APPEAL_RATE[c.actionType];
  if (!rng.chance(rate)) return [];
  const { agency } = ctx;
  // reconsideration by the government of the agency's level, litigation before the basic court, appeal before the
  // intermediate court (行政复议法 2023 art. 24; 行政诉讼法 arts. 14, 15)
  const government = `${agency.countyName ?? agency.prefectureName}人民政府${SYNTHETIC_MARK}`;
  const basicCourt = `${agency.countyName ?? agency.partyPlaces[0]!.name}人民法院${SYNTHETIC_MARK}`;
  const intermediateCourt = `${agency.prefectureName}中级人民法院${SYNTHETIC_MARK}`;
  const appeals: AppealRecord[] = [];
  const correcting = new Set<AppealOutcome>([...ctx.profile.correction.correctedOutcomes, ...ctx.profile.withdrawal.triggeringOutcomes]);
  const add = (kind: AppealKind, filedOn: string, days: [number, number], outcomes: Weighted<AppealOutcome>, body: string): AppealRecord | null => {
    if (filedOn > ctx.cutoff) return null;
    const concluded = ctx.work.onOrAfter(addDays(filedOn, rng.int(days[0], days[1])));
    const done = concluded <= ctx.cutoff;
    const appeal: AppealRecord = {
      caseId: c.caseId, decisionNo: c.decisionNo, kind, filedOn, concludedOn: done ? concluded : null,
      outcome: done ? rng.weighted(outcomes) : null, body,
      updatedAt: timeOfDay(rng, done ? concluded : filedOn, 9, 18),
    };
    appeals.push(appeal);
    return appeal;
  };
  let litigationFrom: string | null = null;
  if (rng.chance(0.65)) {
    const reconsideration = add('RECONSIDERATION', ctx.work.onOrAfter(addDays(decided, rng.int(5, 55))), [30, 85], RECONSIDERATION, government);
    if (reconsideration?.outcome && (reconsideration.outcome === 'UPHELD' || reconsideration.outcome === 'DISMISSED') && rng.chance(0.25)) {
      litigationFrom = ctx.work.onOrAfter(addDays(reconsideration.concludedOn!, rng.int(3, 14)));
    }
  } else {
    litigationFrom = ctx.work.onOrAfter(addDays(decided, rng.int(10, 170)));
  }
  if (litigationFrom) {
    const first = add('LITIGATION_FIRST', litigationFrom, [60, 200], FIRST_INSTANCE, basicCourt);
    if (first?.outcome && !correcting.has(first.outcome) && first.outcome !== 'WITHDRAWN' && rng.chance(0.2)) {
      const second = add('LITIGATION_SECOND', ctx.work.onOrAfter(addDays(first.concludedOn!, rng.int(5, 14))), [60, 150], SECOND_INSTANCE, intermediateCourt);
      if (second?.outcome === 'UPHELD' && rng.chance(0.05)) {
        add('RETRIAL', ctx.work.onOrAfter(addDays(second.concludedOn!, rng.int(30, 120))), [90, 240], SECOND_INSTANCE, `福建省高级人民法院${SYNTHETIC_MARK}`);
      }
    }
  }
  return appeals;
}

/** Publication of a decision (§4.1), and its withdrawal after a correcting appeal outcome. */
function publicationOf(c: CaseRecord, appeals: AppealRecord[], ctx: CaseContext, rng: Random): PublicationRecord | null {
  const decided = c.decidedOn;
  if (!decided) return null;
  const { work, profile } = ctx;
  if (c.disclosure === 'EXEMPT') return null;
  const summary = c.actionType === 'PENALTY' && c.procedure === 'SUMMARY';
  if (summary && !rng.chance(0.15)) return null;
  const deadline = publicationDeadline(decided, c.actionType, ctx.agency.regionCode, profile.deadlines, ctx.calendar).date;
  const n = profile.deadlines.publication.workingDays[c.actionType] ?? profile.deadlines.publication.workingDays.default;
  const story = summary ? 'onTime' : rng.weighted<string>([['onTime', 76], ['onDeadline', 4], ['late', 10], ['backlog', 2], ['never', 6], ['offDay', 2]]);
  let publishedOn: string;
  switch (story) {
    case 'never': return null;
    case 'onDeadline': publishedOn = deadline; break;
    // most late ones by days, some by weeks: the delay distribution has a tail
    // a backlog published in one batch weeks later (the last ones of the period only after the as-of date)
    case 'backlog': publishedOn = work.add(decided, rng.int(25, 60)); break;
    case 'late': publishedOn = work.add(deadline, rng.chance(0.7) ? rng.int(1, 10) : rng.int(11, 40)); break;
    case 'offDay': {
      // published by a clerk working on a weekend or holiday, before the deadline
      let day = addDays(decided, 1);
      while (work.isWorking(day)) day = addDays(day, 1);
      publishedOn = day;
      break;
    }
    default: publishedOn = rng.chance(0.1) ? decided : work.add(decided, rng.int(1, Math.max(1, n - 1)));
  }
  if (publishedOn > ctx.cutoff) return null;
  const publication: PublicationRecord = {
    caseId: c.caseId, decisionNo: c.decisionNo, publishedOn, platform: PLATFORM,
    url: `https://gs.example.invalid/${encodeURIComponent(c.caseId)}`,
    withdrawnOn: null, withdrawReason: null, updatedAt: timeOfDay(rng, publishedOn, 9, 21),
  };
  // the earliest outcome that obliges the agency to withdraw (APL art. 48)
  const trigger = appeals
    .filter((a) => a.outcome && a.concludedOn && profile.withdrawal.triggeringOutcomes.includes(a.outcome))
    .sort((a, b) => (a.concludedOn! < b.concludedOn! ? -1 : 1))[0];
  if (trigger) {
    const outcomeOn = trigger.concludedOn!;
    const when = rng.weighted<string>([['onTime', 60], ['late', 25], ['never', 15]]);
    if (when !== 'never') {
      let withdrawnOn = when === 'onTime' ? (rng.chance(0.2) ? outcomeOn : work.add(outcomeOn, rng.int(1, 3))) : work.add(outcomeOn, rng.int(4, 20));
      if (withdrawnOn < publishedOn) withdrawnOn = publishedOn;
      if (withdrawnOn <= ctx.cutoff) {
        publication.withdrawnOn = withdrawnOn;
        const body = trigger.kind === 'RECONSIDERATION' ? '行政复议决定' : '人民法院判决';
        publication.withdrawReason = `${body}${AppealOutcomes.labels[trigger.outcome!]}`;
        publication.updatedAt = timeOfDay(rng, withdrawnOn, 9, 21);
      }
    }
  } else if (rng.chance(0.002)) {
    const withdrawnOn = addDays(publishedOn, rng.int(1, 30));
    if (withdrawnOn <= ctx.cutoff) {
      publication.withdrawnOn = withdrawnOn;
      publication.withdrawReason = '公示信息有误，更正后重新公示';
      publication.updatedAt = timeOfDay(rng, withdrawnOn, 9, 21);
    }
  }
  return publication;
}

/** A case filed in `month` by the agency of `ctx`, with all that hangs on it. */
export function generateCase(ctx: CaseContext, month: string, rng: Random): CaseBundle {
  const { agency, work, profile, window, cutoff } = ctx;
  const actionType = rng.weighted(agency.domain.actions);
  const procedure: Procedure | null = actionType === 'PENALTY'
    ? (rng.chance(agency.tier === 'TOWNSHIP' || agency.domain.code === 'CSGL' || agency.domain.code === 'JTYS' ? 0.45 : 0.3) ? 'SUMMARY' : 'ORDINARY')
    : null;
  const summary = procedure === 'SUMMARY';
  let filedOn = work.dayIn(month, rng, summary ? 0.2 : 0.03);
  if (filedOn < window.from) filedOn = window.from;
  if (filedOn > window.to) filedOn = window.to;

  let decidedOn: string | null = decisionDelay(actionType, procedure, rng, work, filedOn);
  if (decidedOn > window.to || rng.chance(0.008)) decidedOn = null;
  const filedYear = filedOn.slice(0, 4);
  const caseId = `${agency.idPrefix}-${filedYear}-${String(ctx.counters.next(`case|${filedYear}`)).padStart(5, '0')}`;
  const decisionNo = decidedOn
    ? `${agency.docPrefix}${summary ? '简' : ''}${ACTION_DOC[actionType]}〔${decidedOn.slice(0, 4)}〕${ctx.counters.next(`doc|${decidedOn.slice(0, 4)}|${actionType}|${summary}`)}号`
    : null;

  const partyType = partyTypeFor(actionType, rng);
  const who = party(partyType, rng.pick(agency.partyPlaces), rng);
  const penalty = actionType === 'PENALTY' ? penaltyOf(procedure!, partyType, profile, rng) : { kinds: [] as PenaltyKind[], amount: null };

  const grounds: MajorGround[] = [];
  let hearingHeld = false;
  if (actionType === 'PENALTY' && !summary) {
    const threshold = profile.majorDecision.fineThresholds.find((t) => t.partyTypes.includes(partyType))?.minAmountYuan ?? Infinity;
    const big = penalty.amount !== null && Number(penalty.amount) >= threshold;
    const severe = penalty.kinds.some((k) => k === '吊销许可证件' || k === '责令停产停业' || k === '责令关闭' || k === '降低资质等级');
    if ((big || severe) && rng.chance(0.35)) hearingHeld = true;
    if ((big || severe) && rng.chance(0.55)) grounds.push('MAJOR_RIGHTS');
    if (rng.chance(0.01)) grounds.push('COMPLEX');
  } else if (actionType === 'EXPROPRIATION') {
    if (rng.chance(0.7)) grounds.push('PUBLIC_INTEREST');
    if (rng.chance(0.5)) grounds.push('STATUTORY');
  } else if (actionType === 'LICENSING' && rng.chance(0.03)) {
    grounds.push('PUBLIC_INTEREST');
  } else if (actionType === 'COERCION' && rng.chance(0.05)) {
    grounds.push('MAJOR_RIGHTS');
  }
  if (hearingHeld && rng.chance(0.6)) grounds.push('HEARING');
  const isMajor = grounds.length > 0 ? rng.chance(0.8) : rng.chance(0.005);

  let closedOn: string | null = null;
  let archivedOn: string | null = null;
  if (decidedOn && !rng.chance(0.02)) {
    const closing = addDays(decidedOn, closingDelay(actionType, procedure, rng));
    if (closing <= cutoff) {
      closedOn = closing;
      const archive = rng.weighted<() => string | null>([
        [() => addDays(closing, rng.int(1, 28)), 85], [() => addDays(closing, 30), 3], [() => addDays(closing, rng.int(31, 90)), 7], [() => null, 5],
      ])();
      archivedOn = archive && archive <= cutoff ? archive : null;
    }
  }
  const disclosure = decidedOn ? rng.weighted<'PUBLIC' | 'EXEMPT' | 'EXEMPT_NO_REASON'>([['PUBLIC', 977], ['EXEMPT', 20], ['EXEMPT_NO_REASON', 3]]) : 'PUBLIC';
  const days = decidedOn ? Math.round((Date.parse(decidedOn) - Date.parse(filedOn)) / 86_400_000) : 0;
  const extended = actionType === 'PENALTY' && !summary && decidedOn !== null
    && (days > profile.deadlines.decision.calendarDays ? rng.chance(0.5) : rng.chance(0.01));

  const record: CaseRecord = {
    caseId, agencyUscc: agency.uscc, actionType, procedure, filedOn, decidedOn, decisionNo, partyType,
    partyName: who.name, partyIdNo: who.idNo, amount: penalty.amount, penaltyKinds: penalty.kinds, isMajor, majorGrounds: grounds,
    hearingHeld, handlerIds: pickHandlers(ctx.staff, decidedOn ?? filedOn, summary, rng), closedOn, archivedOn,
    disclosure: disclosure === 'PUBLIC' ? 'PUBLIC' : 'EXEMPT',
    exemptReason: disclosure === 'EXEMPT' ? rng.pick(EXEMPT_REASONS) : null,
    extended, updatedAt: new Date(0),
  };
  const recordings = recordingsOf(record, ctx, rng);
  const major = decidedOn !== null && isMajorDecision(record, recordings, profile, cutoff);
  const reviews = reviewsOf(record, major || (decidedOn === null && (isMajor || grounds.length > 0)), ctx, rng);
  const appeals = appealsOf(record, ctx, rng);
  const publication = disclosure === 'EXEMPT_NO_REASON' ? null : publicationOf(record, appeals, ctx, rng);
  record.updatedAt = timeOfDay(rng, maxDate(filedOn, decidedOn, closedOn, archivedOn), 17, 23);
  return { record, publication, reviews, appeals, recordings };
}
