import { readdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { entityNamed, entityOfFileName } from '../feed/entity-names';
import type { EntityName } from '../feed/entity-names';
import { FeedReadError } from '../raw-row';
import type { RawRow } from '../raw-row';
import { readArrowFile } from './arrow-reader';
import { readCsvFile } from './csv-reader';
import { readXlsxFile } from './xlsx-reader';

export type FeedFormat = 'csv' | 'xlsx' | 'arrow';

export interface FeedFile {
  /** what the file holds, from its name, else its sheet's name (XLSX), else its first row's 实体 column */
  entity: EntityName | null;
  format: FeedFormat;
  /** the rows, streamed; each iteration reads the file afresh, and nothing is open until one starts */
  rows: AsyncIterable<RawRow>;
}

const formatOfExtension: Readonly<Record<string, FeedFormat>> = {
  '.csv': 'csv',
  // agencies' "文本文件" exports: comma- or tab-separated, which the CSV reader tells apart
  '.txt': 'csv',
  '.xlsx': 'xlsx',
  '.arrow': 'arrow',
  '.feather': 'arrow',
  '.ipc': 'arrow',
};

/** The reader a file name calls for, by extension (any case), or null for files that are not feeds. */
export function feedFormatOf(fileName: string): FeedFormat | null {
  return formatOfExtension[extname(fileName).toLowerCase()] ?? null;
}

/**
 * Names in a drop folder that are feeds: a feed extension, and not a dotfile (`.~lock.x.csv#` of LibreOffice,
 * `.DS_Store`) nor an Office/WPS owner file (`~$cases.xlsx`), which exist only while someone has the file open.
 * Partial downloads (`x.csv.part`, `x.xlsx.crdownload`, `x.tmp`) fail the extension test.
 */
export function isFeedFileName(fileName: string): boolean {
  return !fileName.startsWith('.') && !fileName.startsWith('~') && feedFormatOf(fileName) !== null;
}

/** The feed files in a folder as full paths, in code-point order of their names so every run sees one order. */
export async function listFeedFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new FeedReadError(dir, code === 'ENOENT' ? '文件夹不存在' : `无法读取文件夹：${String(error)}`);
  }
  const names = entries
    .filter((entry) => (entry.isFile() || entry.isSymbolicLink()) && isFeedFileName(entry.name))
    .map((entry) => entry.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return names.map((name) => join(dir, name));
}

/**
 * A feed file ready to read. The entity comes from the file name when it names one (`cases-2024Q3.csv`),
 * without touching the file. Otherwise the first row is read to find it, from the XLSX sheet's name or a
 * 实体 column, and the file is closed again; `rows` reads it from the start. That costs one extra read of the
 * first chunk for CSV and Arrow, and for XLSX a second pass over the archive, which is the price of not
 * holding every opened file (and its shared strings) open while a folder is sorted into load order.
 *
 * Throws FeedReadError for an extension that is no feed, and, when the first row had to be read, for a file
 * that cannot be read at all; otherwise such errors come from iterating `rows`.
 */
export async function openFeedFile(path: string): Promise<FeedFile> {
  const file = basename(path);
  const format = feedFormatOf(file);
  if (!format) {
    throw new FeedReadError(file, `不是可导入的文件类型（可导入 ${Object.keys(formatOfExtension).join(' ')}）`);
  }
  const named = entityOfFileName(file);
  const read = (): AsyncGenerator<RawRow> =>
    format === 'csv' ? readCsvFile(path) : format === 'xlsx' ? readXlsxFile(path, { entity: named }) : readArrowFile(path);
  const rows: AsyncIterable<RawRow> = { [Symbol.asyncIterator]: () => read() };
  return { entity: named ?? (await entityOfFirstRow(read())), format, rows };
}

async function entityOfFirstRow(rows: AsyncGenerator<RawRow>): Promise<EntityName | null> {
  try {
    const first = await rows.next();
    return first.done ? null : entityOfRow(first.value);
  } finally {
    await rows.return(undefined);
  }
}

/** The entity a row declares: its XLSX sheet's name, else its 实体 column (FEEDS.md). */
export function entityOfRow(row: RawRow): EntityName | null {
  const fromSheet = row.position.sheet ? entityNamed(row.position.sheet) : null;
  if (fromSheet) return fromSheet;
  const declared = row.values['实体'];
  return typeof declared === 'string' ? entityNamed(declared) : null;
}
