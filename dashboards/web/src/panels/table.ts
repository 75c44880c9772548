import { h } from '../dom.js';
import { at, count, dateTime, label, percent, runCounts, type Rate } from '../format.js';
import { NoData, rowsAt, stepOf, type PanelContext } from './panel-context.js';

/** A column of a table panel, as the definition writes it. */
export interface Column {
  field: string;
  title: string;
  /** date, datetime, rate, pass, list, counts; absent: text (through `labels` when given) */
  format?: string;
  labels?: string;
  /** a field saying the value is provisional (a deadline past the holiday calendar's horizon) */
  provisional?: string;
  /** the value is a status: coloured */
  status?: boolean;
  /** a rate column: the indicator its numerator and denominator drill to */
  indicator?: string;
  /** the cell narrows the scope to the row's region or agency */
  scopeLink?: boolean;
}

function link(text: string, title: string, onClick: () => void): HTMLElement {
  return h('a', { href: '#', title, onclick: (e: Event) => { e.preventDefault(); e.stopPropagation(); onClick(); } }, text);
}

function cell(row: unknown, column: Column, ctx: PanelContext): HTMLElement {
  const value = at(row, column.field);
  const labels = ctx.app.catalog.labels;
  const td = h('td', {});
  const step = stepOf(row);
  switch (column.format) {
    case 'date': td.append(typeof value === 'string' ? value : '—'); break;
    case 'datetime': td.append(dateTime(value as string | null)); break;
    case 'counts': td.append(runCounts(value)); break;
    case 'list': td.append(Array.isArray(value) && value.length ? value.map((v) => label(labels, column.labels, v)).join('、') : '—'); break;
    case 'rate': case 'pass': {
      const rate = value as Rate;
      td.className = 'num';
      const drill = (part: 'NUMERATOR' | 'DENOMINATOR') => () => ctx.openRecords(column.indicator!, part, step);
      if (column.format === 'pass') {
        td.append(rate.denominator === 0 ? '—' : rate.numerator === rate.denominator ? h('span', { class: 'status ok' }, '达标') : h('span', { class: 'status bad' }, '未达标'), ' ');
      } else td.append(h('span', { class: 'rate' }, percent(rate.rate)), ' ');
      td.append(h('span', { class: 'parts' }, '（', link(count(rate.numerator), '查看分子', drill('NUMERATOR')), '/', link(count(rate.denominator), '查看分母', drill('DENOMINATOR')), '）'));
      break;
    }
    default: {
      const text = typeof value === 'number' ? count(value) : label(labels, column.labels, value);
      if (column.scopeLink && step) td.append(link(text, '缩小到此范围', () => ctx.narrow(step)));
      else if (column.status) td.append(h('span', { class: `status s-${String(value).toLowerCase()}` }, text));
      else td.append(text);
      if (typeof value === 'number') td.className = 'num';
    }
  }
  if (column.provisional && at(row, column.provisional) === true) {
    td.append(h('span', { class: 'provisional', title: '期限超出节假日安排已知范围，为暂定（节假日安排公布后可能变化）' }, '暂定'));
  }
  return td;
}

function sorted(rows: unknown[], sort: { field: string; order?: string } | undefined): unknown[] {
  if (!sort) return rows;
  const direction = sort.order === 'desc' ? -1 : 1;
  const key = (row: unknown) => at(row, sort.field);
  return [...rows].sort((a, b) => {
    const x = key(a); const y = key(b);
    if (x === y) return 0;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    return (x < y ? -1 : 1) * direction;
  });
}

/**
 * A table panel. With `pageInfo`, 「加载更多」 reads the next page; with `caseLink`, a row opens its case; rate
 * cells link their numerator and denominator to the records behind them.
 */
export function renderTable(body: HTMLElement, data: unknown, ctx: PanelContext, more?: (after: string) => Promise<unknown>): void {
  const columns = ctx.panel.columns as Column[];
  const rows = sorted(rowsAt(data, ctx.panel.data), ctx.panel.sort as { field: string; order?: string } | undefined);
  if (rows.length === 0) throw new NoData(ctx.panel.scoped === false ? '暂无数据' : '本期无数据');
  const caseLink = ctx.panel.caseLink as { agency: string; caseId: string } | undefined;
  const tbody = h('tbody', {});
  const addRows = (page: unknown[]) => {
    for (const row of page) {
      const tr = h('tr', {}, ...columns.map((column) => cell(row, column, ctx)));
      const agency = caseLink && at(row, caseLink.agency);
      const caseId = caseLink && at(row, caseLink.caseId);
      if (typeof agency === 'string' && typeof caseId === 'string') {
        tr.classList.add('clickable');
        tr.title = '查看该案件的检查结果与数据来源';
        tr.addEventListener('click', () => ctx.openCase(agency, caseId));
      }
      tbody.append(tr);
    }
  };
  addRows(rows);
  const total = ctx.panel.total ? Number(at(data, String(ctx.panel.total))) : null;
  const summary = h('p', { class: 'note table-summary' });
  const shownCount = () => tbody.children.length;
  const updateSummary = () => summary.replaceChildren(total !== null ? `共 ${count(total)} 条，已显示 ${count(shownCount())} 条` : `${count(shownCount())} 条`);
  updateSummary();
  body.append(summary, h('div', { class: 'table-wrap' },
    h('table', {}, h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', {}, c.title)))), tbody)));
  let pageInfo = ctx.panel.pageInfo ? at(data, String(ctx.panel.pageInfo)) as { endCursor: string | null; hasNextPage: boolean } : null;
  if (pageInfo?.hasNextPage && more) {
    const button: HTMLButtonElement = h('button', { type: 'button', class: 'more', onclick: async () => {
      button.disabled = true;
      button.textContent = '加载中…';
      try {
        const next = await more(pageInfo!.endCursor!);
        addRows(rowsAt(next, ctx.panel.data));
        pageInfo = at(next, String(ctx.panel.pageInfo)) as typeof pageInfo;
        updateSummary();
        if (!pageInfo?.hasNextPage) button.remove();
        else { button.disabled = false; button.textContent = '加载更多'; }
      } catch (error) {
        button.disabled = false;
        button.textContent = `加载失败：${(error as Error).message} 点击重试`;
      }
    } }, '加载更多');
    body.append(button);
  }
}
