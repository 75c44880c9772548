import { h } from '../dom.js';
import { at, count, percent, type Rate } from '../format.js';
import { NoData, type PanelContext } from './panel-context.js';

/**
 * Headline rates as cards: the rate, its numerator and denominator (each a link to the records behind it) and
 * the change against the previous period in percentage points.
 */
export function renderKpis(body: HTMLElement, data: unknown, ctx: PanelContext): void {
  const names = ctx.panel.indicators as string[];
  const current = at(data, String(ctx.panel.data)) as Record<string, Rate>;
  const previous = ctx.panel.compare ? at(data, String(ctx.panel.compare)) as Record<string, Rate> | undefined : undefined;
  if (names.every((name) => !current[name] || current[name]!.denominator === 0)) throw new NoData();
  const cards = names.map((name) => {
    const rate = current[name]!;
    const info = ctx.app.indicators.get(name);
    const before = previous?.[name];
    let change: HTMLElement | null = null;
    if (previous) {
      if (rate.rate === null || before?.rate === null || before?.rate === undefined) change = h('span', { class: 'kpi-change' }, '上期无可比数据');
      else {
        const points = (rate.rate - before.rate) * 100;
        const sign = points > 0.05 ? 'up' : points < -0.05 ? 'down' : 'flat';
        change = h('span', { class: `kpi-change ${sign}`, title: `上期 ${percent(before.rate)}（${count(before.numerator)}/${count(before.denominator)}）` },
          `较上期 ${points > 0 ? '+' : ''}${points.toFixed(1)} 个百分点`);
      }
    }
    const noun = info?.recordNoun ?? '';
    return h('div', { class: 'kpi', 'data-indicator': name },
      h('div', { class: 'kpi-title' }, info?.label ?? name),
      h('div', { class: 'kpi-rate' }, percent(rate.rate)),
      h('div', { class: 'kpi-parts' },
        h('a', { href: '#', class: 'kpi-numerator', title: `查看计入分子的${noun}`, onclick: (e: Event) => { e.preventDefault(); ctx.openRecords(name, 'NUMERATOR'); } }, count(rate.numerator)),
        ' / ',
        h('a', { href: '#', class: 'kpi-denominator', title: `查看计入分母的${noun}`, onclick: (e: Event) => { e.preventDefault(); ctx.openRecords(name, 'DENOMINATOR'); } }, count(rate.denominator)),
        h('span', { class: 'kpi-noun' }, ` ${noun}`)),
      change);
  });
  body.append(h('div', { class: 'kpis' }, ...cards));
}
