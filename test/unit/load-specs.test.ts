import { entityNames } from '../../etl/feed/entity-names';
import { feedEntities } from '../../etl/feed/feed-entities';
import { loadSpecs } from '../../etl/pipeline/load-specs';

describe('load specs follow the feed specs', () => {
  test.each([...entityNames])('every field of %s is stored in a column, and every column reads a field the feed has', (entity) => {
    const feedFields = new Set(feedEntities[entity].fields.map((field) => field.key as string));
    const spec = loadSpecs[entity];
    const stored = [...spec.keys, ...spec.columns].map((column) => column.field);
    for (const field of stored) expect({ entity, field, known: feedFields.has(field) }).toEqual({ entity, field, known: true });
    // the agency a row belongs to goes into agency_uscc, a column every fact table has
    const notStored = [...feedFields].filter((field) => !stored.includes(field) && field !== 'agencyUscc');
    expect({ entity, notStored }).toEqual({ entity, notStored: [] });
  });
});
