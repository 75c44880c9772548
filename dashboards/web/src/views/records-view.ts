import { ApiError, gql } from '../api.js';
import type { App, Region } from '../app-state.js';
import { variablesOf } from '../app-state.js';
import { h } from '../dom.js';
import { count, label, percent, type Rate } from '../format.js';
import { labelOf } from '../periods.js';
import { drills } from './dashboard-view.js';

interface IndicatorRecord {
  agencyUscc: string; regionCode: string; caseId: string | null; recordKey: string; datedOn: string | null; inNumerator: boolean;
  agency: { name: string } | null;
}

const query = `query Records($indicator: IndicatorName!, $part: RecordPart!, $scope: ScopeInput!, $period: PeriodInput!, $asOf: Date, $first: Int, $after: String) {
  indicatorRecords(indicator: $indicator, part: $part, scope: $scope, period: $period, asOf: $asOf, first: $first, after: $after) {
    totalCount
    pageInfo { endCursor hasNextPage }
    nodes { agencyUscc regionCode caseId recordKey datedOn inNumerator agency { name } }
  }
}`;

const parts = ['NUMERATOR', 'DENOMINATOR', 'SHORTFALL'] as const;

/** The records behind one number: an indicator's numerator, denominator, or the shortfall between them. */
export async function renderRecords(main: HTMLElement, app: App, region: Region): Promise<void> {
  const indicator = app.route.params.get('i') ?? '';
  const part = (parts as readonly string[]).includes(app.route.params.get('part') ?? '') ? app.route.params.get('part')! : 'DENOMINATOR';
  const info = app.indicators.get(indicator);
  const variables = variablesOf(app, region);
  const scope = { ...(variables.scope as Record<string, string>) };
  const actionType = app.route.params.get('at');
  const domain = app.route.params.get('dom');
  if (actionType) scope.actionType = actionType;
  if (domain) scope.domain = domain;
  const base = { indicator, part, scope, period: variables.period, asOf: variables.asOf, first: 50 };
  const labels = app.catalog.labels;

  main.append(h('header', { class: 'dashboard-header' },
    h('h1', {}, `${info?.label ?? indicator} · ${label(labels, 'RecordPart', part)}背后的${info?.recordNoun ?? '记录'}`),
    h('p', { class: 'description' }, `${labelOf(app.route.period)}，截至 ${variables.asOf}${actionType ? `，${label(labels, 'ActionType', actionType)}` : ''}${domain ? `，${domain}` : ''}。`,
      info?.datedBy ? `按 ${info.datedBy} 计入期间。` : '按期末状态计。'),
    h('nav', { class: 'tabs', 'aria-label': '分子分母' }, ...parts.map((p) => h('a', {
      href: '#', class: p === part ? 'active' : '', 'data-part': p,
      onclick: (e: Event) => { e.preventDefault(); app.navigate({ params: { part: p } }); },
    }, label(labels, 'RecordPart', p))))));
  const section = h('section', { class: 'panel w-full', 'data-panel': 'records', 'data-state': 'loading' }, h('p', { class: 'loading' }, '加载中…'));
  main.append(section);
  try {
    const [{ indicators }, page] = await Promise.all([
      gql<{ indicators: Record<string, Rate> }>(`query Rate($scope: ScopeInput!, $period: PeriodInput!, $asOf: Date) { indicators(scope: $scope, period: $period, asOf: $asOf) { ${indicator} { numerator denominator rate } } }`,
        { scope, period: variables.period, asOf: variables.asOf }),
      gql<{ indicatorRecords: { totalCount: number; pageInfo: { endCursor: string | null; hasNextPage: boolean }; nodes: IndicatorRecord[] } }>(query, base),
    ]);
    const rate = indicators[indicator]!;
    const list = page.indicatorRecords;
    const { openCase } = drills(app);
    const tbody = h('tbody', {});
    const add = (nodes: IndicatorRecord[]) => tbody.append(...nodes.map((node) => {
      const tr = h('tr', { class: node.caseId ? 'clickable' : '' },
        h('td', {}, node.agency?.name ?? node.agencyUscc),
        h('td', {}, node.recordKey),
        h('td', {}, node.caseId ?? '—'),
        h('td', {}, node.datedOn ?? '—'),
        h('td', {}, node.inNumerator ? h('span', { class: 'status ok' }, '是') : h('span', { class: 'status bad' }, '否')));
      if (node.caseId) tr.addEventListener('click', () => openCase(node.agencyUscc, node.caseId!));
      return tr;
    }));
    add(list.nodes);
    const summary = h('p', { class: 'note table-summary' });
    const update = () => summary.replaceChildren(`${info?.label ?? indicator}：${percent(rate.rate)}（分子 ${count(rate.numerator)} / 分母 ${count(rate.denominator)}）。本列表共 ${count(list.totalCount)} ${info?.recordNoun ?? '条'}，已显示 ${count(tbody.children.length)}。`);
    update();
    section.replaceChildren(summary, h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, ...['执法主体', '记录', '案件编号', '计入日期', '计入分子'].map((t) => h('th', {}, t)))), tbody)));
    let pageInfo = list.pageInfo;
    if (pageInfo.hasNextPage) {
      const button: HTMLButtonElement = h('button', { type: 'button', class: 'more', onclick: async () => {
        button.disabled = true;
        const next = await gql<typeof page>(query, { ...base, after: pageInfo.endCursor });
        add(next.indicatorRecords.nodes);
        pageInfo = next.indicatorRecords.pageInfo;
        update();
        if (pageInfo.hasNextPage) button.disabled = false; else button.remove();
      } }, '加载更多');
      section.append(button);
    }
    section.dataset.state = list.totalCount === 0 ? 'empty' : 'ready';
    if (list.totalCount === 0) section.append(h('p', { class: 'empty' }, '本期无数据'));
  } catch (error) {
    section.dataset.state = 'error';
    section.replaceChildren(h('p', { class: 'error', role: 'alert' }, error instanceof ApiError ? error.message : `显示出错：${(error as Error).message}`));
  }
}
