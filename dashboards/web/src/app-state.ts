import { gql } from './api.js';
import type { Labels } from './format.js';
import { kindOf, periodOf, previousOf, trendOf } from './periods.js';

/**
 * What the page knows: the dashboards (data from dashboards/definitions/), who the viewer is and how far their
 * jurisdiction reaches, and where they are — the view, scope, period and as-of date, all kept in the address
 * (#/publication?r=350500&p=2025Q3) so that back, forward, bookmarks and drill-downs work alike.
 */
export interface PanelDefinition { id: string; title: string; kind: string; query?: string; width?: string; [option: string]: unknown }
export interface DashboardDefinition { id: string; title: string; order: number; description?: string; panels: PanelDefinition[] }
export interface Catalog { dashboards: DashboardDefinition[]; labels: Labels }

export interface Me { role: string; regionCode: string | null; agencyUscc: string | null; subject: string | null; today: string }
export interface IndicatorInfo { name: string; label: string; recordNoun: string; datedBy: string | null }
export interface Region { code: string; name: string; level: string; parentCode: string | null }

export interface Route {
  view: string;
  /** the scope's region: within the viewer's root */
  region: string;
  agency: string | null;
  period: string;
  /** null: today */
  asOf: string | null;
  params: URLSearchParams;
}

export interface App {
  catalog: Catalog;
  me: Me;
  indicators: Map<string, IndicatorInfo>;
  /** the top of what the viewer may pick: their region (and, for an agency, the agency itself) */
  root: { region: Region; agency: string | null };
  route: Route;
  regions: Map<string, Region>;
  navigate(patch: Partial<Omit<Route, 'params'>> & { params?: Record<string, string | null> }, replace?: boolean): void;
}

export function parseRoute(hash: string, defaults: { region: string; agency: string | null; period: string }): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const params = new URLSearchParams(query);
  const period = params.get('p');
  return {
    view: path || 'overview',
    region: params.get('r') ?? defaults.region,
    agency: params.get('a') ?? defaults.agency,
    period: period && kindOf(period) ? period : defaults.period,
    asOf: params.get('t'),
    params,
  };
}

export function hashOf(route: Route): string {
  const params = new URLSearchParams(route.params);
  params.set('r', route.region);
  if (route.agency) params.set('a', route.agency); else params.delete('a');
  params.set('p', route.period);
  if (route.asOf) params.set('t', route.asOf); else params.delete('t');
  return `#/${route.view}?${params.toString()}`;
}

export async function regionOf(app: Pick<App, 'regions'>, code: string): Promise<Region | null> {
  const known = app.regions.get(code);
  if (known) return known;
  const { region } = await gql<{ region: Region | null }>('query Region($code: String!) { region(code: $code) { code name level parentCode } }', { code });
  if (region) app.regions.set(code, region);
  return region;
}

const childDimension: Record<string, string> = { PROVINCE: 'PREFECTURE', PREFECTURE: 'COUNTY', COUNTY: 'AGENCY', TOWNSHIP: 'AGENCY' };
const childLevel: Record<string, string | null> = { PROVINCE: 'PREFECTURE', PREFECTURE: 'COUNTY', COUNTY: null, TOWNSHIP: null };

/** The variables every panel may declare (dashboards/README.md lists them). */
export function variablesOf(app: App, region: Region): Record<string, unknown> {
  const { route } = app;
  const asOf = route.asOf ?? app.me.today;
  const scope: Record<string, string> = { regionCode: route.region };
  if (route.agency) scope.agencyUscc = route.agency;
  return {
    scope,
    period: periodOf(route.period),
    previous: previousOf(route.period),
    trend: trendOf(route.period, asOf),
    asOf,
    childDimension: route.agency ? 'AGENCY' : childDimension[region.level] ?? 'AGENCY',
    parent: route.region,
    childLevel: route.agency ? null : childLevel[region.level] ?? null,
    first: 20,
  };
}
