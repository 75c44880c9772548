import fs from 'node:fs';
import path from 'node:path';
import { Field, makeData, RecordBatch, RecordBatchFileWriter, Schema, Struct, Utf8, vectorFromArray } from 'apache-arrow';
import { feedEntities } from '../../../etl/feed/feed-entities';
import type { EntityName } from '../../../etl/feed/entity-names';

/**
 * An Arrow IPC file (the `ARROW1` file format) of a feed, every column text under its Chinese header, written
 * in record batches of `batchRows`: a bulk export as the readers meet it, with batch boundaries a test can cut
 * between or through.
 */
export function writeArrowFeed(file: string, entity: EntityName, rows: Record<string, string | null>[], batchRows: number): void {
  const fields = (feedEntities[entity].fields as readonly { key: string; header: string }[])
    .filter((field) => rows.some((row) => field.key in row));
  const schema = new Schema(fields.map((field) => new Field(field.header, new Utf8(), true)));
  const writer = new RecordBatchFileWriter();
  for (let start = 0; start < rows.length; start += batchRows) {
    const chunk = rows.slice(start, start + batchRows);
    const children = fields.map((field) => vectorFromArray(chunk.map((row) => row[field.key] ?? null), new Utf8()).data[0]!);
    writer.write(new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: chunk.length, nullCount: 0, children })));
  }
  writer.finish();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, writer.toUint8Array(true));
}
