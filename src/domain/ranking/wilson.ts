/**
 * The Wilson score interval of a proportion (E. B. Wilson, 1927). Rankings use it so that a small sample
 * cannot win on luck (DOMAIN.md §5): 3 of 3 on time is a rate of 100%, but its 95% lower bound is 0.44, while
 * 490 of 500 has a lower bound of 0.96. Unlike the normal ("Wald") interval it stays inside [0, 1] and does
 * not collapse to a single point at 0% or 100%, which is exactly where small units sit.
 */
export interface WilsonInterval {
  lower: number;
  upper: number;
}

function isWholeCount(value: number): boolean {
  return Number.isInteger(value) && value >= 0;
}

/**
 * The interval for `successes` out of `trials` at `z` standard deviations (1.96 for 95% two-sided).
 *
 * Throws when there are no trials rather than answering null: with nothing observed there is no interval,
 * and the ranking leaves a component whose denominator is 0 out of the score before it asks — so a call with
 * 0 trials is a caller's mistake, and a null would only push a check onto callers that have already made it.
 * Counts must be whole numbers: a rate passed where a count belongs (0.98 for 98) is caught here instead of
 * silently giving a nonsense interval.
 */
export function wilsonInterval(successes: number, trials: number, z: number): WilsonInterval {
  if (!isWholeCount(trials) || trials === 0) {
    throw new RangeError(`wilsonInterval: trials must be a whole number above 0, got ${trials}` +
      (trials === 0 ? ' (with no trials there is no interval; leave the rate out instead)' : ''));
  }
  if (!isWholeCount(successes) || successes > trials) {
    throw new RangeError(`wilsonInterval: successes must be a whole number from 0 to trials (${trials}), got ${successes}`);
  }
  if (!Number.isFinite(z) || z <= 0) {
    throw new RangeError(`wilsonInterval: z must be a positive number (1.96 for 95% confidence), got ${z}`);
  }
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const halfWidth = (z / denominator) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  // At 0% and 100% the bound is mathematically 0 or 1 but rounding can land a hair outside; a rate outside
  // [0, 1] would give a component score outside 0–100.
  return {
    lower: Math.min(1, Math.max(0, centre - halfWidth)),
    upper: Math.min(1, Math.max(0, centre + halfWidth)),
  };
}
