import { mkdir, mkdtemp, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Workbook } from 'exceljs';
import { parse } from 'csv-parse/sync';
import { encode } from 'iconv-lite';
import {
  DateDay, Decimal, Dictionary, Field, Int32, List, Table, Timestamp, TimeUnit, Utf8,
  makeData, makeVector, tableToIPC, vectorFromArray,
} from 'apache-arrow';
import { readArrowFile } from '../../etl/readers/arrow-reader';
import { CsvTokenizer, readCsvFile } from '../../etl/readers/csv-reader';
import type { CsvReadOptions, CsvRecord } from '../../etl/readers/csv-reader';
import { detectEncoding } from '../../etl/readers/detect-encoding';
import { feedFormatOf, listFeedFiles, openFeedFile } from '../../etl/readers/feed-file';
import { chooseSheet, readXlsxFile } from '../../etl/readers/xlsx-reader';
import { parseDate, parseTimestamp } from '../../etl/feed/field-parsers';
import { FeedReadError } from '../../etl/raw-row';
import type { RawRow } from '../../etl/raw-row';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hub-readers-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function aFile(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

/** A CSV file from its lines, in the encoding and line ending an agency's export would use. */
async function aCsvFile(
  name: string,
  lines: string[],
  { encoding = 'utf8', eol = '\n', bom = false }: { encoding?: 'utf8' | 'gbk'; eol?: string; bom?: boolean } = {},
): Promise<string> {
  const text = lines.join(eol) + eol;
  const body = encoding === 'gbk' ? encode(text, 'gbk') : Buffer.from(text, 'utf8');
  return aFile(name, bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body);
}

async function allRows(rows: AsyncIterable<RawRow>): Promise<RawRow[]> {
  const out: RawRow[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

async function csvRows(path: string, options?: CsvReadOptions): Promise<RawRow[]> {
  return allRows(readCsvFile(path, options));
}

/** Rows found by the value of one column, never by index. */
function byKey(rows: RawRow[], key: string): Map<unknown, RawRow> {
  return new Map(rows.map((row) => [row.values[key], row]));
}

function found(rows: Map<unknown, RawRow>, key: unknown): RawRow {
  const row = rows.get(key);
  if (!row) throw new Error(`no row with key ${String(key)}; keys: ${[...rows.keys()].join(', ')}`);
  return row;
}

/** How many of this process's file descriptors are open on `path` (Linux /proc; 0 where there is none). */
async function openDescriptorsOf(path: string): Promise<number> {
  const fds = await readdir('/proc/self/fd').catch(() => [] as string[]);
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  return targets.filter((target) => target === path).length;
}

/** Streams close on a later tick; retry an expectation briefly instead of sleeping a fixed time. */
async function eventually(check: () => Promise<void>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await check();
    } catch (error) {
      if (attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

function codesOf(row: RawRow): string[] {
  return (row.readProblems ?? []).map((problem) => problem.code);
}

async function failureOf(rows: AsyncIterable<RawRow> | Promise<unknown>): Promise<FeedReadError> {
  try {
    if (rows instanceof Promise) await rows;
    else await allRows(rows);
  } catch (error) {
    if (error instanceof FeedReadError) return error;
    throw error;
  }
  throw new Error('expected a FeedReadError');
}

const CASE_HEADER = '案件编号,相对人名称,罚没金额,说明';

describe('detectEncoding', () => {
  const chinese = '泉州市市场监督管理局对某某食品有限公司作出警告并处罚款的行政处罚决定';

  test('a UTF-8 BOM means UTF-8, and is reported so it can be stripped', () => {
    expect(detectEncoding(Buffer.from([0xef, 0xbb, 0xbf, 0x61]))).toEqual({ encoding: 'utf8', bom: true });
  });

  test('plain ASCII is UTF-8', () => {
    expect(detectEncoding(Buffer.from('caseId,amount\r\nA1,12000\r\n'))).toEqual({ encoding: 'utf8', bom: false });
  });

  test('valid UTF-8 Chinese is UTF-8; GBK bytes of the same text are GB18030', () => {
    expect(detectEncoding(Buffer.from(chinese, 'utf8')).encoding).toBe('utf8');
    expect(detectEncoding(encode(chinese, 'gbk')).encoding).toBe('gb18030');
  });

  test('a sample cut in the middle of a UTF-8 character is still UTF-8, at every cut', () => {
    const bytes = Buffer.from(`a,${chinese}😀`, 'utf8');
    for (let cut = 3; cut <= bytes.length; cut++) {
      expect({ cut, encoding: detectEncoding(bytes.subarray(0, cut)).encoding }).toEqual({ cut, encoding: 'utf8' });
    }
  });

  test('a GBK sample cut in the middle of a character is still GB18030, at every cut past the first character', () => {
    const bytes = encode(`a,${chinese}`, 'gbk');
    for (let cut = 6; cut <= bytes.length; cut++) {
      expect({ cut, encoding: detectEncoding(bytes.subarray(0, cut)).encoding }).toEqual({ cut, encoding: 'gb18030' });
    }
  });

  test('a UTF-8 sample with one corrupted byte among many characters stays UTF-8 (one bad row, not every row garbled)', () => {
    const bytes = Buffer.concat([Buffer.from(chinese.repeat(3), 'utf8'), Buffer.from([0xff]), Buffer.from(chinese, 'utf8')]);
    expect(detectEncoding(bytes).encoding).toBe('utf8');
  });
});

describe('readCsvFile', () => {
  test('a GBK file is detected and read as GB18030, values as strings keyed by header', async () => {
    const path = await aCsvFile('cases-2024Q3.csv', [CASE_HEADER, 'A1,泉州某某食品有限公司,12000.00,警告并处罚款', 'A2,鲤城区张三,500,'], { encoding: 'gbk', eol: '\r\n' });
    const rows = byKey(await csvRows(path), '案件编号');
    expect(found(rows, 'A1').values).toEqual({ 案件编号: 'A1', 相对人名称: '泉州某某食品有限公司', 罚没金额: '12000.00', 说明: '警告并处罚款' });
    expect(found(rows, 'A2').values).toEqual({ 案件编号: 'A2', 相对人名称: '鲤城区张三', 罚没金额: '500', 说明: '' });
    expect(found(rows, 'A2').readProblems).toBeUndefined();
  });

  test('a UTF-8 file with a BOM: the BOM is not part of the first header', async () => {
    const path = await aCsvFile('cases-bom.csv', [CASE_HEADER, 'A1,张三,1,'], { bom: true });
    const [row] = await csvRows(path);
    expect(Object.keys(row.values)).toEqual(['案件编号', '相对人名称', '罚没金额', '说明']);
  });

  test('GBK that first appears after 200 KB of ASCII is still detected (the decision waits for non-ASCII bytes)', async () => {
    const ascii = Array.from({ length: 10_000 }, (_, i) => `C${i},ascii-name,${i},x`);
    const path = await aCsvFile('late-gbk.csv', ['caseId,name,amount,note', ...ascii, 'C-last,泉州某某公司,1,备注'], { encoding: 'gbk' });
    const rows = byKey(await csvRows(path), 'caseId');
    expect(found(rows, 'C-last').values.name).toBe('泉州某某公司');
    expect(found(rows, 'C-last').position.row).toBe(10_002);
  });

  test('position.row is the line the record starts on: quoted line breaks, CRLF and empty lines all count as a text editor counts them', async () => {
    const path = await aCsvFile('cases-2024Q3.csv', [
      CASE_HEADER, // 1
      'A1,张三,1,"第一行', // 2
      '第二行', // 3
      '第三行"', // 4
      '', // 5
      'A2,"李""四""",2,', // 6
      '', // 7
      '', // 8
      'A3,王五,3,"x\ny"', // 9 (an LF inside a CRLF file) and 10
      'A4,赵六,4,', // 11
    ], { eol: '\r\n' });
    const rows = byKey(await csvRows(path), '案件编号');
    expect(found(rows, 'A1').position).toEqual({ file: 'cases-2024Q3.csv', row: 2, label: 'cases-2024Q3.csv 第 2 行' });
    expect(found(rows, 'A1').values.说明).toBe('第一行\r\n第二行\r\n第三行');
    expect(found(rows, 'A2').position.row).toBe(6);
    expect(found(rows, 'A2').values.相对人名称).toBe('李"四"');
    expect(found(rows, 'A3').position.row).toBe(9);
    expect(found(rows, 'A4').position).toEqual({ file: 'cases-2024Q3.csv', row: 11, label: 'cases-2024Q3.csv 第 11 行' });
  });

  test('a lone CR (old Mac export) ends a line too', async () => {
    const path = await aFile('mac.csv', `${CASE_HEADER}\rA1,a,1,\rA2,b,2,\r`);
    const rows = byKey(await csvRows(path), '案件编号');
    expect(found(rows, 'A2').position.row).toBe(3);
  });

  test('the last line needs no line end', async () => {
    const path = await aFile('no-eol.csv', `${CASE_HEADER}\nA1,a,1,x`);
    expect((await csvRows(path)).map((row) => row.values)).toEqual([{ 案件编号: 'A1', 相对人名称: 'a', 罚没金额: '1', 说明: 'x' }]);
  });

  test('a row with more or fewer cells than the header is still yielded, with CSV_COLUMN_COUNT; extra cells are kept by column number', async () => {
    const path = await aCsvFile('cases-count.csv', [CASE_HEADER, 'A1,张三,1,说明,多出来的', 'A2,李四', 'A3,王五,3,']);
    const rows = byKey(await csvRows(path), '案件编号');
    expect(found(rows, 'A1').values).toEqual({ 案件编号: 'A1', 相对人名称: '张三', 罚没金额: '1', 说明: '说明', '第 5 列': '多出来的' });
    expect(found(rows, 'A1').readProblems).toEqual([{ code: 'CSV_COLUMN_COUNT', message: '第 2 行有 5 个字段，表头有 4 个' }]);
    expect(found(rows, 'A2').values).toEqual({ 案件编号: 'A2', 相对人名称: '李四' });
    expect(found(rows, 'A2').readProblems).toEqual([{ code: 'CSV_COLUMN_COUNT', message: '第 3 行有 2 个字段，表头有 4 个' }]);
    expect(found(rows, 'A3').readProblems).toBeUndefined();
  });

  test('an over-long cell is cut to maxCellBytes (whole characters) with CELL_TOO_LARGE, and the following rows still come with their lines', async () => {
    const huge = '罚'.repeat(5000); // 15 000 UTF-8 bytes
    const path = await aCsvFile('cases-long.csv', [
      CASE_HEADER,
      `A1,张三,1,${huge}`,
      `A2,李四,2,"${huge}\n${huge}"`,
      'A3,王五,3,',
    ]);
    const rows = byKey(await csvRows(path, { maxCellBytes: 1000 }), '案件编号');
    expect(found(rows, 'A1').values.说明).toBe('罚'.repeat(333));
    expect(found(rows, 'A1').readProblems).toEqual([
      { code: 'CELL_TOO_LARGE', field: '说明', message: '第 2 行「说明」超过 1000 字节，只保留了前 1000 字节' },
    ]);
    expect(codesOf(found(rows, 'A2'))).toEqual(['CELL_TOO_LARGE']);
    expect(found(rows, 'A2').position.row).toBe(3);
    expect(found(rows, 'A3').position.row).toBe(5);
    expect(found(rows, 'A3').readProblems).toBeUndefined();
  });

  test('a line of a million commas keeps only what fits the row budget and says ROW_TOO_LARGE; the next line still comes', async () => {
    const path = await aCsvFile('cases-commas.csv', [CASE_HEADER, `A1,${'x,'.repeat(1_000_000)}`, 'A2,李四,2,']);
    const rows = byKey(await csvRows(path, { maxCellBytes: 1000, maxRowChars: 4000 }), '案件编号');
    const a1 = found(rows, 'A1');
    expect(codesOf(a1)).toEqual(['CSV_COLUMN_COUNT', 'ROW_TOO_LARGE']);
    expect(a1.readProblems?.[0].message).toBe('第 2 行有 1000002 个字段，表头有 4 个');
    expect(Object.keys(a1.values).length).toBeLessThanOrEqual(4000);
    expect(found(rows, 'A2').position.row).toBe(3);
  });

  test('a quote never closed takes the rest of the file into its cell and says CSV_UNCLOSED_QUOTE', async () => {
    const path = await aCsvFile('cases-quote.csv', [CASE_HEADER, 'A1,张三,1,ok', 'A2,"李四,2,', 'A3,王五,3,']);
    const rows = byKey(await csvRows(path), '案件编号');
    expect(found(rows, 'A1').readProblems).toBeUndefined();
    const a2 = found(rows, 'A2');
    expect(a2.values.相对人名称).toBe('李四,2,\nA3,王五,3,\n');
    expect(codesOf(a2)).toEqual(['CSV_COLUMN_COUNT', 'CSV_UNCLOSED_QUOTE']);
  });

  test('text after a closing quote is kept as written and reported as CSV_QUOTE', async () => {
    const path = await aCsvFile('cases-stray.csv', [CASE_HEADER, 'A1,"张三"公司,1,']);
    const [row] = await csvRows(path);
    expect(row.values.相对人名称).toBe('张三公司');
    expect(codesOf(row)).toEqual(['CSV_QUOTE']);
  });

  test('a quote inside an unquoted cell is an ordinary character, as Excel reads it', async () => {
    const path = await aCsvFile('cases-inner-quote.csv', [CASE_HEADER, 'A1,某"某"公司,1,']);
    const [row] = await csvRows(path);
    expect(row.values.相对人名称).toBe('某"某"公司');
    expect(row.readProblems).toBeUndefined();
  });

  test('bytes that are not UTF-8 in a UTF-8 file: that row gets ENCODING_INVALID naming the cell, the others read normally', async () => {
    const good = Array.from({ length: 50 }, (_, i) => `A${i},泉州某某食品有限公司,${i},`).join('\n');
    const bad = Buffer.concat([Buffer.from('B1,'), encode('张三', 'gbk'), Buffer.from(',1,\n')]);
    const path = await aFile('cases-mixed.csv', Buffer.concat([Buffer.from(`${CASE_HEADER}\n${good}\n`), bad]));
    const rows = byKey(await csvRows(path), '案件编号');
    expect(found(rows, 'A7').values.相对人名称).toBe('泉州某某食品有限公司');
    expect(found(rows, 'B1').readProblems).toEqual([
      { code: 'ENCODING_INVALID', field: '相对人名称', message: '第 52 行「相对人名称」有不能按 UTF-8 解码的字节（显示为 �），文件可能混用了编码' },
    ]);
  });

  test('UTF-8 rows appended to a GBK file are not read as GBK nonsense: they read as the UTF-8 they are, with ENCODING_MIXED on each Chinese cell', async () => {
    const gbkRows = Array.from({ length: 30 }, (_, i) => `A${i},泉州某某食品有限公司,${i},说明`);
    const path = await aFile('cases-appended.csv', Buffer.concat([
      encode([CASE_HEADER, ...gbkRows].join('\r\n') + '\r\n', 'gbk'),
      Buffer.from('U1,张三丰,1,\r\nU2,李四,2,说明\r\nU3,x,3,\r\n', 'utf8'),
    ]));
    const rows = byKey(await csvRows(path), '案件编号');
    expect(found(rows, 'A29').values.相对人名称).toBe('泉州某某食品有限公司');
    expect(found(rows, 'A29').readProblems).toBeUndefined();
    expect(found(rows, 'U1').values).toEqual({ 案件编号: 'U1', 相对人名称: '张三丰', 罚没金额: '1', 说明: '' });
    expect(found(rows, 'U1').readProblems).toEqual([{
      code: 'ENCODING_MIXED', field: '相对人名称',
      message: '第 32 行「相对人名称」是 UTF-8 编码的文字，而文件其余部分是 GBK/GB18030 编码（文件混用了编码，已按 UTF-8 显示）：请把整个文件另存为同一种编码后重新报送',
    }]);
    expect(found(rows, 'U2').readProblems?.map((problem) => problem.field)).toEqual(['相对人名称', '说明']);
    expect(found(rows, 'U3').readProblems).toBeUndefined();
  });

  test('a GBK file reads the same as its UTF-8 twin line for line, whatever its line ends and wherever chunks split them', async () => {
    let seed = 20261129;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const eols = ['\r\n', '\n', '\r'];
    let text = `${CASE_HEADER}\r\n`;
    for (let i = 0; i < 5000; i++) {
      const note = random() < 0.1 ? `"多行\r\n说明${i}"` : `说明${i}`;
      text += `A${i},泉州市某某公司${'甲'.repeat(Math.floor(random() * 30))},${i},${note}${eols[Math.floor(random() * 3)]}`;
      if (random() < 0.01) text += '\n';
    }
    const gbk = await csvRows(await aFile('cases-eols-gbk.csv', encode(text, 'gbk')));
    const utf8 = await csvRows(await aFile('cases-eols-utf8.csv', text));
    expect(gbk.length).toBe(5000);
    expect(gbk.map((row) => [row.position.row, row.values, row.readProblems])).toEqual(utf8.map((row) => [row.position.row, row.values, row.readProblems]));
  });

  test('a stray NUL byte is the row\'s, not the file\'s; a file full of NULs is not text', async () => {
    const rows = byKey(await csvRows(await aCsvFile('cases-nul.csv', [CASE_HEADER, 'A1,某某\u0000公司,1,', 'A2,李四,2,'])), '案件编号');
    expect(found(rows, 'A1').values.相对人名称).toBe('某某\u0000公司');
    expect(found(rows, 'A2').values.相对人名称).toBe('李四');
    const utf16 = Buffer.from(`${CASE_HEADER}\nA1,x,1,\n`, 'utf16le');
    expect((await failureOf(readCsvFile(await aFile('cases-utf16-nobom.csv', utf16)))).message).toMatch(/^cases-utf16-nobom\.csv: 文件含有大量 NUL 字节/);
  });

  test('a GBK file behind a UTF-8 byte-order mark is refused once, naming the BOM', async () => {
    const path = await aFile('cases-bom-gbk.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), encode(`${CASE_HEADER}\nA1,张三,1,\n`, 'gbk')]));
    expect((await failureOf(readCsvFile(path))).message).toMatch(/^cases-bom-gbk\.csv 第 1 行（表头）: 文件开头有 UTF-8 的字节顺序标记（BOM），表头却不是 UTF-8 编码/);
  });

  test('headers are trimmed of spaces and full-width spaces; a blank header is named by its column', async () => {
    const path = await aCsvFile('cases-header.csv', ['\u3000案件编号 , 相对人名称\u3000,,说明', 'A1,张三,x,y']);
    const [row] = await csvRows(path);
    expect(row.values).toEqual({ 案件编号: 'A1', 相对人名称: '张三', '第 3 列': 'x', 说明: 'y' });
  });

  test('a repeated header makes the file unreadable, once, naming the file and both columns', async () => {
    const path = await aCsvFile('cases-dup.csv', ['案件编号,备注,罚没金额,备注', 'A1,a,1,b']);
    const error = await failureOf(readCsvFile(path));
    expect(error.message).toBe('cases-dup.csv 第 1 行（表头）: 表头「备注」重复（第 2 列和第 4 列），无法确定用哪一列');
  });

  test('rows whose cells are all empty (how Excel saves formatted blank rows) are skipped like empty lines; whitespace is content', async () => {
    const path = await aCsvFile('cases-blank.csv', [CASE_HEADER, 'A1,a,1,', ',,,', '"","","",""', ' ,,,', 'A2,b,2,']);
    const rows = await csvRows(path);
    expect(rows.map((row) => [row.values.案件编号, row.position.row])).toEqual([['A1', 2], [' ', 5], ['A2', 6]]);
  });

  test('a tab-separated .txt (Excel "文本文件(制表符分隔)") is read by its tabs', async () => {
    const path = await aCsvFile('cases.txt', ['案件编号\t相对人名称\t罚没金额', 'A1\t张三,李四\t12,000.00'], { encoding: 'gbk' });
    const [row] = await csvRows(path);
    expect(row.values).toEqual({ 案件编号: 'A1', 相对人名称: '张三,李四', 罚没金额: '12,000.00' });
  });

  test('formula-looking text is kept as text (exports neutralise it, readers do not)', async () => {
    const path = await aCsvFile('cases-formula.csv', [CASE_HEADER, 'A1,=cmd|\' /C calc\'!A0,1,']);
    const [row] = await csvRows(path);
    expect(row.values.相对人名称).toBe("=cmd|' /C calc'!A0");
  });

  test('files that cannot be read at all throw FeedReadError naming the file', async () => {
    const cases: [string, string | Buffer, string][] = [
      ['empty.csv', '', 'empty.csv: 文件是空的，没有表头'],
      ['blank.csv', '\r\n\r\n', 'blank.csv: 文件只有空行，没有表头'],
      ['renamed.csv', Buffer.from('PK\x03\x04rest-of-a-zip'), 'renamed.csv: 文件其实是 XLSX/ZIP 压缩文件，不是 CSV 文本，请把扩展名改为 .xlsx 或另存为 CSV'],
      ['utf16.csv', Buffer.from([0xff, 0xfe, 0x61, 0x00]), 'utf16.csv: 文件是 UTF-16 编码（Excel 的「Unicode 文本」），请另存为「CSV UTF-8」或 GBK 编码的 CSV'],
    ];
    for (const [name, content, message] of cases) {
      const error = await failureOf(readCsvFile(await aFile(name, content)));
      expect(error.message).toBe(message);
    }
    expect((await failureOf(readCsvFile(join(dir, 'missing.csv')))).message).toBe('missing.csv: 文件不存在');
  });

  test('a consumer that stops early (break, return) ends the rows and closes the file', async () => {
    const lines = Array.from({ length: 50_000 }, (_, i) => `A${i},泉州某某食品有限公司,${i},说明说明说明`);
    const path = await aCsvFile('cases-lazy.csv', [CASE_HEADER, ...lines]);
    const rows = readCsvFile(path);
    expect((await rows.next()).done).toBe(false);
    expect(await openDescriptorsOf(path)).toBe(1);
    await rows.return(undefined);
    expect((await rows.next()).done).toBe(true);
    await eventually(async () => expect(await openDescriptorsOf(path)).toBe(0));
  });
});

describe('CSV tokenizer against csv-parse', () => {
  /** A small seeded generator, so a failure can be replayed. */
  function seeded(seed: number): () => number {
    return () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /** Well-formed RFC 4180 records with quotes, delimiters and both line ends inside cells. */
  function aRandomCsv(seed: number, records: number) {
    const random = seeded(seed);
    const pieces = ['a', '中', '罚款', '"', ',', '\n', '\r\n', '\r', ' ', '1.2万', ''];
    const eol = random() < 0.5 ? '\r\n' : '\n';
    const rows: string[][] = [];
    let text = `编号,甲,乙,丙${eol}`;
    const lines: number[] = [];
    let line = 2;
    for (let r = 0; r < records; r++) {
      const cells = [`R${r}`];
      for (let c = 0; c < 3; c++) {
        let cell = '';
        const length = Math.floor(random() * 12);
        for (let k = 0; k < length; k++) cell += pieces[Math.floor(random() * pieces.length)];
        cells.push(cell);
      }
      rows.push(cells);
      lines.push(line);
      const written = cells.map((cell) => (/[",\r\n]/.test(cell) || random() < 0.2 ? `"${cell.replace(/"/g, '""')}"` : cell));
      text += written.join(',') + eol;
      line += 1 + (written.join(',').match(/\r\n|\r|\n/g)?.length ?? 0);
      if (random() < 0.05) {
        text += eol; // an empty line between records
        line++;
      }
    }
    return { text, rows, lines };
  }

  test('gives the same cells as csv-parse on well-formed input, and the line each record starts on, across chunk boundaries', async () => {
    for (const seed of [1, 2, 3]) {
      const { text, rows: expected, lines } = aRandomCsv(seed, 8000); // several 128 KiB chunks
      const path = await aFile(`random-${seed}.csv`, text);
      const parsed = parse(text, { relax_column_count: true, skip_empty_lines: true }) as string[][];
      const read = byKey(await csvRows(path), '编号');
      expect(parsed.slice(1)).toEqual(expected);
      const actual = expected.map((_, r) => {
        const row = found(read, `R${r}`);
        return { values: Object.values(row.values), line: row.position.row };
      });
      expect(actual).toEqual(expected.map((values, r) => ({ values, line: lines[r] })));
    }
  });

  test('the same records whatever the chunking: a CRLF, a "" pair or a closing quote split across chunks', () => {
    const text = '编号,说明\r\nA1,"一""二""\r\n三"\r\n\r\nA2,"x"\r\nA3,\r\n';
    const whole: CsvRecord[] = [];
    const wholeTokenizer = new CsvTokenizer({ maxCellBytes: 1000, maxRowChars: 4000 });
    wholeTokenizer.push(text, whole);
    wholeTokenizer.end(whole);
    const byChar: CsvRecord[] = [];
    const charTokenizer = new CsvTokenizer({ maxCellBytes: 1000, maxRowChars: 4000 });
    for (const character of text) charTokenizer.push(character, byChar);
    charTokenizer.end(byChar);
    expect(byChar).toEqual(whole);
    expect(whole.map((record) => [record.line, record.cells])).toEqual([
      [1, ['编号', '说明']], [2, ['A1', '一"二"\r\n三']], [5, ['A2', 'x']], [6, ['A3', '']],
    ]);
  });
});

describe('readXlsxFile', () => {
  async function aWorkbook(name: string, build: (workbook: Workbook) => void): Promise<string> {
    const workbook = new Workbook();
    build(workbook);
    const path = join(dir, name);
    await workbook.xlsx.writeFile(path);
    return path;
  }

  /** A case sheet with every kind of cell an agency's workbook has. */
  function addCaseSheet(workbook: Workbook, name = '案件'): void {
    const sheet = workbook.addWorksheet(name);
    sheet.getRow(2).values = ['案件编号', '立案日期', '记录时间', '罚没金额', '说明', '公式', '链接', '错误', '是否重大', '文字公式', '无结果公式'];
    sheet.getRow(3).values = [
      'A1',
      new Date(Date.UTC(2024, 4, 18)),
      new Date(Date.UTC(2024, 4, 18, 14, 30)),
      12000.5,
      { richText: [{ text: '警告' }, { font: { bold: true }, text: '并处罚款' }] },
      { formula: 'D3*2', result: 24001 },
      { text: '公示网址', hyperlink: 'https://example.gov.cn/a1' },
      { error: '#N/A' },
      true,
      { formula: 'A3&"号"', result: 'A1号' },
      { formula: 'D3+1' },
    ] as never;
    sheet.getCell('B3').numFmt = 'yyyy-mm-dd';
    sheet.getCell('C3').numFmt = 'yyyy-mm-dd hh:mm';
    // row 4 left blank on purpose; row 5 is the next case
    sheet.getRow(5).values = ['A2', 45000, null, '1.2万', '=cmd|\' /C calc\'!A0'];
    sheet.getCell('M5').value = '表外备注';
  }

  test('reads the sheet named after the entity, with Excel row numbers and a sheet label', async () => {
    const path = await aWorkbook('cases.xlsx', (workbook) => {
      workbook.addWorksheet('说明').addRow(['本表为泉州市执法案件']);
      addCaseSheet(workbook);
    });
    const rows = byKey(await allRows(readXlsxFile(path, { entity: 'cases' })), '案件编号');
    expect(found(rows, 'A1').position).toEqual({ file: 'cases.xlsx', sheet: '案件', row: 3, label: 'cases.xlsx 工作表「案件」第 3 行' });
    expect(found(rows, 'A2').position.row).toBe(5);
  });

  test('cell values: numbers stay numbers, date cells are Asia/Shanghai instants, rich text and hyperlinks are their text, formulas their cached result', async () => {
    const path = await aWorkbook('cases-values.xlsx', (workbook) => addCaseSheet(workbook));
    const rows = byKey(await allRows(readXlsxFile(path)), '案件编号');
    const a1 = found(rows, 'A1');
    expect(a1.values).toEqual({
      案件编号: 'A1',
      立案日期: new Date('2024-05-18T00:00:00+08:00'),
      记录时间: new Date('2024-05-18T14:30:00+08:00'),
      罚没金额: 12000.5,
      说明: '警告并处罚款',
      公式: 24001,
      链接: '公示网址',
      错误: '#N/A',
      是否重大: true,
      文字公式: 'A1号',
      无结果公式: null,
    });
    expect(a1.readProblems).toEqual([
      { code: 'XLSX_CELL_ERROR', field: '错误', message: '第 3 行 H 列「错误」 是错误值 #N/A' },
      { code: 'XLSX_FORMULA_NO_RESULT', field: '无结果公式', message: '第 3 行 K 列「无结果公式」 是公式，文件里没有保存计算结果（请在 Excel 或 WPS 中打开、保存后再导出）' },
    ]);
  });

  test('a formula whose cached result is 0, empty or an error keeps it (exceljs drops falsy results)', async () => {
    const path = await aWorkbook('cases-falsy.xlsx', (workbook) => {
      const sheet = workbook.addWorksheet('案件');
      sheet.addRow(['案件编号', '罚没金额', '说明']);
      sheet.addRow(['A1', { formula: 'B1*0', result: 0 }, { formula: '""&""', result: '' }]);
      sheet.addRow(['A2', { formula: '1/0', result: { error: '#DIV/0!' } }, null]);
    });
    const rows = byKey(await allRows(readXlsxFile(path)), '案件编号');
    expect(found(rows, 'A1').values).toEqual({ 案件编号: 'A1', 罚没金额: 0, 说明: '' });
    expect(found(rows, 'A1').readProblems).toBeUndefined();
    expect(found(rows, 'A2').readProblems).toEqual([{ code: 'XLSX_CELL_ERROR', field: '罚没金额', message: '第 3 行 B 列「罚没金额」 的公式结果是错误值' }]);
  });

  test('cells right of the header are one problem for the row, however many', async () => {
    const path = await aWorkbook('cases-wide.xlsx', (workbook) => {
      const sheet = workbook.addWorksheet('案件');
      sheet.addRow(['案件编号', '说明']);
      sheet.addRow(['A1', 'x', ...Array.from({ length: 5000 }, () => '多余')]);
    });
    const [row] = await allRows(readXlsxFile(path));
    expect(row!.readProblems).toEqual([{ code: 'XLSX_CELL_OUTSIDE_HEADER', message: '第 2 行 C–GJJ 列有 5000 个单元格有内容，但这些列没有表头' }]);
  });

  test('the field parsers read those instants as the civil date and wall-clock time the clerk typed', async () => {
    const path = await aWorkbook('cases-dates.xlsx', (workbook) => addCaseSheet(workbook));
    const a1 = found(byKey(await allRows(readXlsxFile(path)), '案件编号'), 'A1');
    expect(parseDate(a1.values.立案日期)).toEqual({ ok: true, value: '2024-05-18' });
    expect(parseTimestamp(a1.values.记录时间)).toEqual({ ok: true, value: new Date('2024-05-18T06:30:00Z') });
  });

  test('an undated serial stays a number, formula-looking text stays text, and a cell right of the header is kept and reported', async () => {
    const path = await aWorkbook('cases-a2.xlsx', (workbook) => addCaseSheet(workbook));
    const a2 = found(byKey(await allRows(readXlsxFile(path)), '案件编号'), 'A2');
    expect(a2.values).toMatchObject({ 立案日期: 45000, 记录时间: null, 罚没金额: '1.2万', 说明: "=cmd|' /C calc'!A0", '第 13 列': '表外备注' });
    expect(a2.readProblems).toEqual([{ code: 'XLSX_CELL_OUTSIDE_HEADER', message: '第 5 行 M 列有内容，但这一列没有表头' }]);
  });

  test('without a sheet named after an entity, the first visible sheet is read (a hidden list sheet is passed over)', async () => {
    const path = await aWorkbook('export.xlsx', (workbook) => {
      const lists = workbook.addWorksheet('下拉列表');
      lists.state = 'hidden';
      lists.addRow(['行政处罚', '行政许可']);
      workbook.addWorksheet('数据').addRow(['案件编号']).commit();
      workbook.getWorksheet('数据')?.addRow(['A9']);
      workbook.addWorksheet('其他').addRow(['x']);
    });
    const rows = await allRows(readXlsxFile(path, { entity: 'cases' }));
    expect(rows.map((row) => [row.values.案件编号, row.position.sheet])).toEqual([['A9', '数据']]);
  });

  test('chooseSheet: the entity\'s sheet by any alias, else a sheet named after any entity when none is known, else the first visible', () => {
    const sheets = [{ name: '列表', state: 'hidden' }, { name: 'Sheet1' }, { name: '执法案件' }, { name: '公示' }];
    expect(chooseSheet(sheets, 'cases')).toBe('执法案件');
    expect(chooseSheet(sheets, 'publications')).toBe('公示');
    expect(chooseSheet(sheets, 'appeals')).toBe('Sheet1');
    expect(chooseSheet(sheets)).toBe('执法案件');
    expect(chooseSheet([{ name: '列表', state: 'hidden' }, { name: 'Sheet1' }])).toBe('Sheet1');
  });

  test('a repeated header makes the sheet unreadable, naming file, sheet and columns', async () => {
    const path = await aWorkbook('cases-dup.xlsx', (workbook) => {
      const sheet = workbook.addWorksheet('案件');
      sheet.addRow(['案件编号', '备注', '备注']);
      sheet.addRow(['A1', 'x', 'y']);
    });
    const error = await failureOf(readXlsxFile(path));
    expect(error.message).toBe('cases-dup.xlsx 工作表「案件」第 1 行（表头）: 表头「备注」重复（B 列和 C 列），无法确定用哪一列');
  });

  test('a consumer that stops early closes the workbook', async () => {
    const path = await aWorkbook('cases-stop.xlsx', (workbook) => {
      const sheet = workbook.addWorksheet('案件');
      sheet.addRow(['案件编号']);
      for (let i = 0; i < 5000; i++) sheet.addRow([`A${i}`]);
    });
    const rows = readXlsxFile(path);
    expect((await rows.next()).done).toBe(false);
    await rows.return(undefined);
    await eventually(async () => expect(await openDescriptorsOf(path)).toBe(0));
  });

  test('files that are not XLSX throw FeedReadError naming the file', async () => {
    const cases: [string, Buffer, string][] = [
      ['old.xlsx', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), 'old.xlsx: 文件是 Excel 97-2003 (.xls) 格式或设置了打开密码，请另存为不加密的 .xlsx'],
      ['text.xlsx', Buffer.from('案件编号,金额\n'), 'text.xlsx: 不是 XLSX 文件（XLSX 应是 ZIP 压缩包）'],
      ['empty.xlsx', Buffer.alloc(0), 'empty.xlsx: 文件是空的'],
    ];
    for (const [name, content, message] of cases) {
      expect((await failureOf(readXlsxFile(await aFile(name, content)))).message).toBe(message);
    }
    const broken = await aFile('broken.xlsx', Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(200, 7)]));
    expect((await failureOf(readXlsxFile(broken))).message).toMatch(/^broken\.xlsx: 不是可读的 XLSX 文件/);
  });
});

describe('readArrowFile', () => {
  function decimals(unscaled: bigint[], scale: number) {
    const words = new Uint32Array(unscaled.length * 4);
    unscaled.forEach((value, i) => {
      const twos = BigInt.asUintN(128, value);
      for (let k = 0; k < 4; k++) words[i * 4 + k] = Number((twos >> BigInt(32 * k)) & 0xffffffffn);
    });
    return makeVector(makeData({ type: new Decimal(scale, 18, 128), length: unscaled.length, nullCount: 0, data: words }));
  }

  function aCaseTable(): Table {
    return new Table({
      案件编号: vectorFromArray(['A1', 'A2', 'A3'], new Utf8()),
      罚没金额: decimals([1200050n, -5n, 0n], 2),
      处罚次数: vectorFromArray([1, 2, null], new Int32()),
      大整数: makeVector(new BigInt64Array([7n, 2n ** 60n, -3n])),
      立案日期: vectorFromArray([new Date(Date.UTC(2024, 4, 18)), null, new Date(Date.UTC(2024, 0, 1))], new DateDay()),
      更新时间: vectorFromArray([Date.UTC(2024, 4, 18, 14, 30), null, 0], new Timestamp(TimeUnit.MILLISECOND)),
      上传时间: vectorFromArray([Date.UTC(2024, 4, 18, 6, 30), null, 0], new Timestamp(TimeUnit.MILLISECOND, 'UTC')),
      行为类别: vectorFromArray(['行政处罚', '行政许可', '行政处罚'], new Dictionary(new Utf8(), new Int32())),
      承办人员: vectorFromArray([['P1', 'P2'], [], null], new List(new Field('item', new Utf8(), true))),
      是否重大: vectorFromArray([true, false, null]),
    });
  }

  test('values: decimals as exact text, safe int64 as numbers and others as text, dictionary decoded, lists as arrays, dates and zoneless times as Shanghai instants', async () => {
    const path = await aFile('cases.arrow', Buffer.from(tableToIPC(aCaseTable(), 'file')));
    const rows = byKey(await allRows(readArrowFile(path)), '案件编号');
    expect(found(rows, 'A1').values).toEqual({
      案件编号: 'A1',
      罚没金额: '12000.50',
      处罚次数: 1,
      大整数: 7,
      立案日期: new Date('2024-05-18T00:00:00+08:00'),
      更新时间: new Date('2024-05-18T14:30:00+08:00'),
      上传时间: new Date('2024-05-18T06:30:00Z'),
      行为类别: '行政处罚',
      承办人员: ['P1', 'P2'],
      是否重大: true,
    });
    expect(found(rows, 'A2').values).toMatchObject({ 罚没金额: '-0.05', 大整数: '1152921504606846976', 立案日期: null, 承办人员: [] });
    expect(found(rows, 'A3').values).toMatchObject({ 处罚次数: null, 承办人员: null, 是否重大: null, 罚没金额: '0.00' });
  });

  test('position is the 1-based record number across batches, in both the IPC file and the stream format', async () => {
    const table = new Table({ 案件编号: vectorFromArray(['A1', 'A2'], new Utf8()) })
      .concat(new Table({ 案件编号: vectorFromArray(['A3'], new Utf8()) }));
    expect(table.batches.length).toBe(2);
    for (const [name, format] of [['cases.ipc', 'file'], ['cases.feather', 'stream']] as const) {
      const path = await aFile(name, Buffer.from(tableToIPC(table, format)));
      const rows = byKey(await allRows(readArrowFile(path)), '案件编号');
      expect(found(rows, 'A3').position).toEqual({ file: name, row: 3, label: `${name} 第 3 条记录` });
    }
  });

  test('a string whose bytes are not UTF-8 is reported as ENCODING_INVALID naming its column', async () => {
    const bytes = [Buffer.from('张三'), Buffer.from([0xe6, 0x9f, 0x90, 0xff, 0x41])];
    const offsets = new Int32Array([0, bytes[0]!.length, bytes[0]!.length + bytes[1]!.length]);
    const names = makeVector(makeData({ type: new Utf8(), length: 2, nullCount: 0, valueOffsets: offsets, data: Buffer.concat(bytes) }));
    const path = await aFile('cases-bytes.arrow', Buffer.from(tableToIPC(new Table({ 案件编号: vectorFromArray(['A1', 'A2'], new Utf8()), 相对人名称: names }), 'file')));
    const rows = byKey(await allRows(readArrowFile(path)), '案件编号');
    expect(found(rows, 'A1').readProblems).toBeUndefined();
    expect(found(rows, 'A2').values.相对人名称).toBe('某\uFFFDA');
    expect(found(rows, 'A2').readProblems).toEqual([{ code: 'ENCODING_INVALID', field: '相对人名称', message: '第 2 条记录「相对人名称」有不是 UTF-8 的字节（显示为 �）' }]);
  });

  test('a file that is not Arrow, or is empty, throws FeedReadError naming the file', async () => {
    expect((await failureOf(readArrowFile(await aFile('text.arrow', 'caseId,name\n1,2\n'.repeat(10))))).message)
      .toMatch(/^text\.arrow: 不是可读的 Arrow IPC 文件/);
    expect((await failureOf(readArrowFile(await aFile('empty.arrow', ''))))).toEqual(new FeedReadError('empty.arrow', '文件是空的'));
  });
});

describe('feed files', () => {
  test('the reader is chosen by extension, in any case', () => {
    expect(['a.csv', 'a.TXT', 'a.xlsx', 'a.arrow', 'a.feather', 'a.ipc', 'a.xls', 'a.json'].map(feedFormatOf))
      .toEqual(['csv', 'csv', 'xlsx', 'arrow', 'arrow', 'arrow', null, null]);
  });

  test('listFeedFiles: feed files as full paths in name order, without dotfiles, Office owner files or partial downloads', async () => {
    const folder = join(dir, 'drop');
    await mkdir(folder);
    await mkdir(join(folder, 'old.csv'));
    for (const name of ['执法案件.xlsx', 'cases-2024Q4.csv', 'cases-2024Q3.csv', '~$执法案件.xlsx', '.~lock.cases.csv#', '.hidden.csv', 'x.csv.part', 'notes.docx', 'bulk.arrow']) {
      await writeFile(join(folder, name), '');
    }
    expect(await listFeedFiles(folder)).toEqual(['bulk.arrow', 'cases-2024Q3.csv', 'cases-2024Q4.csv', '执法案件.xlsx'].map((name) => join(folder, name)));
  });

  test('the entity comes from the file name without reading the file', async () => {
    const path = await aFile('cases-2024Q3-泉州市.csv', '');
    const feed = await openFeedFile(path);
    expect({ entity: feed.entity, format: feed.format }).toEqual({ entity: 'cases', format: 'csv' });
    // the empty file is only noticed when rows are read
    expect((await failureOf(feed.rows)).message).toBe('cases-2024Q3-泉州市.csv: 文件是空的，没有表头');
  });

  test('when the name names no entity, a 实体 column does, and every row (the first too) is still read', async () => {
    const path = await aCsvFile('export-2024.csv', ['实体,案件编号', '执法案件,A1', '执法案件,A2']);
    const feed = await openFeedFile(path);
    expect(feed.entity).toBe('cases');
    expect((await allRows(feed.rows)).map((row) => row.values.案件编号)).toEqual(['A1', 'A2']);
  });

  test('when the name names no entity, an XLSX sheet named after one does', async () => {
    const workbook = new Workbook();
    workbook.addWorksheet('说明').addRow(['x']);
    const sheet = workbook.addWorksheet('公示记录');
    sheet.addRow(['案件编号', '公示日期']);
    sheet.addRow(['A1', '2024-05-20']);
    const path = join(dir, 'export.xlsx');
    await workbook.xlsx.writeFile(path);
    const feed = await openFeedFile(path);
    expect(feed.entity).toBe('publications');
    expect((await allRows(feed.rows)).map((row) => row.position.label)).toEqual(['export.xlsx 工作表「公示记录」第 2 行']);
  });

  test('no entity anywhere is null, for the caller to report', async () => {
    const feed = await openFeedFile(await aCsvFile('export-x.csv', ['案件编号', 'A1']));
    expect(feed.entity).toBeNull();
  });

  test('a file of another type is refused by name', async () => {
    expect((await failureOf(openFeedFile(join(dir, 'cases.xls')))).message).toBe('cases.xls: 不是可导入的文件类型（可导入 .csv .txt .xlsx .arrow .feather .ipc）');
  });
});
