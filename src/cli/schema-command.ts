import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { printHubSchema } from '../graphql/build-schema';
import { projectRoot } from '../paths';
import { citusSetupSql, distributionFile, readDistributionPlan } from '../warehouse/distribution-plan';

export const schemaFile = path.join(projectRoot, 'schema', 'schema.graphql');

export function registerSchemaCommand(program: Command): void {
  program
    .command('schema')
    .description('print the GraphQL schema (SDL) the hub serves; --write stores it in schema/schema.graphql; --citus prints the SQL that puts the warehouse on Citus')
    .option('--write', `write ${path.relative(projectRoot, schemaFile)}`)
    .option('--citus', `print the Citus set-up SQL of ${path.relative(projectRoot, distributionFile)} (distributed, reference and local tables)`)
    .action((options: { write?: boolean; citus?: boolean }) => {
      if (options.citus) {
        if (options.write) throw new Error('--write stores the GraphQL schema; the Citus set-up SQL is only printed (hub schema --citus > setup.sql)');
        process.stdout.write(citusSetupSql(readDistributionPlan()));
        return;
      }
      const sdl = printHubSchema();
      if (options.write) {
        fs.writeFileSync(schemaFile, sdl);
        console.log(`wrote ${path.relative(projectRoot, schemaFile)}`);
      } else {
        process.stdout.write(sdl);
      }
    });
}
