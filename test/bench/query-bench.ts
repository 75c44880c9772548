import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Pool } from 'pg';
import { createPool } from '../../src/database/pg';
import { loadPolicy } from '../../src/domain/policy';
import { readConfig } from '../../src/config';
import { computeIndicators, computeIndicatorsByAgency } from '../../src/metrics/indicators/indicator-engine';
import { percentile } from './measure';

/**
 * Dashboard questions at a scale, each asked three ways: through the hub's GraphQL API (response cache off: every
 * answer computed), by the hand-written SQL on the rollups that a person would write for the same figures (the
 * limit), and by the hub's engine from the fact tables without rollups (what the rollups save). Latency
 * percentiles over sequential repeats; the same request, variables and as-of date each time.
 */
export interface Latency { p50: number; p95: number; p99: number; runs: number }
/** facts: null when one answer took longer than BENCH_FACT_TIMEOUT_SECONDS (`factsOverSeconds`) and was stopped */
export interface QuestionFigures { question: string; graphql: Latency; rollupSql: Latency; facts: Latency | null; factsOverSeconds: number; ratio: number }

/** The overview dashboard's headline query, as its definition holds it. */
export const overviewQuery = () => {
  const definition = parseYaml(readFileSync(path.resolve(__dirname, '..', '..', '..', 'dashboards', 'definitions', '01-overview.yaml'), 'utf8')) as
    { panels: { id: string; query: string }[] };
  return definition.panels.find((panel) => panel.id === 'headline')!.query;
};

const rankingQuery = `query BenchRanking($parent: String!, $period: PeriodInput!, $asOf: Date) {
  ranking(parentRegionCode: $parent, level: PREFECTURE, period: $period, asOf: $asOf) {
    entries { rank regionCode name score }
  }
}`;

const aggregateQuery = `query BenchAggregate($scope: ScopeInput!, $period: PeriodInput!, $asOf: Date) {
  aggregate(indicator: publicationTimeliness, groupBy: [COUNTY], scope: $scope, period: $period, asOf: $asOf) {
    keys { value } rate { numerator denominator rate }
  }
}`;

/** The eight headline indicators of the overview. */
export const headline = ['publicationTimeliness', 'publicationRate', 'reviewCoverage', 'correctionRate', 'recordingCompliance',
  'uploadTimeliness', 'archiveTimeliness', 'certifiedHandling'];

/** The same days a year earlier: what the overview compares with. */
export const previousYear = (year: { from: string; to: string }) => ({
  from: `${Number(year.from.slice(0, 4)) - 1}${year.from.slice(4)}`, to: `${Number(year.to.slice(0, 4)) - 1}${year.to.slice(4)}`,
});

async function timed(runs: number, once: () => Promise<void>, warmUp = 3): Promise<Latency> {
  for (let i = 0; i < warmUp; i++) await once(); // not counted
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    await once();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return { p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99), runs };
}

export interface QueryBenchTarget { apiUrl: string; token: string; ownerUrl: string; asOf: string; province: string; year: { from: string; to: string } }

export async function benchQuestions(target: QueryBenchTarget, log: (line: string) => void): Promise<QuestionFigures[]> {
  const runs = Number(process.env.BENCH_QUERY_REPEATS || 100);
  const factRuns = Number(process.env.BENCH_FACT_REPEATS || 3);
  // at 20M cases one answer from the facts takes most of an hour: it is stopped and reported as longer
  const factTimeout = Number(process.env.BENCH_FACT_TIMEOUT_SECONDS || 900);
  const pool: Pool = createPool(target.ownerUrl, 2);
  pool.on('connect', (client) => { void client.query(`set statement_timeout = ${factTimeout * 1000}`); });
  const { profile } = loadPolicy(readConfig().profile);
  const previous = previousYear(target.year);
  const graphql = async (query: string, variables: Record<string, unknown>) => {
    const response = await fetch(`${target.apiUrl}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${target.token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = await response.json() as { data?: unknown; errors?: unknown };
    if (response.status !== 200 || body.errors || !body.data) throw new Error(`GraphQL answered ${response.status}: ${JSON.stringify(body).slice(0, 500)}`);
  };
  const sql = async (text: string, values: unknown[]) => { await pool.query(text, values); };
  const monthsOf = (period: { from: string; to: string }) => [period.from, `${period.to.slice(0, 7)}-01`];
  const [low, high] = [target.province.slice(0, 2), String(Number(target.province.slice(0, 2)) + 1)];
  const scope = { regionCode: target.province };
  try {
    const questions: { question: string; graphql: () => Promise<void>; rollupSql: () => Promise<void>; facts: () => Promise<void> }[] = [
      {
        question: 'overview headline (province, year and the year before)',
        graphql: () => graphql(overviewQuery(), { scope, period: target.year, previous, asOf: target.asOf }),
        // the region's own figures: its subtree's rows per indicator and month
        rollupSql: () => sql(`select p, indicator, sum(numerator), sum(denominator) from (
            select 'current' as p, indicator, numerator, denominator from subtree_monthly_rollups
              where region_code = $1 and indicator = any($2) and month between $3 and $4
            union all
            select 'previous', indicator, numerator, denominator from subtree_monthly_rollups
              where region_code = $1 and indicator = any($2) and month between $5 and $6) x group by 1, 2`,
          [target.province, headline, ...monthsOf(target.year), ...monthsOf(previous)]),
        facts: async () => {
          await computeIndicators(pool, { scope, period: target.year, asOf: target.asOf }, profile);
          await computeIndicators(pool, { scope, period: previous, asOf: target.asOf }, profile);
        },
      },
      {
        question: 'ranking of the prefectures (year)',
        graphql: () => graphql(rankingQuery, { parent: target.province, period: target.year, asOf: target.asOf }),
        // each prefecture's subtree rows
        rollupSql: () => sql(`select s.region_code, s.indicator, sum(s.numerator), sum(s.denominator) from subtree_monthly_rollups s
            join regions g on g.code = s.region_code and g.parent_code = $1
            where s.indicator = any($2) and s.month between $3 and $4 group by 1, 2`,
          [target.province, profile.ranking.components.map((c) => c.indicator), ...monthsOf(target.year)]),
        facts: async () => { await computeIndicatorsByAgency(pool, { scope, periods: [{ id: 'y', ...target.year }], asOf: target.asOf }, profile); },
      },
      {
        question: 'ad hoc aggregate: publication timeliness by county (year)',
        graphql: () => graphql(aggregateQuery, { scope, period: target.year, asOf: target.asOf }),
        rollupSql: () => sql(`select left(region_code, 6), sum(numerator), sum(denominator) from region_monthly_rollups
            where region_code >= $1 and region_code < $2 and indicator = 'publicationTimeliness' and month between $3 and $4 group by 1`,
          [low, high, ...monthsOf(target.year)]),
        facts: async () => { await computeIndicatorsByAgency(pool, { scope, periods: [{ id: 'y', ...target.year }], asOf: target.asOf }, profile); },
      },
    ];
    const figures: QuestionFigures[] = [];
    for (const question of questions) {
      const viaGraphql = await timed(runs, question.graphql);
      const viaSql = await timed(runs, question.rollupSql);
      // the facts take seconds to minutes each: no warm-up
      const viaFacts = await timed(factRuns, question.facts, 0).catch((error: unknown) => {
        if ((error as { code?: string }).code === '57014') return null; // statement timeout
        throw error;
      });
      const ratio = viaGraphql.p95 / viaSql.p95;
      log(`  ${question.question}: GraphQL p50/p95/p99 ${viaGraphql.p50.toFixed(1)}/${viaGraphql.p95.toFixed(1)}/${viaGraphql.p99.toFixed(1)} ms; ` +
        `rollup SQL ${viaSql.p50.toFixed(1)}/${viaSql.p95.toFixed(1)}/${viaSql.p99.toFixed(1)} ms (× ${ratio.toFixed(2)}); ` +
        `facts ${viaFacts ? `p50 ${viaFacts.p50.toFixed(0)} ms` : `over ${factTimeout} s, stopped`}`);
      figures.push({ question: question.question, graphql: viaGraphql, rollupSql: viaSql, facts: viaFacts, factsOverSeconds: factTimeout, ratio });
    }
    return figures;
  } finally {
    await pool.end();
  }
}
