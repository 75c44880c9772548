/**
 * Writes schema/feeds/<entity>.schema.json for every entity from feed-entities.ts. Run after a change to the
 * feed specs (`npm run build && node dist/etl/feed/write-feed-schemas.js`) and commit the files: platforms
 * building feeds depend on them, and a unit test fails while they differ from the specs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { entityNames } from './entity-names';
import { feedSchemaFile, feedSchemasDir, feedSchemaText } from './feed-json-schema';

export function writeFeedSchemas(): string[] {
  fs.mkdirSync(feedSchemasDir, { recursive: true });
  return entityNames.map((entity) => {
    const file = feedSchemaFile(entity);
    fs.writeFileSync(file, feedSchemaText(entity));
    return file;
  });
}

if (require.main === module) {
  for (const file of writeFeedSchemas()) console.log(`wrote ${path.relative(process.cwd(), file)}`);
}
