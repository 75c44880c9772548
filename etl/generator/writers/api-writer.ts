import { appendFileSync, closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { EntitySpec } from '../../feed/feed-entities';
import { parseTimestamp } from '../../feed/field-parsers';
import type { WireRecord } from '../bad-rows';
import { jsonOf } from './encode';
import type { FeedWriter } from './feed-writer';

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const SPILL_FLUSH_CHARS = 32 * 1024;
const OUT_FLUSH_CHARS = 64 * 1024;

interface Spilled { k: number; s: number; item: Record<string, unknown>; note?: number }

/**
 * What the demo platform holds for one entity: `<dir>/<entity>.jsonl`, served by the agency-API simulator
 * (etl/simulator), which serves items ordered by updatedAt (those without one first), ties in file order. The
 * file is written in that order, so an item's place in the file is its place in the API, and its page and
 * position on the page follow from the page size: `cases API 第 3 页第 17 条`.
 *
 * Items arrive in generation order, not updatedAt order (a case filed in March may last change in October), so
 * they are spilled to a temporary file per month of their updatedAt and each month is sorted and appended once
 * no later item can fall in it. Memory holds one month of one entity at a time, never the whole entity.
 */
export class ApiFeedWriter implements FeedWriter {
  readonly fileName: string;
  private readonly out: number;
  private outPending: string[] = [];
  private outChars = 0;
  private readonly spillDir: string;
  private readonly spills = new Map<string, { lines: string[]; chars: number; written: boolean }>();
  private sequence = 0;
  /** items placed in the file so far */
  private placed = 0;
  private readonly notes = new Map<number, (label: string) => void>();
  private nextNote = 0;

  constructor(dir: string, spillRoot: string, readonly spec: EntitySpec, private readonly pageSize: number) {
    this.fileName = `${spec.name}.jsonl`;
    this.out = openSync(join(dir, this.fileName), 'w');
    this.spillDir = join(spillRoot, spec.name);
    mkdirSync(this.spillDir, { recursive: true });
  }

  private label(index: number): string {
    return `${this.spec.name} API 第 ${Math.floor(index / this.pageSize) + 1} 页第 ${(index % this.pageSize) + 1} 条`;
  }

  private itemOf(row: WireRecord): Record<string, unknown> {
    const item: Record<string, unknown> = {};
    for (const field of this.spec.fields) {
      const value = jsonOf(field, row[field.key]);
      if (value !== undefined) item[field.key] = value;
    }
    return item;
  }

  /**
   * The instant the simulator orders the item by: its updatedAt read as the pipeline reads it (no zone:
   * Asia/Shanghai), or null when it has none.
   */
  private static orderOf(item: Record<string, unknown>): number | null {
    const value = item.updatedAt;
    if (typeof value !== 'string' && typeof value !== 'number') return null;
    const parsed = parseTimestamp(value);
    return parsed.ok && parsed.value ? parsed.value.getTime() : null;
  }

  write(row: WireRecord, later?: (label: string) => void): string | null {
    const item = this.itemOf(row);
    const order = ApiFeedWriter.orderOf(item);
    const hasUpdatedAt = this.spec.fields.some((field) => field.key === 'updatedAt');
    if (order === null) {
      // Only entities without an updatedAt (annual reports, letters) are served in file order from the start;
      // an item without one in an entity that has it would jump ahead of items already placed.
      if (hasUpdatedAt) throw new Error(`${this.spec.name} API item without a readable updatedAt: it would be served first`);
      this.append(JSON.stringify(item));
      return this.label(this.placed++);
    }
    const month = new Date(order + SHANGHAI_OFFSET_MS).toISOString().slice(0, 7);
    const spilled: Spilled = { k: order, s: this.sequence++, item };
    if (later) {
      spilled.note = this.nextNote++;
      this.notes.set(spilled.note, later);
    }
    let spill = this.spills.get(month);
    if (!spill) this.spills.set(month, (spill = { lines: [], chars: 0, written: false }));
    const line = JSON.stringify(spilled);
    spill.lines.push(line);
    spill.chars += line.length;
    if (spill.chars >= SPILL_FLUSH_CHARS) this.spillToDisk(month, spill);
    return null;
  }

  private spillToDisk(month: string, spill: { lines: string[]; chars: number; written: boolean }): void {
    appendFileSync(join(this.spillDir, `${month}.jsonl`), spill.lines.join('\n') + '\n');
    spill.lines = [];
    spill.chars = 0;
    spill.written = true;
  }

  /** Places every item whose updatedAt falls in `month` or before: no item generated later can fall there. */
  flushThrough(month: string): void {
    for (const pending of [...this.spills.keys()].sort()) {
      if (pending > month) break;
      const spill = this.spills.get(pending)!;
      this.spills.delete(pending);
      const lines = spill.lines;
      if (spill.written) {
        const file = join(this.spillDir, `${pending}.jsonl`);
        lines.unshift(...readFileSync(file, 'utf8').split('\n').filter((line) => line !== ''));
        rmSync(file);
      }
      const items = lines.map((line) => JSON.parse(line) as Spilled);
      items.sort((a, b) => a.k - b.k || a.s - b.s);
      for (const spilled of items) {
        this.append(JSON.stringify(spilled.item));
        const index = this.placed++;
        if (spilled.note !== undefined) {
          this.notes.get(spilled.note)!(this.label(index));
          this.notes.delete(spilled.note);
        }
      }
    }
  }

  private append(line: string): void {
    this.outPending.push(line);
    this.outChars += line.length + 1;
    if (this.outChars >= OUT_FLUSH_CHARS) this.flushOut();
  }

  private flushOut(): void {
    if (this.outPending.length === 0) return;
    writeSync(this.out, Buffer.from(this.outPending.join('\n') + '\n', 'utf8'));
    this.outPending = [];
    this.outChars = 0;
  }

  async close(): Promise<void> {
    this.flushThrough('9999-12');
    this.flushOut();
    closeSync(this.out);
    rmSync(this.spillDir, { recursive: true, force: true });
  }
}
