import DataLoader from 'dataloader';
import type { PoolClient } from 'pg';
import type { Viewer } from '../domain/access/viewer';
import type { PolicyProfile } from '../domain/profile/policy-profile';
import { readSourceStatuses, type SourceStatus } from '../etl-status/source-health';
import { readLedgerStatuses, type LedgerStatusRow } from '../ledger/ledger-reads';
import { caseChecksAsOf, type CaseCheck } from '../metrics/checks/case-check-rows';
import { caseColumnsSql, caseKey, toCaseRow, type CaseRow } from './case-rows';

/**
 * The request's DataLoaders: every relation the schema resolves per parent is fetched for all parents of a
 * level at once (one statement per relation and level, whatever the number of cases on the page).
 */
export interface Loaders {
  caseByKey: DataLoader<string, CaseRow | null>;
  checksByCase: DataLoader<string, CaseCheck | null>;
  agencyByUscc: DataLoader<string, AgencyRow | null>;
  reviewsByCase: DataLoader<string, Record<string, unknown>[]>;
  appealsByCase: DataLoader<string, Record<string, unknown>[]>;
  recordingsByCase: DataLoader<string, Record<string, unknown>[]>;
  /** an agency's ledger chain length and last verification, by USCC */
  ledgerStatusByAgency: DataLoader<string, LedgerStatusRow | null>;
  /** last run, last success, health and rows in quarantine of a source, by source id */
  sourceStatusById: DataLoader<string, SourceStatus | null>;
}

export interface AgencyRow { uscc: string; name: string; regionCode: string; tier: string; domain: string; kind: string }

interface LoaderBase { viewer: Viewer; db: PoolClient; profile: PolicyProfile; today: string }

function splitKeys(keys: readonly string[]): [string[], string[]] {
  const pairs = keys.map((key) => key.split('\u0000') as [string, string]);
  return [pairs.map((p) => p[0]), pairs.map((p) => p[1])];
}

const inKeys = `(t.agency_uscc, t.case_id) in (select * from unnest($1::text[], $2::text[]))`;

/** Rows of a table hanging on cases, grouped by case key, in the order given. */
function childrenLoader(base: LoaderBase, select: string, orderBy: string) {
  return new DataLoader<string, Record<string, unknown>[]>(async (keys) => {
    const { rows } = await base.db.query<Record<string, unknown>>(`${select} where ${inKeys} order by ${orderBy}`, splitKeys(keys));
    const byCase = new Map<string, Record<string, unknown>[]>();
    for (const row of rows) {
      const key = caseKey(row.agency_uscc as string, row.case_id as string);
      byCase.set(key, [...(byCase.get(key) ?? []), row]);
    }
    return keys.map((key) => byCase.get(key) ?? []);
  });
}

export function createLoaders(base: LoaderBase): Loaders {
  return {
    caseByKey: new DataLoader(async (keys) => {
      const { rows } = await base.db.query<Record<string, unknown>>(
        `select ${caseColumnsSql(base.viewer)} from cases c where (c.agency_uscc, c.case_id) in (select * from unnest($1::text[], $2::text[]))`,
        splitKeys(keys));
      const byKey = new Map(rows.map((row) => [caseKey(row.agency_uscc as string, row.case_id as string), toCaseRow(row, base.viewer, base.profile)]));
      return keys.map((key) => byKey.get(key) ?? null);
    }),
    checksByCase: new DataLoader(async (keys) => {
      const cases = keys.map((key) => { const [agencyUscc, caseId] = key.split('\u0000') as [string, string]; return { agencyUscc, caseId }; });
      const checks = await caseChecksAsOf(base.db, { scope: {}, asOf: base.today, cases }, base.profile);
      const byKey = new Map(checks.map((check) => [caseKey(check.agencyUscc, check.caseId), check]));
      return keys.map((key) => byKey.get(key) ?? null);
    }),
    agencyByUscc: new DataLoader(async (usccs) => {
      const { rows } = await base.db.query<AgencyRow>(
        `select uscc, name, region_code as "regionCode", tier, domain, kind from agencies where uscc = any($1::text[])`, [usccs]);
      const byUscc = new Map(rows.map((row) => [row.uscc, row]));
      return usccs.map((uscc) => byUscc.get(uscc) ?? null);
    }),
    reviewsByCase: childrenLoader(base,
      `select t.agency_uscc, t.case_id, t.round, t.submitted_on::text as "submittedOn", t.completed_on::text as "completedOn", t.opinion,
         t.reviewer_ids as "reviewerIds" from legal_reviews t`, 't.round'),
    appealsByCase: childrenLoader(base,
      `select t.agency_uscc, t.case_id, t.kind, t.filed_on::text as "filedOn", t.concluded_on::text as "concludedOn", t.outcome, t.body
       from appeals t`, 't.kind'),
    recordingsByCase: childrenLoader(base,
      `select t.agency_uscc, t.case_id, t.record_id as "recordId", t.stage, t.activity, t.method, t.recorded_at as "recordedAt",
         t.uploaded_at as "uploadedAt", t.sha256 from recordings t`, 't.recorded_at, t.record_id'),
    ledgerStatusByAgency: new DataLoader(async (usccs) => {
      const byUscc = new Map((await readLedgerStatuses(base.db, usccs)).map((row) => [row.agencyUscc, row]));
      return usccs.map((uscc) => byUscc.get(uscc) ?? null);
    }),
    sourceStatusById: new DataLoader(async (ids) => {
      // health is judged at the moment the batch is read
      const statuses = await readSourceStatuses(base.db, ids, new Date());
      return ids.map((id) => statuses.get(id) ?? null);
    }),
  };
}
