import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { printHubSchema } from '../graphql/build-schema';
import { projectRoot } from '../paths';

export const schemaFile = path.join(projectRoot, 'schema', 'schema.graphql');

export function registerSchemaCommand(program: Command): void {
  program
    .command('schema')
    .description('print the GraphQL schema (SDL) the hub serves; --write stores it in schema/schema.graphql')
    .option('--write', `write ${path.relative(projectRoot, schemaFile)}`)
    .action((options: { write?: boolean }) => {
      const sdl = printHubSchema();
      if (options.write) {
        fs.writeFileSync(schemaFile, sdl);
        console.log(`wrote ${path.relative(projectRoot, schemaFile)}`);
      } else {
        process.stdout.write(sdl);
      }
    });
}
