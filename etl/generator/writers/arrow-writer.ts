import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import {
  Bool, DateDay, Decimal, Field, Int32, List, makeData, RecordBatch, RecordBatchFileWriter, Schema, Struct, Timestamp,
  TimeUnit, Utf8, vectorFromArray, type Data, type DataType,
} from 'apache-arrow';
import type { EntitySpec, FieldSpec } from '../../feed/feed-entities';
import { isRaw, type WireRecord, type WireValue } from '../bad-rows';
import { textOf, type Dialect } from './encode';
import type { FeedWriter } from './feed-writer';

const BATCH_ROWS = 2048;
/** yuan with two decimals, as the warehouse's numeric(18, 2) */
const MONEY = new Decimal(2, 18, 128);

/** Typed columns, as a bulk export from a database would have them: dates, instants, decimals, lists. */
function arrowType(field: FieldSpec): DataType {
  switch (field.form) {
    case 'date': return new DateDay();
    case 'timestamp': return new Timestamp(TimeUnit.MILLISECOND, 'Asia/Shanghai');
    case 'money':
    case 'decimal': return MONEY;
    case 'boolean': return new Bool();
    case 'integer': return new Int32();
    case 'list': return new List(new Field('item', new Utf8(), true));
    default: return new Utf8();
  }
}

/** Decimal column data from exact decimal strings: 128-bit two's complement, four little-endian words a value. */
function decimalData(type: Decimal, values: (string | null)[]): Data {
  const words = new Uint32Array(values.length * 4);
  const validity = new Uint8Array(Math.ceil(values.length / 8));
  let nulls = 0;
  values.forEach((value, i) => {
    if (value === null) {
      nulls++;
      return;
    }
    validity[i >> 3]! |= 1 << (i & 7);
    const negative = value.startsWith('-');
    const [whole, fraction = ''] = (negative ? value.slice(1) : value).split('.');
    let unscaled = BigInt(whole! + fraction.padEnd(type.scale, '0').slice(0, type.scale));
    if (negative) unscaled = -unscaled;
    const twos = BigInt.asUintN(128, unscaled);
    for (let k = 0; k < 4; k++) words[i * 4 + k] = Number((twos >> BigInt(32 * k)) & 0xffffffffn);
  });
  return makeData({ type, length: values.length, nullCount: nulls, nullBitmap: nulls ? validity : undefined, data: words });
}

/**
 * An Arrow IPC file (the `ARROW1` file format), written a record batch at a time so that only one batch is
 * ever in memory. Code columns hold the Chinese labels, as text; everything else is typed, which is why a bad
 * row can carry raw text only in text and code columns (see bad-rows.ts, Carrier).
 */
export class ArrowFeedWriter implements FeedWriter {
  private readonly fields: Field[];
  private readonly schema: Schema;
  private readonly writer = new RecordBatchFileWriter();
  private readonly output: WriteStream;
  private readonly closed: Promise<void>;
  private columns: unknown[][];
  private count = 0;

  constructor(dir: string, readonly fileName: string, readonly spec: EntitySpec, private readonly dialect: Dialect) {
    this.fields = spec.fields.map((field) => new Field(field.header, arrowType(field), true));
    this.schema = new Schema(this.fields);
    this.columns = spec.fields.map(() => []);
    this.output = createWriteStream(join(dir, fileName));
    this.closed = new Promise((resolve, reject) => {
      this.output.once('close', () => resolve());
      this.output.once('error', reject);
    });
    this.writer.toNodeStream().pipe(this.output);
  }

  write(row: WireRecord): string {
    this.spec.fields.forEach((field, i) => this.columns[i]!.push(this.cell(field, row[field.key])));
    this.count += 1;
    if (this.columns[0]!.length >= BATCH_ROWS) this.flush();
    return `${this.fileName} 第 ${this.count} 条记录`;
  }

  private cell(field: FieldSpec, value: WireValue | undefined): unknown {
    if (value === null || value === undefined) return null;
    if (isRaw(value)) {
      if (field.form !== 'text' && field.form !== 'enum') throw new Error(`${this.fileName}: raw text cannot go into the typed column ${field.header}`);
      return value.raw;
    }
    switch (field.form) {
      case 'date': {
        const d = value as string;
        return new Date(Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10))));
      }
      case 'timestamp': return (value as Date).getTime();
      case 'money':
      case 'decimal':
      case 'boolean':
      case 'integer': return value;
      case 'list': return [...(value as readonly string[])].map((item) => textOf({ ...field, form: 'enum' }, item, this.dialect));
      default: return textOf(field, value, this.dialect);
    }
  }

  private flush(): void {
    const length = this.columns[0]!.length;
    if (length === 0) return;
    const children = this.fields.map((field, i) => {
      const values = this.columns[i]!;
      if (field.type instanceof Decimal) return decimalData(field.type, values as (string | null)[]);
      const vector = vectorFromArray(values, field.type);
      if (vector.data.length !== 1) throw new Error(`${this.fileName}: column ${field.name} came out in ${vector.data.length} chunks`);
      return vector.data[0]!;
    });
    this.writer.write(new RecordBatch(this.schema, makeData({ type: new Struct(this.fields), length, nullCount: 0, children })));
    this.columns = this.spec.fields.map(() => []);
  }

  backlog(): number {
    return this.output.writableLength;
  }

  async close(): Promise<void> {
    this.flush();
    this.writer.finish();
    await this.closed;
  }
}
