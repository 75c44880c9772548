/**
 * The JSON Schema (draft 2020-12) of one item of the standard JSON form of an entity (FEEDS.md: the items of
 * `GET <base>/<entity>`), printed from feed-entities.ts and committed as schema/feeds/<entity>.schema.json
 * for the platforms that build feeds. A unit test fails when a committed file differs from what is printed
 * here; `node dist/etl/feed/write-feed-schemas.js` rewrites them.
 *
 * The schema states the standard form only: ISO dates, codes rather than labels, arrays for lists. The hub
 * accepts more (FEEDS.md "Field forms accepted"), and checks what a schema cannot (the USCC check character,
 * region codes that exist, dates in order).
 */
import path from 'node:path';
import { projectRoot } from '../../src/paths';
import type { EntityName } from './entity-names';
import { feedEntities, type FieldSpec } from './feed-entities';
import type { CodeList } from './field-parsers';

export type JsonSchema = { [keyword: string]: unknown };

export const feedSchemasDir = path.join(projectRoot, 'schema', 'feeds');

export function feedSchemaFile(entity: EntityName): string {
  return path.join(feedSchemasDir, `${entity}.schema.json`);
}

/** GB 32100 charset: digits and capitals without I, O, Z, S, V; positions 3–8 the division code. */
const USCC_PATTERN = '^[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}$';
/** 6 digits (county and above), 9 (township) or the 12-digit 统计用区划代码 */
const REGION_CODE_PATTERN = '^[0-9]{6}([0-9]{3}([0-9]{3})?)?$';
const SHA256_PATTERN = '^[0-9a-fA-F]{64}$';
/** numeric(18, 2) */
const MONEY_PATTERN = '^(0|[1-9][0-9]{0,15})(\\.[0-9]{1,2})?$';

function codeListOf(codes: CodeList | readonly string[]): { values: string[]; description: string } {
  if (Array.isArray(codes)) return { values: [...(codes as readonly string[])], description: '' };
  const list = codes as CodeList;
  return {
    values: [...list.codes],
    description: list.codes.map((code) => `${code} ${list.labels[code]}`).join(' / '),
  };
}

function valueSchema(field: FieldSpec): JsonSchema {
  switch (field.form) {
    case 'text': {
      const schema: JsonSchema = { type: 'string', minLength: 1 };
      if (field.maxLength !== undefined) schema.maxLength = field.maxLength;
      if (field.rule === 'uscc') schema.pattern = USCC_PATTERN;
      if (field.rule === 'regionCode') schema.pattern = REGION_CODE_PATTERN;
      if (field.rule === 'sha256') schema.pattern = SHA256_PATTERN;
      return schema;
    }
    case 'date':
      return { type: 'string', format: 'date' };
    case 'timestamp':
      return { type: 'string', format: 'date-time' };
    case 'money':
      // Text keeps an amount exact; a JSON number is accepted too, at most two decimals.
      return { type: ['string', 'number'], pattern: MONEY_PATTERN, minimum: 0 };
    case 'boolean':
      return { type: 'boolean' };
    case 'integer': {
      const schema: JsonSchema = { type: 'integer' };
      if (field.min !== undefined) schema.minimum = field.min;
      if (field.max !== undefined) schema.maximum = field.max;
      return schema;
    }
    case 'decimal': {
      const schema: JsonSchema = { type: ['number', 'string'], pattern: `^-?[0-9]+(\\.[0-9]{1,${field.scale ?? 2}})?$` };
      if (field.min !== undefined) schema.minimum = field.min;
      if (field.max !== undefined) schema.maximum = field.max;
      return schema;
    }
    case 'enum': {
      const { values, description } = codeListOf(field.codes!);
      return { type: 'string', enum: values, description };
    }
    case 'list': {
      const items: JsonSchema = { type: 'string', minLength: 1 };
      if (field.codes) {
        const { values, description } = codeListOf(field.codes);
        items.enum = values;
        if (description) items.description = description;
      }
      if (field.maxLength !== undefined) items.maxLength = field.maxLength;
      return { type: 'array', items, uniqueItems: true };
    }
  }
}

/** Optional fields may be null or left out; a list may be left out or empty. */
function propertySchema(field: FieldSpec): JsonSchema {
  const schema = valueSchema(field);
  const nullable = !field.required && field.form !== 'list';
  if (nullable) {
    const type = schema.type as string | string[];
    schema.type = [...(Array.isArray(type) ? type : [type]), 'null'];
    if (Array.isArray(schema.enum)) schema.enum = [...schema.enum, null];
  }
  const description = typeof schema.description === 'string' && schema.description ? schema.description : undefined;
  const { description: _drop, ...rest } = schema;
  return {
    title: field.header,
    ...(description ? { description } : {}),
    ...rest,
    ...(field.default !== undefined ? { default: field.default } : {}),
  };
}

export function feedJsonSchema(entity: EntityName): JsonSchema {
  const spec = feedEntities[entity];
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `urn:supervision-hub:feeds:${entity}`,
    title: `${spec.chineseName} (${entity})`,
    description:
      `One item of the standard JSON form of ${entity} (FEEDS.md). Natural key: ${spec.naturalKey.join(' + ')}. ` +
      'Timestamps without a zone are read as Asia/Shanghai; fields not listed here are ignored.',
    type: 'object',
    required: spec.fields.filter((field) => field.required).map((field) => field.key),
    properties: Object.fromEntries(spec.fields.map((field) => [field.key, propertySchema(field)])),
  };
}

/** The committed file's exact text: two-space JSON and a final newline. */
export function feedSchemaText(entity: EntityName): string {
  return `${JSON.stringify(feedJsonSchema(entity), null, 2)}\n`;
}
