import fs from 'node:fs';
import path from 'node:path';
import { entityNames } from '../../etl/feed/entity-names';
import { feedEntities } from '../../etl/feed/feed-entities';
import { feedJsonSchema, feedSchemaFile, feedSchemaText, type JsonSchema } from '../../etl/feed/feed-json-schema';

const properties = (schema: JsonSchema) => schema.properties as Record<string, JsonSchema>;

describe('JSON Schemas of the standard feed (schema/feeds/*.schema.json)', () => {
  test.each([...entityNames])('the committed %s schema is what the feed specs print (rewrite: node dist/etl/feed/write-feed-schemas.js)', (entity) => {
    const file = feedSchemaFile(entity);
    const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : `(missing: ${path.basename(file)})`;
    expect(committed).toBe(feedSchemaText(entity));
  });

  test('each schema is draft 2020-12, names every FEEDS.md field and requires exactly the required ones', () => {
    for (const entity of entityNames) {
      const schema = feedJsonSchema(entity);
      const spec = feedEntities[entity];
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(Object.keys(properties(schema))).toEqual(spec.fields.map((field) => field.key));
      expect(schema.required).toEqual(spec.fields.filter((field) => field.required).map((field) => field.key));
    }
  });

  test('enumerations list codes, optional ones admit null; lists are arrays of their code list', () => {
    const cases = properties(feedJsonSchema('cases'));
    expect(cases.actionType).toMatchObject({ type: 'string', enum: ['LICENSING', 'PENALTY', 'COERCION', 'INSPECTION', 'EXPROPRIATION', 'CONFIRMATION', 'BENEFIT', 'OTHER'] });
    expect(cases.procedure).toMatchObject({ type: ['string', 'null'], enum: ['SUMMARY', 'ORDINARY', null] });
    expect(cases.majorGrounds).toMatchObject({ type: 'array', items: { enum: ['PUBLIC_INTEREST', 'MAJOR_RIGHTS', 'HEARING', 'COMPLEX', 'STATUTORY'] } });
    expect((cases.penaltyKinds!.items as JsonSchema).enum).toContain('没收违法所得');
    expect(cases.decidedOn).toMatchObject({ title: '决定日期', type: ['string', 'null'], format: 'date' });
    expect(cases.updatedAt).toMatchObject({ type: 'string', format: 'date-time' });
    expect(cases.disclosure).toMatchObject({ default: 'PUBLIC' });
  });

  test('bounds of FEEDS.md rules appear where a schema can state them', () => {
    expect(properties(feedJsonSchema('evaluations')).score).toMatchObject({ minimum: 0, maximum: 100 });
    expect(properties(feedJsonSchema('annualReports')).year).toMatchObject({ type: 'integer', minimum: 2000, maximum: 2100 });
    expect(properties(feedJsonSchema('reviews')).round).toMatchObject({ type: 'integer', minimum: 1 });
    expect(properties(feedJsonSchema('recordings')).sha256).toMatchObject({ pattern: '^[0-9a-fA-F]{64}$' });
    expect(properties(feedJsonSchema('cases')).amount).toMatchObject({ minimum: 0 });
  });
});
