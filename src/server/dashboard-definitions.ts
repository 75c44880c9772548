import fs from 'node:fs';
import path from 'node:path';
import { GraphQLEnumType, parse, validate, type GraphQLSchema } from 'graphql';
import YAML from 'yaml';
import { projectRoot } from '../paths';

/**
 * The dashboards are data (issue 6): one YAML file per dashboard in `dashboards/definitions/`, each a list of
 * panels, each panel a GraphQL query, a chart kind and the fields it shows. The web page renders whatever these
 * files say; adding a panel is an edit here, not code. Definitions are checked when the hub starts — a query
 * the schema does not answer, or a kind the page cannot draw, stops the start with the file and panel named —
 * so a broken panel never reaches a supervisor's screen.
 */

export const dashboardDir = path.join(projectRoot, 'dashboards');
export const definitionsDir = path.join(dashboardDir, 'definitions');

/** What the page draws (dashboards/web/src/panels/). */
export const PanelKinds = ['kpis', 'line', 'bar', 'pie', 'histogram', 'table', 'ranking'] as const;
export type PanelKind = (typeof PanelKinds)[number];

export interface PanelDefinition {
  id: string;
  title: string;
  kind: PanelKind;
  /** a GraphQL document; the page supplies the variables it declares (see dashboards/README.md) */
  query?: string;
  /** kind-specific fields (data paths, columns, series, …), passed to the page as written */
  [option: string]: unknown;
}

export interface DashboardDefinition {
  id: string;
  title: string;
  order: number;
  description?: string;
  panels: PanelDefinition[];
}

/** Everything the page needs besides the data: the dashboards and the Chinese labels of coded values. */
export interface DashboardCatalog {
  dashboards: DashboardDefinition[];
  /** enum or code list → value → 中文 */
  labels: Record<string, Record<string, string>>;
}

export class DashboardDefinitionError extends Error {}

function fail(file: string, where: string, message: string): never {
  throw new DashboardDefinitionError(`dashboards/definitions/${file}${where ? ` (${where})` : ''}: ${message}`);
}

function checkPanel(file: string, panel: unknown, index: number, schema: GraphQLSchema, seen: Set<string>): PanelDefinition {
  const where = `panel ${index + 1}`;
  if (typeof panel !== 'object' || panel === null || Array.isArray(panel)) fail(file, where, 'a panel is a mapping with id, title, kind and query');
  const p = panel as Record<string, unknown>;
  if (typeof p.id !== 'string' || !/^[a-z][a-z0-9-]*$/.test(p.id)) fail(file, where, `id ${JSON.stringify(p.id)} should be lower-case letters, digits and dashes`);
  const at = `panel ${p.id}`;
  if (seen.has(p.id)) fail(file, at, 'two panels have this id');
  seen.add(p.id);
  if (typeof p.title !== 'string' || !p.title) fail(file, at, 'title is missing');
  if (!(PanelKinds as readonly unknown[]).includes(p.kind)) fail(file, at, `kind ${JSON.stringify(p.kind)} is not one of ${PanelKinds.join(', ')}`);
  const queries = p.kind === 'ranking' ? ['regions', 'agencies', 'frozenList', 'frozen'].map((name) => [name, p[name]] as const) : [['query', p.query] as const];
  for (const [name, text] of queries) {
    if (typeof text !== 'string' || !text.trim()) fail(file, at, `${name} is missing: a GraphQL query`);
    let document;
    try {
      document = parse(text);
    } catch (error) {
      fail(file, at, `${name} does not parse: ${(error as Error).message}`);
    }
    const errors = validate(schema, document);
    if (errors.length) fail(file, at, `${name} does not fit the hub's schema: ${errors.map((e) => e.message).join('; ')}`);
  }
  return p as PanelDefinition;
}

function checkDashboard(file: string, value: unknown, schema: GraphQLSchema): DashboardDefinition {
  if (typeof value !== 'object' || value === null) fail(file, '', 'the file should be a mapping with id, title, order and panels');
  const d = value as Record<string, unknown>;
  if (typeof d.id !== 'string' || !/^[a-z][a-z0-9-]*$/.test(d.id)) fail(file, '', `id ${JSON.stringify(d.id)} should be lower-case letters, digits and dashes`);
  if (typeof d.title !== 'string' || !d.title) fail(file, '', 'title is missing');
  if (typeof d.order !== 'number') fail(file, '', 'order (a number: the place of the dashboard in the menu) is missing');
  if (!Array.isArray(d.panels) || d.panels.length === 0) fail(file, '', 'panels should be a non-empty list');
  const seen = new Set<string>();
  return { ...(d as unknown as DashboardDefinition), panels: d.panels.map((panel, index) => checkPanel(file, panel, index, schema, seen)) };
}

/** Chinese labels of the schema's enum values (their descriptions), completed by dashboards/labels.yaml. */
function labelsOf(schema: GraphQLSchema): Record<string, Record<string, string>> {
  const labels: Record<string, Record<string, string>> = {};
  for (const type of Object.values(schema.getTypeMap())) {
    if (!(type instanceof GraphQLEnumType) || type.name.startsWith('__')) continue;
    for (const value of type.getValues()) {
      if (value.description) (labels[type.name] ??= {})[value.name] = value.description;
    }
  }
  const extra = YAML.parse(fs.readFileSync(path.join(dashboardDir, 'labels.yaml'), 'utf8')) as Record<string, Record<string, string>>;
  for (const [list, values] of Object.entries(extra)) labels[list] = { ...labels[list], ...values };
  return labels;
}

/** Read and check every definition; throws a DashboardDefinitionError naming the file and panel. */
export function loadDashboardCatalog(schema: GraphQLSchema, dir: string = definitionsDir): DashboardCatalog {
  const files = fs.readdirSync(dir).filter((name) => name.endsWith('.yaml')).sort();
  const dashboards = files.map((file) => checkDashboard(file, YAML.parse(fs.readFileSync(path.join(dir, file), 'utf8')), schema));
  const ids = new Set<string>();
  for (const dashboard of dashboards) {
    if (ids.has(dashboard.id)) throw new DashboardDefinitionError(`two dashboards have the id ${dashboard.id}`);
    ids.add(dashboard.id);
  }
  dashboards.sort((a, b) => a.order - b.order);
  return { dashboards, labels: labelsOf(schema) };
}
