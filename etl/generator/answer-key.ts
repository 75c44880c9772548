/**
 * The answer key: what the hub's indicators must come to for the synthetic province, computed here from the
 * generator's own ground truth, independently of the hub's metric code. It follows DOMAIN.md §4 literally
 * and reads every threshold and list from the policy profile; deadlines come from the hub's one deadline
 * module (src/domain/deadlines), which is domain rules, not metrics.
 *
 * Ground truth = exactly the rows the hub will load: refused (bad) rows are left out, a duplicated row counts
 * once, a row held for its parent counts (it is released when the parent arrives).
 *
 * Where DOMAIN.md leaves a definition open, the choice is written at the computation, marked CHOICE, and
 * listed in `definitionChoices` (written into indicators.json). The metrics implementation is to make the
 * same choices, so that the two can be compared number for number.
 *
 * Grain: one tally per agency per period (each quarter and each year from the generation window's start to
 * the as-of date), each indicator a numerator and a denominator; regions are the sums of their agencies.
 */
import { toDayNumber } from '../../src/domain/calendar/civil-date';
import type { WorkingDayCalendar } from '../../src/domain/calendar/working-day-calendar';
import type { ActionType, Procedure, RecordingActivity, RecordingStage, RecordingMethod } from '../../src/domain/codes';
import {
  archiveDeadline, decisionDeadline, decisionDeadlineApplies, publicationDeadline, uploadDeadline, withdrawalDeadline,
} from '../../src/domain/deadlines/deadlines';
import { IndicatorNames, type IndicatorName, type PolicyProfile } from '../../src/domain/profile/policy-profile';
import { regionDirectory } from '../../src/domain/regions';
import type {
  AnnualReportRecord, AppealRecord, CaseRecord, EvaluationRecord, LetterRecord, PersonnelRecord, PublicationRecord,
  RecordingRecord, ReviewRecord,
} from '../feed/parse-row';
import { dateOf, quarterBounds, quarterOf } from './dates';

// ---------------------------------------------------------------------------------------------------------
// Rules of one record (also used by the generator to pick realistic handlers and reviewers)
// ---------------------------------------------------------------------------------------------------------

/**
 * DOMAIN.md §4.5: a valid certificate on `date` is status 有效, within issue..expiry, not inside a suspension
 * window. CHOICE: read literally, so a certificate whose status is 暂扣 or 注销 is not valid on any date (the
 * status is the register's current state; the feed has no history of it), a 有效 one is not valid inside a
 * recorded suspension window (from..to inclusive; no end date = still suspended), and a certificate without
 * number or issue date is no certificate. No expiry date means no end.
 */
export function certificateValidOn(person: PersonnelRecord, date: string): boolean {
  if (!person.certificateNo || !person.issuedOn || person.certificateStatus !== 'VALID') return false;
  if (date < person.issuedOn) return false;
  if (person.expiresOn && date > person.expiresOn) return false;
  if (person.suspendedFrom && date >= person.suspendedFrom && (!person.suspendedTo || date <= person.suspendedTo)) return false;
  return true;
}

/** DOMAIN.md §4.2 staffing: max(minimum, percent × certified officers), rounded as the profile says. */
export function requiredReviewers(certifiedOfficers: number, profile: PolicyProfile): number {
  const { minimumReviewers, percentOfCertifiedOfficers, rounding } = profile.legalReview.staffing;
  // integer arithmetic, so that 5% of 40 is exactly 2
  const hundredths = certifiedOfficers * percentOfCertifiedOfficers;
  const share = rounding === 'up' ? Math.ceil(hundredths / 100) : rounding === 'down' ? Math.floor(hundredths / 100) : Math.round(hundredths / 100);
  return Math.max(minimumReviewers, share);
}

/** Yuan as whole cents, from the parser's exact decimal text. */
function cents(amount: string): number {
  const [whole, fraction = ''] = amount.split('.');
  const sign = whole!.startsWith('-') ? -1 : 1;
  return sign * (Math.abs(Number(whole)) * 100 + Number(fraction.padEnd(2, '0').slice(0, 2)));
}

/**
 * DOMAIN.md §4.2: major if the source says so (是否重大), or one of its 重大情形 is a profile ground, or a
 * hearing was held (when the profile says so), or the catalog matches: 罚没金额 at or above the threshold of
 * the party's type, a listed penalty kind, or a listed action. CHOICE: the amount threshold applies to 罚没金额
 * whatever the penalty kinds (the profile calls it a 罚没金额 threshold); a catalog action by recording
 * activity (强制拆除) needs a recording of the case made on or before T.
 */
export function isMajorDecision(c: CaseRecord, recordings: readonly RecordingRecord[], profile: PolicyProfile, asOf: string): boolean {
  const policy = profile.majorDecision;
  if (c.isMajor) return true;
  if (c.majorGrounds.some((ground) => policy.grounds.includes(ground))) return true;
  if (policy.hearingHeld && c.hearingHeld) return true;
  if (c.amount !== null && c.partyType !== null) {
    const amount = cents(c.amount);
    for (const threshold of policy.fineThresholds) {
      if (threshold.partyTypes.includes(c.partyType) && amount >= Math.round(threshold.minAmountYuan * 100)) return true;
    }
  }
  if (c.penaltyKinds.some((kind) => policy.penaltyKinds.includes(kind))) return true;
  return policy.actions.some((action) =>
    (action.actionTypes === undefined || action.actionTypes.includes(c.actionType)) &&
    (action.recordingActivities === undefined ||
      recordings.some((r) => dateOf(r.recordedAt) <= asOf && action.recordingActivities!.includes(r.activity))));
}

/** The recording a record's activity or stage requires (§4.4): the stricter level wins. */
export function recordingRequirement(profile: PolicyProfile, record: { activity: RecordingActivity; stage: RecordingStage }):
  { level: 'fullAudioVideo' | 'audioVideo'; satisfiedBy: readonly RecordingMethod[] } | null {
  for (const level of ['fullAudioVideo', 'audioVideo'] as const) {
    const requirement = profile.recording[level];
    if (requirement.activities.includes(record.activity) || requirement.stages.includes(record.stage)) {
      return { level, satisfiedBy: requirement.satisfiedBy };
    }
  }
  return null;
}

export function minimumHandlers(profile: PolicyProfile, actionType: ActionType, procedure: Procedure | null): number {
  const exemption = profile.handling.exemptions.find((e) => e.actionType === actionType && e.procedure === procedure);
  return exemption?.minimumHandlers ?? profile.handling.minimumHandlers;
}

/** An agency's loaded people, by personId. */
export type StaffIndex = ReadonlyMap<string, PersonnelRecord>;

/**
 * DOMAIN.md §4.5 certified handling. CHOICE: a handler id is looked up among the case's own agency's people
 * (personnel are keyed by agency and id); an id not on the register is not certified. Any role counts if its
 * certificate is valid (the rule is about the certificate).
 */
export function certifiedHandling(c: CaseRecord, staff: StaffIndex, profile: PolicyProfile): boolean {
  if (!c.decidedOn) return false;
  if (c.handlerIds.length < minimumHandlers(profile, c.actionType, c.procedure)) return false;
  return c.handlerIds.every((id) => {
    const person = staff.get(id);
    return person !== undefined && certificateValidOn(person, c.decidedOn!);
  });
}

export type PublicationStatus = 'ON_TIME' | 'LATE' | 'OVERDUE' | 'NOT_DUE' | 'EXEMPT';

export interface PublicationCheck {
  status: PublicationStatus;
  deadline: string;
  deadlineProvisional: boolean;
  /** as of T: null when unpublished or published after T */
  publishedOn: string | null;
}

export interface AsOf {
  asOf: string;
  profile: PolicyProfile;
  calendar: WorkingDayCalendar;
}

/**
 * DOMAIN.md §4.1 for a decision dated on or before T. EXEMPT: 依法不予公开 with a reason (when the profile asks
 * for one), or a 简易程序 penalty (when the profile exempts them); an exempt decision is EXEMPT whether
 * published or not. A publication dated after T is not published as of T.
 */
export function publicationCheck(c: CaseRecord, publication: PublicationRecord | null, regionCode: string, at: AsOf): PublicationCheck {
  const { profile } = at;
  const exemptions = profile.publication.exemptions;
  const undisclosed = c.disclosure === 'EXEMPT' && (!exemptions.undisclosedNeedsReason || (c.exemptReason ?? '').trim() !== '');
  const summary = exemptions.summaryPenalties && c.actionType === 'PENALTY' && c.procedure === 'SUMMARY';
  const deadline = publicationDeadline(c.decidedOn!, c.actionType, regionCode, profile.deadlines, at.calendar);
  const publishedOn = publication && publication.publishedOn <= at.asOf ? publication.publishedOn : null;
  let status: PublicationStatus;
  if (undisclosed || summary) status = 'EXEMPT';
  else if (publishedOn) status = publishedOn <= deadline.date ? 'ON_TIME' : 'LATE';
  else status = deadline.date < at.asOf ? 'OVERDUE' : 'NOT_DUE';
  return { status, deadline: deadline.date, deadlineProvisional: deadline.provisional, publishedOn };
}

export type WithdrawalStatus = 'WITHDRAWN_ON_TIME' | 'WITHDRAWN_LATE' | 'NOT_WITHDRAWN';

export interface WithdrawalCheck {
  status: WithdrawalStatus;
  /** the correcting outcome's date: what puts the withdrawal in a period */
  outcomeOn: string;
  deadline: string;
  /** in the indicator: withdrawn as of T, or its deadline before T */
  counted: boolean;
}

/**
 * DOMAIN.md §4.1 withdrawal: a decision published as of T with a correcting outcome (profile
 * withdrawal.triggeringOutcomes) concluded on or before T must be withdrawn within the deadline of that outcome.
 * CHOICE: the earliest such outcome counts; a withdrawal dated after T has not happened; an unwithdrawn one whose
 * deadline is on or after T is not yet due and stays out of the indicator (§4: "a deadline on or after T is not
 * yet due"), though its status is NOT_WITHDRAWN. The agency's own corrections have no feed field, so only
 * appeals trigger a withdrawal.
 */
export function withdrawalCheck(
  publication: PublicationRecord | null, appeals: readonly AppealRecord[], regionCode: string, at: AsOf,
): WithdrawalCheck | null {
  if (!publication || publication.publishedOn > at.asOf) return null;
  const triggers = at.profile.withdrawal.triggeringOutcomes;
  let outcomeOn: string | null = null;
  for (const appeal of appeals) {
    if (appeal.outcome && appeal.concludedOn && appeal.concludedOn <= at.asOf && triggers.includes(appeal.outcome)) {
      if (outcomeOn === null || appeal.concludedOn < outcomeOn) outcomeOn = appeal.concludedOn;
    }
  }
  if (outcomeOn === null) return null;
  const deadline = withdrawalDeadline(outcomeOn, regionCode, at.profile.deadlines, at.calendar).date;
  const withdrawnOn = publication.withdrawnOn && publication.withdrawnOn <= at.asOf ? publication.withdrawnOn : null;
  const status: WithdrawalStatus = withdrawnOn ? (withdrawnOn <= deadline ? 'WITHDRAWN_ON_TIME' : 'WITHDRAWN_LATE') : 'NOT_WITHDRAWN';
  return { status, outcomeOn, deadline, counted: withdrawnOn !== null || deadline < at.asOf };
}

export type ReviewViolation = 'NO_REVIEW' | 'REVIEW_AFTER_DECISION' | 'DECIDED_WITHOUT_APPROVAL' | 'REVIEWER_IS_HANDLER' | 'REVIEWER_NOT_REGISTERED';

export interface ReviewCheck {
  required: boolean;
  compliant: boolean | null;
  violations: ReviewViolation[];
}

/**
 * DOMAIN.md §4.2 for a major decision. CHOICE: the round that counts is the last one (highest round number)
 * completed on or before the decision date; no round at all is NO_REVIEW, rounds none of which was completed by
 * then is REVIEW_AFTER_DECISION; that round's opinion must be a compliant one (else DECIDED_WITHOUT_APPROVAL);
 * every reviewer it lists must be a registered 法制审核人员 of the case's agency (else REVIEWER_NOT_REGISTERED,
 * also when it lists nobody) and none may be a handler (REVIEWER_IS_HANDLER). The legal qualification of
 * first-time reviewers has no violation code and is not checked.
 */
export function reviewCheck(c: CaseRecord, reviews: readonly ReviewRecord[], staff: StaffIndex, major: boolean, profile: PolicyProfile): ReviewCheck {
  if (!major) return { required: false, compliant: null, violations: [] };
  if (reviews.length === 0) return { required: true, compliant: false, violations: ['NO_REVIEW'] };
  let last: ReviewRecord | null = null;
  for (const review of reviews) {
    if (review.completedOn && review.opinion && review.completedOn <= c.decidedOn! && (!last || review.round > last.round)) last = review;
  }
  if (!last) return { required: true, compliant: false, violations: ['REVIEW_AFTER_DECISION'] };
  const violations: ReviewViolation[] = [];
  if (!profile.legalReview.compliantOpinions.includes(last.opinion!)) violations.push('DECIDED_WITHOUT_APPROVAL');
  if (last.reviewerIds.some((id) => c.handlerIds.includes(id))) violations.push('REVIEWER_IS_HANDLER');
  if (last.reviewerIds.length === 0 || last.reviewerIds.some((id) => staff.get(id)?.role !== 'LEGAL_REVIEWER')) {
    violations.push('REVIEWER_NOT_REGISTERED');
  }
  return { required: true, compliant: violations.length === 0, violations };
}

// ---------------------------------------------------------------------------------------------------------
// The tally
// ---------------------------------------------------------------------------------------------------------

const INDICATOR_INDEX = new Map<IndicatorName, number>(IndicatorNames.map((name, i) => [name, i]));
const DETAIL_KEYS = [
  'ON_TIME', 'LATE', 'OVERDUE', 'NOT_DUE', 'EXEMPT',
  'WITHDRAWN_ON_TIME', 'WITHDRAWN_LATE', 'NOT_WITHDRAWN', 'WITHDRAWAL_NOT_DUE',
  'NO_REVIEW', 'REVIEW_AFTER_DECISION', 'DECIDED_WITHOUT_APPROVAL', 'REVIEWER_IS_HANDLER', 'REVIEWER_NOT_REGISTERED',
  'APPEALS_EXCLUDED', 'APPEALS_MEDIATED_OR_SETTLED',
] as const;
type DetailKey = (typeof DETAIL_KEYS)[number];
const DETAIL_INDEX = new Map<DetailKey, number>(DETAIL_KEYS.map((key, i) => [key, i]));
const SLOTS = IndicatorNames.length * 2;

export interface Period { id: string; from: string; to: string; kind: 'quarter' | 'year' }

export const definitionChoices: readonly string[] = [
  'Rows counted are exactly those the hub loads: refused rows are excluded, duplicated rows count once, rows held for a parent count.',
  'Periods: each quarter and each year from the generation window\'s start to the quarter/year containing the as-of date T; a period\'s figures are as of T.',
  'As of T: an event dated after T has not happened (Shanghai civil date of timestamps). Deadline-bound items (publication, withdrawal, upload, archive, annual report, rectification) count when done by T or when their deadline is before T; undone items whose deadline is on or after T are NOT_DUE and out of the denominator; done items count even when their deadline is after T.',
  'Decisions are cases with a 决定日期 on or before T, of every action type.',
  'publicationTimeliness/publicationRate/exemptionShare: by decision date. EXEMPT = 依法不予公开 with a non-empty 不公开理由 (profile undisclosedNeedsReason), or a 简易 penalty (profile summaryPenalties), published or not. Deadlines use the agency\'s region code for the calendar.',
  'withdrawalTimeliness: numerator WITHDRAWN_ON_TIME, denominator all counted withdrawals; a withdrawal is owed by a decision published on or before T with a triggering appeal outcome (profile withdrawal.triggeringOutcomes) concluded on or before T; the earliest such outcome dates it; deadline = 3 working days after the outcome.',
  'reviewCoverage: major decisions by decision date. Major = 是否重大, or a profile 重大情形, or a hearing, or 罚没金额 ≥ the threshold of the party type (whatever the penalty kinds), or a listed penalty kind, or a listed catalog action (强制拆除 = a recording of activity DEMOLITION made on or before T). Compliant = the last round (highest number) completed on or before the decision date approves, and every reviewer listed in it is a registered LEGAL_REVIEWER of the case\'s agency and not a handler. Legal qualification is not checked.',
  'correctionRate/reconsiderationCorrectionRate/litigationLossRate: appeals with a 审结日期 on or before T and an outcome, by concluded date; kinds per profile correction.appealKinds; excluded outcomes (撤回, 终止) out of the denominator; corrected outcomes in the numerator; 调解/和解 in the denominator only. Each appeal row (case + kind) counts on its own.',
  'recordingCompliance: one recording row = one action; by the Shanghai date of 记录时间; denominator the rows whose activity or stage requires a method (stricter level wins), numerator those whose method satisfies it.',
  'uploadTimeliness: every recording row, by the date of 记录时间; in time = uploaded (as of T) at most 24 hours after 记录时间 (instants compared); not uploaded and deadline date ≥ T = not due.',
  'archiveTimeliness: cases with 结案日期 on or before T, by closing date; in time = 归档日期 ≤ closing + 30 calendar days.',
  'decisionTimeliness: ordinary-procedure penalties by decision date; in time = 延期 是, or decided ≤ 立案日期 + 90 calendar days; no 立案日期 and not extended = not in time.',
  'certifiedHandling: decisions by decision date; handler ids resolved among the case\'s agency\'s people; at least the profile minimum of handlers, each with a valid certificate on the decision date. Valid certificate = number and issue date present, status 有效, issued ≤ d ≤ expiry (no expiry = open), not inside a suspension window (no end = open); status 暂扣/注销 is never valid (no status history in the feed).',
  'certificateHolding: for a period P, as of d = min(P.to, T): officers = every person of role OFFICER on the agency\'s register (the feed has no joining date); numerator those with a valid certificate on d.',
  'reviewerStaffing: per agency 0/1 for a period P as of d = min(P.to, T): 1 when LEGAL_REVIEWER count ≥ max(minimum, ⌈percent × officers with a valid certificate on d⌉); regions sum their agencies (agencies staffed / agencies).',
  'evaluationPassRate: evaluation rows (自查 and 抽查 alike) by 评查日期 on or before T; pass = grade in profile evaluation.passingGrades.',
  'annualReportTimeliness: year periods only (the report year is the period; quarters are 0/0). Every loaded agency owes a report for every year of the output; on time = 报送日期 ≤ (year+1)-submitBy and 公开日期 ≤ (year+1)-publishBy; due when both deadlines are before T; a missing or refused report row is not on time.',
  'rectificationTimeliness: letters issued on or before T with a 整改期限, by 整改期限; on time = 整改完成日期 ≤ 整改期限; letters without a deadline are not counted.',
];

export interface AgencyDescriptor { uscc: string; name: string; regionCode: string; tier: string; domain: string }

interface AgencyTally {
  agency: AgencyDescriptor;
  counts: Int32Array;
  details: Int32Array;
}

export class AnswerKey {
  readonly periods: Period[];
  private readonly periodIndex = new Map<string, number>();
  private readonly tallies = new Map<string, AgencyTally>();
  private readonly staffByAgency = new Map<string, Map<string, PersonnelRecord>>();
  /** calendar-day deadlines by their starting day (a few thousand days; asked about millions of times) */
  private readonly archiveDeadlines = new Map<string, string>();
  private readonly decisionDeadlines = new Map<string, string>();

  constructor(private readonly at: AsOf, windowFrom: string) {
    this.periods = periodsOf(windowFrom, at.asOf);
    this.periods.forEach((period, i) => this.periodIndex.set(period.id, i));
  }

  get asOf(): string {
    return this.at.asOf;
  }

  staffOf(uscc: string): StaffIndex {
    return this.staffByAgency.get(uscc) ?? new Map();
  }

  /** An agency as loaded, with the people loaded for it: the snapshot indicators are computed now. */
  registerAgency(agency: AgencyDescriptor, people: readonly PersonnelRecord[]): void {
    const tally: AgencyTally = {
      agency,
      counts: new Int32Array(this.periods.length * SLOTS),
      details: new Int32Array(this.periods.length * DETAIL_KEYS.length),
    };
    this.tallies.set(agency.uscc, tally);
    const staff = new Map<string, PersonnelRecord>();
    for (const person of people) staff.set(person.personId, person);
    this.staffByAgency.set(agency.uscc, staff);
    const officers = people.filter((p) => p.role === 'OFFICER');
    const reviewers = people.filter((p) => p.role === 'LEGAL_REVIEWER').length;
    this.periods.forEach((period, p) => {
      const d = period.to < this.at.asOf ? period.to : this.at.asOf;
      const certified = officers.filter((o) => certificateValidOn(o, d)).length;
      this.addAt(tally, p, 'certificateHolding', certified, officers.length);
      this.addAt(tally, p, 'reviewerStaffing', reviewers >= requiredReviewers(certified, this.at.profile) ? 1 : 0, 1);
    });
  }

  /** One case as loaded, with its loaded children; returns the per-case check for cases.jsonl (decisions only). */
  addCase(
    agencyUscc: string, regionCode: string, c: CaseRecord, children: {
      publication: PublicationRecord | null; reviews: readonly ReviewRecord[]; appeals: readonly AppealRecord[];
      recordings: readonly RecordingRecord[];
    },
  ): CaseCheck | null {
    const tally = this.tallyOf(agencyUscc);
    const { asOf, profile } = this.at;
    const staff = this.staffOf(agencyUscc);
    let check: CaseCheck | null = null;
    const withdrawal = withdrawalCheck(children.publication, children.appeals, regionCode, this.at);

    if (c.decidedOn && c.decidedOn <= asOf) {
      const decided = c.decidedOn;
      const publication = publicationCheck(c, children.publication, regionCode, this.at);
      this.count(tally, decided, 'exemptionShare', publication.status === 'EXEMPT');
      this.detail(tally, decided, publication.status);
      if (publication.status === 'ON_TIME' || publication.status === 'LATE' || publication.status === 'OVERDUE') {
        this.count(tally, decided, 'publicationTimeliness', publication.status === 'ON_TIME');
        this.count(tally, decided, 'publicationRate', publication.status !== 'OVERDUE');
      }
      const major = isMajorDecision(c, children.recordings, profile, asOf);
      const review = reviewCheck(c, children.reviews, staff, major, profile);
      if (review.required) {
        this.count(tally, decided, 'reviewCoverage', review.compliant === true);
        for (const violation of review.violations) this.detail(tally, decided, violation);
      }
      const certified = certifiedHandling(c, staff, profile);
      this.count(tally, decided, 'certifiedHandling', certified);
      if (c.procedure !== null && decisionDeadlineApplies(c.actionType, c.procedure, profile.deadlines)) {
        const inTime = c.extended || (c.filedOn !== null
          && decided <= this.remembered(this.decisionDeadlines, c.filedOn, (filedOn) => decisionDeadline(filedOn, profile.deadlines)));
        this.count(tally, decided, 'decisionTimeliness', inTime);
      }
      check = {
        agencyUscc, caseId: c.caseId, decidedOn: decided, major,
        publication: { ...publication, withdrawalStatus: withdrawal?.status ?? null, withdrawalDue: withdrawal?.counted ?? null },
        review, certifiedHandling: certified,
      };
    }

    if (withdrawal) {
      if (withdrawal.counted) this.count(tally, withdrawal.outcomeOn, 'withdrawalTimeliness', withdrawal.status === 'WITHDRAWN_ON_TIME');
      this.detail(tally, withdrawal.outcomeOn, withdrawal.counted ? withdrawal.status : 'WITHDRAWAL_NOT_DUE');
    }

    const { reconsideration, litigation } = profile.correction.appealKinds;
    for (const appeal of children.appeals) {
      if (!appeal.outcome || !appeal.concludedOn || appeal.concludedOn > asOf) continue;
      const isReconsideration = reconsideration.includes(appeal.kind);
      const isLitigation = litigation.includes(appeal.kind);
      if (!isReconsideration && !isLitigation) continue;
      if (profile.correction.separatelyCountedOutcomes.includes(appeal.outcome)) this.detail(tally, appeal.concludedOn, 'APPEALS_MEDIATED_OR_SETTLED');
      if (profile.correction.excludedOutcomes.includes(appeal.outcome)) {
        this.detail(tally, appeal.concludedOn, 'APPEALS_EXCLUDED');
        continue;
      }
      const corrected = profile.correction.correctedOutcomes.includes(appeal.outcome);
      this.count(tally, appeal.concludedOn, 'correctionRate', corrected);
      this.count(tally, appeal.concludedOn, isReconsideration ? 'reconsiderationCorrectionRate' : 'litigationLossRate', corrected);
    }

    for (const record of children.recordings) {
      const recordedOn = dateOf(record.recordedAt);
      if (recordedOn > asOf) continue;
      const requirement = recordingRequirement(profile, record);
      if (requirement) this.count(tally, recordedOn, 'recordingCompliance', requirement.satisfiedBy.includes(record.method));
      const deadline = uploadDeadline(record.recordedAt, profile.deadlines);
      const uploaded = record.uploadedAt && dateOf(record.uploadedAt) <= asOf ? record.uploadedAt : null;
      if (uploaded || dateOf(deadline) < asOf) {
        this.count(tally, recordedOn, 'uploadTimeliness', uploaded !== null && uploaded.getTime() <= deadline.getTime());
      }
    }

    if (c.closedOn && c.closedOn <= asOf) {
      const deadline = this.remembered(this.archiveDeadlines, c.closedOn, (closedOn) => archiveDeadline(closedOn, profile.deadlines));
      const archived = c.archivedOn && c.archivedOn <= asOf ? c.archivedOn : null;
      if (archived || deadline < asOf) this.count(tally, c.closedOn, 'archiveTimeliness', archived !== null && archived <= deadline);
    }
    return check;
  }

  addEvaluation(agencyUscc: string, evaluation: EvaluationRecord): void {
    if (evaluation.evaluatedOn > this.at.asOf) return;
    this.count(this.tallyOf(agencyUscc), evaluation.evaluatedOn, 'evaluationPassRate',
      this.at.profile.evaluation.passingGrades.includes(evaluation.grade));
  }

  addLetter(letter: LetterRecord): void {
    const { asOf } = this.at;
    if (!letter.dueOn || letter.issuedOn > asOf) return;
    const rectified = letter.rectifiedOn && letter.rectifiedOn <= asOf ? letter.rectifiedOn : null;
    if (!rectified && letter.dueOn >= asOf) return;
    this.count(this.tallyOf(letter.agencyUscc), letter.dueOn, 'rectificationTimeliness', rectified !== null && rectified <= letter.dueOn);
  }

  /** The agency's loaded annual reports, by year (a year absent: no report, or its row refused). */
  addAnnualReports(agencyUscc: string, reports: ReadonlyMap<number, AnnualReportRecord>): void {
    const tally = this.tallyOf(agencyUscc);
    const { asOf, profile } = this.at;
    this.periods.forEach((period, p) => {
      if (period.kind !== 'year') return;
      const year = Number(period.id);
      const submitBy = `${year + 1}-${profile.annualReport.submitBy}`;
      const publishBy = `${year + 1}-${profile.annualReport.publishBy}`;
      const report = reports.get(year);
      const submitted = report?.submittedOn && report.submittedOn <= asOf ? report.submittedOn : null;
      const published = report?.publishedOn && report.publishedOn <= asOf ? report.publishedOn : null;
      const done = submitted !== null && published !== null;
      const due = submitBy < asOf && publishBy < asOf;
      if (!done && !due) return;
      this.addAt(tally, p, 'annualReportTimeliness', done && submitted! <= submitBy && published! <= publishBy ? 1 : 0, 1);
    });
  }

  /**
   * Writes indicators.json: the same bytes as JSON.stringify of an IndicatorsFile, but one agency or region
   * at a time, so that the whole file (tens of MB of small objects at full participation) is never in memory.
   */
  writeIndicators(sink: { write(text: string): void }): void {
    const regionSums = new Map<string, { counts: Int32Array; details: Int32Array }>();
    const regions = regionDirectory();
    const head: Omit<IndicatorsFile, 'agencies' | 'regions'> = {
      synthetic: true,
      asOf: this.at.asOf,
      profile: this.at.profile.name,
      format: 'each indicator is [numerator, denominator]; rate = numerator / denominator (none when the denominator is 0). details are counts of statuses.',
      definitionChoices: [...definitionChoices],
      periods: this.periods.map(({ id, kind, from, to }) => ({ id, kind, from, to })),
    };
    sink.write(`${JSON.stringify(head).slice(0, -1)},"agencies":{`);
    let first = true;
    for (const uscc of inPropertyOrder(this.tallies.keys())) {
      const { agency, counts, details } = this.tallies.get(uscc)!;
      sink.write(`${first ? '' : ','}${JSON.stringify(uscc)}:${JSON.stringify({ ...agency, periods: this.periodsJson(counts, details) })}`);
      first = false;
      const chain = [...regions.ancestors(agency.regionCode).map((r) => r.code), agency.regionCode];
      for (const code of chain) {
        let sum = regionSums.get(code);
        if (!sum) regionSums.set(code, (sum = { counts: new Int32Array(counts.length), details: new Int32Array(details.length) }));
        for (let i = 0; i < counts.length; i++) sum.counts[i]! += counts[i]!;
        for (let i = 0; i < details.length; i++) sum.details[i]! += details[i]!;
      }
    }
    sink.write('},"regions":{');
    first = true;
    for (const code of inPropertyOrder([...regionSums.keys()].sort())) {
      const region = regions.require(code);
      const sum = regionSums.get(code)!;
      const figures = { name: region.name, level: region.level, periods: this.periodsJson(sum.counts, sum.details) };
      sink.write(`${first ? '' : ','}${JSON.stringify(code)}:${JSON.stringify(figures)}`);
      first = false;
    }
    sink.write('}}\n');
  }

  private periodsJson(counts: Int32Array, details: Int32Array): Record<string, PeriodFigures> {
    const out: Record<string, PeriodFigures> = {};
    this.periods.forEach((period, p) => {
      const indicators = {} as Record<IndicatorName, [number, number]>;
      IndicatorNames.forEach((name, i) => {
        indicators[name] = [counts[p * SLOTS + i * 2]!, counts[p * SLOTS + i * 2 + 1]!];
      });
      const detail = {} as Record<DetailKey, number>;
      DETAIL_KEYS.forEach((key, i) => {
        detail[key] = details[p * DETAIL_KEYS.length + i]!;
      });
      out[period.id] = { indicators, details: detail };
    });
    return out;
  }

  private remembered(answers: Map<string, string>, date: string, compute: (date: string) => string): string {
    let answer = answers.get(date);
    if (answer === undefined) answers.set(date, (answer = compute(date)));
    return answer;
  }

  private tallyOf(uscc: string): AgencyTally {
    const tally = this.tallies.get(uscc);
    if (!tally) throw new Error(`answer key: agency ${uscc} was not registered`);
    return tally;
  }

  /** the quarter and the year a date falls in, when they are reported */
  private periodsOfDate(date: string): number[] {
    const found: number[] = [];
    const quarter = this.periodIndex.get(quarterOf(date));
    if (quarter !== undefined) found.push(quarter);
    const year = this.periodIndex.get(date.slice(0, 4));
    if (year !== undefined) found.push(year);
    return found;
  }

  private count(tally: AgencyTally, date: string, indicator: IndicatorName, hit: boolean): void {
    for (const p of this.periodsOfDate(date)) this.addAt(tally, p, indicator, hit ? 1 : 0, 1);
  }

  private addAt(tally: AgencyTally, p: number, indicator: IndicatorName, numerator: number, denominator: number): void {
    const base = p * SLOTS + INDICATOR_INDEX.get(indicator)! * 2;
    tally.counts[base]! += numerator;
    tally.counts[base + 1]! += denominator;
  }

  private detail(tally: AgencyTally, date: string, key: DetailKey): void {
    for (const p of this.periodsOfDate(date)) tally.details[p * DETAIL_KEYS.length + DETAIL_INDEX.get(key)!]! += 1;
  }
}

export interface CaseCheck {
  agencyUscc: string;
  caseId: string;
  decidedOn: string;
  major: boolean;
  publication: PublicationCheck & { withdrawalStatus: WithdrawalStatus | null; withdrawalDue: boolean | null };
  review: ReviewCheck;
  certifiedHandling: boolean;
}

export interface PeriodFigures {
  indicators: Record<IndicatorName, [number, number]>;
  details: Record<DetailKey, number>;
}

export interface IndicatorsFile {
  synthetic: true;
  asOf: string;
  profile: string;
  format: string;
  definitionChoices: string[];
  /** in order: quarters, then years */
  periods: Period[];
  agencies: Record<string, AgencyDescriptor & { periods: Record<string, PeriodFigures> }>;
  regions: Record<string, { name: string; level: string; periods: Record<string, PeriodFigures> }>;
}

/**
 * Keys in the order an object built by inserting them in this order lists them (and JSON.stringify writes
 * them): integer-like keys such as region codes first, ascending, then the others as inserted.
 */
function inPropertyOrder(keys: Iterable<string>): string[] {
  const object: Record<string, true> = {};
  for (const key of keys) object[key] = true;
  return Object.keys(object);
}

/** Quarters, then years, from the quarter of `from` to the quarter of `asOf`. */
export function periodsOf(from: string, asOf: string): Period[] {
  const periods: Period[] = [];
  if (asOf < from) return periods;
  for (let quarter = quarterOf(from); ; ) {
    const bounds = quarterBounds(quarter);
    periods.push({ id: quarter, ...bounds, kind: 'quarter' });
    if (quarter === quarterOf(asOf)) break;
    const next = quarterBounds(quarter).to;
    quarter = quarterOf(new Date(toDayNumber(next) * 86_400_000 + 86_400_000).toISOString().slice(0, 10));
  }
  for (let year = Number(from.slice(0, 4)); year <= Number(asOf.slice(0, 4)); year++) {
    periods.push({ id: String(year), from: `${year}-01-01`, to: `${year}-12-31`, kind: 'year' });
  }
  return periods;
}
