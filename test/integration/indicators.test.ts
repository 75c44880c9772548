import fs from 'node:fs';
import type { Pool } from 'pg';
import { createPool } from '../../src/database/pg';
import { ActionTypes } from '../../src/domain/codes';
import { IndicatorNames, loadPolicyProfile, type IndicatorName, type PolicyProfile } from '../../src/domain/profile/policy-profile';
import { caseChecksAsOf, type CaseCheck } from '../../src/metrics/checks/case-check-rows';
import { indicatorDefinitions } from '../../src/metrics/indicators/indicator-definitions';
import {
  computeIndicators, computeIndicatorsByAgency, type AgencyIndicators, type NamedPeriod,
} from '../../src/metrics/indicators/indicator-engine';
import { loadSyntheticProvince, readAnswerKey, type AnswerKeyCase, type AnswerKeyFile } from '../support/synthetic-province';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * The indicator engine against the generator's answer key: a synthetic province generated, pulled through the
 * real ETL (the simulated platform API and the county folders), and every figure the answer key lists —
 * 18 indicators × every agency × every quarter and year, and every decided case's checks — compared.
 */

interface Mismatch { indicator: string; where: string; period: string; expected: string; got: string }

jest.setTimeout(120000);

let db: TestDatabase;
let pool: Pool;
let dir: string;
let key: AnswerKeyFile;
let keyCases: AnswerKeyCase[];
let profile: PolicyProfile;
const timings: string[] = [];

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  timings.push(`${label} ${Math.round(performance.now() - started)} ms`);
  return result;
}

function table(mismatches: Mismatch[]): string {
  const rows = [['indicator', 'agency/region', 'period', 'expected', 'got'], ...mismatches.slice(0, 60).map((m) =>
    [m.indicator, m.where, m.period, m.expected, m.got])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const lines = rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
  return `${mismatches.length} mismatches${mismatches.length > 60 ? ' (first 60)' : ''}\n${lines.join('\n')}`;
}

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url);
  dir = await loadSyntheticProvince(pool, { seed: 20261125, scale: 1500, prefix: 'indicators-' });
  ({ key, cases: keyCases } = readAnswerKey(dir));
  profile = loadPolicyProfile({ name: key.profile });
}, 240000);

afterAll(async () => {
  if (timings.length) {
    process.stdout.write(`indicator engine on the test province (${Object.keys(key.agencies).length} agencies, ${keyCases.length} decisions): ${timings.join('; ')}\n`);
  }
  await pool?.end();
  await db?.drop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('indicators against the generator\'s answer key', () => {
  test('every agency\'s 18 indicators (numerator and denominator) for every quarter and year equal the answer key\'s', async () => {
    const byAgency = await timed(`every agency × ${key.periods.length} periods`, () =>
      computeIndicatorsByAgency(pool, { scope: {}, periods: key.periods, asOf: key.asOf }, profile));
    expect([...byAgency.keys()].sort()).toEqual(Object.keys(key.agencies).sort());

    const mismatches: Mismatch[] = [];
    for (const [uscc, expected] of Object.entries(key.agencies)) {
      const got: AgencyIndicators | undefined = byAgency.get(uscc);
      for (const period of key.periods) {
        for (const name of IndicatorNames) {
          const [numerator, denominator] = expected.periods[period.id]!.indicators[name];
          const figure = got?.periods[period.id]?.[name];
          if (figure?.numerator !== numerator || figure?.denominator !== denominator) {
            mismatches.push({ indicator: name, where: uscc, period: period.id, expected: `${numerator}/${denominator}`,
              got: figure ? `${figure.numerator}/${figure.denominator}` : 'none' });
          }
        }
      }
    }
    if (mismatches.length) process.stdout.write(`${table(mismatches)}\n`);
    expect(mismatches).toEqual([]);
  });

  test('a region\'s figures are those of every agency in its subtree: the province and each prefecture equal the answer key\'s', async () => {
    const regions = Object.entries(key.regions).filter(([, region]) => region.level === 'PROVINCE' || region.level === 'PREFECTURE');
    expect(regions.length).toBeGreaterThan(1);
    const mismatches: Mismatch[] = [];
    const durations: number[] = [];
    for (const [code, region] of regions) {
      for (const period of key.periods) {
        const started = performance.now();
        const got = await computeIndicators(pool, { scope: { regionCode: code }, period, asOf: key.asOf }, profile);
        durations.push(performance.now() - started);
        for (const name of IndicatorNames) {
          const [numerator, denominator] = region.periods[period.id]!.indicators[name];
          if (got[name].numerator !== numerator || got[name].denominator !== denominator) {
            mismatches.push({ indicator: name, where: `${code} ${region.name}`, period: period.id,
              expected: `${numerator}/${denominator}`, got: `${got[name].numerator}/${got[name].denominator}` });
          }
        }
      }
    }
    durations.sort((a, b) => a - b);
    timings.push(`one region × one period (${durations.length} requests) median ${Math.round(durations[durations.length >> 1]!)} ms, ` +
      `max ${Math.round(durations[durations.length - 1]!)} ms`);
    if (mismatches.length) process.stdout.write(`${table(mismatches)}\n`);
    expect(mismatches).toEqual([]);
  });

  test('a domain\'s figures are the sums of its agencies\' figures', async () => {
    const year = key.periods.find((p) => p.kind === 'year')!;
    const domains = [...new Set(Object.values(key.agencies).map((a) => a.domain))];
    expect(domains.length).toBeGreaterThan(1);
    for (const domain of domains) {
      const expected = Object.fromEntries(IndicatorNames.map((name) => {
        const sum = [0, 0];
        for (const agency of Object.values(key.agencies).filter((a) => a.domain === domain)) {
          const [n, d] = agency.periods[year.id]!.indicators[name];
          sum[0]! += n;
          sum[1]! += d;
        }
        return [name, `${sum[0]}/${sum[1]}`];
      }));
      const got = await computeIndicators(pool, { scope: { domain }, period: year, asOf: key.asOf }, profile);
      expect({ domain, figures: Object.fromEntries(IndicatorNames.map((name) => [name, `${got[name].numerator}/${got[name].denominator}`])) })
        .toEqual({ domain, figures: expected });
    }
  });

  test('the action types split the figures of cases and what hangs on them; the agency\'s own figures are not narrowed by one', async () => {
    const year = key.periods.find((p) => p.kind === 'year')!;
    const all = await computeIndicators(pool, { scope: {}, period: year, asOf: key.asOf }, profile);
    const byType = await Promise.all(ActionTypes.codes.map((actionType) =>
      computeIndicators(pool, { scope: { actionType }, period: year, asOf: key.asOf }, profile)));
    const ofCases = new Set(['case_checks', 'recording_checks', 'appeal_checks', 'evaluation_checks']);
    for (const definition of indicatorDefinitions) {
      const name = definition.name;
      const expected = ofCases.has(definition.relation)
        ? { numerator: all[name].numerator, denominator: all[name].denominator }
        : { numerator: all[name].numerator * byType.length, denominator: all[name].denominator * byType.length };
      const summed = byType.reduce((sum, figures) =>
        ({ numerator: sum.numerator + figures[name].numerator, denominator: sum.denominator + figures[name].denominator }), { numerator: 0, denominator: 0 });
      expect({ name, summed }).toEqual({ name, summed: expected });
    }
  });

  test('a rate is numerator / denominator, and null when nothing is in the denominator', async () => {
    const quarter = key.periods[0]!;
    const figures = await computeIndicators(pool, { scope: {}, period: quarter, asOf: key.asOf }, profile);
    for (const name of IndicatorNames) {
      const { numerator, denominator, rate } = figures[name];
      expect({ name, rate }).toEqual({ name, rate: denominator === 0 ? null : numerator / denominator });
    }
    // a quarter holds no whole report year: the annual report indicator has nothing to count
    expect(figures.annualReportTimeliness).toEqual({ numerator: 0, denominator: 0, rate: null });
  });
});

describe('per-case checks against the answer key', () => {
  let checks: Map<string, CaseCheck>;

  beforeAll(async () => {
    const rows = await timed('every case\'s checks', () => caseChecksAsOf(pool, { scope: {}, asOf: key.asOf }, profile));
    checks = new Map(rows.map((row) => [`${row.agencyUscc}|${row.caseId}`, row]));
  });

  const compare = (pick: (expected: AnswerKeyCase, got: CaseCheck | undefined) => [unknown, unknown]) => {
    const wrong: { caseId: string; expected: unknown; got: unknown }[] = [];
    for (const expected of keyCases) {
      const [want, have] = pick(expected, checks.get(`${expected.agencyUscc}|${expected.caseId}`));
      if (JSON.stringify(want) !== JSON.stringify(have)) wrong.push({ caseId: `${expected.agencyUscc}|${expected.caseId}`, expected: want, got: have });
    }
    if (wrong.length) process.stdout.write(`${wrong.length} cases differ, e.g.\n${wrong.slice(0, 20).map((w) => JSON.stringify(w)).join('\n')}\n`);
    return wrong;
  };

  test('every decided case of the answer key is checked, decided on the same day', () => {
    expect(keyCases.length).toBeGreaterThan(1000);
    expect(compare((e, got) => [e.decidedOn, got?.decidedOn])).toEqual([]);
  });

  test('publication: status, deadline (N working days after the decision in the agency\'s calendar), provisional flag and publication date as of T', () => {
    expect(compare((e, got) => [
      { status: e.publication.status, deadline: e.publication.deadline, provisional: e.publication.deadlineProvisional, publishedOn: e.publication.publishedOn },
      got && { status: got.publication.status, deadline: got.publication.deadline, provisional: got.publication.deadlineProvisional, publishedOn: got.publication.publishedOn },
    ])).toEqual([]);
  });

  test('withdrawal: owed after a correcting outcome, withdrawn on time, late or not at all, and counted once withdrawn or overdue', () => {
    expect(compare((e, got) => [
      { status: e.publication.withdrawalStatus, due: e.publication.withdrawalDue ?? false },
      got && { status: got.publication.withdrawalStatus, due: got.publication.withdrawalDue },
    ])).toEqual([]);
  });

  test('legal review: required for major decisions, compliant only with an approving round by a registered reviewer who did not handle the case', () => {
    expect(compare((e, got) => [{ major: e.major, ...e.review }, got && { major: got.major, ...got.review }])).toEqual([]);
  });

  test('certified handling: enough handlers, each with a certificate valid on the decision date', () => {
    expect(compare((e, got) => [e.certifiedHandling, got?.certifiedHandling])).toEqual([]);
  });
});
