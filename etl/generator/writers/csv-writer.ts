import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { encode } from 'iconv-lite';
import type { EntitySpec } from '../../feed/feed-entities';
import type { WireRecord } from '../bad-rows';
import { textOf, type Dialect } from './encode';
import type { FeedWriter } from './feed-writer';

/** utf8-bom: Excel's "CSV UTF-8"; gbk: Chinese Windows' "ANSI" export, CRLF line ends. */
export type CsvEncoding = 'utf8-bom' | 'gbk';

const FLUSH_CHARS = 16 * 1024;
const NEEDS_QUOTES = /[",\r\n]/;

function escape(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * A CSV feed with FEEDS.md's Chinese headers. Written synchronously in 16 K-character pieces: the generator is
 * CPU-bound, and a synchronous write never lets rows pile up in memory waiting for the disk.
 *
 * GBK files are encoded as GB18030, which is byte-for-byte GBK for every character GBK has (all the names the
 * generator makes) and still represents a rare township name GBK lacks, instead of turning it into '?'.
 */
export class CsvFeedWriter implements FeedWriter {
  private readonly fd: number;
  private pending: string[] = [];
  private pendingChars = 0;
  /** physical line of the last row written; the header is line 1 */
  private line = 1;
  private readonly eol: string;

  constructor(dir: string, readonly fileName: string, readonly spec: EntitySpec, private readonly dialect: Dialect,
    private readonly encoding: CsvEncoding) {
    this.fd = openSync(join(dir, fileName), 'w');
    this.eol = encoding === 'gbk' ? '\r\n' : '\n';
    if (encoding === 'utf8-bom') writeSync(this.fd, Buffer.from([0xef, 0xbb, 0xbf]));
    this.push(spec.fields.map((field) => escape(field.header)).join(',') + this.eol);
  }

  write(row: WireRecord): string {
    const cells = this.spec.fields.map((field) => escape(textOf(field, row[field.key], this.dialect)));
    this.push(cells.join(',') + this.eol);
    this.line += 1;
    return `${this.fileName} 第 ${this.line} 行`;
  }

  private push(text: string): void {
    this.pending.push(text);
    this.pendingChars += text.length;
    if (this.pendingChars >= FLUSH_CHARS) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    if (this.encoding === 'gbk') writeSync(this.fd, encode(text, 'gb18030'));
    else writeSync(this.fd, text);
    this.pending = [];
    this.pendingChars = 0;
  }

  async close(): Promise<void> {
    this.flush();
    closeSync(this.fd);
  }
}
