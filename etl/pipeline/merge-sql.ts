import { ledgerKeySql } from '../../src/ledger/ledger-chain';
import { changedDaysKindOf, noteChangedDaysSql } from '../../src/warehouse/changed-days';
import type { LoadColumn, LoadSpec } from './load-specs';

/**
 * The SQL that takes one batch of an entity from its staging table into the warehouse, generated from the
 * entity's load spec. Grain of a staging table: one row per natural key of the batch (the batch loader keeps
 * the newest delivery of each; `ord` is its place in the batch). Steps: resolve parent → set aside rows that
 * must wait or be refused → upsert (newer updatedAt wins, same content is unchanged) → keep certificate
 * history.
 */
export interface MergeSql {
  stageTable: string;
  mergedTable: string;
  createStage: string[];
  copyColumns: string[];
  /** sets _region_code/_agency_uscc from the parent; $1 covered agency USCC, $2 covered region prefix */
  resolveParent: string;
  /** ord, and why the row cannot be merged now: 'missing' (wait), 'ambiguous', 'out_of_scope', 'region_change' */
  blockedRows: string;
  deleteBlocked: string;
  /** $1 source id, $2 run id */
  upsert: string;
  mergedCounts: string;
  certificateHistory: string[];
  /**
   * Note the days whose indicator rollups the batch changes (src/warehouse/changed-days.ts): before the upsert
   * the days of the rows it is about to change, after it the days of the rows it changed. Null: none.
   */
  changedDaysBefore: string | null;
  changedDaysAfter: string | null;
  /**
   * Every row version the batch inserted or updated, as its agency's ledger chain records it (key and lineage), in
   * key order, with its staged row's `ord`: append-ledger.ts chains and appends them. The row hash is left null for
   * Node to take (ledger-row.ts), but is PostgreSQL's `ledger_row_hash` for a row whose unloaded columns are set or
   * that no staged row matches. Null for agencies (reference data, not an agency's records).
   */
  ledgerVersions: string | null;
  /** `ledger_row_hash` of the stored rows of the staged rows whose `ord` is in $1: those Node does not vouch for */
  ledgerRowHashes: string | null;
}

const q = (name: string) => `"${name}"`;

export function buildMergeSql(spec: LoadSpec): MergeSql {
  const stage = `stage_${spec.table}`;
  const merged = `merged_${spec.table}`;
  const isAgency = spec.parent === 'none';
  const dataColumns: LoadColumn[] = [...spec.keys, ...spec.columns];

  // staging columns: bookkeeping, the parent hint, the data
  const createStage = [
    `create temp table if not exists ${stage} (
      ord integer not null,
      position text not null,
      natural_key text not null,
      content_hash text not null,
      _agency_uscc text,
      _region_code text,
      _ambiguous boolean not null default false,
      _out_of_scope boolean not null default false,
      _region_change boolean not null default false,
      ${dataColumns.map((c) => `${q(c.column)} ${c.type}`).join(',\n      ')}
    ) on commit delete rows`,
    isAgency
      ? `create temp table if not exists ${merged} (inserted boolean, uscc text) on commit delete rows`
      : `create temp table if not exists ${merged} (inserted boolean, region_code text, agency_uscc text, ${
        spec.keys.map((k) => `${q(k.column)} ${k.type}`).join(', ')}, source text, position text, run text, unloaded_set boolean)
        on commit delete rows`,
  ];
  const copyColumns = ['ord', 'position', 'natural_key', 'content_hash', '_agency_uscc',
    ...dataColumns.map((c) => c.column)];

  const coverage = (alias: string) =>
    `($1::text is null or ${alias}.agency_uscc = $1) and ($2::text is null or ${alias}.region_code like $2 || '%')`;
  let resolveParent: string;
  if (isAgency) {
    resolveParent = `update ${stage} s set
        _region_code = s.region_code,
        _out_of_scope = not (($1::text is null or s.uscc = $1) and ($2::text is null or s.region_code like $2 || '%')),
        _region_change = exists (select 1 from agencies a where a.uscc = s.uscc and a.region_code <> s.region_code)`;
  } else if (spec.parent === 'agency') {
    resolveParent = `update ${stage} s set
        _region_code = a.region_code,
        _out_of_scope = not (($1::text is null or a.uscc = $1) and ($2::text is null or a.region_code like $2 || '%'))
      from agencies a where a.uscc = s._agency_uscc`;
  } else {
    // A child names its case by caseId only: look for it among the cases of the source's agencies. A case id is an
    // agency's own number, so several agencies may use it: two matches are enough to know the row is ambiguous,
    // and LIMIT 2 keeps the lookup one index probe a row (cases_case_id_index), where a join was planned as a hash
    // of the whole cases table for every batch.
    resolveParent = `with m as (
        select s.ord, c.region_code, c.agency_uscc, count(*) over (partition by s.ord) as n
        from ${stage} s cross join lateral (
          select c.region_code, c.agency_uscc from cases c
          where c.case_id = s.case_id and (s._agency_uscc is null or c.agency_uscc = s._agency_uscc) and ${coverage('c')}
          limit 2) c
      )
      update ${stage} s set _region_code = m.region_code, _agency_uscc = m.agency_uscc, _ambiguous = m.n > 1
      from m where m.ord = s.ord`;
  }
  const blockedRows = `select ord,
      case when _region_code is null then 'missing' when _ambiguous then 'ambiguous'
           when _out_of_scope then 'out_of_scope' when _region_change then 'region_change' end as why
    from ${stage}
    where _region_code is null or _ambiguous or _out_of_scope or _region_change`;
  const deleteBlocked = `delete from ${stage} where _region_code is null or _ambiguous or _out_of_scope or _region_change`;

  const targetKey = isAgency ? ['uscc'] : ['region_code', 'agency_uscc', ...spec.keys.map((k) => k.column)];
  const insertColumns = isAgency
    ? dataColumns.map((c) => c.column)
    : ['region_code', 'agency_uscc', ...dataColumns.map((c) => c.column)];
  const selectColumns = isAgency
    ? dataColumns.map((c) => q(c.column))
    : ['_region_code', '_agency_uscc', ...dataColumns.map((c) => q(c.column))];
  const lineage = ['lineage_source', 'lineage_position', 'lineage_run', 'lineage_loaded_at', 'lineage_content_hash'];
  // what the ledger needs of a merged row comes back with it: its lineage, and whether a column the load does not
  // write holds a value (then the row is not the staged one, and PostgreSQL hashes it)
  const unloadedSet = spec.unloadedColumns?.length ? `(${spec.unloadedColumns.map((c) => `${q(c)} is not null`).join(' or ')})` : 'false';
  // The rows go in key order. Two batches writing the same rows (two sources delivering one agency's cases at
  // once) then take them in the same order, and one waits for the other; in their delivery orders each could hold a
  // row the other waits for, and PostgreSQL would end one of them with "deadlock detected".
  const stagedKey = isAgency ? targetKey : ['_region_code', '_agency_uscc', ...spec.keys.map((k) => k.column)];
  const changed = `${spec.table}.lineage_content_hash <> excluded.lineage_content_hash`;
  // FEEDS.md: a newer updatedAt replaces an older one, an older never overwrites a newer. With equal
  // timestamps the later delivery wins (a clerk's correction without a new timestamp).
  const newer = spec.hasUpdatedAt ? ` and ${spec.table}.updated_at <= excluded.updated_at` : '';
  const upsert = `with up as (
      insert into ${spec.table} (${[...insertColumns, ...lineage].map(q).join(', ')})
      select ${selectColumns.join(', ')}, $1, position, $2, now(), content_hash from ${stage}
      order by ${stagedKey.map(q).join(', ')}
      on conflict (${targetKey.map(q).join(', ')}) do update set
        ${[...spec.columns.map((c) => c.column), ...lineage].map((c) => `${q(c)} = excluded.${q(c)}`).join(',\n        ')}
      where ${changed}${newer}
      returning (xmax = 0) as inserted, ${targetKey.map(q).join(', ')}${isAgency ? '' : `,
        lineage_source, lineage_position, lineage_run::text, ${unloadedSet}`}
    )
    insert into ${merged} select * from up`;
  const mergedCounts = `select count(*) filter (where inserted)::int as inserted, count(*) filter (where not inserted)::int as updated from ${merged}`;

  const certificateFields = ['certificate_no', 'certificate_category', 'certificate_issued_on', 'certificate_expires_on',
    'certificate_status', 'certificate_suspended_from', 'certificate_suspended_to'];
  const certificateHistory = spec.certificateHistory ? [
    // a new state when the certificate differs from the one in force; a correction delivered with the same
    // updatedAt replaces the state it corrects
    `insert into certificate_history (region_code, agency_uscc, person_id, valid_from, ${certificateFields.join(', ')},
        lineage_source, lineage_position, lineage_run, lineage_loaded_at, lineage_content_hash)
     select p.region_code, p.agency_uscc, p.person_id, p.updated_at, ${certificateFields.map((f) => `p.${f}`).join(', ')},
        p.lineage_source, p.lineage_position, p.lineage_run, p.lineage_loaded_at, p.lineage_content_hash
     from ${merged} m join personnel p using (region_code, agency_uscc, person_id)
     where not exists (
       select 1 from certificate_history h
       where h.region_code = p.region_code and h.agency_uscc = p.agency_uscc and h.person_id = p.person_id
         and h.valid_to is null
         and (${certificateFields.map((f) => `h.${f}`).join(', ')}) is not distinct from (${certificateFields.map((f) => `p.${f}`).join(', ')}))
     on conflict (region_code, agency_uscc, person_id, valid_from) do update set
       ${certificateFields.map((f) => `${f} = excluded.${f}`).join(', ')},
       lineage_source = excluded.lineage_source, lineage_position = excluded.lineage_position,
       lineage_run = excluded.lineage_run, lineage_loaded_at = excluded.lineage_loaded_at,
       lineage_content_hash = excluded.lineage_content_hash`,
    // and the state it replaces ends where the new one starts
    `update certificate_history h set valid_to = latest.valid_from
     from (select x.region_code, x.agency_uscc, x.person_id, max(x.valid_from) as valid_from
           from certificate_history x join ${merged} m using (region_code, agency_uscc, person_id)
           group by x.region_code, x.agency_uscc, x.person_id) latest
     where h.region_code = latest.region_code and h.agency_uscc = latest.agency_uscc and h.person_id = latest.person_id
       and h.valid_to is null and h.valid_from < latest.valid_from`,
  ] : [];

  const daysKind = changedDaysKindOf(spec.table);
  const sameTarget = (alias: string, region: string, agency: string) => [
    `t.region_code = ${alias}.${region}`, `t.agency_uscc = ${alias}.${agency}`,
    ...spec.keys.map((k) => `t.${q(k.column)} = ${alias}.${q(k.column)}`)].join(' and ');
  // A batch row finds its stored row by key, one index probe each. Written as a join, the planner (which prices a
  // probe as a random read) scans the whole fact table instead while the table is small next to the batch: each
  // batch then costs more than the one before, and a million-row load goes quadratic. LIMIT 1 (a key: at most one
  // row) keeps the lateral subquery from being flattened into such a join.
  const storedRow = (alias: string, region: string, agency: string, select = 't.*') =>
    `cross join lateral (select ${select} from ${spec.table} t where ${sameTarget(alias, region, agency)} limit 1)`;
  // before: stored rows the batch will replace (other content); after: the rows it inserted or updated
  const changedDaysBefore = isAgency ? null : noteChangedDaysSql(daysKind,
    `${stage} s ${storedRow('s', '_region_code', '_agency_uscc')} t where t.lineage_content_hash <> s.content_hash`);
  // the merged rows carry their keys: the days need the row itself only when they hang on a column that is not
  // one (a recording's case)
  const keysSuffice = daysKind !== 'case-tree' || spec.keys.some((k) => k.column === 'case_id');
  const changedDaysAfter = isAgency ? null : noteChangedDaysSql(daysKind, keysSuffice ? `${merged} t`
    : `${merged} m ${storedRow('m', 'region_code', 'agency_uscc')} t`);

  // A merged row finds its staged row by key (the staged rows are unique on it, or the upsert would have refused to
  // change a row twice); one whose key the table cut (a varchar drops spaces beyond its length) finds none, and
  // PostgreSQL hashes it. The stored row is read, one key probe, only for a hash PostgreSQL takes.
  const sameStaged = ['s._region_code = m.region_code', 's._agency_uscc = m.agency_uscc',
    ...spec.keys.map((k) => `s.${q(k.column)} = m.${q(k.column)}`)].join(' and ');
  const ledgerVersions = isAgency ? null : `select s.ord, m.region_code, m.agency_uscc,
      ${ledgerKeySql(spec.keys.map((k) => k.column), 'm')} as natural_key, m.source, m.position, m.run,
      case when s.ord is null or m.unloaded_set
        then (select ledger_row_hash(t) from ${spec.table} t where ${sameTarget('m', 'region_code', 'agency_uscc')} limit 1) end as row_hash
    from ${merged} m left join ${stage} s on ${sameStaged}
    order by m.region_code, m.agency_uscc, ${spec.keys.map((k) => `m.${q(k.column)}`).join(', ')}`;
  const ledgerRowHashes = isAgency ? null : `select s.ord, h.row_hash from ${stage} s
    ${storedRow('s', '_region_code', '_agency_uscc', 'ledger_row_hash(t) as row_hash')} h
    where s.ord = any($1::int[])`;

  return {
    stageTable: stage, mergedTable: merged, createStage, copyColumns, resolveParent, blockedRows, deleteBlocked,
    upsert, mergedCounts, certificateHistory, changedDaysBefore, changedDaysAfter, ledgerVersions, ledgerRowHashes,
  };
}
