import fs from 'node:fs';
import path from 'node:path';
import {
  ActionTypes, AppealKinds, AppealOutcomes, EvaluationGrades, MajorGrounds, PartyTypes, PenaltyKinds, Procedures,
  RecordingActivities, RecordingMethods, RecordingStages, ReviewOpinions,
  type ActionType, type AppealKind, type AppealOutcome, type EvaluationGrade, type MajorGround, type PartyType,
  type PenaltyKind, type Procedure, type RecordingActivity, type RecordingMethod, type RecordingStage,
  type ReviewOpinion,
} from '../codes';
import { compareDates, isCivilDate } from '../calendar/civil-date';
import {
  bool, civilDate, code, dataFileError, describe, isMapping, knownList, list, mapping, matching, nullable, number,
  optional, readDataFile, text, word, type Problem, type Reader,
} from '../data-file/checked-values';
import { displayOrigin, parseYamlText, readTextFile, yamlFileNames, type YamlText } from '../data-file/yaml-text';
import type { DeadlineRules } from '../deadlines/deadline-rules';
import { InvalidValueError } from '../errors';
import { policyDir } from '../../paths';

/**
 * The policy profile: every threshold, list and weight of DOMAIN.md, read from policy/profiles/<name>.yaml.
 * A province profile `extends` another and restates only what it changes. This module reads and checks the
 * profile and answers lookups in it; what the metrics do with it is theirs.
 */

// ---------------------------------------------------------------------------------------------------------
// The profile's shape
// ---------------------------------------------------------------------------------------------------------

/** How long a publication stays in public view, counted in calendar units from its publication date. */
export interface DisplayPeriod {
  unit: 'days' | 'months' | 'years';
  count: number;
}

/** A display-period rule matches a decision when every condition it states holds; `{}` matches all. */
export interface DisplayPeriodCondition {
  actionTypes?: ActionType[];
  /** the decision has penalty kinds, and every one of them is listed (警告 only, 警告 + 通报批评, ...) */
  penaltyKindsOnly?: PenaltyKind[];
}

export interface DisplayPeriodRule {
  when: DisplayPeriodCondition;
  /** null: shown without end */
  period: DisplayPeriod | null;
}

/** The display periods in force for publications dated on or after `effectiveFrom`; first matching rule wins. */
export interface DisplayPeriodRuleSet {
  effectiveFrom: string;
  rules: DisplayPeriodRule[];
}

export interface PublicationPolicy {
  exemptions: {
    /** a 依法不予公开 decision leaves the denominator only when its 不公开理由 is given */
    undisclosedNeedsReason: boolean;
    /** 简易程序 penalties leave the denominator */
    summaryPenalties: boolean;
  };
  /** inclusive upper bounds of the delay histogram, in working days, ascending */
  delayBucketsWorkingDays: number[];
  /** ascending by effectiveFrom */
  displayPeriods: DisplayPeriodRuleSet[];
}

/** 罚没金额 at or above which a decision for these party types is major; exact yuan. */
export interface FineThreshold {
  partyTypes: PartyType[];
  minAmountYuan: number;
}

/** A catalog item described by what the feeds carry; it matches when every condition it states holds. */
export interface CatalogAction {
  name: string;
  actionTypes?: ActionType[];
  /** the case has a recording whose activity is one of these */
  recordingActivities?: RecordingActivity[];
}

export interface MajorDecisionPolicy {
  grounds: MajorGround[];
  hearingHeld: boolean;
  fineThresholds: FineThreshold[];
  penaltyKinds: PenaltyKind[];
  actions: CatalogAction[];
}

export interface LegalReviewPolicy {
  compliantOpinions: ReviewOpinion[];
  staffing: {
    minimumReviewers: number;
    percentOfCertifiedOfficers: number;
    rounding: 'up' | 'down' | 'nearest';
  };
  firstTimeReviewerNeedsLegalQualification: boolean;
}

export interface CorrectionPolicy {
  correctedOutcomes: AppealOutcome[];
  excludedOutcomes: AppealOutcome[];
  separatelyCountedOutcomes: AppealOutcome[];
  appealKinds: { reconsideration: AppealKind[]; litigation: AppealKind[] };
}

export interface WithdrawalPolicy {
  triggeringOutcomes: AppealOutcome[];
}

export interface RecordingRequirement {
  activities: RecordingActivity[];
  stages: RecordingStage[];
  satisfiedBy: RecordingMethod[];
}

export interface RecordingPolicy {
  /** 全程音像: mandatory */
  fullAudioVideo: RecordingRequirement;
  /** 音像: required */
  audioVideo: RecordingRequirement;
}

export type RecordingRequirementLevel = keyof RecordingPolicy;

export interface HandlingExemption {
  actionType: ActionType;
  procedure: Procedure;
  minimumHandlers: number;
}

export interface HandlingPolicy {
  minimumHandlers: number;
  exemptions: HandlingExemption[];
}

export interface EvaluationPolicy {
  passingGrades: EvaluationGrade[];
}

/** Month-days ('MM-DD') in the year after the report year; on that day is still on time. */
export interface AnnualReportPolicy {
  submitBy: string;
  publishBy: string;
}

/** The indicators the hub reports (the contract's `Indicators` fields); a ranking weighs some of them. */
export const IndicatorNames = [
  'publicationTimeliness', 'publicationRate', 'exemptionShare', 'withdrawalTimeliness',
  'reviewCoverage', 'correctionRate', 'reconsiderationCorrectionRate', 'litigationLossRate',
  'recordingCompliance', 'uploadTimeliness', 'archiveTimeliness', 'decisionTimeliness',
  'certifiedHandling', 'certificateHolding', 'reviewerStaffing', 'evaluationPassRate',
  'annualReportTimeliness', 'rectificationTimeliness',
] as const;
export type IndicatorName = (typeof IndicatorNames)[number];

export interface RankingComponent {
  indicator: IndicatorName;
  weight: number;
  /** higher: score = 100 × rate; lower: score = 100 × (1 − rate) */
  direction: 'higher' | 'lower';
}

export interface RankingPolicy {
  components: RankingComponent[];
  wilsonZ: number;
  minimumDecisions: number;
  /** competition: 1, 2, 2, 4; dense: 1, 2, 2, 3 */
  ties: 'competition' | 'dense';
}

/**
 * Kinds of personal data the public never sees (DOMAIN.md §6). Not a feed code list — the standard feed
 * carries only the identity number — so it lives with the profile that names it.
 */
export const PersonalDataKinds = {
  labels: { ID_NUMBER: '身份证件号码', PHONE: '联系电话', ADDRESS: '住址' },
  codes: ['ID_NUMBER', 'PHONE', 'ADDRESS'],
} as const;
export type PersonalDataKind = (typeof PersonalDataKinds.codes)[number];

export interface PrivacyPolicy {
  maskedPartyTypes: PartyType[];
  neverPublic: PersonalDataKind[];
  /** a record marked 涉及<marker> stays within its agency and supervisors */
  secrecyMarkers: string[];
}

export interface PolicyProfile {
  name: string;
  description?: string;
  deadlines: DeadlineRules;
  publication: PublicationPolicy;
  majorDecision: MajorDecisionPolicy;
  legalReview: LegalReviewPolicy;
  correction: CorrectionPolicy;
  withdrawal: WithdrawalPolicy;
  recording: RecordingPolicy;
  handling: HandlingPolicy;
  evaluation: EvaluationPolicy;
  annualReport: AnnualReportPolicy;
  ranking: RankingPolicy;
  privacy: PrivacyPolicy;
}

/** What an override may state: any part of a profile; lists replace, mappings merge. */
export type ProfileOverride = DeepPartial<PolicyProfile>;
type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

export const PROFILE_INVALID = 'PROFILE_INVALID';
export const PROFILE_NOT_FOUND = 'PROFILE_NOT_FOUND';

/** policy/profiles/ of the project, whether running from src/ or dist/src/. */
export const policyProfilesDir = path.join(policyDir, 'profiles');

// ---------------------------------------------------------------------------------------------------------
// Readers the sections share (the generic ones are src/domain/data-file/checked-values.ts's)
// ---------------------------------------------------------------------------------------------------------

const wholeNumberAtLeastOne = number({ integer: true, min: 1 });

/** 'MM-DD' that exists in every year: a deadline on 02-29 would vanish three years in four. */
const monthDay: Reader<string> = (value, at, problems) => {
  const parts = typeof value === 'string' ? /^(\d{2})-(\d{2})$/.exec(value) : null;
  const valid = parts !== null && isCivilDate(`2023-${parts[1]}-${parts[2]}`);
  return valid ? (value as string) : problems.fail(at, `expected a month-day 'MM-DD' that exists every year, got ${describe(value)}`);
};

function overlap<T>(a: readonly T[], b: readonly T[]): T[] {
  return a.filter((item) => b.includes(item));
}

const PROFILE_NAME = /^[a-z0-9][a-z0-9-]*$/;
const profileName = matching(PROFILE_NAME, 'a profile name of lower-case letters, digits and hyphens');

// ---------------------------------------------------------------------------------------------------------
// The sections
// ---------------------------------------------------------------------------------------------------------

const actionType = code(ActionTypes, 'action type');
const actionTypes = list(actionType, { nonEmpty: true });
const procedure = code(Procedures, 'procedure');
const appealOutcomes = list(code(AppealOutcomes, 'appeal outcome'));
const appealKinds = list(code(AppealKinds, 'appeal kind'));
const penaltyKinds = list(word(PenaltyKinds, 'penalty kind'), { nonEmpty: true });
const recordingActivities = list(code(RecordingActivities, 'recording activity'));

/** Action types are the keys here, so a misspelt one is named as an action type, not as a key. */
const publicationWorkingDays: Reader<DeadlineRules['publication']['workingDays']> = (value, at, problems) => {
  if (!isMapping(value)) return problems.fail(at, `expected a mapping of action types to working days, got ${describe(value)}`);
  const before = problems.list.length;
  const result: Record<string, number> = {};
  for (const [key, days] of Object.entries(value)) {
    if (key !== 'default' && !(ActionTypes.codes as readonly string[]).includes(key)) {
      const labelled = ActionTypes.codes.find((c) => ActionTypes.labels[c] === key);
      problems.note([...at, key], labelled
        ? `write the code ${labelled}, not its label ${key}`
        : `unknown action type (${knownList([...ActionTypes.codes, 'default'])})`);
      continue;
    }
    const outcome = problems.attempt(() => wholeNumberAtLeastOne(days, [...at, key], problems));
    if (outcome.ok) result[key] = outcome.value;
  }
  if (value.default === undefined) problems.note([...at, 'default'], 'missing (the deadline of every action type not listed)');
  problems.failIfNotedSince(before);
  return result as DeadlineRules['publication']['workingDays'];
};

const readDeadlines: Reader<DeadlineRules> = mapping({
  publication: mapping({ workingDays: publicationWorkingDays }),
  withdrawal: mapping({ workingDays: wholeNumberAtLeastOne }),
  upload: mapping({ hours: number({ positive: true }) }),
  archive: mapping({ calendarDays: wholeNumberAtLeastOne }),
  decision: mapping({
    calendarDays: wholeNumberAtLeastOne,
    actionTypes,
    procedures: list(procedure, { nonEmpty: true }),
  }),
});

const displayPeriod: Reader<DisplayPeriod> = mapping({
  unit: word(['days', 'months', 'years'] as const, 'unit'),
  count: wholeNumberAtLeastOne,
});

const displayPeriodRuleSet: Reader<DisplayPeriodRuleSet> = mapping(
  {
    effectiveFrom: civilDate,
    rules: list(
      mapping({
        when: mapping({ actionTypes: optional(actionTypes), penaltyKindsOnly: optional(penaltyKinds) }),
        period: nullable(displayPeriod),
      }),
      { nonEmpty: true, unique: false },
    ),
  },
  {
    check: (set, at, problems) => {
      const last = set.rules.length - 1;
      const catchAll = Object.values(set.rules[last]!.when).every((condition) => condition === undefined);
      if (!catchAll) {
        problems.note([...at, 'rules', last, 'when'], 'the last rule must match every decision (when: {}), so none is left without a period');
      }
    },
  },
);

const displayPeriodRuleSets: Reader<DisplayPeriodRuleSet[]> = (value, at, problems) => {
  const sets = list(displayPeriodRuleSet, { nonEmpty: true, unique: false })(value, at, problems);
  sets.forEach((set, index) => {
    if (index > 0 && compareDates(sets[index - 1]!.effectiveFrom, set.effectiveFrom) >= 0) {
      problems.fail([...at, index, 'effectiveFrom'], `expected a date after ${sets[index - 1]!.effectiveFrom} (rule sets in ascending order), got ${describe(set.effectiveFrom)}`);
    }
  });
  return sets;
};

const delayBuckets: Reader<number[]> = (value, at, problems) => {
  const bounds = list(wholeNumberAtLeastOne, { nonEmpty: true })(value, at, problems);
  bounds.forEach((bound, index) => {
    if (index > 0 && bound <= bounds[index - 1]!) {
      problems.fail([...at, index], `expected a bound above ${bounds[index - 1]} (ascending), got ${bound}`);
    }
  });
  return bounds;
};

const readPublication: Reader<PublicationPolicy> = mapping({
  exemptions: mapping({ undisclosedNeedsReason: bool, summaryPenalties: bool }),
  delayBucketsWorkingDays: delayBuckets,
  displayPeriods: displayPeriodRuleSets,
});

const readMajorDecision: Reader<MajorDecisionPolicy> = mapping({
  grounds: list(code(MajorGrounds, 'major ground')),
  hearingHeld: bool,
  fineThresholds: (value, at, problems) => {
    const thresholds = list(
      mapping({
        partyTypes: list(code(PartyTypes, 'party type'), { nonEmpty: true }),
        // Yuan with fen at most: the feed's amounts are exact decimals and so are the thresholds.
        minAmountYuan: number({ min: 0, maxDecimals: 2 }),
      }),
      { unique: false },
    )(value, at, problems);
    const seen = new Map<PartyType, number>();
    thresholds.forEach((threshold, index) => {
      for (const partyType of threshold.partyTypes) {
        const first = seen.get(partyType);
        if (first !== undefined) problems.fail([...at, index, 'partyTypes'], `${partyType} already has a threshold at [${first}]`);
        seen.set(partyType, index);
      }
    });
    return thresholds;
  },
  penaltyKinds: list(word(PenaltyKinds, 'penalty kind')),
  actions: list(
    mapping(
      { name: text, actionTypes: optional(actionTypes), recordingActivities: optional(list(code(RecordingActivities, 'recording activity'), { nonEmpty: true })) },
      {
        check: (action, at, problems) => {
          if (action.actionTypes === undefined && action.recordingActivities === undefined) {
            problems.note(at, 'a catalog action needs at least one condition (actionTypes or recordingActivities)');
          }
        },
      },
    ),
    { unique: false },
  ),
});

const readLegalReview: Reader<LegalReviewPolicy> = mapping({
  compliantOpinions: list(code(ReviewOpinions, 'review opinion'), { nonEmpty: true }),
  staffing: mapping({
    minimumReviewers: number({ integer: true, min: 0 }),
    percentOfCertifiedOfficers: number({ min: 0, max: 100 }),
    rounding: word(['up', 'down', 'nearest'] as const, 'rounding'),
  }),
  firstTimeReviewerNeedsLegalQualification: bool,
});

const readCorrection: Reader<CorrectionPolicy> = mapping(
  {
    correctedOutcomes: list(code(AppealOutcomes, 'appeal outcome'), { nonEmpty: true }),
    excludedOutcomes: appealOutcomes,
    separatelyCountedOutcomes: appealOutcomes,
    appealKinds: mapping({ reconsideration: appealKinds, litigation: appealKinds }, {
      check: (kinds, at, problems) => {
        const both = overlap(kinds.reconsideration, kinds.litigation);
        if (both.length > 0) problems.note([...at, 'litigation'], `${both.join(', ')} cannot count as both 复议 and 诉讼`);
      },
    }),
  },
  {
    check: (correction, at, problems) => {
      // An outcome both corrected and outside the denominator would make the rate contradict itself.
      const both = overlap(correction.correctedOutcomes, correction.excludedOutcomes);
      if (both.length > 0) problems.note([...at, 'excludedOutcomes'], `${both.join(', ')} cannot be both corrected and excluded from the denominator`);
    },
  },
);

const recordingRequirement: Reader<RecordingRequirement> = mapping({
  activities: recordingActivities,
  stages: list(code(RecordingStages, 'recording stage')),
  satisfiedBy: list(code(RecordingMethods, 'recording method'), { nonEmpty: true }),
});

const readHandling: Reader<HandlingPolicy> = mapping({
  minimumHandlers: wholeNumberAtLeastOne,
  exemptions: (value, at, problems) => {
    const exemptions = list(
      mapping({ actionType, procedure, minimumHandlers: wholeNumberAtLeastOne }),
      { unique: false },
    )(value, at, problems);
    exemptions.forEach((exemption, index) => {
      const first = exemptions.findIndex((e) => e.actionType === exemption.actionType && e.procedure === exemption.procedure);
      if (first < index) problems.fail([...at, index], `${exemption.actionType} under ${exemption.procedure} is already exempted at [${first}]`);
    });
    return exemptions;
  },
});

const rankingComponents: Reader<RankingComponent[]> = (value, at, problems) => {
  const components = list(
    mapping({
      indicator: word(IndicatorNames, 'indicator'),
      weight: number({ min: 0 }),
      direction: word(['higher', 'lower'] as const, 'direction'),
    }),
    { nonEmpty: true, unique: false },
  )(value, at, problems);
  components.forEach((component, index) => {
    const first = components.findIndex((c) => c.indicator === component.indicator);
    if (first < index) problems.note([...at, index, 'indicator'], `${component.indicator} is already weighted at [${first}]`);
  });
  if (components.every((component) => component.weight === 0)) problems.note(at, 'every weight is 0: nothing would be scored');
  return components;
};

const readRanking: Reader<RankingPolicy> = mapping({
  components: rankingComponents,
  wilsonZ: number({ positive: true }),
  minimumDecisions: number({ integer: true, min: 0 }),
  ties: word(['competition', 'dense'] as const, 'tie rule'),
});

const readPrivacy: Reader<PrivacyPolicy> = mapping({
  maskedPartyTypes: list(code(PartyTypes, 'party type')),
  neverPublic: list(code(PersonalDataKinds, 'personal data kind')),
  secrecyMarkers: list(text, { nonEmpty: true }),
});

const readProfile: Reader<PolicyProfile> = mapping({
  name: profileName,
  description: optional(text),
  deadlines: readDeadlines,
  publication: readPublication,
  majorDecision: readMajorDecision,
  legalReview: readLegalReview,
  correction: readCorrection,
  withdrawal: mapping({ triggeringOutcomes: list(code(AppealOutcomes, 'appeal outcome'), { nonEmpty: true }) }),
  recording: mapping({ fullAudioVideo: recordingRequirement, audioVideo: recordingRequirement }),
  handling: readHandling,
  evaluation: mapping({ passingGrades: list(code(EvaluationGrades, 'evaluation grade'), { nonEmpty: true }) }),
  annualReport: mapping({ submitBy: monthDay, publishBy: monthDay }),
  ranking: readRanking,
  privacy: readPrivacy,
});

// ---------------------------------------------------------------------------------------------------------
// Parsing, merging, loading
// ---------------------------------------------------------------------------------------------------------

/** Mappings merge key by key; a list, a scalar or null in the override replaces the base value whole. */
function deepMerge(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (!isMapping(base) || !isMapping(override)) return override;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) merged[key] = deepMerge(base[key], value);
  return merged;
}

function validate(raw: unknown, origin: string, yaml?: YamlText): PolicyProfile {
  return readDataFile(readProfile, raw, PROFILE_INVALID, origin, yaml);
}

/** The checked profile of a parsed file; see parsePolicyProfile. */
function checkProfile(yaml: YamlText, origin: string, base: PolicyProfile | undefined): PolicyProfile {
  const raw = yaml.value;
  if (!isMapping(raw)) {
    throw dataFileError(PROFILE_INVALID, origin, [{ path: [], reason: `expected a mapping of profile sections, got ${describe(raw)}` }]);
  }
  const { extends: parent, ...own } = raw;
  const problems: Problem[] = [];
  // Every file names itself, or a province profile would silently carry its base's name into frozen rankings.
  if (own.name === undefined) problems.push({ path: ['name'], reason: 'missing (every profile file states its own name)' });
  if (parent !== undefined) {
    if (base === undefined) {
      problems.push({ path: ['extends'], reason: `${describe(parent)}: the base profile must be given (loadPolicyProfile resolves it)` });
    } else if (parent !== base.name) {
      problems.push({ path: ['extends'], reason: `expected ${describe(base.name)}, the base profile given, got ${describe(parent)}` });
    }
  }
  if (problems.length > 0) throw dataFileError(PROFILE_INVALID, origin, problems, yaml);

  if (base !== undefined) {
    // A description, like the name, belongs to the file that states it and is not inherited.
    return validate(deepMerge({ ...base, description: undefined }, own), origin, yaml);
  }
  try {
    return validate(own, origin, yaml);
  } catch (error) {
    const sectionMissing = error instanceof InvalidValueError && /^[^\n]*: [a-zA-Z]+: missing$/m.test(error.message);
    if (!sectionMissing) throw error;
    // The usual cause: a province profile that forgot the line naming its base.
    throw new InvalidValueError(PROFILE_INVALID, error.value,
      `${error.message}\n${origin}: a profile that changes only some sections starts with 'extends: default'`);
  }
}

/**
 * A checked profile from YAML text. `origin` names the file in every error. With `base`, the text is an
 * override of it (a province profile, `extends: <base name>`); without, it must state every section.
 */
export function parsePolicyProfile(text: string, origin: string, base?: PolicyProfile): PolicyProfile {
  return checkProfile(parseYamlText(text, origin, PROFILE_INVALID), origin, base);
}

/** A checked profile: `override` merged over `base` (mappings key by key; lists and scalars replace). */
export function mergeProfiles(base: PolicyProfile, override: ProfileOverride): PolicyProfile {
  return validate(deepMerge(base, override), `override of profile ${base.name}`);
}

function loadFile(file: string, dir: string, chain: readonly string[]): PolicyProfile {
  const origin = displayOrigin(file);
  const text = readTextFile(file, () => new InvalidValueError(PROFILE_NOT_FOUND, path.basename(file, '.yaml'),
    `no policy profile ${origin} (available in ${displayOrigin(dir)}: ${yamlFileNames(dir).join(', ') || 'none'})`));

  // The base must be known before the override is checked, so `extends` is read ahead of the checks.
  const yaml = parseYamlText(text, origin, PROFILE_INVALID);
  const declared = isMapping(yaml.value) ? yaml.value.extends : undefined;
  let base: PolicyProfile | undefined;
  if (declared !== undefined) {
    if (typeof declared !== 'string' || !PROFILE_NAME.test(declared)) {
      throw dataFileError(PROFILE_INVALID, origin, [{ path: ['extends'], reason: `expected the name of a profile in ${displayOrigin(dir)}, got ${describe(declared)}` }], yaml);
    }
    if (chain.includes(declared)) {
      throw dataFileError(PROFILE_INVALID, origin, [{ path: ['extends'], reason: `${[...chain, declared].join(' → ')} is a cycle` }], yaml);
    }
    const baseFile = path.join(dir, `${declared}.yaml`);
    if (!fs.existsSync(baseFile)) {
      throw dataFileError(PROFILE_INVALID, origin, [{ path: ['extends'], reason: `no profile ${describe(declared)} in ${displayOrigin(dir)} (available: ${yamlFileNames(dir).join(', ')})` }], yaml);
    }
    base = loadFile(baseFile, dir, [...chain, declared]);
  }
  return checkProfile(yaml, origin, base);
}

/**
 * The profile `name` from policy/profiles/ (or `dir`), or the profile in `file`, with the profiles it
 * `extends` merged beneath it. A profile's file name is its name: a frozen ranking records the name, and
 * the name must lead back to the file.
 */
export function loadPolicyProfile(options: { name?: string; dir?: string; file?: string } = {}): PolicyProfile {
  if (options.file !== undefined) {
    const file = path.resolve(options.file);
    return loadFile(file, options.dir ?? path.dirname(file), [path.basename(file, path.extname(file))]);
  }
  const name = options.name ?? 'default';
  const dir = options.dir ?? policyProfilesDir;
  if (!PROFILE_NAME.test(name)) {
    throw new InvalidValueError(PROFILE_NOT_FOUND, name,
      `${describe(name)} is not a profile name (lower-case letters, digits and hyphens; available: ${yamlFileNames(dir).join(', ')})`);
  }
  const file = path.join(dir, `${name}.yaml`);
  const profile = loadFile(file, dir, [name]);
  if (profile.name !== name) {
    throw new InvalidValueError(PROFILE_INVALID, profile.name,
      `${displayOrigin(file)}: name: expected ${describe(name)} (the file's name), got ${describe(profile.name)}`);
  }
  return profile;
}

// ---------------------------------------------------------------------------------------------------------
// Lookups in a profile
// ---------------------------------------------------------------------------------------------------------

/**
 * The display-period rule set in force for a publication dated `publishedOn`: the latest one effective on or
 * before that day. A publication keeps it for good, whatever later sets say. Undefined when the profile has
 * no rule set that old.
 */
export function displayPeriodRuleFor(profile: PolicyProfile, publishedOn: string): DisplayPeriodRuleSet | undefined {
  if (!isCivilDate(publishedOn)) throw new Error(`displayPeriodRuleFor: ${describe(publishedOn)} is not a date 'YYYY-MM-DD'`);
  let inForce: DisplayPeriodRuleSet | undefined;
  for (const set of profile.publication.displayPeriods) {
    if (compareDates(set.effectiveFrom, publishedOn) <= 0) inForce = set;
  }
  return inForce;
}

/** The period of the first rule of `ruleSet` that the decision matches; null means shown without end. */
export function displayPeriodFor(
  ruleSet: DisplayPeriodRuleSet,
  decision: { actionType: ActionType; penaltyKinds: readonly PenaltyKind[] },
): DisplayPeriod | null {
  const rule = ruleSet.rules.find(({ when }) =>
    (when.actionTypes === undefined || when.actionTypes.includes(decision.actionType)) &&
    (when.penaltyKindsOnly === undefined ||
      (decision.penaltyKinds.length > 0 && decision.penaltyKinds.every((kind) => when.penaltyKindsOnly!.includes(kind)))));
  // The last rule matches everything (checked when the profile is read), so a rule is always found.
  return rule!.period;
}

/** The recording a record's activity and stage require; the stricter of the two levels wins. */
export function recordingRequirementFor(
  profile: PolicyProfile,
  record: { activity: RecordingActivity; stage: RecordingStage },
): RecordingRequirementLevel | null {
  const levels: RecordingRequirementLevel[] = ['fullAudioVideo', 'audioVideo'];
  return levels.find((level) => {
    const requirement = profile.recording[level];
    return requirement.activities.includes(record.activity) || requirement.stages.includes(record.stage);
  }) ?? null;
}

/** How many handlers a case needs: the profile's minimum, unless an exemption names its type and procedure. */
export function minimumHandlersFor(profile: PolicyProfile, actionType: ActionType, procedure: Procedure | null | undefined): number {
  const exemption = profile.handling.exemptions.find((e) => e.actionType === actionType && e.procedure === procedure);
  return exemption?.minimumHandlers ?? profile.handling.minimumHandlers;
}
