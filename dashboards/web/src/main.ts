import { ApiError, gql, storedToken, storeToken } from './api.js';
import { hashOf, parseRoute, regionOf, type App, type Catalog, type IndicatorInfo, type Me, type Region, type Route } from './app-state.js';
import { clear, h } from './dom.js';
import { label } from './format.js';
import { disposeCharts } from './panels/charts.js';
import { asOfPicker, chainTo, periodPicker, scopePicker } from './pickers.js';
import { renderCase } from './views/case-view.js';
import { renderDashboard } from './views/dashboard-view.js';
import { renderRecords } from './views/records-view.js';

/**
 * The dashboards' page: a login box that takes a token (the demo offers some), then a menu of the dashboards
 * defined in dashboards/definitions/, the scope/period/as-of bar, and the chosen view. Everything it shows comes
 * from the hub's GraphQL API with the viewer's token, so it never shows what the viewer may not see.
 */
const root = document.getElementById('app')!;

async function fetchJson<T>(url: string): Promise<T | null> {
  try {
    const response = await fetch(url);
    return response.ok ? await response.json() as T : null;
  } catch {
    return null;
  }
}

async function showLogin(message?: string): Promise<void> {
  disposeCharts();
  const demo = await fetchJson<{ label: string; role: string; token: string }[]>('/demo-viewers.json');
  const input = h('textarea', { id: 'token', rows: 4, placeholder: '粘贴访问令牌（由系统管理员以 hub token 签发）', 'aria-label': '访问令牌' });
  const login = (token: string) => { storeToken(token); location.hash = ''; void boot(); };
  clear(root, h('main', { class: 'login' },
    h('h1', {}, '行政执法监督数据中台'),
    h('p', { class: 'description' }, '三项制度执行情况：公示及时性、法制审核、全过程记录、纠错率与排名。'),
    message ? h('p', { class: 'error', role: 'alert' }, message) : null,
    h('form', { onsubmit: (e: Event) => { e.preventDefault(); const token = input.value.trim(); if (token) login(token); } },
      h('label', { for: 'token' }, '访问令牌'), input, h('button', { type: 'submit' }, '登录')),
    demo?.length ? h('div', { class: 'demo-viewers' }, h('h2', {}, '演示账号（合成数据）'),
      ...demo.map((viewer) => h('button', { type: 'button', 'data-demo-role': viewer.role, onclick: () => login(viewer.token) }, viewer.label))) : null,
    h('p', {}, h('a', { href: '#', onclick: (e: Event) => { e.preventDefault(); login('PUBLIC'); } }, '以公众身份查看（仅已公示的决定）'))));
}

async function rootOf(me: Me, regions: Map<string, Region>): Promise<{ region: Region; agency: string | null }> {
  const cache = { regions };
  if (me.role === 'AGENCY' && me.agencyUscc) {
    const { agency } = await gql<{ agency: { regionCode: string } | null }>('query Own($uscc: String!) { agency(uscc: $uscc) { regionCode } }', { uscc: me.agencyUscc });
    const region = agency && await regionOf(cache, agency.regionCode);
    if (!region) throw new ApiError('找不到本执法主体的区划，请联系系统管理员。', 0);
    return { region, agency: me.agencyUscc };
  }
  let code = me.regionCode;
  if (!code) {
    // the province (or administrator) without a region: the province whose agencies the warehouse holds
    const { agencies } = await gql<{ agencies: { nodes: { regionCode: string }[] } }>('query AnyAgency { agencies(first: 1) { nodes { regionCode } } }');
    code = agencies.nodes[0]?.regionCode ?? null;
    for (let region = code ? await regionOf(cache, code) : null; region; region = region.parentCode ? await regionOf(cache, region.parentCode) : null) {
      if (region.level === 'PROVINCE') code = region.code;
    }
  }
  const region = code ? await regionOf(cache, code) : null;
  if (!region) throw new ApiError('数据中台中还没有任何执法主体的数据。', 0);
  return { region, agency: null };
}

async function horizonBanner(): Promise<HTMLElement | null> {
  const health = await fetchJson<{ calendarHorizon: string; calendarHorizonDaysLeft: number }>('/healthz');
  return health && health.calendarHorizonDaysLeft < 60
    ? h('p', { class: 'banner' }, `节假日安排目前只到 ${health.calendarHorizon}：此后的期限按周末推算，标为「暂定」，新的安排公布后会重新计算。`)
    : null;
}

async function boot(): Promise<void> {
  if (!storedToken()) return showLogin();
  clear(root, h('p', { class: 'loading' }, '加载中…'));
  let app: App;
  try {
    const catalog = await fetchJson<Catalog>('/dashboards.json');
    if (!catalog) throw new ApiError('无法读取看板定义，请稍后重试。', 0);
    const { me, indicatorCatalog } = await gql<{ me: Me; indicatorCatalog: IndicatorInfo[] }>(
      'query Boot { me { role regionCode agencyUscc subject today } indicatorCatalog { name label recordNoun datedBy } }');
    const regions = new Map<string, Region>();
    const top = await rootOf(me, regions);
    const defaults = { region: top.region.code, agency: top.agency, period: me.today.slice(0, 4) };
    app = {
      catalog, me, regions, root: top,
      indicators: new Map(indicatorCatalog.map((info) => [info.name, info])),
      route: parseRoute(location.hash, defaults),
      navigate(patch, replace = false) {
        const params = new URLSearchParams(app.route.params);
        for (const [name, value] of Object.entries(patch.params ?? {})) {
          if (value === null) params.delete(name); else params.set(name, value);
        }
        const next: Route = { ...app.route, ...patch, params };
        if (patch.view && !['records', 'case'].includes(patch.view)) for (const name of ['i', 'part', 'ag', 'c', 'at', 'dom']) params.delete(name);
        const hash = hashOf(next);
        if (replace) { history.replaceState(null, '', hash); void render(app, defaults); } else location.hash = hash;
      },
    };
    window.onhashchange = () => void render(app, defaults);
    const banner = await horizonBanner();
    const who = `${label(catalog.labels, 'ViewerRole', me.role)} · ${top.agency ? '本执法主体' : top.region.name}${me.subject ? ` · ${me.subject}` : ''}`;
    clear(root,
      h('header', { class: 'top' },
        h('div', { class: 'brand' }, '行政执法监督数据中台'),
        h('nav', { class: 'menu', 'aria-label': '看板' }, ...catalog.dashboards.map((d) => h('a', { href: '#', 'data-dashboard': d.id, onclick: (e: Event) => { e.preventDefault(); app.navigate({ view: d.id, params: { v: null } }); } }, d.title))),
        h('div', { class: 'viewer' }, h('span', { 'data-viewer': me.role }, who), h('button', { type: 'button', onclick: () => { storeToken(null); location.hash = ''; void showLogin(); } }, '退出'))),
      banner ?? '',
      h('div', { class: 'bar', id: 'bar' }),
      h('main', { id: 'view' }));
    await render(app, defaults);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.code === 'UNAUTHENTICATED')) {
      storeToken(null);
      return showLogin(error.message);
    }
    clear(root, h('p', { class: 'error', role: 'alert' }, error instanceof Error ? error.message : String(error), ' ',
      h('button', { type: 'button', onclick: () => void boot() }, '重试'), ' ',
      h('button', { type: 'button', onclick: () => { storeToken(null); void showLogin(); } }, '换一个令牌')));
  }
}

let rendering = 0;
async function render(app: App, defaults: { region: string; agency: string | null; period: string }): Promise<void> {
  const ticket = ++rendering;
  const started = performance.now();
  app.route = parseRoute(location.hash, defaults);
  if (app.root.agency) app.route.agency = app.root.agency;
  const bar = document.getElementById('bar')!;
  const view = document.getElementById('view')!;
  disposeCharts();
  document.body.dataset.ready = 'false';
  const chain = await chainTo(app, app.route.region);
  if (ticket !== rendering) return;
  if (!chain) {
    // an address outside the jurisdiction (typed, or bookmarked under another account): back to one's own
    clear(view, h('p', { class: 'error', role: 'alert' }, `无权查看区划 ${app.route.region}：只能查看${app.root.region.name}范围内的数据。`));
    bar.replaceChildren();
    setTimeout(() => app.navigate({ region: app.root.region.code, agency: app.root.agency }, true), 1500);
    return;
  }
  const region = chain[chain.length - 1]!;
  for (const link of document.querySelectorAll<HTMLElement>('.menu a')) link.classList.toggle('active', link.dataset.dashboard === app.route.view);
  const pickers = await scopePicker(app, chain);
  if (ticket !== rendering) return;
  bar.replaceChildren(pickers, periodPicker(app), asOfPicker(app));
  view.replaceChildren();
  const dashboard = app.catalog.dashboards.find((d) => d.id === app.route.view);
  if (app.route.view === 'records') await renderRecords(view, app, region);
  else if (app.route.view === 'case') await renderCase(view, app);
  else if (dashboard) await renderDashboard(view, app, dashboard, region);
  else view.append(h('p', { class: 'error' }, `没有名为 ${app.route.view} 的看板。`));
  if (ticket !== rendering) return;
  document.body.dataset.ready = 'true';
  // measured by the browser tests: this view's time, and the time from opening the page to its data on screen
  document.body.dataset.renderMs = String(Math.round(performance.now() - started));
  document.body.dataset.readyAt ??= String(Math.round(performance.now()));
}

void boot();
