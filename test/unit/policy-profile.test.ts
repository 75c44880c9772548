import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidValueError } from '../../src/domain/errors';
import {
  displayPeriodFor, displayPeriodRuleFor, loadPolicyProfile, mergeProfiles, minimumHandlersFor, parsePolicyProfile,
  policyProfilesDir, recordingRequirementFor, type PolicyProfile,
} from '../../src/domain/profile/policy-profile';

const defaults = loadPolicyProfile();
const FUJIAN = 'policy/profiles/fujian.yaml';

/** A province profile's text: `extends: default`, a name, then the given sections. */
function province(body: string, name = 'fujian'): string {
  return `extends: default\nname: ${name}\n${body}`;
}

/** The error a profile text raises, read over `defaults` as a province profile (or alone, with base null). */
function errorOf(text: string, base: PolicyProfile | null = defaults): InvalidValueError {
  try {
    parsePolicyProfile(text, FUJIAN, base ?? undefined);
  } catch (error) {
    if (error instanceof InvalidValueError) return error;
    throw error;
  }
  throw new Error('expected the profile to be rejected');
}

/** The profile without the parts that name the file, to compare what two profiles rule. */
function rules(profile: PolicyProfile): Omit<PolicyProfile, 'name' | 'description'> {
  const { name: _name, description: _description, ...rest } = structuredClone(profile);
  return rest;
}

describe('default profile: deadlines', () => {
  const { deadlines } = defaults;

  test('licensing and penalty decisions are published within 7 working days, every other type within 20', () => {
    expect(deadlines.publication.workingDays.LICENSING).toBe(7);
    expect(deadlines.publication.workingDays.PENALTY).toBe(7);
    expect(deadlines.publication.workingDays.default).toBe(20);
    expect(deadlines.publication.workingDays.INSPECTION).toBeUndefined();
  });

  test('withdrawal within 3 working days, upload within 24 hours, archiving within 30 calendar days', () => {
    expect(deadlines.withdrawal.workingDays).toBe(3);
    expect(deadlines.upload.hours).toBe(24);
    expect(deadlines.archive.calendarDays).toBe(30);
  });

  test('only ordinary-procedure penalties must be decided within 90 calendar days of filing', () => {
    expect(deadlines.decision).toEqual({ calendarDays: 90, actionTypes: ['PENALTY'], procedures: ['ORDINARY'] });
  });
});

describe('default profile: publication', () => {
  test('summary penalties are exempt, and a lawfully undisclosed decision is exempt only with its reason', () => {
    expect(defaults.publication.exemptions).toEqual({ summaryPenalties: true, undisclosedNeedsReason: true });
  });

  test('delays are bucketed at 1, 3, 5, 10 and 20 working days', () => {
    expect(defaults.publication.delayBucketsWorkingDays).toEqual([1, 3, 5, 10, 20]);
  });

  test('a penalty of 警告 or 通报批评 only is displayed 3 months, any other penalty 3 years, other decisions without end', () => {
    const ruleSet = displayPeriodRuleFor(defaults, '2024-05-18')!;
    expect(ruleSet.effectiveFrom).toBe('2021-09-01');
    const penalty = (...penaltyKinds: ('警告' | '通报批评' | '罚款')[]) => ({ actionType: 'PENALTY' as const, penaltyKinds });
    expect(displayPeriodFor(ruleSet, penalty('警告'))).toEqual({ unit: 'months', count: 3 });
    expect(displayPeriodFor(ruleSet, penalty('警告', '通报批评'))).toEqual({ unit: 'months', count: 3 });
    expect(displayPeriodFor(ruleSet, penalty('警告', '罚款'))).toEqual({ unit: 'years', count: 3 });
    expect(displayPeriodFor(ruleSet, penalty())).toEqual({ unit: 'years', count: 3 });
    expect(displayPeriodFor(ruleSet, { actionType: 'LICENSING', penaltyKinds: [] })).toBeNull();
  });

  test('a display-period rule set applies from its effective date on, and not before', () => {
    expect(displayPeriodRuleFor(defaults, '2021-09-01')?.effectiveFrom).toBe('2021-09-01');
    expect(displayPeriodRuleFor(defaults, '2021-08-31')).toBeUndefined();
  });

  test('a publication keeps the display-period rule set in force on the day it was published', () => {
    const versioned = mergeProfiles(defaults, {
      publication: {
        displayPeriods: [
          ...structuredClone(defaults.publication.displayPeriods),
          { effectiveFrom: '2025-01-01', rules: [{ when: {}, period: { unit: 'years', count: 5 } }] },
        ],
      },
    });
    expect(displayPeriodRuleFor(versioned, '2024-12-31')?.effectiveFrom).toBe('2021-09-01');
    expect(displayPeriodRuleFor(versioned, '2025-01-01')?.effectiveFrom).toBe('2025-01-01');
  });
});

describe('default profile: major decisions and legal review', () => {
  const { majorDecision, legalReview } = defaults;

  test('every major ground of the feed and a held hearing make a decision major', () => {
    expect([...majorDecision.grounds].sort()).toEqual(['COMPLEX', 'HEARING', 'MAJOR_RIGHTS', 'PUBLIC_INTEREST', 'STATUTORY']);
    expect(majorDecision.hearingHeld).toBe(true);
  });

  test('fines from ¥10,000 are major for natural persons and sole traders, from ¥100,000 for organisations', () => {
    const thresholdFor = (partyType: string) =>
      majorDecision.fineThresholds.find((t) => (t.partyTypes as string[]).includes(partyType))?.minAmountYuan;
    expect(thresholdFor('PERSON')).toBe(10000);
    expect(thresholdFor('SOLE_TRADER')).toBe(10000);
    expect(thresholdFor('LEGAL_PERSON')).toBe(100000);
    expect(thresholdFor('OTHER_ORG')).toBe(100000);
  });

  test('licence revocation, orders to stop production and forced demolition are major', () => {
    expect([...majorDecision.penaltyKinds].sort()).toEqual(['吊销许可证件', '责令停产停业'].sort());
    expect(majorDecision.actions).toEqual([{ name: '强制拆除', recordingActivities: ['DEMOLITION'] }]);
  });

  test('only an approving opinion is compliant; reviewers number at least max(2, ⌈5% of certified officers⌉)', () => {
    expect(legalReview.compliantOpinions).toEqual(['APPROVE']);
    expect(legalReview.staffing).toEqual({ minimumReviewers: 2, percentOfCertifiedOfficers: 5, rounding: 'up' });
    expect(legalReview.firstTimeReviewerNeedsLegalQualification).toBe(true);
  });
});

describe('default profile: correction and withdrawal', () => {
  const { correction, withdrawal } = defaults;

  test('revoked, changed, confirmed illegal or void and ordered to perform or redo count as corrected', () => {
    expect([...correction.correctedOutcomes].sort()).toEqual(
      ['CHANGED', 'CONFIRMED_ILLEGAL', 'CONFIRMED_VOID', 'ORDERED_TO_PERFORM', 'ORDERED_TO_REDO', 'PARTLY_REVOKED', 'REVOKED'],
    );
  });

  test('withdrawn and terminated appeals leave the denominator; mediated and settled ones are counted apart', () => {
    expect([...correction.excludedOutcomes].sort()).toEqual(['TERMINATED', 'WITHDRAWN']);
    expect([...correction.separatelyCountedOutcomes].sort()).toEqual(['MEDIATED', 'SETTLED']);
  });

  test('reconsideration is 复议; first instance, second instance and retrial are 诉讼', () => {
    expect(correction.appealKinds.reconsideration).toEqual(['RECONSIDERATION']);
    expect([...correction.appealKinds.litigation].sort()).toEqual(['LITIGATION_FIRST', 'LITIGATION_SECOND', 'RETRIAL']);
  });

  test('a published decision revoked, changed, confirmed illegal or void must be withdrawn (APL art. 48)', () => {
    expect([...withdrawal.triggeringOutcomes].sort()).toEqual(['CHANGED', 'CONFIRMED_ILLEGAL', 'CONFIRMED_VOID', 'REVOKED']);
  });
});

describe('default profile: recording, handling, evaluation, annual report', () => {
  test('seizure and demolition need full-process audio-video, whatever their stage', () => {
    expect(recordingRequirementFor(defaults, { activity: 'SEIZURE', stage: 'INVESTIGATION' })).toBe('fullAudioVideo');
    expect(recordingRequirementFor(defaults, { activity: 'DEMOLITION', stage: 'SERVICE' })).toBe('fullAudioVideo');
    expect(defaults.recording.fullAudioVideo.satisfiedBy).toEqual(['FULL_AUDIO_VIDEO']);
  });

  test('inspections, hearings, left and public service and anything in the investigation stage need audio-video', () => {
    for (const activity of ['ON_SITE_INSPECTION', 'HEARING', 'LEFT_SERVICE', 'PUBLIC_SERVICE'] as const) {
      expect(recordingRequirementFor(defaults, { activity, stage: 'SERVICE' })).toBe('audioVideo');
    }
    expect(recordingRequirementFor(defaults, { activity: 'OTHER', stage: 'INVESTIGATION' })).toBe('audioVideo');
    expect([...defaults.recording.audioVideo.satisfiedBy].sort()).toEqual(['AUDIO_VIDEO', 'FULL_AUDIO_VIDEO']);
  });

  test('random checks and interviews outside the investigation stage need no audio-video by default (seed 004 is not the default)', () => {
    expect(recordingRequirementFor(defaults, { activity: 'RANDOM_CHECK', stage: 'START' })).toBeNull();
    expect(recordingRequirementFor(defaults, { activity: 'INTERVIEW', stage: 'DECISION' })).toBeNull();
  });

  test('every case needs two handlers, with no exemption by default (APL art. 42)', () => {
    expect(defaults.handling).toEqual({ minimumHandlers: 2, exemptions: [] });
    expect(minimumHandlersFor(defaults, 'PENALTY', 'SUMMARY')).toBe(2);
  });

  test('a handling exemption lowers the minimum only for its action type and procedure', () => {
    const exempting = mergeProfiles(defaults, {
      handling: { exemptions: [{ actionType: 'PENALTY', procedure: 'SUMMARY', minimumHandlers: 1 }] },
    });
    expect(minimumHandlersFor(exempting, 'PENALTY', 'SUMMARY')).toBe(1);
    expect(minimumHandlersFor(exempting, 'PENALTY', 'ORDINARY')).toBe(2);
    expect(minimumHandlersFor(exempting, 'LICENSING', null)).toBe(2);
  });

  test('excellent and pass grades count as passed', () => {
    expect([...defaults.evaluation.passingGrades].sort()).toEqual(['EXCELLENT', 'PASS']);
  });

  test('annual figures are submitted by 15 January and published by 31 January', () => {
    expect(defaults.annualReport).toEqual({ submitBy: '01-15', publishBy: '01-31' });
  });
});

describe('default profile: ranking and privacy', () => {
  const { ranking, privacy } = defaults;
  const component = (indicator: string) => ranking.components.find((c) => c.indicator === indicator);

  test('the ranking weighs timeliness 25, review 25, correction 20 (lower is better), recording 15, handling 10, evaluation 5', () => {
    expect(component('publicationTimeliness')).toMatchObject({ weight: 25, direction: 'higher' });
    expect(component('reviewCoverage')).toMatchObject({ weight: 25, direction: 'higher' });
    expect(component('correctionRate')).toMatchObject({ weight: 20, direction: 'lower' });
    expect(component('recordingCompliance')).toMatchObject({ weight: 15, direction: 'higher' });
    expect(component('certifiedHandling')).toMatchObject({ weight: 10, direction: 'higher' });
    expect(component('evaluationPassRate')).toMatchObject({ weight: 5, direction: 'higher' });
    expect(ranking.components).toHaveLength(6);
  });

  test('rates enter at 95% Wilson confidence, units need 20 decisions, and ties share a competition rank', () => {
    expect(ranking.wilsonZ).toBe(1.96);
    expect(ranking.minimumDecisions).toBe(20);
    expect(ranking.ties).toBe('competition');
  });

  test('natural persons are masked; identity numbers, phones and addresses are never public; three secrecy markers', () => {
    expect(privacy.maskedPartyTypes).toEqual(['PERSON']);
    expect([...privacy.neverPublic].sort()).toEqual(['ADDRESS', 'ID_NUMBER', 'PHONE']);
    expect([...privacy.secrecyMarkers].sort()).toEqual(['个人隐私', '商业秘密', '国家秘密'].sort());
  });

  test('a loaded profile cannot be changed in place', () => {
    expect(Object.isFrozen(defaults.ranking.components[0])).toBe(true);
    expect(() => {
      (defaults.deadlines.decision.actionTypes as string[]).push('LICENSING');
    }).toThrow(TypeError);
  });
});

describe('province profiles', () => {
  test('the Inner Mongolia example adds random checks and interviews to audio-video and changes nothing else', () => {
    const innerMongolia = loadPolicyProfile({ name: 'inner-mongolia-example' });
    expect(innerMongolia.name).toBe('inner-mongolia-example');
    expect(recordingRequirementFor(innerMongolia, { activity: 'RANDOM_CHECK', stage: 'START' })).toBe('audioVideo');
    expect(recordingRequirementFor(innerMongolia, { activity: 'INTERVIEW', stage: 'DECISION' })).toBe('audioVideo');

    const expected = rules(defaults);
    expected.recording.audioVideo.activities = ['ON_SITE_INSPECTION', 'RANDOM_CHECK', 'INTERVIEW', 'HEARING', 'LEFT_SERVICE', 'PUBLIC_SERVICE'];
    expect(rules(innerMongolia)).toEqual(expected);
  });

  test('the Quanzhou example submits annual figures by 20 January and keeps publication by 31 January', () => {
    const quanzhou = loadPolicyProfile({ name: 'quanzhou-example' });
    expect(quanzhou.annualReport).toEqual({ submitBy: '01-20', publishBy: '01-31' });

    const expected = rules(defaults);
    expected.annualReport.submitBy = '01-20';
    expected.withdrawal.triggeringOutcomes = [...expected.withdrawal.triggeringOutcomes, 'ORDERED_TO_REDO'];
    expected.privacy.secrecyMarkers = ['国家秘密', '工作秘密', '商业秘密', '个人隐私'];
    expect(rules(quanzhou)).toEqual(expected);
  });

  test('a province profile does not inherit the description of its base', () => {
    const fujian = parsePolicyProfile(province('ranking:\n  minimumDecisions: 30\n'), FUJIAN, defaults);
    expect(fujian.description).toBeUndefined();
  });

  test('an override merges mappings key by key but replaces a list whole', () => {
    const fujian = parsePolicyProfile(province([
      'deadlines:',
      '  publication:',
      '    workingDays: { INSPECTION: 10 }',
      'correction:',
      '  excludedOutcomes: [WITHDRAWN]',
    ].join('\n')), FUJIAN, defaults);
    expect(fujian.deadlines.publication.workingDays).toEqual({ LICENSING: 7, PENALTY: 7, INSPECTION: 10, default: 20 });
    expect(fujian.correction.excludedOutcomes).toEqual(['WITHDRAWN']);
    expect(fujian.correction.separatelyCountedOutcomes).toEqual(defaults.correction.separatelyCountedOutcomes);
  });
});

describe('invalid profiles are refused with the file, the path and the reason', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'policy-profiles-'));
    fs.copyFileSync(path.join(policyProfilesDir, 'default.yaml'), path.join(dir, 'default.yaml'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('unparseable YAML names the file, line and column', () => {
    fs.writeFileSync(path.join(dir, 'fujian.yaml'), province('ranking:\n  components: [1, 2\nprivacy: {}\n'));
    expect(() => loadPolicyProfile({ name: 'fujian', dir })).toThrow(
      expect.objectContaining({ code: 'PROFILE_INVALID', message: expect.stringMatching(/fujian\.yaml:5:1: YAML syntax error: /) }),
    );
  });

  test('a duplicated key is a syntax error, not a silent override', () => {
    expect(errorOf(province('handling:\n  minimumHandlers: 2\n  minimumHandlers: 1\n')).message)
      .toMatch(/^policy\/profiles\/fujian\.yaml:5:3: YAML syntax error: .*unique/);
  });

  test('a value of the wrong type names its path and the value', () => {
    const error = errorOf(province([
      'ranking:',
      '  components:',
      '    - { indicator: publicationTimeliness, weight: 25, direction: higher }',
      '    - { indicator: reviewCoverage, weight: 25, direction: higher }',
      '    - { indicator: correctionRate, weight: abc, direction: lower }',
    ].join('\n')));
    expect(error).toBeInstanceOf(InvalidValueError);
    expect(error.code).toBe('PROFILE_INVALID');
    expect(error.message).toBe(
      'policy/profiles/fujian.yaml: ranking.components[2].weight: expected a non-negative number, got "abc" (line 7)',
    );
  });

  test('an unknown action type among the deadline keys is named, with the known ones', () => {
    const error = errorOf(province('deadlines:\n  publication:\n    workingDays:\n      PENALTI: 7\n'));
    expect(error.message).toBe(
      'policy/profiles/fujian.yaml: deadlines.publication.workingDays.PENALTI: unknown action type ' +
        '(known: LICENSING, PENALTY, COERCION, INSPECTION, EXPROPRIATION, CONFIRMATION, BENEFIT, OTHER, default) (line 6)',
    );
  });

  test('an unknown code in a list is named with its position', () => {
    const error = errorOf(province('correction:\n  correctedOutcomes: [REVOKED, OVERTURNED]\n'));
    expect(error.message).toMatch(/fujian\.yaml: correction\.correctedOutcomes\[1\]: unknown appeal outcome "OVERTURNED" \(known: UPHELD, /);
  });

  test('a Chinese label where a code belongs is answered with the code', () => {
    const error = errorOf(province('evaluation:\n  passingGrades: [优秀, PASS]\n'));
    expect(error.message).toContain('evaluation.passingGrades[0]: write the code EXCELLENT, not its label "优秀"');
  });

  test('an unknown key is named, so that a misspelt section is not silently ignored', () => {
    const error = errorOf(province('ranking:\n  minimumDecision: 10\n'));
    expect(error.message).toBe(
      'policy/profiles/fujian.yaml: ranking.minimumDecision: unknown key (known: components, wilsonZ, minimumDecisions, ties) (line 4)',
    );
  });

  test('every problem of a file is reported at once', () => {
    const error = errorOf(province('handling:\n  minimumHandlers: 0\nannualReport:\n  submitBy: \'02-29\'\n'));
    expect(error.message.split('\n')).toEqual([
      'policy/profiles/fujian.yaml: handling.minimumHandlers: expected a whole number of at least 1, got 0 (line 4)',
      "policy/profiles/fujian.yaml: annualReport.submitBy: expected a month-day 'MM-DD' that exists every year, got \"02-29\" (line 6)",
    ]);
  });

  test('ranking weights may not all be zero', () => {
    const error = errorOf(province('ranking:\n  components:\n    - { indicator: reviewCoverage, weight: 0, direction: higher }\n'));
    expect(error.message).toContain('ranking.components: every weight is 0');
  });

  test('display-period rule sets must be in ascending order of real effective dates', () => {
    const rule = '{ effectiveFrom: DATE, rules: [{ when: {}, period: null }] }';
    const twoSets = (first: string, second: string) =>
      province(`publication:\n  displayPeriods:\n    - ${rule.replace('DATE', first)}\n    - ${rule.replace('DATE', second)}\n`);
    expect(errorOf(twoSets("'2024-01-01'", "'2023-01-01'")).message)
      .toContain('publication.displayPeriods[1].effectiveFrom: expected a date after 2024-01-01');
    expect(errorOf(twoSets("'2024-01-01'", "'2024-02-30'")).message)
      .toContain('publication.displayPeriods[1].effectiveFrom: expected a real date \'YYYY-MM-DD\', got "2024-02-30"');
  });

  test('the last display-period rule must match every decision', () => {
    const error = errorOf(province([
      'publication:',
      '  displayPeriods:',
      "    - effectiveFrom: '2021-09-01'",
      '      rules:',
      '        - { when: { actionTypes: [PENALTY] }, period: { unit: years, count: 3 } }',
    ].join('\n')));
    expect(error.message).toContain('publication.displayPeriods[0].rules[0].when: the last rule must match every decision');
  });

  test('an outcome cannot be both corrected and excluded from the correction denominator', () => {
    const error = errorOf(province('correction:\n  excludedOutcomes: [WITHDRAWN, REVOKED]\n'));
    expect(error.message).toContain('correction.excludedOutcomes: REVOKED cannot be both corrected and excluded');
  });

  test('a party type may have only one fine threshold', () => {
    const error = errorOf(province([
      'majorDecision:',
      '  fineThresholds:',
      '    - { partyTypes: [PERSON], minAmountYuan: 10000 }',
      '    - { partyTypes: [SOLE_TRADER, PERSON], minAmountYuan: 50000 }',
    ].join('\n')));
    expect(error.message).toContain('majorDecision.fineThresholds[1].partyTypes: PERSON already has a threshold at [0]');
  });

  test('amounts are exact yuan: no more than two decimals', () => {
    const error = errorOf(province('majorDecision:\n  fineThresholds:\n    - { partyTypes: [PERSON], minAmountYuan: 10000.005 }\n'));
    expect(error.message).toContain('majorDecision.fineThresholds[0].minAmountYuan: expected at most 2 decimals');
  });

  test('a profile file must state its own name', () => {
    expect(errorOf('extends: default\nranking:\n  minimumDecisions: 5\n').message)
      .toBe('policy/profiles/fujian.yaml: name: missing (every profile file states its own name)');
  });

  test('a complete profile without `extends` lists the missing sections and suggests extending the default', () => {
    const error = errorOf('name: fujian\nranking:\n  minimumDecisions: 5\n', null);
    expect(error.message).toContain('policy/profiles/fujian.yaml: deadlines: missing');
    expect(error.message).toContain("starts with 'extends: default'");
  });

  test('a profile whose base does not exist is refused naming the base and the profiles available', () => {
    fs.writeFileSync(path.join(dir, 'fujian.yaml'), 'extends: defualt\nname: fujian\n');
    expect(() => loadPolicyProfile({ name: 'fujian', dir })).toThrow(/fujian\.yaml: extends: no profile "defualt" in .* \(available: default, fujian\)/);
  });

  test('a profile whose name differs from its file name is refused', () => {
    fs.writeFileSync(path.join(dir, 'fujian.yaml'), province('', 'fujian-2024'));
    expect(() => loadPolicyProfile({ name: 'fujian', dir })).toThrow(/fujian\.yaml: name: expected "fujian" \(the file's name\), got "fujian-2024"/);
  });

  test('a profile that extends itself through another is refused as a cycle', () => {
    fs.writeFileSync(path.join(dir, 'a.yaml'), 'extends: b\nname: a\n');
    fs.writeFileSync(path.join(dir, 'b.yaml'), 'extends: a\nname: b\n');
    expect(() => loadPolicyProfile({ name: 'a', dir })).toThrow(/extends: a → b → a is a cycle/);
  });

  test('an unknown profile name is refused with the profiles available', () => {
    expect(() => loadPolicyProfile({ name: 'fujain' })).toThrow(
      expect.objectContaining({ code: 'PROFILE_NOT_FOUND', message: expect.stringMatching(/available in policy\/profiles: default, inner-mongolia-example, quanzhou-example/) }),
    );
  });

  test('mergeProfiles refuses an override that breaks a rule', () => {
    expect(() => mergeProfiles(defaults, { ranking: { minimumDecisions: -1 } })).toThrow(
      /override of profile default: ranking\.minimumDecisions: expected a non-negative whole number, got -1/,
    );
  });
});
