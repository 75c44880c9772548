import os from 'node:os';
import type { Command } from 'commander';
import { todayInShanghai } from '../domain/calendar/civil-date';
import { parseNamedPeriod } from '../domain/calendar/named-period';
import { loadPolicy } from '../domain/policy';
import { computeRanking, type Ranking, type RankingRequest, type RegionLevel } from '../metrics/rankings/compute-ranking';
import { freezeRanking, listFrozenRankings, readFrozenRanking, verifyFrozenRanking } from '../metrics/rankings/frozen-rankings';
import { withHubSession } from './hub-session';

interface RankOptions { parent: string; level?: string; agencies?: boolean; domain?: string; period: string; asOf?: string; json?: boolean }

function requestOf(options: RankOptions): RankingRequest {
  const period = parseNamedPeriod(options.period);
  const asOf = options.asOf ?? todayInShanghai();
  if (options.agencies) {
    return { units: 'agencies', parentRegionCode: options.parent, ...(options.domain && { domain: options.domain }), period, asOf };
  }
  if (!options.level) throw new Error('say what is ranked: --level PREFECTURE|COUNTY|TOWNSHIP (regions of that level) or --agencies');
  return { units: 'regions', parentRegionCode: options.parent, level: options.level.toUpperCase() as RegionLevel, period, asOf };
}

function withRankOptions(command: Command): Command {
  return command
    .requiredOption('--parent <code>', 'the region whose subtree is ranked (e.g. 350000 for the province)')
    .option('--level <level>', 'rank the regions of this level: PREFECTURE, COUNTY or TOWNSHIP')
    .option('--agencies', 'rank the agencies of the region instead')
    .option('--domain <domain>', 'with --agencies: only agencies of this domain (执法领域)')
    .requiredOption('--period <period>', '2025, 2025H1, 2025Q1, 2025-03 or 2025-01-01..2025-06-30')
    .option('--as-of <date>', 'as of this date (YYYY-MM-DD; default today in Asia/Shanghai)');
}

const percent = (value: number | null) => (value === null ? '—' : `${(value * 100).toFixed(1)}%`);

/** The ranking as a terminal table: rank, unit, score, decisions, each component's figures. */
export function formatRanking(ranking: Ranking): string {
  const components = ranking.entries[0]?.components.map((component) => component.indicator) ?? [];
  const header = ['名次', '单位', '得分', '决定数', ...components];
  const rows = ranking.entries.map((entry) => [
    entry.rank === null ? (entry.status === 'INSUFFICIENT_SAMPLE' ? '样本不足' : '无得分') : String(entry.rank),
    `${entry.name} ${entry.agencyUscc ?? entry.regionCode}`,
    entry.score === null ? '—' : entry.score.toFixed(2),
    String(entry.decisions),
    ...entry.components.map((component) => (component.denominator ? `${component.numerator}/${component.denominator} ${percent(component.rate)}` : '—')),
  ]);
  const width = (text: string) => [...text].reduce((n, ch) => n + (/[\u1100-\uffff]/.test(ch) ? 2 : 1), 0);
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => width(row[i]!))));
  const line = (row: string[]) => row.map((cell, i) => cell + ' '.repeat(widths[i]! - width(cell))).join('  ');
  const { request } = ranking;
  return [
    `${request.units === 'regions' ? `${request.parentRegionCode} 下辖 ${request.level}` : `${request.parentRegionCode} 执法主体${request.units === 'agencies' && request.domain ? `（${request.domain}）` : ''}`}` +
      ` · ${request.period.from} – ${request.period.to} · 截至 ${request.asOf} · 政策配置 ${ranking.profileName} · 数据来自${ranking.computedFrom === 'rollups' ? '汇总表' : '明细'}`,
    line(header), ...rows.map(line),
  ].join('\n');
}

export function registerRankCommand(program: Command): void {
  const rank = program.command('rank').description('rankings for rule-of-law evaluation (DOMAIN.md §5), and frozen (published) rankings');

  withRankOptions(rank.command('show', { isDefault: true }).description('compute a ranking now and print it (the default)'))
    .option('--json', 'print the ranking as JSON with every component')
    .action(async (options: RankOptions) => {
      await withHubSession(async (session) => {
        const { profile } = loadPolicy(session.config.profile);
        const ranking = await computeRanking(session.pool(), requestOf(options), profile);
        console.log(options.json ? JSON.stringify(ranking, null, 2) : formatRanking(ranking));
      });
    });

  withRankOptions(rank.command('freeze').description('compute a ranking and store it as published: it reads the same forever; freezing again makes a new version'))
    .requiredOption('--title <title>', 'what it is published as, e.g. "2025 年度法治政府建设考评 设区市排名"')
    .action(async (options: RankOptions & { title: string }) => {
      await withHubSession(async (session) => {
        const { profile } = loadPolicy(session.config.profile);
        const frozen = await freezeRanking(session.pool(), requestOf(options), profile, { title: options.title, frozenBy: `cli:${os.userInfo().username}` });
        console.log(`frozen ranking ${frozen.id}: ${frozen.title} (${frozen.rankingKey}, version ${frozen.version}, as of ${frozen.asOf}, profile ${frozen.profileName})`);
        console.log(`sha256 ${frozen.resultSha256}`);
      });
    });

  rank.command('frozen')
    .description('list frozen rankings, or print one exactly as stored')
    .argument('[id]', 'the frozen ranking to print')
    .option('--verify', 'with an id: re-derive it from its stored inputs and profile and compare byte for byte')
    .action(async (id: string | undefined, options: { verify?: boolean }) => {
      await withHubSession(async (session) => {
        if (id === undefined) {
          for (const frozen of await listFrozenRankings(session.pool())) {
            console.log(`${frozen.id}  ${frozen.title}  ${frozen.rankingKey} v${frozen.version}  as of ${frozen.asOf}  ` +
              `${frozen.profileName}  ${frozen.frozenAt.toISOString()} by ${frozen.frozenBy}  sha256 ${frozen.resultSha256.slice(0, 16)}…`);
          }
          return;
        }
        const frozen = await readFrozenRanking(session.pool(), id);
        if (!frozen) throw new Error(`no frozen ranking ${id} (\`hub rank frozen\` lists them)`);
        if (options.verify) {
          const check = await verifyFrozenRanking(session.pool(), id);
          console.log(check.ok ? `frozen ranking ${id}: verified, re-derived byte for byte` : `frozen ranking ${id}: NOT verified — ${check.problem}`);
          if (!check.ok) process.exitCode = 1;
          return;
        }
        process.stdout.write(`${frozen.result}\n`);
      });
    });
}
