import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSchema } from 'graphql';
import { hubSchema } from '../../src/graphql/build-schema';
import { DashboardDefinitionError, definitionsDir, loadDashboardCatalog } from '../../src/server/dashboard-definitions';

/**
 * The dashboards are data: every definition must fit the schema the hub serves (and the SDL others read),
 * and a broken one is refused with its file and panel named — before a supervisor would see it.
 */
describe('dashboard definitions', () => {
  test('the seven dashboards of issue 6, each panel a query the hub answers', () => {
    const catalog = loadDashboardCatalog(hubSchema());
    expect(catalog.dashboards.map((d) => d.title)).toEqual(['总览', '公示及时性', '纠错率', '法制审核', '全过程记录', '排名', '数据质量']);
    for (const dashboard of catalog.dashboards) expect(dashboard.panels.length).toBeGreaterThan(0);
    // also against the emitted SDL: the page asks only what the published schema promises
    const published = buildSchema(fs.readFileSync(path.join(__dirname, '..', '..', 'schema', 'schema.graphql'), 'utf8'));
    expect(() => loadDashboardCatalog(published)).not.toThrow();
  });

  test('labels come from the schema and dashboards/labels.yaml', () => {
    const { labels } = loadDashboardCatalog(hubSchema());
    expect(labels.ActionType?.PENALTY).toBe('行政处罚');
    expect(labels.PublicationStatus?.OVERDUE).toBe('逾期未公示');
    expect(labels.RankingStatus?.INSUFFICIENT_SAMPLE).toBe('样本不足');
  });

  function withDefinition(text: string): () => void {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashboards-'));
    fs.writeFileSync(path.join(dir, 'broken.yaml'), text);
    return () => loadDashboardCatalog(hubSchema(), dir);
  }

  test('a query the schema does not answer is refused, naming the file and the panel', () => {
    const load = withDefinition(`id: broken\ntitle: 坏的\norder: 1\npanels:\n  - id: p1\n    title: 面板\n    kind: table\n    query: "{ indicators { nosuchfield } }"\n`);
    expect(load).toThrow(DashboardDefinitionError);
    expect(load).toThrow(/broken\.yaml \(panel p1\): query does not fit the hub's schema/);
  });

  test('an unknown kind and a missing title are refused', () => {
    expect(withDefinition(`id: b\ntitle: 坏\norder: 1\npanels:\n  - { id: p1, title: 面板, kind: radar, query: "{ me { role } }" }\n`))
      .toThrow(/kind "radar" is not one of kpis, line, bar, pie, histogram, table, ranking/);
    expect(withDefinition(`id: b\norder: 1\npanels:\n  - { id: p1, title: 面板, kind: table, query: "{ me { role } }" }\n`)).toThrow(/title is missing/);
  });

  test('the shipped folder is the one the hub reads', () => {
    expect(fs.readdirSync(definitionsDir).filter((f) => f.endsWith('.yaml'))).toHaveLength(7);
  });
});
