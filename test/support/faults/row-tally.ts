import type { Pool } from 'pg';

/**
 * What a fault did to a feed, counted by natural key: of the keys the feed delivers (and the warehouse should
 * hold once each), how many are there, how many are missing, and how many extra copies there are. Keys found
 * that the feed never delivered (a cut-off key loaded as if it were one) are counted apart, as `unexpected`.
 */
export interface RowTally {
  scenario: string;
  expected: number;
  present: number;
  lost: number;
  duplicated: number;
  unexpected: string[];
}

/** Tallies the natural keys found (one entry per stored row) against the keys the feed delivered. */
export function tallyKeys(scenario: string, expectedKeys: Iterable<string>, foundKeys: Iterable<string>): RowTally {
  const expected = new Set(expectedKeys);
  const copies = new Map<string, number>();
  for (const key of foundKeys) copies.set(key, (copies.get(key) ?? 0) + 1);
  let present = 0;
  let duplicated = 0;
  const unexpected: string[] = [];
  for (const [key, count] of copies) {
    duplicated += count - 1;
    if (expected.has(key)) present += 1;
    else unexpected.push(key);
  }
  return { scenario, expected: expected.size, present, lost: expected.size - present, duplicated, unexpected: unexpected.sort() };
}

/**
 * The same tally over a warehouse table: one found key per row of `table` that `where` selects (the rows the
 * scenario's feed could have written), keyed by `keyColumn`.
 */
export async function tallyTable(pool: Pool, scenario: string, expectedKeys: Iterable<string>,
  options: { table: string; keyColumn: string; where?: string; params?: unknown[] }): Promise<RowTally> {
  const { rows } = await pool.query<{ key: string }>(
    `select ${options.keyColumn} as key from ${options.table} where ${options.where ?? 'true'}`, options.params ?? []);
  return tallyKeys(scenario, expectedKeys, rows.map((row) => row.key));
}

/**
 * The line each fault scenario prints (CI reads it): `scenario: rows expected N, present N, lost 0, duplicated 0`.
 * Written straight to stdout rather than through console.log, which Jest would wrap in a stack location.
 */
export function reportTally(tally: RowTally): string {
  const line = `${tally.scenario}: rows expected ${tally.expected}, present ${tally.present}, lost ${tally.lost}, duplicated ${tally.duplicated}` +
    (tally.unexpected.length ? `, unexpected ${tally.unexpected.length} (${tally.unexpected.slice(0, 5).join(', ')})` : '');
  process.stdout.write(`${line}\n`);
  return line;
}

/** Prints the scenario's line, then holds it to nothing lost, nothing duplicated, nothing the feed did not deliver. */
export function expectNothingLost(tally: RowTally): void {
  reportTally(tally);
  expect({ scenario: tally.scenario, lost: tally.lost, duplicated: tally.duplicated, unexpected: tally.unexpected })
    .toEqual({ scenario: tally.scenario, lost: 0, duplicated: 0, unexpected: [] });
}
