import crypto from 'node:crypto';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { QuarantineReason } from '../../src/warehouse/entities/quarantined-row';
import type { EntityName } from '../feed/entity-names';
import type { RowPosition } from '../raw-row';
import { emptyCounts, type BatchItem, type EntityCounts, type SourceScope } from './batch-types';
import { appendToLedger, type LedgerVersion } from './append-ledger';
import { copyLine, copyValue } from './copy-text';
import { ledgerRowLayout } from './ledger-row';
import { loadSpecs, type LoadSpec } from './load-specs';
import { buildMergeSql, type MergeSql } from './merge-sql';

const sqlByEntity = new Map<EntityName, MergeSql>();
function mergeSqlFor(spec: LoadSpec): MergeSql {
  let sql = sqlByEntity.get(spec.entity);
  if (!sql) sqlByEntity.set(spec.entity, (sql = buildMergeSql(spec)));
  return sql;
}

function positionDetail(position: RowPosition): Record<string, unknown> {
  const { label: _label, ...detail } = position;
  return detail;
}

type ValidItem = BatchItem & { parsed: { ok: true } };

/**
 * A batch made ready to stage, all in plain CPU work (so that it can run while PostgreSQL merges the batch
 * before it): the valid rows, one per natural key — the newest delivery, by updatedAt, then by place in the
 * batch — as COPY text, each with the SHA-256 of its staged values as its content hash (equal content, equal
 * hash, wherever and whenever delivered); the refused rows with their reasons.
 */
export interface PreparedBatch {
  entity: EntityName;
  read: number;
  refused: { item: BatchItem; reasons: QuarantineReason[]; naturalKey: string | null }[];
  /** staged rows, by `ord` */
  staged: ValidItem[];
  /** deliveries a newer one of the same key in this batch replaced, by the `ord` of the one kept */
  superseded: Map<number, ValidItem[]>;
  copyText: string;
}

function updatedAtOf(item: ValidItem): number {
  const value = item.parsed.record.updatedAt;
  return value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : 0;
}

export function prepareBatch(entity: EntityName, items: BatchItem[]): PreparedBatch {
  const spec = loadSpecs[entity];
  const refused: PreparedBatch['refused'] = [];
  const newest = new Map<string, { item: ValidItem; older: ValidItem[] }>();
  for (const item of items) {
    if (!item.parsed.ok) {
      refused.push({ item, reasons: item.parsed.reasons, naturalKey: item.parsed.naturalKey });
      continue;
    }
    const valid = item as ValidItem;
    const record = valid.parsed.record;
    const key = spec.parent === 'case' && record.agencyUscc ? `${record.agencyUscc}|${valid.parsed.naturalKey}` : valid.parsed.naturalKey;
    const seen = newest.get(key);
    if (!seen) newest.set(key, { item: valid, older: [] });
    else if (!spec.hasUpdatedAt || updatedAtOf(valid) >= updatedAtOf(seen.item)) {
      seen.older.push(seen.item);
      seen.item = valid;
    } else seen.older.push(valid);
  }
  const staged: ValidItem[] = [];
  const superseded = new Map<number, ValidItem[]>();
  const lines: string[] = [];
  for (const { item, older } of newest.values()) {
    const ord = staged.length;
    staged.push(item);
    if (older.length) superseded.set(ord, older);
    const record = item.parsed.record;
    const data: string[] = [];
    for (const column of spec.keys) data.push(copyValue(record[column.field], column.type));
    for (const column of spec.columns) data.push(copyValue(record[column.field], column.type));
    const dataText = data.join('\t');
    lines.push(copyLine([
      String(ord),
      copyValue(item.row.position.label, 'text'),
      copyValue(item.parsed.naturalKey, 'text'),
      crypto.hash('sha256', dataText, 'hex'),
      copyValue(spec.parent === 'none' ? null : record.agencyUscc ?? null, 'text'),
      dataText,
    ]));
  }
  return { entity, read: items.length, refused, staged, superseded, copyText: lines.join('') };
}

/** Why a valid row cannot be stored now, in words a clerk acts on. */
function blockedReason(spec: LoadSpec, why: string, record: Record<string, unknown>, scope: SourceScope): QuarantineReason {
  const agency = String(record.agencyUscc ?? record.uscc ?? '');
  const caseId = String(record.caseId ?? '');
  switch (why) {
    case 'missing':
      return spec.parent === 'case'
        ? { code: 'CASE_NOT_YET_KNOWN', field: '案件编号', message: `案件编号 ${caseId} 在本来源覆盖的主体中尚无此案件：本行暂存，案件到达后自动入库` }
        : { code: 'AGENCY_NOT_YET_KNOWN', field: '主体代码', message: `主体代码 ${agency} 尚未登记为执法主体：本行暂存，主体信息到达后自动入库` };
    case 'ambiguous':
      return { code: 'CASE_AMBIGUOUS', field: '案件编号', message: `案件编号 ${caseId} 对应本来源覆盖范围内多个主体的案件，无法确定归属：请在数据中注明主体代码` };
    case 'out_of_scope':
      return { code: 'OUT_OF_SCOPE', field: spec.parent === 'none' ? '统一社会信用代码' : '主体代码',
        message: `主体 ${agency} 不在来源 ${scope.sourceId} 的覆盖范围内：该来源只能报送其覆盖范围内主体的数据` };
    default:
      return { code: 'AGENCY_REGION_CHANGED', field: '行政区划代码',
        message: `执法主体 ${agency} 的行政区划代码与已登记的不同：变更主体所属区划需要迁移其历史数据，请联系系统管理员` };
  }
}

export interface LoadBatchOptions {
  runId: string;
  scope: SourceScope;
  entity: EntityName;
  items: BatchItem[];
  /**
   * runs inside the batch's transaction after the merge, with what became of the batch's rows: the run's counts
   * and a pull's checkpoint commit here, with the rows they describe
   */
  beforeCommit?: (client: PoolClient, counts: EntityCounts) => Promise<void>;
}

/** Prepares and loads one batch (see prepareBatch and loadPreparedBatch). */
export async function loadBatch(client: PoolClient, options: LoadBatchOptions): Promise<EntityCounts> {
  return loadPreparedBatch(client, prepareBatch(options.entity, options.items), options);
}

/**
 * One batch in one transaction: stage the valid rows by COPY, merge them, hold those whose parent has not
 * arrived, quarantine the rest with every reason, and release what this batch corrects. Either all of it is
 * stored or none of it: a crash mid-batch leaves the warehouse as it was before the batch.
 */
export async function loadPreparedBatch(client: PoolClient, batch: PreparedBatch,
  options: Omit<LoadBatchOptions, 'items' | 'entity'>): Promise<EntityCounts> {
  const { runId, scope } = options;
  const { entity, staged, superseded } = batch;
  const spec = loadSpecs[entity];
  const sql = mergeSqlFor(spec);
  const counts = emptyCounts();
  counts.read = batch.read;
  const quarantine = [...batch.refused];
  const held: { item: ValidItem; reason: QuarantineReason }[] = [];
  // a superseded delivery shares the fate of the one that replaced it
  const withSuperseded = (ord: number) => [staged[ord]!, ...(superseded.get(ord) ?? [])];

  await client.query('begin');
  try {
    for (const statement of sql.createStage) await client.query(statement);
    if (staged.length) {
      await pipeline(Readable.from([batch.copyText]), client.query(copyFrom(
        `copy ${sql.stageTable} (${sql.copyColumns.map((c) => `"${c}"`).join(', ')}) from stdin`)));
      await client.query(sql.resolveParent, [scope.agencyUscc, scope.regionPrefix]);
      const blocked = await client.query<{ ord: number; why: string }>(sql.blockedRows);
      const blockedOrds = new Set<number>();
      for (const { ord, why } of blocked.rows) {
        blockedOrds.add(ord);
        for (const item of withSuperseded(ord)) {
          const reason = blockedReason(spec, why, item.parsed.record, scope);
          if (why === 'missing') held.push({ item, reason });
          else quarantine.push({ item, reasons: [reason], naturalKey: item.parsed.naturalKey });
        }
      }
      if (blockedOrds.size) await client.query(sql.deleteBlocked);
      if (sql.changedDaysBefore) await client.query(sql.changedDaysBefore);
      await client.query(sql.upsert, [scope.sourceId, runId]);
      // the ledger's row hashes are taken in Node while PostgreSQL notes the changed days
      const [versions] = await Promise.all([
        ledgerVersionsOf(client, spec, sql, staged),
        sql.changedDaysAfter ? client.query(sql.changedDaysAfter) : null,
      ]);
      if (versions.length) await appendToLedger(client, spec.table, versions);
      const merged = await client.query<{ inserted: number; updated: number }>(sql.mergedCounts);
      counts.inserted = merged.rows[0]!.inserted;
      counts.updated = merged.rows[0]!.updated;
      const stored: ValidItem[] = [];
      staged.forEach((_, ord) => { if (!blockedOrds.has(ord)) stored.push(...withSuperseded(ord)); });
      counts.unchanged = stored.length - counts.inserted - counts.updated;
      for (const statement of sql.certificateHistory) await client.query(statement);
      if (stored.length) await releaseCorrected(client, runId, scope, entity, stored);
    }
    counts.held = held.length;
    counts.quarantined = quarantine.length;
    if (quarantine.length) {
      await writeQuarantine(client, runId, scope, entity, quarantine);
      // a waiting version refused now (e.g. its case turned out ambiguous) waits no longer: it is in quarantine
      const refusedKeys = quarantine.filter((entry) => entry.item.parsed.ok).map((entry) => entry.naturalKey);
      if (refusedKeys.length) await markHeldReleased(client, runId, scope, entity, refusedKeys as string[]);
    }
    if (held.length) await writeHeld(client, runId, scope, spec, held);
    await options.beforeCommit?.(client, counts);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
  return counts;
}

/**
 * The row versions the batch merged, for the ledger (merge-sql.ts `ledgerVersions`), each with its row hash: taken in
 * Node from the staged record and the parent the merge resolved (ledger-row.ts), or by PostgreSQL where Node does not
 * vouch for the record's text or the stored row is not the staged one. None for agencies.
 */
async function ledgerVersionsOf(client: PoolClient, spec: LoadSpec, sql: MergeSql, staged: ValidItem[]): Promise<LedgerVersion[]> {
  if (!sql.ledgerVersions || !sql.ledgerRowHashes) return [];
  const layout = ledgerRowLayout(spec);
  const { rows } = await client.query<Omit<LedgerVersion, 'row_hash'> & { ord: number | null; row_hash: string | null }>(sql.ledgerVersions);
  const leftToSql: number[] = [];
  for (const row of rows) {
    if (row.row_hash !== null) continue;
    row.row_hash = layout.hash(staged[row.ord!]!.parsed.record, row.region_code, row.agency_uscc);
    if (row.row_hash === null) leftToSql.push(row.ord!);
  }
  if (leftToSql.length) {
    const { rows: fromSql } = await client.query<{ ord: number; row_hash: string }>(sql.ledgerRowHashes, [leftToSql]);
    const byOrd = new Map(fromSql.map((h) => [h.ord, h.row_hash]));
    for (const row of rows) row.row_hash ??= byOrd.get(row.ord!) ?? null;
  }
  for (const row of rows) {
    if (row.row_hash === null) throw new Error(`ledger: no row hash for ${spec.table} ${row.natural_key} (staged row ${row.ord}): its stored row was not found by its staged key`);
  }
  return rows as LedgerVersion[];
}

/**
 * What loads now releases its earlier quarantine entries (same key, or same position: the fixed row) and its
 * waiting versions. Most batches have none open, and the look costs one indexed probe.
 */
async function releaseCorrected(client: PoolClient, runId: string, scope: SourceScope, entity: EntityName, stored: ValidItem[]): Promise<void> {
  const open = await client.query<{ quarantined: boolean; held: boolean }>(
    `select exists (select 1 from quarantine where source = $1 and entity = $2 and status = 'QUARANTINED') as quarantined,
            exists (select 1 from held_rows where source = $1 and entity = $2 and status = 'HELD') as held`,
    [scope.sourceId, entity]);
  const keys = stored.map((item) => item.parsed.naturalKey);
  if (open.rows[0]!.quarantined) {
    await client.query(
      `update quarantine set status = 'RELEASED', released_at = now(), released_by_run = $4
       where source = $1 and entity = $2 and status = 'QUARANTINED'
         and (natural_key = any($3::text[]) or position = any($5::text[]))`,
      [scope.sourceId, entity, keys, runId, stored.map((item) => item.row.position.label)]);
  }
  if (open.rows[0]!.held) await markHeldReleased(client, runId, scope, entity, keys);
}

async function markHeldReleased(client: PoolClient, runId: string, scope: SourceScope, entity: EntityName, keys: string[]): Promise<void> {
  await client.query(
    `update held_rows set status = 'RELEASED', released_at = now(), released_by_run = $4
     where source = $1 and entity = $2 and status = 'HELD' and natural_key = any($3::text[])`,
    [scope.sourceId, entity, keys, runId]);
}

async function writeQuarantine(client: PoolClient, runId: string, scope: SourceScope, entity: EntityName,
  entries: { item: BatchItem; reasons: QuarantineReason[]; naturalKey: string | null }[]): Promise<void> {
  // the same position delivered twice in one batch (a repeated page) keeps its last version
  const byPosition = new Map<string, (typeof entries)[number]>();
  for (const entry of entries) byPosition.set(entry.item.row.position.label, entry);
  const rows = [...byPosition.values()].map(({ item, reasons, naturalKey }) => ({
    position: item.row.position.label,
    position_detail: positionDetail(item.row.position),
    natural_key: naturalKey,
    raw: rawForStorage(item.row.values),
    reasons,
  }));
  await client.query(
    `insert into quarantine (source, run, entity, position, position_detail, natural_key, raw, reasons)
     select $1, $2, $3, r.position, r.position_detail, r.natural_key, r.raw, r.reasons
     from jsonb_to_recordset($4::jsonb) as r(position text, position_detail jsonb, natural_key text, raw jsonb, reasons jsonb)
     on conflict (source, entity, position) where status = 'QUARANTINED' do update set
       run = excluded.run, natural_key = excluded.natural_key, raw = excluded.raw, reasons = excluded.reasons,
       position_detail = excluded.position_detail, quarantined_at = now()`,
    [scope.sourceId, runId, entity, JSON.stringify(rows)]);
}

async function writeHeld(client: PoolClient, runId: string, scope: SourceScope, spec: LoadSpec,
  entries: { item: ValidItem; reason: QuarantineReason }[]): Promise<void> {
  const byKey = new Map<string, (typeof entries)[number]>();
  for (const entry of entries) byKey.set(entry.item.parsed.naturalKey, entry);
  const rows = [...byKey.values()].map(({ item, reason }) => {
    const record = item.parsed.record;
    const hint = record.agencyUscc ? String(record.agencyUscc) : null;
    return {
      natural_key: item.parsed.naturalKey,
      parent_kind: spec.parent === 'case' ? 'case' : 'agency',
      parent_key: spec.parent === 'case' ? String(record.caseId) : String(hint ?? ''),
      record,
      raw: rawForStorage(item.row.values),
      position: item.row.position.label,
      position_detail: positionDetail(item.row.position),
      reasons: [reason],
    };
  });
  await client.query(
    `insert into held_rows (source, run, entity, natural_key, parent_kind, parent_key, record, raw, position, position_detail, reasons)
     select $1, $2, $3, r.natural_key, r.parent_kind, r.parent_key, r.record, r.raw, r.position, r.position_detail, r.reasons
     from jsonb_to_recordset($4::jsonb) as r(natural_key text, parent_kind text, parent_key text, record jsonb, raw jsonb,
       position text, position_detail jsonb, reasons jsonb)
     on conflict (source, entity, natural_key) where status = 'HELD' do update set
       run = excluded.run, record = excluded.record, raw = excluded.raw, position = excluded.position,
       position_detail = excluded.position_detail, reasons = excluded.reasons, held_at = now()`,
    [scope.sourceId, runId, spec.entity, JSON.stringify(rows)]);
}

/** The row as delivered, made JSON-safe (bigints and Dates as text) and kept whole. */
function rawForStorage(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    out[key] = typeof value === 'bigint' ? value.toString() : value instanceof Date ? value.toISOString() : value ?? null;
  }
  return out;
}
