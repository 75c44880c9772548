import { appendFileSync, closeSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { EntitySpec } from '../../feed/feed-entities';
import { parseTimestamp } from '../../feed/field-parsers';
import type { WireRecord } from '../bad-rows';
import { dayText } from '../dates';
import { jsonOf } from './encode';
import type { FeedWriter } from './feed-writer';

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const MS_PER_DAY = 86_400_000;
const OUT_FLUSH_CHARS = 16 * 1024;

/** How much the writer holds in memory (tests make these small, to take the paths big provinces take). */
export interface SpillLimits {
  /** characters of spilled lines held per entity, all months together, before they go to disk */
  spillChars: number;
  /** a month spilled to disk up to this size is sorted in memory; a bigger one is first split by day */
  sortInMemoryBytes: number;
  /** characters of one day's lines held while a month is split */
  splitChars: number;
  /** bytes read at a time from a spill file */
  readChunkBytes: number;
}

const DEFAULT_LIMITS: SpillLimits = {
  spillChars: 32 * 1024, sortInMemoryBytes: 4 * 1024 * 1024, splitChars: 64 * 1024, readChunkBytes: 1024 * 1024,
};

/**
 * A spilled item, one line: `<order> <sequence> <note or -> <item JSON>`. The item's JSON is written once and
 * copied to the file as it is; only the numbers in front are read back to sort.
 */
interface Spilled { order: number; sequence: number; note: number | null; json: string }

/** The Shanghai civil day (as a day number) of a spilled line's order, read from its first field. */
function dayOfLine(line: string): number {
  return Math.floor((Number(line.slice(0, line.indexOf(' '))) + SHANGHAI_OFFSET_MS) / MS_PER_DAY);
}

/** Every line of a file, read a chunk at a time. */
function eachLine(path: string, chunkBytes: number, each: (line: string) => void): void {
  const fd = openSync(path, 'r');
  try {
    let carry = Buffer.alloc(0);
    for (;;) {
      const chunk = Buffer.alloc(chunkBytes);
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      // a newline byte is never part of a multi-byte UTF-8 character: text is decoded only up to the last one
      const bytes = Buffer.concat([carry, chunk.subarray(0, read)]);
      const end = bytes.lastIndexOf(0x0a);
      if (end < 0) {
        carry = bytes;
        continue;
      }
      for (const line of bytes.toString('utf8', 0, end).split('\n')) if (line !== '') each(line);
      carry = bytes.subarray(end + 1);
    }
    if (carry.length > 0) each(carry.toString('utf8'));
  } finally {
    closeSync(fd);
  }
}

function spilledOf(line: string): Spilled {
  const a = line.indexOf(' ');
  const b = line.indexOf(' ', a + 1);
  const c = line.indexOf(' ', b + 1);
  const note = line.slice(b + 1, c);
  return { order: Number(line.slice(0, a)), sequence: Number(line.slice(a + 1, b)), note: note === '-' ? null : Number(note), json: line.slice(c + 1) };
}

/**
 * What the demo platform holds for one entity: `<dir>/<entity>.jsonl`, served by the agency-API simulator
 * (etl/simulator), which serves items ordered by updatedAt (those without one first), ties in file order. The
 * file is written in that order, so an item's place in the file is its place in the API, and its page and
 * position on the page follow from the page size: `cases API 第 3 页第 17 条`.
 *
 * Items arrive in generation order, not updatedAt order (a case filed in March may last change in October), so
 * they are spilled to a temporary file per month of their updatedAt and each month is sorted and appended once
 * no later item can fall in it. Memory holds a month of one entity at a time, or one day of it when the month is
 * big (it is split by day first), never the whole entity.
 */
export class ApiFeedWriter implements FeedWriter {
  readonly fileName: string;
  private readonly out: number;
  private outPending: string[] = [];
  private outChars = 0;
  private readonly spillDir: string;
  /** by month of updatedAt: lines not yet on disk, and whether the month's spill file exists */
  private readonly spills = new Map<string, { lines: string[]; written: boolean }>();
  private spilledChars = 0;
  private sequence = 0;
  /** items placed in the file so far */
  private placed = 0;
  private readonly notes = new Map<number, (label: string) => void>();
  private nextNote = 0;

  private readonly hasUpdatedAt: boolean;

  constructor(dir: string, spillRoot: string, readonly spec: EntitySpec, private readonly pageSize: number,
    private readonly limits: SpillLimits = DEFAULT_LIMITS) {
    this.fileName = `${spec.name}.jsonl`;
    this.hasUpdatedAt = spec.fields.some((field) => field.key === 'updatedAt');
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
  private static orderOf(row: WireRecord, item: Record<string, unknown>): number | null {
    // a Date is written to the second (isoTimestamp): the instant read back is the Date's, to the second
    const updatedAt = row.updatedAt;
    if (updatedAt instanceof Date) return Math.floor(updatedAt.getTime() / 1000) * 1000;
    const value = item.updatedAt;
    if (typeof value !== 'string' && typeof value !== 'number') return null;
    const parsed = parseTimestamp(value);
    return parsed.ok && parsed.value ? parsed.value.getTime() : null;
  }

  write(row: WireRecord, later?: (label: string) => void): string | null {
    const item = this.itemOf(row);
    const order = ApiFeedWriter.orderOf(row, item);
    const hasUpdatedAt = this.hasUpdatedAt;
    if (order === null) {
      // Only entities without an updatedAt (annual reports, letters) are served in file order from the start;
      // an item without one in an entity that has it would jump ahead of items already placed.
      if (hasUpdatedAt) throw new Error(`${this.spec.name} API item without a readable updatedAt: it would be served first`);
      this.append(JSON.stringify(item));
      return this.label(this.placed++);
    }
    const month = dayText(Math.floor((order + SHANGHAI_OFFSET_MS) / MS_PER_DAY)).slice(0, 7);
    let note = '-';
    if (later) {
      note = String(this.nextNote);
      this.notes.set(this.nextNote++, later);
    }
    let spill = this.spills.get(month);
    if (!spill) this.spills.set(month, (spill = { lines: [], written: false }));
    const line = `${order} ${this.sequence++} ${note} ${JSON.stringify(item)}`;
    spill.lines.push(line);
    this.spilledChars += line.length;
    if (this.spilledChars >= this.limits.spillChars) {
      for (const [pending, held] of this.spills) this.spillToDisk(pending, held);
      this.spilledChars = 0;
    }
    return null;
  }

  private spillFile(month: string): string {
    return join(this.spillDir, `${month}.jsonl`);
  }

  private spillToDisk(month: string, spill: { lines: string[]; written: boolean }): void {
    if (spill.lines.length === 0) return;
    appendFileSync(this.spillFile(month), `${spill.lines.join('\n')}\n`);
    spill.lines = [];
    spill.written = true;
  }

  /** Places every item whose updatedAt falls in `month` or before: no item generated later can fall there. */
  flushThrough(month: string): void {
    for (const pending of [...this.spills.keys()].sort()) {
      if (pending > month) break;
      const spill = this.spills.get(pending)!;
      this.spills.delete(pending);
      for (const line of spill.lines) this.spilledChars -= line.length;
      if (!spill.written) {
        this.place(spill.lines);
        continue;
      }
      this.spillToDisk(pending, spill);
      const file = this.spillFile(pending);
      if (statSync(file).size <= this.limits.sortInMemoryBytes) {
        this.place(readFileSync(file, 'utf8').split('\n').filter((line) => line !== ''));
      } else {
        for (const dayFile of this.splitByDay(file)) {
          this.place(readFileSync(dayFile, 'utf8').split('\n').filter((line) => line !== ''));
          rmSync(dayFile);
        }
      }
      rmSync(file);
    }
    // the placed lines are slices of the spill files' text: write them now, so that the text can go
    this.flushOut();
  }

  /** Writes a month's spill file out again as one file per day, in day order (each day sorts the same as within the month). */
  private splitByDay(file: string): string[] {
    const days = new Map<number, { lines: string[]; chars: number }>();
    const dayFile = (day: number) => `${file}.${day}`;
    const write = (day: number, held: { lines: string[]; chars: number }) => {
      appendFileSync(dayFile(day), `${held.lines.join('\n')}\n`);
      held.lines = [];
      held.chars = 0;
    };
    eachLine(file, this.limits.readChunkBytes, (line) => {
      const day = dayOfLine(line);
      let held = days.get(day);
      if (!held) days.set(day, (held = { lines: [], chars: 0 }));
      held.lines.push(line);
      held.chars += line.length;
      if (held.chars >= this.limits.splitChars) write(day, held);
    });
    for (const [day, held] of days) if (held.lines.length > 0) write(day, held);
    return [...days.keys()].sort((a, b) => a - b).map(dayFile);
  }

  /** Appends spilled lines to the API file in the simulator's order, and hands the waiting notes their positions. */
  private place(lines: string[]): void {
    const items = lines.map(spilledOf);
    items.sort((a, b) => a.order - b.order || a.sequence - b.sequence);
    for (const spilled of items) {
      this.append(spilled.json);
      const index = this.placed++;
      if (spilled.note !== null) {
        this.notes.get(spilled.note)!(this.label(index));
        this.notes.delete(spilled.note);
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
    writeSync(this.out, `${this.outPending.join('\n')}\n`);
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
