import { ApiError, gql } from '../api.js';
import type { App, DashboardDefinition, Region } from '../app-state.js';
import { variablesOf } from '../app-state.js';
import { h } from '../dom.js';
import { renderBar, renderHistogram, renderLine, renderPie } from '../panels/charts.js';
import { renderKpis } from '../panels/kpi-cards.js';
import { NoData, type PanelContext, type ScopeStep } from '../panels/panel-context.js';
import { renderRanking } from '../panels/ranking.js';
import { renderTable } from '../panels/table.js';

/** Drill-downs every view shares: to records, to a case, one scope step down. */
export function drills(app: App): Pick<PanelContext, 'openRecords' | 'openCase' | 'narrow'> {
  return {
    openRecords(indicator, part, narrow) {
      const params: Record<string, string | null> = { i: indicator, part, v: null, at: null, dom: null };
      let region = app.route.region;
      let agency = app.route.agency;
      if (narrow?.dimension === 'AGENCY') agency = narrow.value;
      else if (narrow && ['PREFECTURE', 'COUNTY', 'REGION'].includes(narrow.dimension)) { region = narrow.value; agency = null; }
      else if (narrow?.dimension === 'ACTION_TYPE') params.at = narrow.value;
      else if (narrow?.dimension === 'DOMAIN') params.dom = narrow.value;
      app.navigate({ view: 'records', region, agency, params });
    },
    openCase(agencyUscc, caseId) {
      app.navigate({ view: 'case', params: { ag: agencyUscc, c: caseId } });
    },
    narrow(step: ScopeStep) {
      if (step.dimension === 'AGENCY') {
        if (app.route.agency === step.value) return false;
        app.navigate({ agency: step.value, params: { v: null } });
        return true;
      }
      // 「…（本级）」: the region's own agencies, already the scope
      if (step.value === app.route.region) return false;
      app.navigate({ region: step.value, agency: null, params: { v: null } });
      return true;
    },
  };
}

/** Variables a query declares, taken from what the page offers (GraphQL refuses undeclared ones only by name). */
function declared(query: string, offered: Record<string, unknown>): Record<string, unknown> {
  const names = new Set([...query.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)\s*:/g)].map((m) => m[1]!));
  return Object.fromEntries(Object.entries(offered).filter(([name]) => names.has(name)));
}

async function fillPanel(body: HTMLElement, shell: HTMLElement, ctx: PanelContext): Promise<void> {
  const { panel } = ctx;
  shell.dataset.state = 'loading';
  body.replaceChildren(h('p', { class: 'loading' }, '加载中…'));
  const started = performance.now();
  try {
    const content = h('div', { class: 'panel-content' });
    if (panel.kind === 'ranking') {
      await renderRanking(content, ctx);
    } else {
      const query = String(panel.query);
      const data = await gql<unknown>(query, declared(query, ctx.variables));
      const more = (after: string) => gql<unknown>(query, declared(query, { ...ctx.variables, after }));
      // the content is attached before drawing, so that charts measure their real size
      body.replaceChildren(content);
      switch (panel.kind) {
        case 'kpis': renderKpis(content, data, ctx); break;
        case 'line': renderLine(content, data, ctx); break;
        case 'bar': renderBar(content, data, ctx); break;
        case 'pie': renderPie(content, data, ctx); break;
        case 'histogram': renderHistogram(content, data, ctx); break;
        case 'table': renderTable(content, data, ctx, more); break;
        default: throw new Error(`面板类型 ${panel.kind} 无法显示`);
      }
    }
    body.replaceChildren(content);
    shell.dataset.state = 'ready';
  } catch (error) {
    if (error instanceof NoData) {
      body.append(h('p', { class: 'empty' }, error.message));
      shell.dataset.state = 'empty';
    } else {
      const message = error instanceof ApiError ? error.message : `显示出错：${(error as Error).message}`;
      body.replaceChildren(h('p', { class: 'error', role: 'alert' }, message, ' ',
        h('button', { type: 'button', onclick: () => void fillPanel(body, shell, ctx) }, '重试')));
      shell.dataset.state = 'error';
    }
  } finally {
    shell.dataset.ms = String(Math.round(performance.now() - started));
  }
}

export function renderDashboard(main: HTMLElement, app: App, dashboard: DashboardDefinition, region: Region): Promise<void> {
  const variables = variablesOf(app, region);
  main.append(h('header', { class: 'dashboard-header' }, h('h1', {}, dashboard.title), dashboard.description ? h('p', { class: 'description' }, dashboard.description) : null));
  const grid = h('div', { class: 'panels' });
  main.append(grid);
  const fills = dashboard.panels.map((panel) => {
    const body = h('div', { class: 'panel-body' });
    const shell = h('section', { class: `panel w-${panel.width ?? 'half'}`, 'data-panel': panel.id, 'data-kind': panel.kind, 'aria-label': panel.title },
      h('h2', {}, panel.title, panel.scoped === false ? h('span', { class: 'unscoped' }, '（不随范围与期间变化）') : null), body);
    grid.append(shell);
    return fillPanel(body, shell, { app, region, panel, variables, ...drills(app) });
  });
  return Promise.all(fills).then(() => undefined);
}
