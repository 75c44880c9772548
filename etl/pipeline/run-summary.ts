import type { EntityCounts } from './batch-types';
import { loadOrder } from './load-specs';
import type { RunSummary } from './run-source';

const columns: [keyof EntityCounts, string][] = [
  ['read', '读取'], ['inserted', '新增'], ['updated', '更新'], ['unchanged', '未变'],
  ['quarantined', '隔离'], ['held', '暂存'], ['released', '释放'],
];

/** A run's end as the person who started it reads it: status, time, and what became of every row. */
export function formatRunSummary(summary: RunSummary): string {
  const seconds = ((summary.finishedAt.getTime() - summary.startedAt.getTime()) / 1000).toFixed(1);
  const lines = [`${summary.sourceId}: run ${summary.runId} ${summary.status === 'SUCCEEDED' ? '成功 SUCCEEDED' : '失败 FAILED'} in ${seconds} s`];
  const entities = loadOrder.filter((entity) => summary.counts[entity]);
  if (entities.length) {
    const header = ['entity', ...columns.map(([key, label]) => `${label} ${key}`)];
    const rows = entities.map((entity) => [entity, ...columns.map(([key]) => String(summary.counts[entity]![key]))]);
    const widths = header.map((cell, i) => Math.max(displayWidth(cell), ...rows.map((row) => displayWidth(row[i]!))));
    const format = (row: string[]) => '  ' + row.map((cell, i) => i === 0 ? padEnd(cell, widths[i]!) : padStart(cell, widths[i]!)).join('  ');
    lines.push(format(header), ...rows.map(format));
  }
  for (const problem of summary.problems) lines.push(`  ! ${problem.where}: ${problem.message}`);
  if (summary.error) lines.push(`  error: ${summary.error}`);
  const refused = entities.reduce((n, entity) => n + summary.counts[entity]!.quarantined, 0);
  if (refused) lines.push(`  ${refused} row(s) in quarantine: \`hub quarantine list --source ${summary.sourceId}\``);
  return lines.join('\n');
}

/** CJK characters take two columns on a terminal. */
function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += /[\u1100-\uFFDC]/.test(ch) ? 2 : 1;
  return width;
}
const padEnd = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - displayWidth(text)));
const padStart = (text: string, width: number) => ' '.repeat(Math.max(0, width - displayWidth(text))) + text;
