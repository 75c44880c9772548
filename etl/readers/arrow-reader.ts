import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { RecordBatchReader, Type, util } from 'apache-arrow';
import type { DataType, Field, RecordBatch, Vector } from 'apache-arrow';
import { FeedReadError } from '../raw-row';
import type { CellValue, RawRow, ReadProblem } from '../raw-row';
import { unnamedColumn } from './csv-reader';
import { instantOfShanghaiWallClock } from './xlsx-reader';

/** Turns what apache-arrow's Vector.get returns for one column type into a CellValue. */
type Convert = (value: unknown) => CellValue;

interface ArrowColumn {
  key: string;
  convert: Convert;
  /** set for types a feed has no use for: the value is kept as text and the row says so */
  unsupported?: string;
}

/**
 * The records of an Arrow IPC feed (file format `ARROW1…`, or stream format; `.arrow`, `.feather` v2, `.ipc`),
 * one record batch in memory at a time. Opened as a FileHandle rather than a read stream: given a stream,
 * apache-arrow reads an IPC *file* entirely into memory before the first batch, while with a handle it reads
 * the footer and then each batch by offset. (A writer that put all rows in one batch still costs that batch.)
 *
 * Values: strings, booleans, floats and 8–32-bit integers as they are; 64-bit integers as numbers when exact,
 * else as decimal text; decimals as exact text (`12000.50`); dictionary values decoded; lists as arrays; dates
 * and zoneless timestamps as instants of that Asia/Shanghai wall clock (FEEDS.md), zoned timestamps as the
 * instant they are; null as null. A string with bytes that are not UTF-8 (read as U+FFFD) is reported.
 */
export async function* readArrowFile(path: string): AsyncGenerator<RawRow> {
  const file = basename(path);
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new FeedReadError(file, code === 'ENOENT' ? '文件不存在' : `无法读取文件：${String(error)}`);
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) throw new FeedReadError(file, '文件是空的');
    await refuseCutFileFormat(handle, size, file);
    let batches: AsyncIterator<RecordBatch>;
    try {
      const reader = await RecordBatchReader.from(handle);
      batches = reader[Symbol.asyncIterator]();
    } catch (error) {
      throw new FeedReadError(file, notArrow(error));
    }
    let columns: ArrowColumn[] | undefined;
    let index = 0;
    for (;;) {
      let next: IteratorResult<RecordBatch>;
      try {
        next = await batches.next();
      } catch (error) {
        throw new FeedReadError(index === 0 ? file : `${file} 第 ${index} 条记录之后`, notArrow(error));
      }
      if (next.done) break;
      const batch = next.value;
      columns ??= columnsOf(file, batch.schema.fields);
      const vectors: (Vector | null)[] = [];
      for (let j = 0; j < columns.length; j++) vectors.push(batch.getChildAt(j));
      for (let r = 0; r < batch.numRows; r++) {
        index++;
        const values: Record<string, CellValue> = {};
        let problems: ReadProblem[] | undefined;
        for (let j = 0; j < columns.length; j++) {
          const column = columns[j];
          const raw = vectors[j]?.get(r);
          const value = raw === null || raw === undefined ? null : column.convert(raw);
          values[column.key] = value;
          if (column.unsupported && value !== null) {
            (problems ??= []).push({
              code: 'ARROW_UNSUPPORTED_TYPE', field: column.key,
              message: `第 ${index} 条记录「${column.key}」是 Arrow 类型 ${column.unsupported}，不是可导入的字段类型，已按文本保留`,
            });
          } else if (typeof value === 'string' && value.indexOf('\uFFFD') >= 0) {
            // Arrow strings are UTF-8; apache-arrow decodes bytes that are not as U+FFFD without a word
            (problems ??= []).push({
              code: 'ENCODING_INVALID', field: column.key,
              message: `第 ${index} 条记录「${column.key}」有不是 UTF-8 的字节（显示为 �）`,
            });
          }
        }
        const row: RawRow = { values, position: { file, row: index, label: `${file} 第 ${index} 条记录` } };
        if (problems) row.readProblems = problems;
        yield row;
      }
    }
  } finally {
    // apache-arrow closes the handle when it reaches the end; this covers errors and consumers that stop early
    await handle.close().catch(() => undefined);
  }
}

const fileMagic = Buffer.from('ARROW1');

/**
 * The IPC file format begins and ends with ARROW1, its footer (where every batch is) just before the end. A
 * file that begins so but does not end so was cut off (a transfer broken, or still being copied): say that,
 * rather than what apache-arrow says when it reads a footer that is not there. Without the footer no batch can
 * be found, so nothing of it loads; the stream format (no magic) is read batch by batch up to where it breaks.
 */
async function refuseCutFileFormat(handle: FileHandle, size: number, file: string): Promise<void> {
  const head = Buffer.alloc(fileMagic.length);
  const tail = Buffer.alloc(fileMagic.length);
  await handle.read(head, 0, head.length, 0);
  if (!head.equals(fileMagic)) return;
  if (size >= 2 * fileMagic.length) await handle.read(tail, 0, tail.length, size - tail.length);
  if (!tail.equals(fileMagic)) {
    throw new FeedReadError(file, `文件不完整：Arrow 文件应以 ARROW1 结尾，这个文件（${size} 字节）却没有，` +
      '可能在传输中被截断或仍在复制；没有导入其中任何记录，请待文件传完或请报送单位重新报送完整的文件');
  }
}

function notArrow(error: unknown): string {
  return `不是可读的 Arrow IPC 文件，或文件不完整（${error instanceof Error ? error.message : String(error)}）`;
}

/** Column names as delivered; like CSV and XLSX headers, a repeated name makes the file unreadable. */
function columnsOf(file: string, fields: Field[]): ArrowColumn[] {
  const seen = new Set<string>();
  return fields.map((field, index) => {
    const key = field.name === '' ? unnamedColumn(index) : field.name;
    if (seen.has(key)) throw new FeedReadError(file, `字段名「${key}」重复，无法确定用哪一列`);
    seen.add(key);
    const unsupported = unsupportedName(field.type);
    return unsupported ? { key, convert: asText, unsupported } : { key, convert: converterOf(field.type) };
  });
}

function unsupportedName(type: DataType): string | undefined {
  switch (type.typeId) {
    case Type.Dictionary:
      return unsupportedName((type as DataType & { dictionary: DataType }).dictionary);
    case Type.List:
    case Type.LargeList:
    case Type.FixedSizeList:
      return unsupportedName(type.children[0].type);
    case Type.Null:
    case Type.Int:
    case Type.Float:
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Utf8View:
    case Type.Bool:
    case Type.Decimal:
    case Type.Date:
    case Type.Timestamp:
      return undefined;
    default:
      return String(type);
  }
}

/** One converter per column, chosen once from the schema, so the per-row loop does no type dispatch. */
function converterOf(type: DataType): Convert {
  switch (type.typeId) {
    case Type.Int:
      return (type as DataType & { bitWidth: number }).bitWidth === 64 ? int64 : identity;
    case Type.Decimal: {
      const scale = (type as DataType & { scale: number }).scale;
      return (value) => decimalText(util.bigNumToBigInt(value as Parameters<typeof util.bigNumToBigInt>[0]), scale);
    }
    case Type.Date:
      // epoch milliseconds of the day's UTC midnight, i.e. the civil date: that date's Shanghai midnight
      return (value) => instantOfShanghaiWallClock(Number(value));
    case Type.Timestamp:
      // apache-arrow gives epoch milliseconds for every unit. A zone makes it an instant; without one the
      // Arrow spec calls it wall-clock time, which for our feeds is Asia/Shanghai's.
      return (type as DataType & { timezone?: string | null }).timezone
        ? (value) => new Date(Number(value))
        : (value) => instantOfShanghaiWallClock(Number(value));
    case Type.Dictionary:
      return converterOf((type as DataType & { dictionary: DataType }).dictionary);
    case Type.List:
    case Type.LargeList:
    case Type.FixedSizeList: {
      const element = converterOf(type.children[0].type);
      return (value) => {
        const list: CellValue[] = [];
        for (const item of value as Iterable<unknown>) list.push(item === null || item === undefined ? null : element(item));
        return list;
      };
    }
    default:
      return identity;
  }
}

const identity: Convert = (value) => value as CellValue;

function int64(value: unknown): CellValue {
  if (typeof value !== 'bigint') return value as CellValue;
  // ids and amounts beyond 2^53 must not silently lose digits
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
}

/** An unscaled decimal integer and its scale as exact text: (1200050n, 2) → '12000.50'. */
export function decimalText(unscaled: bigint, scale: number): string {
  if (scale <= 0) return (unscaled * 10n ** BigInt(-scale)).toString();
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
}

function asText(value: unknown): CellValue {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  try {
    return JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner)) ?? String(value);
  } catch {
    return String(value);
  }
}
