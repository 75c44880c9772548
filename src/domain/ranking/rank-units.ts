import { InvalidValueError } from '../errors';
import { IndicatorNames, type IndicatorName, type RankingComponent, type RankingPolicy } from '../profile/policy-profile';
import { wilsonInterval } from './wilson';

/**
 * The ranking rules of DOMAIN.md §5 (法治政府建设考评): units (regions of one level, or agencies) scored on the
 * weighted indicators of the profile's `ranking:` section, with small samples kept from winning. Pure: the
 * indicator figures come in, the ranked list goes out; whoever freezes a ranking stores both.
 */

/**
 * One indicator of one unit. Structurally the contract's `Rate` (src/metrics/indicators/indicator-engine.ts)
 * so the engine's output can be passed straight in; declared here because domain rules do not import metrics.
 */
export interface RankingRate {
  numerator: number;
  denominator: number;
  /** null when the denominator is 0 */
  rate: number | null;
}

export interface RankingUnit {
  /** region code or agency USCC; unique within one ranking, and the tie-break of the order */
  key: string;
  label?: string;
  /** decisions of the period: below `policy.minimumDecisions` the unit is 样本不足 */
  decisions: number;
  indicators: Partial<Record<IndicatorName, RankingRate>>;
}

/**
 * RANKED: has a rank. INSUFFICIENT_SAMPLE: 样本不足, fewer decisions than the minimum; listed, not ranked.
 * NO_SCORE: enough decisions, but no weighted component has data (see scoreOf), so there is nothing to rank on.
 */
export type RankingStatus = 'RANKED' | 'INSUFFICIENT_SAMPLE' | 'NO_SCORE';

export interface RankedComponent {
  indicator: IndicatorName;
  /** the profile's weight, as written */
  weight: number;
  /**
   * This component's share of the unit's score after re-normalisation, 0–1: weight / Σ weights of the unit's
   * present components. 0 when the component is left out (denominator 0 or no figures) or no weight is present.
   */
  effectiveWeight: number;
  direction: RankingComponent['direction'];
  /** null when the unit has no figures for the indicator at all (as opposed to 0 of 0) */
  numerator: number | null;
  denominator: number | null;
  rate: number | null;
  /**
   * The Wilson bound that entered the score: the lower bound for `higher` (a good rate counts only as good as
   * it surely is), the upper bound for `lower` (a bad rate counts as bad as it may be). null when left out.
   */
  bound: number | null;
  /** 0–100: 100 × bound for `higher`, 100 × (1 − bound) for `lower`; null when left out. Full precision. */
  componentScore: number | null;
}

export interface RankedEntry {
  key: string;
  label: string | null;
  decisions: number;
  status: RankingStatus;
  /** null unless RANKED */
  rank: number | null;
  /**
   * 0–100, Σ weight × componentScore / Σ weight over present components, in full precision: the caller rounds
   * for display, so that a frozen ranking keeps the figure the rank was decided on. null unless RANKED — a
   * 样本不足 unit's score printed beside ranked scores would place it in the table after all.
   */
  score: number | null;
  /** one per policy component, in the policy's order; figures are shown whatever the status */
  components: RankedComponent[];
}

export const RANKING_INPUT_INVALID = 'RANKING_INPUT_INVALID';

/**
 * Scores are compared rounded to this many decimals, so that two units whose scores agree mathematically but
 * were summed in a different order (floating-point noise around 1e-14) share a rank instead of being split.
 * Six decimals of a 0–100 score is far finer than any real difference between units. Not profile data: it is
 * a guard against arithmetic noise, not a rule a province chooses.
 */
export const TIE_DECIMALS = 6;
const TIE_SCALE = 10 ** TIE_DECIMALS;

const STATUS_ORDER: Record<RankingStatus, number> = { RANKED: 0, INSUFFICIENT_SAMPLE: 1, NO_SCORE: 2 };

/** Relative tolerance when checking a given rate against numerator / denominator (JSON round trips are exact). */
const RATE_TOLERANCE = 1e-9;

function invalid(unit: RankingUnit | undefined, value: unknown, problem: string): InvalidValueError {
  const where = unit === undefined ? 'ranking input' : `ranking unit ${JSON.stringify(unit.key)}`;
  return new InvalidValueError(RANKING_INPUT_INVALID, value, `${where}: ${problem}`);
}

function isWholeCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** Figures that do not add up would give a score that contradicts the figures shown beside it. */
function checkUnit(unit: RankingUnit): void {
  if (typeof unit.key !== 'string' || unit.key === '') throw invalid(undefined, unit.key, `every unit needs a non-empty key (region code or USCC), got ${JSON.stringify(unit.key)}`);
  if (!isWholeCount(unit.decisions)) throw invalid(unit, unit.decisions, `decisions must be a whole number of decisions, got ${unit.decisions}`);
  for (const [name, figures] of Object.entries(unit.indicators)) {
    if (!(IndicatorNames as readonly string[]).includes(name)) {
      throw invalid(unit, name, `unknown indicator ${JSON.stringify(name)} (known: ${IndicatorNames.join(', ')})`);
    }
    if (figures === undefined) continue;
    const { numerator, denominator, rate } = figures;
    if (!isWholeCount(numerator) || !isWholeCount(denominator)) {
      throw invalid(unit, figures, `${name}: numerator and denominator must be whole counts, got ${numerator} / ${denominator}`);
    }
    if (numerator > denominator) {
      throw invalid(unit, figures, `${name}: numerator ${numerator} exceeds its denominator ${denominator}`);
    }
    if (denominator === 0) {
      if (rate !== null) throw invalid(unit, figures, `${name}: the rate of 0 / 0 must be null, got ${rate}`);
    } else if (typeof rate !== 'number' || Math.abs(rate - numerator / denominator) > RATE_TOLERANCE) {
      throw invalid(unit, figures, `${name}: rate ${rate} is not ${numerator} / ${denominator} = ${numerator / denominator}`);
    }
  }
}

function componentOf(component: RankingComponent, figures: RankingRate | undefined, z: number): RankedComponent {
  const base = {
    indicator: component.indicator,
    weight: component.weight,
    effectiveWeight: 0,
    direction: component.direction,
    numerator: figures?.numerator ?? null,
    denominator: figures?.denominator ?? null,
    rate: figures?.rate ?? null,
  };
  // DOMAIN.md §5: an indicator whose own denominator is 0 is left out, not scored 0 (which would punish a
  // unit for having no appeals, say) and not scored 100 (which would reward it for the same).
  if (figures === undefined || figures.denominator === 0) return { ...base, bound: null, componentScore: null };
  const interval = wilsonInterval(figures.numerator, figures.denominator, z);
  const bound = component.direction === 'higher' ? interval.lower : interval.upper;
  const componentScore = component.direction === 'higher' ? 100 * bound : 100 * (1 - bound);
  return { ...base, bound, componentScore };
}

/**
 * The weighted score over the components with data, re-normalising the weights among them; null when no
 * component with a weight above 0 has data. Such a unit is not ranked: any score given to it (0, 100, the
 * average) would be invented, and it would rank the unit on data it does not have.
 */
function scoreOf(components: RankedComponent[]): number | null {
  const present = components.filter((c) => c.componentScore !== null);
  const totalWeight = present.reduce((sum, c) => sum + c.weight, 0);
  if (totalWeight <= 0) return null;
  for (const c of present) c.effectiveWeight = c.weight / totalWeight;
  return present.reduce((sum, c) => sum + c.weight * c.componentScore!, 0) / totalWeight;
}

/** Code-unit order: the same everywhere, unlike localeCompare, so a frozen ranking re-runs byte-identical. */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The rank of the first entry of a new score; `index` counts the ranked entries before it (they come first). */
function nextRank(ties: RankingPolicy['ties'], previousRank: number, index: number): number {
  switch (ties) {
    case 'competition': return index + 1; // 1, 2, 2, 4: a place is used up by each unit that shares it
    case 'dense': return previousRank + 1; // 1, 2, 2, 3
    default: throw invalid(undefined, ties, `ties must be 'competition' or 'dense', got ${JSON.stringify(ties satisfies never)}`);
  }
}

function tieKey(score: number): number {
  return Math.round(score * TIE_SCALE);
}

/**
 * Ranks `units` under `policy` (DOMAIN.md §5):
 * - each component's rate enters as the conservative end of its Wilson interval at `policy.wilsonZ`;
 * - a component with no figures or a denominator of 0 is left out and the other weights re-normalised;
 * - a unit with fewer than `policy.minimumDecisions` decisions is 样本不足 (checked first: a unit with too few
 *   decisions is 样本不足 whether or not it has figures); a unit without any weighted figures is NO_SCORE;
 * - ties, decided on the score rounded to TIE_DECIMALS, share a rank by `policy.ties`.
 *
 * Order: RANKED by rank then key, then INSUFFICIENT_SAMPLE by key, then NO_SCORE by key. The input order does
 * not matter, so the same units and policy always give the same list, byte for byte once serialised.
 * Throws InvalidValueError (RANKING_INPUT_INVALID) for duplicate keys or figures that do not add up.
 */
export function rankUnits(units: readonly RankingUnit[], policy: RankingPolicy): RankedEntry[] {
  const seen = new Set<string>();
  for (const unit of units) {
    checkUnit(unit);
    if (seen.has(unit.key)) throw invalid(unit, unit.key, 'the key appears more than once; a unit is ranked once');
    seen.add(unit.key);
  }

  const entries: RankedEntry[] = units.map((unit) => {
    const components = policy.components.map((component) => componentOf(component, unit.indicators[component.indicator], policy.wilsonZ));
    const score = scoreOf(components);
    const status: RankingStatus =
      unit.decisions < policy.minimumDecisions ? 'INSUFFICIENT_SAMPLE' : score === null ? 'NO_SCORE' : 'RANKED';
    return {
      key: unit.key,
      label: unit.label ?? null,
      decisions: unit.decisions,
      status,
      rank: null,
      score: status === 'RANKED' ? score : null,
      components,
    };
  });

  entries.sort((a, b) =>
    STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
    (a.status === 'RANKED' ? tieKey(b.score!) - tieKey(a.score!) : 0) ||
    compareKeys(a.key, b.key));

  // Entries are sorted best first, so a rank changes only where the rounded score does.
  let previous: number | undefined;
  let rank = 0;
  entries.forEach((entry, index) => {
    if (entry.status !== 'RANKED') return;
    const current = tieKey(entry.score!);
    if (current !== previous) rank = nextRank(policy.ties, rank, index);
    entry.rank = rank;
    previous = current;
  });
  return entries;
}
