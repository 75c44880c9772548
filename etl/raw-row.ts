/**
 * What every reader and connector yields: one delivered row, as delivered, and where it was. Parsing and
 * validation come after (etl/feed); a reader never drops or fixes a row.
 */
export interface RowPosition {
  /** file name as found in the folder (no directory), for file transports */
  file?: string;
  /** worksheet name, for XLSX */
  sheet?: string;
  /** 1-based row number as a person counts it in the file: the header is row 1, the first data row is row 2 */
  row?: number;
  /** API page number, for the HTTP transport */
  page?: number;
  /** 0-based index of the item within its API page */
  item?: number;
  /** human-readable, Chinese: `cases-2024Q3.csv 第 12 行`, `cases.xlsx 工作表「案件」第 3 行`, `API 第 4 页第 2 条` */
  label: string;
}

/**
 * Cell values keyed by the header (or JSON field name) exactly as delivered. Text formats give strings;
 * XLSX may give numbers, booleans and Dates (Excel serial dates already as Date when the cell is date-formatted,
 * otherwise the serial number); Arrow gives its column values (numbers, bigints, strings, Dates, null); JSON
 * gives what the API sent. The field parsers accept all of these.
 */
export type CellValue = string | number | bigint | boolean | Date | null | undefined | unknown[];

export interface RawRow {
  values: Record<string, CellValue>;
  position: RowPosition;
  /**
   * What the reader itself found wrong with this row (more cells than headers, a cell over the size limit,
   * bytes that are not text in the file's encoding). The row still goes on, so that it lands in quarantine
   * with these reasons beside the validator's.
   */
  readProblems?: ReadProblem[];
}

/** What a reader found wrong with a row; `field` is the header of the cell it concerns, when it concerns one. */
export interface ReadProblem { code: string; field?: string; message: string }

/**
 * The largest cell any transport delivers whole (UTF-8 bytes): the CSV reader cuts a cell there while it
 * scans, and a larger one from XLSX, Arrow or an API is refused (CELL_TOO_LARGE) and kept cut to it. A feed's
 * longest real text, a 不公开理由 or a 问题 of an evaluation, is a few kilobytes; Excel itself holds at most
 * 32,767 characters in a cell.
 */
export const MAX_CELL_BYTES = 1024 * 1024;

/** A reader problem that is not one row's fault (unreadable file, broken page): the run reports it. */
export class FeedReadError extends Error {
  constructor(readonly where: string, message: string) {
    super(`${where}: ${message}`);
    this.name = 'FeedReadError';
  }
}
