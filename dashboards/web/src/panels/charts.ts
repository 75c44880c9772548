import { h } from '../dom.js';
import { at, count, label, percent, type Rate } from '../format.js';
import { NoData, rowsAt, stepOf, type AggregateRow, type PanelContext } from './panel-context.js';

/**
 * Line, bar, pie and histogram panels drawn with Apache ECharts. Rates are plotted in percent with their
 * numerator and denominator in the tooltip; a bar of a region or an agency narrows the scope when clicked.
 */
type Chart = ReturnType<typeof echarts.init>;
const charts = new Set<Chart>();
window.addEventListener('resize', () => { for (const chart of charts) chart.resize(); });

/** Charts of a view that is left are disposed (their canvases would otherwise pile up). */
export function disposeCharts(): void {
  for (const chart of charts) chart.dispose();
  charts.clear();
}

const palette = ['#c23531', '#2f4554', '#61a0a8', '#d48265', '#91c7ae', '#749f83', '#ca8622', '#bda29a', '#6e7074', '#546570'];

function mount(body: HTMLElement, option: Record<string, unknown>): Chart {
  const element = h('div', { class: 'chart', role: 'img' });
  body.append(element);
  const chart = echarts.init(element, undefined, { renderer: 'canvas' });
  chart.setOption({ color: palette, animation: false, textStyle: { fontFamily: 'inherit' }, ...option });
  charts.add(chart);
  return chart;
}

const ratePercent = (rate: Rate | undefined) => (rate && rate.rate !== null ? Number((rate.rate * 100).toFixed(2)) : null);

export function renderLine(body: HTMLElement, data: unknown, ctx: PanelContext): void {
  const rows = rowsAt(data, ctx.panel.data);
  const names = ctx.panel.series as string[];
  const rates = (row: unknown, name: string) => at(row, `indicators.${name}`) as Rate | undefined;
  if (!rows.some((row) => names.some((name) => (rates(row, name)?.denominator ?? 0) > 0))) throw new NoData();
  const x = rows.map((row) => String(at(row, String(ctx.panel.x))));
  const chart = mount(body, {
    tooltip: {
      trigger: 'axis',
      formatter: (items: { dataIndex: number; seriesName: string; marker: string; seriesIndex: number }[]) => {
        const index = items[0]?.dataIndex ?? 0;
        return [x[index], ...items.map((item) => {
          const rate = rates(rows[index], names[item.seriesIndex]!);
          return `${item.marker}${item.seriesName}：${percent(rate?.rate)}（${count(rate?.numerator)}/${count(rate?.denominator)}）`;
        })].join('<br>');
      },
    },
    legend: { top: 0 },
    grid: { left: 48, right: 16, top: 36, bottom: 28 },
    xAxis: { type: 'category', data: x },
    yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
    series: names.map((name) => ({
      name: ctx.app.indicators.get(name)?.label ?? name, type: 'line', connectNulls: false, symbolSize: 6,
      data: rows.map((row) => ratePercent(rates(row, name))),
    })),
  });
  // a month on the trend becomes the period
  chart.on('click', (event: { dataIndex?: number }) => {
    const from = at(rows[event.dataIndex ?? -1], 'period.from');
    if (typeof from === 'string') ctx.app.navigate({ period: from.slice(0, 7) });
  });
}

/** Count bars: rows sharing a label are summed, the largest kept and the tail folded into 其他. */
function topCounts(rows: unknown[], nameOf: (row: unknown) => string, valueOf: (row: unknown) => number, top: number): Bar[] {
  const totals = new Map<string, number>();
  for (const row of rows) totals.set(nameOf(row), (totals.get(nameOf(row)) ?? 0) + valueOf(row));
  const sorted = [...totals.entries()].map(([name, value]) => ({ name, value })).sort((a, b) => b.value - a.value || a.name.localeCompare(b.name));
  if (sorted.length <= top) return sorted;
  const rest = sorted.slice(top - 1).reduce((sum, bar) => sum + bar.value, 0);
  return [...sorted.slice(0, top - 1), { name: `其他（${sorted.length - top + 1} 类）`, value: rest }];
}

interface Bar { name: string; value: number | null; rate?: Rate; row?: AggregateRow }

export function renderBar(body: HTMLElement, data: unknown, ctx: PanelContext): void {
  const rows = rowsAt(data, ctx.panel.data);
  const indicator = ctx.panel.indicator as string | undefined;
  const labelPaths = ([] as string[]).concat((ctx.panel.label ?? []) as string | string[]);
  const bars: Bar[] = indicator
    ? (rows as AggregateRow[]).filter((row) => row.rate.denominator > 0)
      .map((row) => ({ name: row.keys.map((key) => key.label).join(' · '), value: ratePercent(row.rate), rate: row.rate, row }))
    : topCounts(rows, (row) => labelPaths.map((path) => at(row, path)).filter((v) => v !== null && v !== undefined && v !== '').join(' · '),
      (row) => Number(at(row, String(ctx.panel.value)) ?? 0), Number(ctx.panel.top ?? 12));
  if (bars.length === 0) throw new NoData();
  const names = bars.map((bar) => bar.name);
  const horizontal = bars.length > 8;
  const category = { type: 'category', data: names, axisLabel: { interval: 0, width: horizontal ? 140 : 80, overflow: 'truncate' }, inverse: horizontal };
  const value = { type: 'value', ...(indicator && { max: 100, axisLabel: { formatter: '{value}%' } }) };
  const chart = mount(body, {
    tooltip: {
      trigger: 'item',
      formatter: (item: { dataIndex: number }) => {
        const bar = bars[item.dataIndex]!;
        return bar.rate ? `${bar.name}<br>${percent(bar.rate.rate)}（${count(bar.rate.numerator)}/${count(bar.rate.denominator)}）` : `${bar.name}：${count(bar.value)}`;
      },
    },
    grid: { left: horizontal ? 150 : 48, right: 24, top: 16, bottom: horizontal ? 24 : 56, containLabel: false },
    xAxis: horizontal ? value : category,
    yAxis: horizontal ? category : value,
    series: [{ type: 'bar', data: bars.map((bar) => bar.value), barMaxWidth: 36,
      label: { show: true, position: horizontal ? 'right' : 'top', formatter: (p: { value: number }) => (indicator ? `${p.value.toFixed(1)}%` : count(p.value)) } }],
  });
  if (indicator) {
    chart.on('click', (event: { dataIndex?: number }) => {
      const row = bars[event.dataIndex ?? -1]?.row;
      const step = stepOf(row);
      if (step && ctx.narrow(step)) return;
      const key = row?.keys[0];
      if (key) ctx.openRecords(indicator, 'DENOMINATOR', { dimension: key.dimension, value: key.value });
    });
  }
}

export function renderPie(body: HTMLElement, data: unknown, ctx: PanelContext): void {
  const filter = (ctx.panel.filter ?? {}) as Record<string, unknown>;
  const rows = rowsAt(data, ctx.panel.data).filter((row) => Object.entries(filter).every(([path, v]) => at(row, path) === v));
  const totals = new Map<string, number>();
  for (const row of rows) {
    const key = String(at(row, String(ctx.panel.label)));
    totals.set(key, (totals.get(key) ?? 0) + Number(at(row, String(ctx.panel.value)) ?? 0));
  }
  if ([...totals.values()].every((n) => n === 0)) throw new NoData();
  const list = ctx.panel.labels as string | undefined;
  mount(body, {
    tooltip: { trigger: 'item', formatter: '{b}：{c} 件（{d}%）' },
    legend: { type: 'scroll', orient: 'vertical', right: 0, top: 'middle' },
    series: [{ type: 'pie', radius: ['35%', '70%'], center: ['40%', '50%'], label: { formatter: '{b}\n{c} 件' },
      data: [...totals.entries()].map(([key, n]) => ({ name: label(ctx.app.catalog.labels, list, key), value: n, code: key })) }],
  });
}

export function renderHistogram(body: HTMLElement, data: unknown, ctx: PanelContext): void {
  const rows = rowsAt(data, ctx.panel.data);
  const values = rows.map((row) => at(row, String(ctx.panel.value))).filter((v): v is number => typeof v === 'number');
  if (values.length === 0) throw new NoData();
  const edges = ctx.panel.bins as number[];
  const buckets = edges.map((edge, i) => {
    const next = edges[i + 1];
    return { from: edge, to: next === undefined ? Infinity : next - 1, name: next === undefined ? `≥${edge}` : next - 1 === edge ? String(edge) : `${edge}–${next - 1}` };
  });
  if (values.some((v) => v < edges[0]!)) buckets.unshift({ from: -Infinity, to: edges[0]! - 1, name: `<${edges[0]}` });
  const seriesPath = ctx.panel.seriesBy as string | undefined;
  const seriesKeys = seriesPath ? [...new Set(rows.map((row) => String(at(row, seriesPath))))].sort() : [''];
  const list = ctx.panel.labels as string | undefined;
  const total = ctx.panel.total ? Number(at(data, String(ctx.panel.total))) : rows.length;
  if (total > rows.length) body.append(h('p', { class: 'note' }, `按前 ${count(rows.length)} 条统计（共 ${count(total)} 条）`));
  mount(body, {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 48, right: 16, top: 36, bottom: 40 },
    xAxis: { type: 'category', data: buckets.map((b) => b.name), name: String(ctx.panel.unit ?? ''), nameLocation: 'middle', nameGap: 26 },
    yAxis: { type: 'value', minInterval: 1 },
    series: seriesKeys.map((key) => ({
      name: key ? label(ctx.app.catalog.labels, list, key) : '件数', type: 'bar', stack: 'all',
      data: buckets.map((b) => rows.filter((row) => (!seriesPath || String(at(row, seriesPath)) === key) && (() => {
        const v = at(row, String(ctx.panel.value));
        return typeof v === 'number' && v >= b.from && v <= b.to;
      })()).length),
    })),
  });
}
