import { download, gql } from '../api.js';
import { h } from '../dom.js';
import { count, dateTime, label, percent, score } from '../format.js';
import { periodOf } from '../periods.js';
import { NoData, type PanelContext } from './panel-context.js';

interface Component { indicator: string; rate: number | null; numerator: number | null; denominator: number | null; componentScore: number | null; weight: number; effectiveWeight: number }
interface Entry { rank: number | null; name: string; regionCode: string; agencyUscc: string | null; score: number | null; decisions: number; status: string; insufficientSample: boolean; components: Component[] }
interface Ranking { asOf: string; rankingKey: string; profileName: string; computedFrom?: string; entries: Entry[]; id?: string; title?: string; version?: number; frozenAt?: string; frozenBy?: string; resultSha256?: string }
interface FrozenSummary { id: string; title: string; version: number; frozenAt: string; frozenBy: string; asOf: string }

/**
 * The ranking (DOMAIN.md §5) of the scope's children: a province's prefectures, a prefecture's counties, a
 * county's agencies. Computed now, or a frozen (published) version; the same columns as its Excel export.
 */
export async function renderRanking(body: HTMLElement, ctx: PanelContext): Promise<void> {
  const { app, variables } = ctx;
  const byAgencies = !variables.childLevel;
  const frozenId = app.route.params.get('v');
  const live = await gql<{ ranking: Ranking }>(String(byAgencies ? ctx.panel.agencies : ctx.panel.regions), variables);
  const { frozenRankings } = await gql<{ frozenRankings: FrozenSummary[] }>(String(ctx.panel.frozenList), { rankingKey: live.ranking.rankingKey });
  const ranking = frozenId
    ? (await gql<{ ranking: Ranking | null }>(String(ctx.panel.frozen), { id: frozenId })).ranking ?? live.ranking
    : live.ranking;

  const period = periodOf(app.route.period);
  const versions = h('select', { 'aria-label': '版本', 'data-picker': 'ranking-version', onchange: (e: Event) => app.navigate({ params: { v: (e.target as HTMLSelectElement).value || null } }) },
    h('option', { value: '' }, '实时计算'),
    ...frozenRankings.map((f) => h('option', { value: f.id, selected: f.id === frozenId }, `${f.title} · 第 ${f.version} 版 · ${dateTime(f.frozenAt)} 冻结`)));
  const message = h('span', { class: 'note', role: 'status' });
  const exportButton: HTMLButtonElement = h('button', { type: 'button', class: 'export', onclick: async () => {
    const query = new URLSearchParams(ranking.id ? { frozen: ranking.id } : {
      parent: String(variables.parent), from: period.from, to: period.to, asOf: String(variables.asOf),
      ...(byAgencies ? {} : { level: String(variables.childLevel) }),
    });
    exportButton.disabled = true;
    message.textContent = '正在生成 Excel…';
    try {
      await download(`/export/ranking.xlsx?${query.toString()}`, '排名.xlsx');
      message.textContent = '已下载';
    } catch (error) {
      message.textContent = (error as Error).message;
    } finally {
      exportButton.disabled = false;
    }
  } }, '导出 Excel');
  body.append(h('div', { class: 'ranking-controls' }, h('label', { class: 'picker' }, h('span', {}, '版本'), versions), exportButton, message));

  const facts = ranking.id
    ? `已冻结版本「${ranking.title}」第 ${ranking.version} 版，${dateTime(ranking.frozenAt)} 由 ${ranking.frozenBy} 冻结；截至 ${ranking.asOf}；考评方案 ${ranking.profileName}；SHA-256 ${ranking.resultSha256?.slice(0, 16)}…`
    : `实时计算：截至 ${ranking.asOf}；考评方案 ${ranking.profileName}`;
  body.append(h('p', { class: 'note ranking-facts' }, facts));
  if (ranking.entries.length === 0) throw new NoData(app.me.role === 'AGENCY' ? '执法主体账号不提供排名' : '本范围无可排名的单位');

  const components = ranking.entries[0]!.components.map((c) => c.indicator);
  const indicatorLabel = (name: string) => app.indicators.get(name)?.label ?? name;
  const headers = ['名次', '单位', '代码', '综合得分', '决定数', '状态', ...components.flatMap((name) => [indicatorLabel(name), `${indicatorLabel(name)}得分`])];
  const rows = ranking.entries.map((entry) => {
    const step = entry.agencyUscc ? { dimension: 'AGENCY', value: entry.agencyUscc } : { dimension: 'REGION', value: entry.regionCode };
    const unit = h('a', { href: '#', title: '缩小到此范围', onclick: (e: Event) => { e.preventDefault(); ctx.narrow(step); } }, entry.name);
    const cells = [
      h('td', { class: 'num' }, entry.rank === null ? '' : String(entry.rank)),
      h('td', {}, unit),
      h('td', {}, entry.agencyUscc ?? entry.regionCode),
      h('td', { class: 'num' }, score(entry.score)),
      h('td', { class: 'num' }, count(entry.decisions)),
      h('td', {}, h('span', { class: `status s-${entry.status.toLowerCase()}` }, label(app.catalog.labels, 'RankingStatus', entry.status))),
      ...components.flatMap((name) => {
        const c = entry.components.find((component) => component.indicator === name);
        const rate = h('td', { class: 'num', title: c ? `${count(c.numerator)}/${count(c.denominator)}，权重 ${(c.effectiveWeight * 100).toFixed(1)}%` : '' });
        if (c && c.denominator) {
          rate.append(h('a', { href: '#', onclick: (e: Event) => { e.preventDefault(); ctx.openRecords(name, 'DENOMINATOR', step); } }, percent(c.rate)));
        } else rate.append('—');
        return [rate, h('td', { class: 'num' }, score(c?.componentScore))];
      }),
    ];
    return h('tr', { class: entry.insufficientSample ? 'insufficient' : '' }, ...cells);
  });
  body.append(h('div', { class: 'table-wrap' }, h('table', { class: 'ranking-table' },
    h('thead', {}, h('tr', {}, ...headers.map((text) => h('th', {}, text)))), h('tbody', {}, ...rows))));
}
