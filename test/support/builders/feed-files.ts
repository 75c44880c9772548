import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { feedEntities } from '../../../etl/feed/feed-entities';
import type { EntityName } from '../../../etl/feed/entity-names';

/**
 * Feed files written the way agencies deliver them, for ETL tests: rows are given by FEEDS.md JSON field
 * names and written under the Chinese headers.
 */
type Row = Record<string, string | number | Date | null>;

function chineseHeaders(entity: EntityName, rows: Row[]): { keys: string[]; headers: string[] } {
  const fields = feedEntities[entity].fields as readonly { key: string; header: string }[];
  const used = new Set(rows.flatMap((row) => Object.keys(row)));
  const chosen = fields.filter((field) => used.has(field.key));
  return { keys: chosen.map((field) => field.key), headers: chosen.map((field) => field.header) };
}

const csvCell = (value: unknown) => {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export function writeCsv(file: string, entity: EntityName, rows: Row[], encoding: 'gbk' | 'utf8-bom' | 'utf8' = 'utf8'): void {
  const { keys, headers } = chineseHeaders(entity, rows);
  const text = [headers.join(','), ...rows.map((row) => keys.map((key) => csvCell(row[key])).join(','))].join('\r\n') + '\r\n';
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (encoding === 'gbk') fs.writeFileSync(file, iconv.encode(text, 'gbk'));
  else fs.writeFileSync(file, (encoding === 'utf8-bom' ? '\uFEFF' : '') + text, 'utf8');
}

export async function writeXlsx(file: string, entity: EntityName, rows: Row[], sheetName = 'Sheet1'): Promise<void> {
  const { keys, headers } = chineseHeaders(entity, rows);
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(sheetName);
  sheet.addRow(headers);
  for (const row of rows) sheet.addRow(keys.map((key) => row[key] ?? null));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await workbook.xlsx.writeFile(file);
}
