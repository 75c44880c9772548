import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, findBreakingChanges, GraphQLObjectType } from 'graphql';
import { IndicatorNames } from '../../src/domain/profile/policy-profile';
import { hubSchema, printHubSchema } from '../../src/graphql/build-schema';
import { projectRoot } from '../../src/paths';

describe('GraphQL schema', () => {
  test('schema/schema.graphql is the schema the code builds (run `npm run build && node bin/hub.js schema --write` after changing it)', () => {
    const stored = fs.readFileSync(path.join(projectRoot, 'schema', 'schema.graphql'), 'utf8');
    expect(printHubSchema()).toBe(stored);
  });

  // schema/contract.graphql is our copy of ../shared/contract/contract.graphql (a clean clone may not have shared/)
  const sharedContract = path.join(projectRoot, '..', 'shared', 'contract');

  test('the copy of the contract in schema/ is the shared one, where the shared one is at hand', () => {
    const copy = fs.readFileSync(path.join(projectRoot, 'schema', 'contract.graphql'), 'utf8');
    if (fs.existsSync(sharedContract)) expect(copy).toBe(fs.readFileSync(path.join(sharedContract, 'contract.graphql'), 'utf8'));
    expect(copy).toContain('type Query');
  });

  test('the emitted schema keeps the contract: no breaking change against it', () => {
    const contract = buildSchema(fs.readFileSync(path.join(projectRoot, 'schema', 'contract.graphql'), 'utf8'));
    const emitted = buildSchema(fs.readFileSync(path.join(projectRoot, 'schema', 'schema.graphql'), 'utf8'));
    const breaks = findBreakingChanges(contract, emitted)
      .filter((b) => !(b.type === 'TYPE_REMOVED' && /^(Boolean|String|Int|Float|ID)\b/.test(b.description)));
    expect(breaks.map((b) => b.description)).toEqual([]);
  });

  test('the shared checker agrees, where it is at hand', () => {
    if (!fs.existsSync(sharedContract)) return;
    const output = execFileSync(process.execPath, [path.join(sharedContract, 'check.mjs'), 'schema/schema.graphql'], { cwd: projectRoot, encoding: 'utf8' });
    expect(output.trim()).toBe('contract: holds');
  });

  test('every indicator the metrics compute is a field of Indicators', () => {
    const type = hubSchema().getType('Indicators') as GraphQLObjectType;
    expect(Object.keys(type.getFields()).sort()).toEqual([...IndicatorNames].sort());
  });
});
