import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { RecordBatch, RecordBatchStreamWriter, Utf8, vectorFromArray } from 'apache-arrow';
import { usccCheckCharacter } from '../../src/domain/uscc';

/**
 * Big feed files for the ETL benchmark, written streaming: N cases of a handful of agencies of 泉州市 in
 * standard FEEDS.md form (Chinese headers), as CSV and as Arrow, plus the agencies file they need.
 */
const counties = ['350502', '350503', '350504', '350505', '350521', '350524', '350525', '350526', '350581', '350582', '350583'];
export const benchAgencies = counties.map((county, i) => {
  const first17 = `11${county}MB${String(1000000 + i).slice(-7)}`;
  return { uscc: first17 + usccCheckCharacter(first17), region: county, name: `${county} 市场监督管理局（基准测试）` };
});

const caseHeaders = ['案件编号', '主体代码', '行为类别', '程序类型', '立案日期', '决定日期', '决定文书号', '相对人类型', '相对人名称',
  '罚没金额', '处罚种类', '是否重大', '承办人员', '公开属性', '更新时间'];

function caseRow(i: number, idPrefix = 'BENCH'): string[] {
  const agency = benchAgencies[i % benchAgencies.length]!;
  const day = 1 + (i % 28);
  const month = 1 + ((i >> 5) % 12);
  const mm = String(month).padStart(2, '0');
  const dd = String(day).padStart(2, '0');
  const penalty = i % 3 !== 0;
  return [
    `${idPrefix}-${String(i).padStart(8, '0')}`, agency.uscc, penalty ? '行政处罚' : '行政许可', penalty ? '普通' : '', `2025-${mm}-01`,
    `2025-${mm}-${dd}`, `泉基准罚〔2025〕${i}号`, i % 2 ? '自然人' : '法人', `当事人${i}`, penalty ? String((i % 500) * 100) : '',
    penalty ? '罚款' : '', 'false', `P${i % 97};P${(i + 1) % 97}`, '主动公开', `2025-${mm}-${dd} 18:00:00`,
  ];
}

const csvLine = (cells: string[]) => cells.join(',') + '\n';

export async function writeAgenciesCsv(dir: string): Promise<void> {
  const lines = [csvLine(['主体名称', '统一社会信用代码', '行政区划代码', '主体层级', '执法领域', '主体性质', '更新时间'])];
  for (const agency of benchAgencies) lines.push(csvLine([agency.name, agency.uscc, agency.region, '县级', '市场监管', '法定', '2025-01-01 08:00:00']));
  fs.writeFileSync(path.join(dir, '执法主体.csv'), lines.join(''));
}

/** `idPrefix` gives a run's cases ids of their own (a delta loaded into a kept warehouse adds, not updates). */
export async function writeCasesCsv(file: string, count: number, idPrefix = 'BENCH'): Promise<void> {
  const out = fs.createWriteStream(file);
  out.write(csvLine(caseHeaders));
  for (let i = 0; i < count; i++) {
    if (!out.write(csvLine(caseRow(i, idPrefix)))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

export async function writeCasesArrow(file: string, count: number, batchSize = 50000): Promise<void> {
  const out = fs.createWriteStream(file);
  const writer = new RecordBatchStreamWriter();
  const piped = writer.toNodeStream().pipe(out);
  for (let start = 0; start < count; start += batchSize) {
    const columns: Record<string, string[]> = Object.fromEntries(caseHeaders.map((header) => [header, []]));
    for (let i = start; i < Math.min(count, start + batchSize); i++) {
      caseRow(i).forEach((cell, c) => columns[caseHeaders[c]!]!.push(cell));
    }
    // plain Utf8 columns: tableFromArrays would dictionary-encode each batch under a new id, and a stream
    // must keep one schema
    writer.write(new RecordBatch(Object.fromEntries(caseHeaders.map((h) => [h, vectorFromArray(columns[h]!, new Utf8()).data[0]!]))));
  }
  writer.finish();
  await once(piped, 'finish');
}

export const caseCsvHeaders = caseHeaders;
