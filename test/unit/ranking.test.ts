import { InvalidValueError } from '../../src/domain/errors';
import { loadPolicyProfile, type IndicatorName, type RankingPolicy } from '../../src/domain/profile/policy-profile';
import { canonicalJson } from '../../src/domain/canonical-json';
import {
  RANKING_INPUT_INVALID, rankUnits, type RankedComponent, type RankedEntry, type RankingRate, type RankingUnit,
} from '../../src/domain/ranking/rank-units';
import { wilsonInterval } from '../../src/domain/ranking/wilson';

const Z95 = 1.96;

/** Figures as the indicator engine gives them: rate = numerator / denominator, null for 0 / 0. */
function rate(numerator: number, denominator: number): RankingRate {
  return { numerator, denominator, rate: denominator === 0 ? null : numerator / denominator };
}

function aUnit({
  key, label, decisions = 100, indicators = {},
}: { key: string; label?: string; decisions?: number; indicators?: RankingUnit['indicators'] }): RankingUnit {
  return { key, ...(label === undefined ? {} : { label }), decisions, indicators };
}

/** Three components on the profile's scale; tests that need others say so. */
function aPolicy(overrides: Partial<RankingPolicy> = {}): RankingPolicy {
  return {
    components: [
      { indicator: 'publicationTimeliness', weight: 25, direction: 'higher' },
      { indicator: 'reviewCoverage', weight: 25, direction: 'higher' },
      { indicator: 'correctionRate', weight: 20, direction: 'lower' },
    ],
    wilsonZ: Z95,
    minimumDecisions: 20,
    ties: 'competition',
    ...overrides,
  };
}

/** Only publication timeliness counts: the acceptance rule is stated on it. */
const timelinessOnly = aPolicy({ components: [{ indicator: 'publicationTimeliness', weight: 1, direction: 'higher' }] });

function entryFor(entries: readonly RankedEntry[], key: string): RankedEntry {
  const entry = entries.find((e) => e.key === key);
  if (entry === undefined) throw new Error(`no entry ${key} in ${entries.map((e) => e.key).join(', ')}`);
  return entry;
}

function componentOf(entry: RankedEntry, indicator: IndicatorName): RankedComponent {
  const component = entry.components.find((c) => c.indicator === indicator);
  if (component === undefined) throw new Error(`entry ${entry.key} has no component ${indicator}`);
  return component;
}

function ranksOf(entries: readonly RankedEntry[]): Record<string, number | null> {
  return Object.fromEntries(entries.map((e) => [e.key, e.rank]));
}

function inputErrorOf(run: () => unknown): InvalidValueError {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidValueError) return error;
    throw error;
  }
  throw new Error('expected the ranking input to be refused');
}

describe('Wilson score interval', () => {
  test('98 of 100 at z = 1.96 is [0.9300, 0.9945]', () => {
    const { lower, upper } = wilsonInterval(98, 100, Z95);
    expect(lower).toBeCloseTo(0.9300, 4);
    expect(upper).toBeCloseTo(0.9945, 4);
  });

  test('3 of 3 has lower bound n / (n + z²) ≈ 0.4385 and upper bound 1', () => {
    const { lower, upper } = wilsonInterval(3, 3, Z95);
    expect(lower).toBeCloseTo(3 / (3 + Z95 * Z95), 12);
    expect(lower).toBeCloseTo(0.4385, 4);
    expect(upper).toBe(1);
  });

  test('0 of 10 has lower bound exactly 0 (not a rounding hair below) and upper bound z² / (n + z²)', () => {
    const { lower, upper } = wilsonInterval(0, 10, Z95);
    expect(lower).toBe(0);
    expect(upper).toBeCloseTo((Z95 * Z95) / (10 + Z95 * Z95), 12);
  });

  test('a higher confidence (z = 2.576, 99%) widens the interval', () => {
    const at95 = wilsonInterval(98, 100, Z95);
    const at99 = wilsonInterval(98, 100, 2.576);
    expect(at99.lower).toBeLessThan(at95.lower);
    expect(at99.upper).toBeGreaterThan(at95.upper);
  });

  test('no trials is refused with the advice to leave the rate out', () => {
    expect(() => wilsonInterval(0, 0, Z95)).toThrow(/trials must be a whole number above 0, got 0.*leave the rate out/);
  });

  test('more successes than trials, a rate in place of a count, or a non-positive z are refused', () => {
    expect(() => wilsonInterval(11, 10, Z95)).toThrow('successes must be a whole number from 0 to trials (10), got 11');
    expect(() => wilsonInterval(0.98, 1, Z95)).toThrow('successes must be a whole number from 0 to trials (1), got 0.98');
    expect(() => wilsonInterval(1, 2, 0)).toThrow('z must be a positive number (1.96 for 95% confidence), got 0');
  });
});

describe('rankUnits: small samples do not win (DOMAIN.md §5 acceptance)', () => {
  const small = aUnit({ key: 'small', decisions: 3, indicators: { publicationTimeliness: rate(3, 3) } });
  const large = aUnit({ key: 'large', decisions: 500, indicators: { publicationTimeliness: rate(490, 500) } });

  test('under the default profile (minimum 20 decisions) the 3-decision unit is 样本不足 and the 500-decision unit ranks first', () => {
    const policy = loadPolicyProfile().ranking;
    expect(policy.minimumDecisions).toBe(20);
    const entries = rankUnits([small, large], policy);
    expect(entryFor(entries, 'large')).toMatchObject({ status: 'RANKED', rank: 1 });
    expect(entryFor(entries, 'small')).toMatchObject({ status: 'INSUFFICIENT_SAMPLE', rank: null, score: null });
  });

  test('with no minimum, the Wilson lower bound alone keeps 3 of 3 on time below 490 of 500', () => {
    // On raw rates the small unit would win: 100% against 98%.
    expect(small.indicators.publicationTimeliness!.rate).toBeGreaterThan(large.indicators.publicationTimeliness!.rate!);
    const entries = rankUnits([small, large], { ...loadPolicyProfile().ranking, minimumDecisions: 0 });
    expect(ranksOf(entries)).toEqual({ large: 1, small: 2 });
    expect(entryFor(entries, 'small').score).toBeCloseTo(43.85, 2);
    expect(entryFor(entries, 'large').score).toBeCloseTo(96.36, 2);
  });
});

describe('rankUnits: component scores', () => {
  test('a higher-is-better rate enters as 100 × its Wilson lower bound', () => {
    const [entry] = rankUnits([aUnit({ key: 'a', indicators: { publicationTimeliness: rate(98, 100) } })], aPolicy());
    const timeliness = componentOf(entry!, 'publicationTimeliness');
    expect(timeliness).toMatchObject({ numerator: 98, denominator: 100, rate: 0.98, direction: 'higher', weight: 25 });
    expect(timeliness.bound).toBe(wilsonInterval(98, 100, Z95).lower);
    expect(timeliness.componentScore).toBeCloseTo(93.00, 2);
  });

  test('correction rate (lower is better) enters as 100 × (1 − its Wilson upper bound)', () => {
    const [entry] = rankUnits([aUnit({ key: 'a', indicators: { correctionRate: rate(2, 50) } })], aPolicy());
    const correction = componentOf(entry!, 'correctionRate');
    expect(correction.bound).toBe(wilsonInterval(2, 50, Z95).upper);
    expect(correction.bound).toBeCloseTo(0.1346, 4);
    expect(correction.componentScore).toBeCloseTo(86.54, 2);
  });

  test('fewer corrections rank higher, and 0 corrected of 2 does not beat 1 of 100', () => {
    const policy = aPolicy({ minimumDecisions: 0, components: [{ indicator: 'correctionRate', weight: 20, direction: 'lower' }] });
    const entries = rankUnits([
      aUnit({ key: 'none-of-2', indicators: { correctionRate: rate(0, 2) } }),
      aUnit({ key: 'one-of-100', indicators: { correctionRate: rate(1, 100) } }),
      aUnit({ key: 'ten-of-100', indicators: { correctionRate: rate(10, 100) } }),
    ], policy);
    expect(ranksOf(entries)).toEqual({ 'one-of-100': 1, 'ten-of-100': 2, 'none-of-2': 3 });
  });
});

describe('rankUnits: an indicator without a denominator is left out and the weights re-normalised', () => {
  test('a denominator of 0 neither scores 0 nor counts: the score is the weighted mean of the other components', () => {
    const [entry] = rankUnits([aUnit({
      key: 'a',
      indicators: { publicationTimeliness: rate(90, 100), reviewCoverage: rate(0, 0), correctionRate: rate(5, 40) },
    })], aPolicy());
    const timeliness = componentOf(entry!, 'publicationTimeliness');
    const correction = componentOf(entry!, 'correctionRate');
    expect(componentOf(entry!, 'reviewCoverage')).toMatchObject({
      numerator: 0, denominator: 0, rate: null, bound: null, componentScore: null, weight: 25, effectiveWeight: 0,
    });
    expect(timeliness.effectiveWeight).toBeCloseTo(25 / 45, 12);
    expect(correction.effectiveWeight).toBeCloseTo(20 / 45, 12);
    expect(entry!.score).toBeCloseTo((25 * timeliness.componentScore! + 20 * correction.componentScore!) / 45, 10);
  });

  test('an indicator the unit has no figures for is left out the same way, and shown without figures', () => {
    const [entry] = rankUnits([aUnit({ key: 'a', indicators: { publicationTimeliness: rate(90, 100) } })], aPolicy());
    expect(componentOf(entry!, 'correctionRate')).toMatchObject({
      numerator: null, denominator: null, rate: null, componentScore: null, effectiveWeight: 0,
    });
    expect(componentOf(entry!, 'publicationTimeliness').effectiveWeight).toBe(1);
    expect(entry!.score).toBe(componentOf(entry!, 'publicationTimeliness').componentScore);
  });

  test('a unit with enough decisions but no weighted figures has no score and is listed, not ranked', () => {
    const policy = aPolicy({
      components: [
        { indicator: 'publicationTimeliness', weight: 25, direction: 'higher' },
        { indicator: 'evaluationPassRate', weight: 0, direction: 'higher' },
      ],
    });
    const entries = rankUnits([
      aUnit({ key: 'empty', indicators: { publicationTimeliness: rate(0, 0) } }),
      aUnit({ key: 'weightless', indicators: { evaluationPassRate: rate(9, 10) } }),
      aUnit({ key: 'scored', indicators: { publicationTimeliness: rate(9, 10) } }),
    ], policy);
    expect(entryFor(entries, 'empty')).toMatchObject({ status: 'NO_SCORE', rank: null, score: null });
    // A weight of 0 is figures shown, never a score.
    expect(entryFor(entries, 'weightless')).toMatchObject({ status: 'NO_SCORE', rank: null, score: null });
    expect(componentOf(entryFor(entries, 'weightless'), 'evaluationPassRate').componentScore).not.toBeNull();
    expect(entryFor(entries, 'scored')).toMatchObject({ status: 'RANKED', rank: 1 });
  });
});

describe('rankUnits: ties share a rank', () => {
  const units = [
    aUnit({ key: 'best', indicators: { publicationTimeliness: rate(99, 100) } }),
    aUnit({ key: 'tied-b', indicators: { publicationTimeliness: rate(90, 100) } }),
    aUnit({ key: 'tied-a', indicators: { publicationTimeliness: rate(90, 100) } }),
    aUnit({ key: 'worst', indicators: { publicationTimeliness: rate(50, 100) } }),
  ];

  test('competition ranking gives 1, 2, 2, 4', () => {
    expect(ranksOf(rankUnits(units, { ...timelinessOnly, ties: 'competition' }))).toEqual({ best: 1, 'tied-a': 2, 'tied-b': 2, worst: 4 });
  });

  test('dense ranking gives 1, 2, 2, 3', () => {
    expect(ranksOf(rankUnits(units, { ...timelinessOnly, ties: 'dense' }))).toEqual({ best: 1, 'tied-a': 2, 'tied-b': 2, worst: 3 });
  });

  test('scores equal but for floating-point noise share a rank', () => {
    // The same three component scores summed in the opposite order differ in the last bits.
    const policy = aPolicy({
      components: [
        { indicator: 'publicationTimeliness', weight: 1, direction: 'higher' },
        { indicator: 'reviewCoverage', weight: 1, direction: 'higher' },
        { indicator: 'recordingCompliance', weight: 1, direction: 'higher' },
      ],
    });
    const entries = rankUnits([
      aUnit({ key: 'forward', indicators: { publicationTimeliness: rate(1, 10), reviewCoverage: rate(2, 10), recordingCompliance: rate(6, 10) } }),
      aUnit({ key: 'backward', indicators: { publicationTimeliness: rate(6, 10), reviewCoverage: rate(2, 10), recordingCompliance: rate(1, 10) } }),
    ], policy);
    expect(entryFor(entries, 'forward').score).not.toBe(entryFor(entries, 'backward').score);
    expect(ranksOf(entries)).toEqual({ forward: 1, backward: 1 });
  });
});

describe('rankUnits: 样本不足 and the order of the list', () => {
  const policy = aPolicy({ minimumDecisions: 20 });
  const entries = rankUnits([
    aUnit({ key: 'n-no-score', decisions: 40 }),
    aUnit({ key: 'e-few', decisions: 19, label: '某县', indicators: { publicationTimeliness: rate(19, 19), correctionRate: rate(0, 1) } }),
    aUnit({ key: 'c-second', decisions: 20, indicators: { publicationTimeliness: rate(80, 100) } }),
    aUnit({ key: 'b-first', decisions: 300, indicators: { publicationTimeliness: rate(95, 100) } }),
    aUnit({ key: 'a-second', decisions: 50, indicators: { publicationTimeliness: rate(80, 100) } }),
    aUnit({ key: 'd-few', decisions: 0 }),
  ], policy);

  test('a unit with fewer decisions than the minimum is 样本不足, listed with its figures but no rank or score', () => {
    const few = entryFor(entries, 'e-few');
    expect(few).toMatchObject({ status: 'INSUFFICIENT_SAMPLE', rank: null, score: null, label: '某县', decisions: 19 });
    expect(componentOf(few, 'publicationTimeliness')).toMatchObject({ numerator: 19, denominator: 19, rate: 1 });
    expect(componentOf(few, 'publicationTimeliness').componentScore).toBeCloseTo(100 * wilsonInterval(19, 19, Z95).lower, 10);
    // 样本不足 comes before NO_SCORE: a unit without decisions has no figures either, and is still 样本不足.
    expect(entryFor(entries, 'd-few')).toMatchObject({ status: 'INSUFFICIENT_SAMPLE', rank: null });
  });

  test('exactly the minimum number of decisions is enough to be ranked, and 样本不足 units take no rank place', () => {
    expect(ranksOf(entries)).toMatchObject({ 'b-first': 1, 'a-second': 2, 'c-second': 2 });
  });

  test('ranked units by rank then key, then 样本不足 by key, then units without a score by key', () => {
    expect(entries.map((e) => [e.key, e.status])).toEqual([
      ['b-first', 'RANKED'], ['a-second', 'RANKED'], ['c-second', 'RANKED'],
      ['d-few', 'INSUFFICIENT_SAMPLE'], ['e-few', 'INSUFFICIENT_SAMPLE'],
      ['n-no-score', 'NO_SCORE'],
    ]);
  });

  test('a unit without a label carries label null, so the stored form does not depend on how it was built', () => {
    expect(entryFor(entries, 'b-first').label).toBeNull();
  });
});

describe('rankUnits: determinism and policy', () => {
  const units = [
    aUnit({ key: '350503', indicators: { publicationTimeliness: rate(90, 100), reviewCoverage: rate(30, 40), correctionRate: rate(1, 12) } }),
    aUnit({ key: '350502', indicators: { publicationTimeliness: rate(90, 100), reviewCoverage: rate(30, 40), correctionRate: rate(1, 12) } }),
    aUnit({ key: '350504', indicators: { publicationTimeliness: rate(70, 100), reviewCoverage: rate(0, 0) } }),
    aUnit({ key: '350505', decisions: 5, indicators: { publicationTimeliness: rate(5, 5) } }),
    aUnit({ key: '350521', indicators: {} }),
  ];

  test('the same units in any order give the same list, byte for byte once serialised', () => {
    const once = canonicalJson(rankUnits(units, aPolicy()));
    expect(canonicalJson(rankUnits([...units].reverse(), aPolicy()))).toBe(once);
    expect(canonicalJson(rankUnits([units[2]!, units[0]!, units[4]!, units[1]!, units[3]!], aPolicy()))).toBe(once);
    expect(canonicalJson(rankUnits(units, aPolicy()))).toBe(once);
    // The serialised form loses nothing: it reads back to the entries.
    expect(JSON.parse(once)).toEqual(rankUnits(units, aPolicy()));
  });

  test('changing a weight in the policy changes the order', () => {
    const pair = [
      aUnit({ key: 'punctual', indicators: { publicationTimeliness: rate(98, 100), reviewCoverage: rate(60, 100) } }),
      aUnit({ key: 'reviewed', indicators: { publicationTimeliness: rate(60, 100), reviewCoverage: rate(98, 100) } }),
    ];
    const weighted = (timeliness: number, review: number): RankingPolicy => aPolicy({
      components: [
        { indicator: 'publicationTimeliness', weight: timeliness, direction: 'higher' },
        { indicator: 'reviewCoverage', weight: review, direction: 'higher' },
      ],
    });
    expect(ranksOf(rankUnits(pair, weighted(30, 20)))).toEqual({ punctual: 1, reviewed: 2 });
    expect(ranksOf(rankUnits(pair, weighted(20, 30)))).toEqual({ punctual: 2, reviewed: 1 });
  });
});

describe('rankUnits: figures that do not add up are refused, naming the unit and indicator', () => {
  test('a key given twice', () => {
    const error = inputErrorOf(() => rankUnits([aUnit({ key: '350503' }), aUnit({ key: '350503' })], aPolicy()));
    expect(error.code).toBe(RANKING_INPUT_INVALID);
    expect(error.message).toBe('ranking unit "350503": the key appears more than once; a unit is ranked once');
  });

  test('a numerator above its denominator', () => {
    const error = inputErrorOf(() => rankUnits([aUnit({ key: '350503', indicators: { reviewCoverage: rate(12, 10) } })], aPolicy()));
    expect(error.message).toBe('ranking unit "350503": reviewCoverage: numerator 12 exceeds its denominator 10');
  });

  test('a rate that is not numerator / denominator', () => {
    const error = inputErrorOf(() => rankUnits([
      aUnit({ key: '350503', indicators: { reviewCoverage: { numerator: 9, denominator: 10, rate: 0.8 } } }),
    ], aPolicy()));
    expect(error.message).toBe('ranking unit "350503": reviewCoverage: rate 0.8 is not 9 / 10 = 0.9');
  });

  test('an indicator name that is not one of the hub\'s', () => {
    const unit = { key: '350503', decisions: 30, indicators: { reviewCoverge: rate(1, 2) } } as unknown as RankingUnit;
    expect(inputErrorOf(() => rankUnits([unit], aPolicy())).message).toMatch(/^ranking unit "350503": unknown indicator "reviewCoverge" \(known: publicationTimeliness, /);
  });
});

describe('canonicalJson', () => {
  test('object keys are sorted at every level, arrays keep their order, and there is no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }, 'x'], c: null } })).toBe('{"a":{"c":null,"d":[{"y":2,"z":1},"x"]},"b":1}');
  });

  test('keys sort by code unit, the same on every machine (upper case before lower case, CJK last)', () => {
    expect(canonicalJson({ 县: 1, a: 2, Z: 3 })).toBe('{"Z":3,"a":2,"县":1}');
  });

  test('the same value built in a different key order gives the same text', () => {
    expect(canonicalJson({ rank: 1, key: '350503', score: 96.35794314459021 }))
      .toBe(canonicalJson({ score: 96.35794314459021, key: '350503', rank: 1 }));
  });

  test('numbers are JSON numbers in full precision, strings are escaped as JSON', () => {
    expect(canonicalJson([96.35794314459021, 1e-7, 0, -0, 20, '引号"与\\'])).toBe('[96.35794314459021,1e-7,0,0,20,"引号\\"与\\\\"]');
  });

  test('a property whose value is undefined is left out, as in JSON', () => {
    expect(canonicalJson({ label: undefined, key: 'a' })).toBe('{"key":"a"}');
  });

  test('NaN and Infinity are refused, naming where they are', () => {
    expect(() => canonicalJson({ entries: [{ score: NaN }] })).toThrow('canonicalJson: at $.entries[0].score: NaN is not a JSON number');
    expect(() => canonicalJson({ 'a b': Infinity })).toThrow('canonicalJson: at $["a b"]: Infinity is not a JSON number');
  });

  test('undefined in an array, or a hole, is refused rather than written as null', () => {
    expect(() => canonicalJson({ ranks: [1, undefined] })).toThrow('canonicalJson: at $.ranks[1]: undefined is not JSON');
    // eslint-disable-next-line no-sparse-arrays
    expect(() => canonicalJson([1, , 3])).toThrow('canonicalJson: at $[1]: undefined is not JSON');
  });

  test('Maps, Dates, bigints and cycles are refused rather than written as {} or a guess', () => {
    expect(() => canonicalJson({ m: new Map() })).toThrow('canonicalJson: at $.m: Map is not a plain object');
    expect(() => canonicalJson({ asOf: new Date(0) })).toThrow('canonicalJson: at $.asOf: Date is not a plain object');
    expect(() => canonicalJson({ n: 1n })).toThrow('canonicalJson: at $.n: a bigint is not JSON');
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => canonicalJson(cycle)).toThrow('canonicalJson: at $.self: the value contains itself');
  });

  test('a value shared by two properties (not a cycle) is written twice', () => {
    const shared = { n: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"n":1},"b":{"n":1}}');
  });
});
