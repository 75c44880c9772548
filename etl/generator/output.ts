/**
 * Every row the generator writes goes through here: to the right source's writer (API entity, or folder file
 * of the right format and quarter), counted, and — for the rows that are not plain good rows — noted in the
 * answer key with the exact position the hub's readers will name: deliberately bad rows (refused, with their
 * reason codes), exact duplicates, and children delivered before their parent (held, then released).
 */
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { entityAliases, type EntityName } from '../feed/entity-names';
import { feedEntities } from '../feed/feed-entities';
import type { FeedRecords } from '../feed/parse-row';
import { BadRowPicker, expectedNaturalKey, wireOf, type Carrier, type WireRecord } from './bad-rows';
import type { Random } from './random';
import { fileNameOf, QUARTERLY, type FileFormat, type SourceLayout, type SourcePlan } from './sources';
import { ApiFeedWriter } from './writers/api-writer';
import { ArrowFeedWriter } from './writers/arrow-writer';
import { CsvFeedWriter } from './writers/csv-writer';
import type { FeedWriter } from './writers/feed-writer';
import { XlsxFeedWriter } from './writers/xlsx-writer';

/** rows between two breaths (see breathe) */
const BREATH_ROWS = 5000;
const MAX_BACKLOG_BYTES = 1024 * 1024;

export interface EntityCount { rows: number; good: number; bad: number; duplicates: number; held: number }

export interface RefusedRow {
  source: string;
  entity: EntityName;
  position: string;
  naturalKey: string | null;
  /** every reason code parseFeedRow gives, sorted */
  reasons: string[];
  /** the bad-row kind (bad-rows.ts), for people reading the key */
  kind: string;
}

export interface HeldRow {
  source: string;
  entity: EntityName;
  position: string;
  naturalKey: string;
  /** the source delivering the parent case */
  parentSource: string;
  /** when it is held: only if its source is loaded before the parent's */
  heldIf: string;
}

export interface DuplicateRow { source: string; entity: EntityName; naturalKey: string; positions: string[] }

/** Lines written one by one to a file, 16 K characters at a time. */
export class LineSink {
  private readonly fd: number;
  private pending: string[] = [];
  private chars = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  write(text: string): void {
    this.pending.push(text);
    this.chars += text.length;
    if (this.chars >= 16 * 1024) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    writeSync(this.fd, this.pending.join(''));
    this.pending = [];
    this.chars = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

export interface OutputOptions {
  dir: string;
  layout: SourceLayout;
  pageSize: number;
  /** the timestamp stamped into XLSX archives, so that they are the same bytes on every run */
  pinnedDate: Date;
  /** duplicate rows per source and entity, at most */
  maxDuplicates: number;
}

export class Output {
  private readonly writers = new Map<string, FeedWriter>();
  private readonly apiWriters = new Map<EntityName, ApiFeedWriter>();
  private readonly recentWriters = new Map<string, Map<EntityName, { quarter: string; writer: FeedWriter }>>();
  private readonly counts = new Map<string, Map<EntityName, EntityCount>>();
  private readonly files = new Map<string, Set<string>>();
  private readonly picker = new BadRowPicker();
  private readonly refused: LineSink;
  private refusedCount = 0;
  readonly held: HeldRow[] = [];
  readonly duplicates: DuplicateRow[] = [];
  private readonly spillRoot: string;
  private rowsSinceBreath = 0;

  constructor(private readonly options: OutputOptions) {
    this.spillRoot = join(options.dir, '.generating');
    mkdirSync(join(options.dir, 'api'), { recursive: true });
    mkdirSync(join(options.dir, 'answer-key'), { recursive: true });
    for (const source of options.layout.all) if (source.folder) mkdirSync(join(options.dir, source.folder), { recursive: true });
    this.refused = new LineSink(join(options.dir, 'answer-key', 'quarantine.json'));
    const header = {
      synthetic: true,
      description: '本数据为合成演示数据。刻意制造的错误行（refused：来源、实体、位置、自然键与全部原因代码），'
        + '先于父记录送达而暂存、父记录到达后释放的行（heldThenReleased），以及完全重复的行（duplicates）。',
      apiPageSize: options.pageSize,
      positions: {
        csv: '<文件名> 第 N 行（表头为第 1 行）',
        xlsx: '<文件名> 工作表「<工作表名>」第 N 行',
        arrow: '<文件名> 第 N 条记录',
        api: `<实体> API 第 P 页第 I 条（每页 ${options.pageSize} 条，按 updatedAt 排序，首次全量拉取）`,
      },
    };
    this.refused.write(`${JSON.stringify(header).slice(0, -1)},"refused":[`);
  }

  private count(source: SourcePlan, entity: EntityName): EntityCount {
    let bySource = this.counts.get(source.id);
    if (!bySource) this.counts.set(source.id, (bySource = new Map()));
    let count = bySource.get(entity);
    if (!count) bySource.set(entity, (count = { rows: 0, good: 0, bad: 0, duplicates: 0, held: 0 }));
    return count;
  }

  private formatOf(source: SourcePlan, entity: EntityName): FileFormat | null {
    return source.transport === 'HTTP' ? null : source.formats![entity];
  }

  carrier(source: SourcePlan, entity: EntityName): Carrier {
    const format = this.formatOf(source, entity);
    return { typedColumns: format?.kind === 'arrow', keepsUpdatedAt: format === null };
  }

  private writerFor(source: SourcePlan, entity: EntityName, quarter: string): FeedWriter {
    // rows of one source and entity come mostly in the same quarter: their last writer is kept at hand
    const recent = this.recentWriters.get(source.id)?.get(entity);
    if (recent && recent.quarter === quarter) return recent.writer;
    const writer = this.openWriterFor(source, entity, quarter);
    let bySource = this.recentWriters.get(source.id);
    if (!bySource) this.recentWriters.set(source.id, (bySource = new Map()));
    bySource.set(entity, { quarter, writer });
    return writer;
  }

  private openWriterFor(source: SourcePlan, entity: EntityName, quarter: string): FeedWriter {
    const spec = feedEntities[entity];
    if (source.transport === 'HTTP') {
      let writer = this.apiWriters.get(entity);
      if (!writer) {
        writer = new ApiFeedWriter(join(this.options.dir, 'api'), this.spillRoot, spec, this.options.pageSize);
        this.apiWriters.set(entity, writer);
        this.noteFile(source, `api/${writer.fileName}`);
      }
      return writer;
    }
    const format = source.formats![entity];
    const fileName = fileNameOf(entity, format, QUARTERLY.has(entity) ? quarter : null);
    const key = `${source.id}/${fileName}`;
    let writer = this.writers.get(key);
    if (writer) return writer;
    const dir = join(this.options.dir, source.folder!);
    switch (format.kind) {
      case 'csv': writer = new CsvFeedWriter(dir, fileName, spec, format.dialect, format.encoding); break;
      case 'arrow': writer = new ArrowFeedWriter(dir, fileName, spec, format.dialect); break;
      case 'xlsx': {
        const aliases = entityAliases[entity];
        // 'first': a sheet named after nothing, which the reader takes as the first sheet; 'alias': 案件, the short name
        const layout = format.sheet === 'first' ? { sheet: 'Sheet1' }
          : format.sheet === 'alias' ? { sheet: aliases[aliases.length - 1]! }
            : { sheet: spec.chineseName };
        writer = new XlsxFeedWriter(dir, fileName, spec, format.dialect, layout, this.options.pinnedDate);
        break;
      }
    }
    this.writers.set(key, writer);
    this.noteFile(source, `${source.folder}/${fileName}`);
    return writer;
  }

  private noteFile(source: SourcePlan, path: string): void {
    let files = this.files.get(source.id);
    if (!files) this.files.set(source.id, (files = new Set()));
    files.add(path);
  }

  /** Writes a row and hands its position to `at` (now, or when the API file places it). */
  private put(source: SourcePlan, entity: EntityName, row: WireRecord, quarter: string, at?: (label: string) => void): void {
    this.rowsSinceBreath += 1;
    const label = this.writerFor(source, entity, quarter).write(row, at);
    if (label !== null) at?.(label);
  }

  /**
   * A good row. `duplicate`: written twice, identical (the loader keeps one). `heldUntil`: its parent case comes
   * from that other source.
   */
  good<E extends EntityName>(source: SourcePlan, entity: E, record: FeedRecords[E], quarter: string,
    options: { duplicate?: boolean; heldUntil?: SourcePlan } = {}): void {
    const count = this.count(source, entity);
    // the writers only read a good row, and do so before returning: the record itself is the row
    const row = record as unknown as WireRecord;
    count.rows += 1;
    count.good += 1;
    if (options.heldUntil) {
      count.held += 1;
      const parent = options.heldUntil;
      const naturalKey = expectedNaturalKey(entity, row)!;
      this.put(source, entity, row, quarter, (position) => {
        this.held.push({ source: source.id, entity, position, naturalKey, parentSource: parent.id, heldIf: `${source.id} 先于 ${parent.id} 导入` });
      });
      return;
    }
    const duplicate = options.duplicate === true && count.duplicates < this.options.maxDuplicates;
    if (!duplicate) {
      this.put(source, entity, row, quarter);
      return;
    }
    count.duplicates += 1;
    count.rows += 1;
    const entry: DuplicateRow = { source: source.id, entity, naturalKey: expectedNaturalKey(entity, row)!, positions: [] };
    this.duplicates.push(entry);
    this.put(source, entity, row, quarter, (position) => entry.positions.push(position));
    this.put(source, entity, row, quarter, (position) => entry.positions.push(position));
  }

  /** A deliberately bad version of `record`; false (and nothing written) when no bad kind fits it here. */
  bad<E extends EntityName>(source: SourcePlan, entity: E, record: FeedRecords[E], quarter: string, rng: Random): boolean {
    const kind = this.picker.pick(entity, record, this.carrier(source, entity));
    if (!kind) return false;
    const row = wireOf(record);
    kind.spoil(row, record, rng);
    const count = this.count(source, entity);
    count.rows += 1;
    count.bad += 1;
    const naturalKey = expectedNaturalKey(entity, row);
    this.put(source, entity, row, quarter, (position) => {
      const entry: RefusedRow = { source: source.id, entity, position, naturalKey, reasons: kind.reasons, kind: kind.id };
      this.refused.write(`${this.refusedCount === 0 ? '' : ','}\n${JSON.stringify(entry)}`);
      this.refusedCount += 1;
    });
    return true;
  }

  /** Closes the files of a finished quarter, so that only the current quarter's are open. */
  async closeQuarter(quarter: string): Promise<void> {
    this.recentWriters.clear();
    const suffix = `-${quarter}.`;
    for (const [key, writer] of this.writers) {
      if (!writer.fileName.includes(suffix)) continue;
      await writer.close();
      this.writers.delete(key);
    }
  }

  /** Places the API items of `month` and earlier, whose order can no longer change. */
  flushApi(month: string): void {
    for (const writer of this.apiWriters.values()) writer.flushThrough(month);
  }

  /**
   * Lets streamed files (XLSX, Arrow) drain to disk when many rows went in since the last breath. Their bytes
   * are compressed and written on other threads, and nothing else stops rows from being made faster than
   * that: so the generator waits here while more than MAX_BACKLOG_BYTES are still on their way.
   */
  async breathe(force = false): Promise<void> {
    if (!force && this.rowsSinceBreath < BREATH_ROWS) return;
    this.rowsSinceBreath = 0;
    await new Promise((resolve) => setImmediate(resolve));
    while (this.backlog() > MAX_BACKLOG_BYTES) await new Promise((resolve) => setTimeout(resolve, 1));
  }

  private backlog(): number {
    let bytes = 0;
    for (const writer of this.writers.values()) bytes += writer.backlog?.() ?? 0;
    return bytes;
  }

  async close(): Promise<void> {
    this.recentWriters.clear();
    for (const writer of this.writers.values()) await writer.close();
    this.writers.clear();
    for (const writer of this.apiWriters.values()) await writer.close();
    const lines = (rows: unknown[]) => rows.map((row) => `\n${JSON.stringify(row)}`).join(',');
    this.refused.write(`\n],"heldThenReleased":[${lines(this.held)}\n],"duplicates":[${lines(this.duplicates)}\n]}\n`);
    this.refused.close();
    rmSync(this.spillRoot, { recursive: true, force: true });
  }

  get refusedRows(): number {
    return this.refusedCount;
  }

  countsBySource(): Record<string, Partial<Record<EntityName, EntityCount>>> {
    const out: Record<string, Partial<Record<EntityName, EntityCount>>> = {};
    for (const source of this.options.layout.all) {
      const bySource = this.counts.get(source.id);
      out[source.id] = {};
      for (const entity of Object.keys(feedEntities) as EntityName[]) {
        const count = bySource?.get(entity);
        if (count) out[source.id]![entity] = count;
      }
    }
    return out;
  }

  filesBySource(): Record<string, string[]> {
    return Object.fromEntries(this.options.layout.all.map((source) => [source.id, [...(this.files.get(source.id) ?? [])].sort()]));
  }
}
