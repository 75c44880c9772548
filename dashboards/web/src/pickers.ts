import { gql } from './api.js';
import { regionOf, type App, type Region } from './app-state.js';
import { h } from './dom.js';
import { kindOf, labelOf, periodOf, type PeriodKind } from './periods.js';

/**
 * The bar above every dashboard: scope (province → prefecture → county → agency, never above the viewer's own
 * region), period (year, quarter, month or a range) and as-of date. Each change is a new address.
 */

const childrenCache = new Map<string, Region[]>();
const agenciesCache = new Map<string, { uscc: string; name: string; regionCode: string }[]>();

async function childrenOf(app: App, code: string): Promise<Region[]> {
  let children = childrenCache.get(code);
  if (!children) {
    ({ regions: children } = await gql<{ regions: Region[] }>('query Children($code: String) { regions(parentCode: $code) { code name level parentCode } }', { code }));
    childrenCache.set(code, children);
    for (const child of children) app.regions.set(child.code, child);
  }
  return children;
}

async function agenciesOf(region: Region): Promise<{ uscc: string; name: string; regionCode: string }[]> {
  let agencies = agenciesCache.get(region.code);
  if (!agencies) {
    const { agencies: page } = await gql<{ agencies: { nodes: { uscc: string; name: string; regionCode: string }[] } }>(
      'query Agencies($scope: ScopeInput) { agencies(scope: $scope, first: 200) { nodes { uscc name regionCode } } }', { scope: { regionCode: region.code } });
    // a prefecture lists its own (city-level) agencies; a county every agency in it, townships' included
    agencies = region.level === 'PREFECTURE' ? page.nodes.filter((a) => a.regionCode === region.code) : page.nodes;
    agenciesCache.set(region.code, agencies);
  }
  return agencies;
}

/** The regions from the viewer's root down to `code`, or null when `code` is outside the root. */
export async function chainTo(app: App, code: string): Promise<Region[] | null> {
  const chain: Region[] = [];
  for (let region = await regionOf(app, code); region; region = region.parentCode ? await regionOf(app, region.parentCode) : null) {
    chain.unshift(region);
    if (region.code === app.root.region.code) return chain;
  }
  return null;
}

function select(label: string, testId: string, options: { value: string; text: string }[], value: string, onChange: (value: string) => void): HTMLElement {
  const element = h('select', { 'aria-label': label, 'data-picker': testId, onchange: (event: Event) => onChange((event.target as HTMLSelectElement).value) },
    ...options.map((option) => h('option', { value: option.value, selected: option.value === value }, option.text)));
  return h('label', { class: 'picker' }, h('span', {}, label), element);
}

export async function scopePicker(app: App, chain: Region[]): Promise<HTMLElement> {
  const box = h('div', { class: 'scope-picker', role: 'group', 'aria-label': '范围' });
  box.append(h('span', { class: 'scope-root', 'data-picker': 'root' }, app.root.region.name));
  if (app.root.agency) {
    const agencies = await agenciesOf(chain[chain.length - 1]!).catch(() => []);
    box.append(h('span', { class: 'scope-fixed' }, `› ${agencies.find((a) => a.uscc === app.root.agency)?.name ?? app.root.agency}`));
    return box;
  }
  const levelName: Record<string, string> = { PREFECTURE: '设区市', COUNTY: '区县' };
  for (let i = 0; i < chain.length; i++) {
    const parent = chain[i]!;
    if (parent.level === 'PROVINCE' || parent.level === 'PREFECTURE') {
      const children = (await childrenOf(app, parent.code)).filter((child) => child.level === 'PREFECTURE' || child.level === 'COUNTY');
      const chosen = chain[i + 1]?.code ?? '';
      const level = children[0]?.level ?? (parent.level === 'PROVINCE' ? 'PREFECTURE' : 'COUNTY');
      box.append(select(levelName[level] ?? '下级', level === 'PREFECTURE' ? 'prefecture' : 'county',
        [{ value: '', text: '全部' }, ...children.map((child) => ({ value: child.code, text: child.name }))], chosen,
        (value) => app.navigate({ region: value || parent.code, agency: null })));
    }
  }
  const last = chain[chain.length - 1]!;
  if (last.level === 'PREFECTURE' || last.level === 'COUNTY') {
    const agencies = await agenciesOf(last);
    if (agencies.length) {
      box.append(select(last.level === 'PREFECTURE' ? '市本级执法主体' : '执法主体', 'agency',
        [{ value: '', text: '全部' }, ...agencies.map((a) => ({ value: a.uscc, text: a.name }))], app.route.agency ?? '',
        (value) => app.navigate({ agency: value || null })));
    }
  }
  return box;
}

export function periodPicker(app: App): HTMLElement {
  const spec = app.route.period;
  const kind = kindOf(spec) ?? 'YEAR';
  const today = app.me.today;
  const year = Number(spec.slice(0, 4));
  const box = h('div', { class: 'period-picker', role: 'group', 'aria-label': '期间' });
  const go = (period: string) => app.navigate({ period });
  const years = Array.from({ length: 8 }, (_, i) => Number(today.slice(0, 4)) - i);
  const kinds: { value: PeriodKind; text: string }[] = [{ value: 'YEAR', text: '年度' }, { value: 'QUARTER', text: '季度' }, { value: 'MONTH', text: '月度' }, { value: 'RANGE', text: '自定义' }];
  box.append(select('期间', 'period-kind', kinds, kind, (value) => {
    const { from, to } = periodOf(spec);
    const y = from.slice(0, 4);
    if (value === 'YEAR') go(y);
    else if (value === 'QUARTER') go(`${y}Q${Math.floor((Number(from.slice(5, 7)) - 1) / 3) + 1}`);
    else if (value === 'MONTH') go(from.slice(0, 7));
    else go(`${from}..${to}`);
  }));
  if (kind === 'YEAR' || kind === 'QUARTER') {
    box.append(select('年', 'year', years.map((y) => ({ value: String(y), text: `${y} 年` })), String(year),
      (value) => go(kind === 'YEAR' ? value : `${value}Q${spec[5]}`)));
  }
  if (kind === 'QUARTER') {
    box.append(select('季度', 'quarter', [1, 2, 3, 4].map((q) => ({ value: String(q), text: `第 ${q} 季度` })), spec[5]!,
      (value) => go(`${year}Q${value}`)));
  }
  if (kind === 'MONTH') {
    box.append(h('label', { class: 'picker' }, h('span', {}, '月份'),
      h('input', { type: 'month', value: spec, 'data-picker': 'month', onchange: (e: Event) => { const v = (e.target as HTMLInputElement).value; if (v) go(v); } })));
  }
  if (kind === 'RANGE') {
    const { from, to } = periodOf(spec);
    const range = (which: 'from' | 'to') => (e: Event) => {
      const v = (e.target as HTMLInputElement).value;
      if (v) go(which === 'from' ? `${v}..${to}` : `${from}..${v}`);
    };
    box.append(h('label', { class: 'picker' }, h('span', {}, '自'), h('input', { type: 'date', value: from, 'data-picker': 'from', onchange: range('from') })));
    box.append(h('label', { class: 'picker' }, h('span', {}, '至'), h('input', { type: 'date', value: to, 'data-picker': 'to', onchange: range('to') })));
  }
  box.append(h('span', { class: 'period-label' }, labelOf(spec)));
  return box;
}

export function asOfPicker(app: App): HTMLElement {
  return h('label', { class: 'picker', title: '按此日期已经发生的事实计算：之后的公示、审核、判决视为尚未发生' },
    h('span', {}, '截至'),
    h('input', { type: 'date', value: app.route.asOf ?? app.me.today, max: app.me.today, 'data-picker': 'as-of',
      onchange: (e: Event) => { const v = (e.target as HTMLInputElement).value; app.navigate({ asOf: v && v !== app.me.today ? v : null }); } }));
}
