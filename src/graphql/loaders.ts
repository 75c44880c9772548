import DataLoader from 'dataloader';
import type { PoolClient } from 'pg';
import type { Viewer } from '../domain/access/viewer';
import type { PolicyProfile } from '../domain/profile/policy-profile';
import { readSourceStatuses, type SourceStatus } from '../etl-status/source-health';
import { readLedgerStatuses, type LedgerStatusRow } from '../ledger/ledger-reads';
import { caseChecksAsOf, type CaseCheck } from '../metrics/checks/case-check-rows';
import type { Indicators } from '../metrics/indicators/indicator-engine';
import { indicatorsLoader, type IndicatorsKey } from './indicator-answers';
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
  /** the `indicators` fields of the request, the periods of one scope read together */
  indicators: DataLoader<IndicatorsKey, Partial<Indicators>, string>;
}

export interface AgencyRow { uscc: string; name: string; regionCode: string; tier: string; domain: string; kind: string }

interface LoaderBase { viewer: Viewer; db: PoolClient; profile: PolicyProfile; today: string }

function splitKeys(keys: readonly string[]): [string[], string[]] {
  const pairs = keys.map((key) => key.split('\u0000') as [string, string]);
  return [pairs.map((p) => p[0]), pairs.map((p) => p[1])];
}

const inKeys = (alias: string) => `(${alias}.agency_uscc, ${alias}.case_id) in (select * from unnest($1::text[], $2::text[]))`;

/**
 * The region codes of the agencies of these case keys, as a condition on `alias.region_code` ($3): an equality
 * for one region, so that a case page reads one region (one shard of a distributed warehouse, schema/distribution.yaml).
 */
async function regionsOf(agencies: DataLoader<string, AgencyRow | null>, keys: readonly string[], alias: string): Promise<{ condition: string; value: unknown }> {
  const found = await agencies.loadMany([...new Set(splitKeys(keys)[0])]);
  const regions = [...new Set(found.map((agency) => (agency && !(agency instanceof Error) ? agency.regionCode : '')))];
  return regions.length === 1
    ? { condition: `${alias}.region_code = $3::text`, value: regions[0] }
    : { condition: `${alias}.region_code = any($3::text[])`, value: regions };
}

/** Rows of a table hanging on cases, grouped by case key, in the order given. */
function childrenLoader(base: LoaderBase, agencies: DataLoader<string, AgencyRow | null>, select: string, orderBy: string) {
  return new DataLoader<string, Record<string, unknown>[]>(async (keys) => {
    const region = await regionsOf(agencies, keys, 't');
    const { rows } = await base.db.query<Record<string, unknown>>(`${select} where ${region.condition} and ${inKeys('t')} order by ${orderBy}`,
      [...splitKeys(keys), region.value]);
    const byCase = new Map<string, Record<string, unknown>[]>();
    for (const row of rows) {
      const key = caseKey(row.agency_uscc as string, row.case_id as string);
      byCase.set(key, [...(byCase.get(key) ?? []), row]);
    }
    return keys.map((key) => byCase.get(key) ?? []);
  });
}

export function createLoaders(base: LoaderBase): Loaders {
  const agencyByUscc = new DataLoader<string, AgencyRow | null>(async (usccs) => {
    const { rows } = await base.db.query<AgencyRow>(
      `select uscc, name, region_code as "regionCode", tier, domain, kind from agencies where uscc = any($1::text[])`, [usccs]);
    const byUscc = new Map(rows.map((row) => [row.uscc, row]));
    return usccs.map((uscc) => byUscc.get(uscc) ?? null);
  });
  return {
    caseByKey: new DataLoader(async (keys) => {
      const region = await regionsOf(agencyByUscc, keys, 'c');
      const { rows } = await base.db.query<Record<string, unknown>>(
        `select ${caseColumnsSql(base.viewer)} from cases c where ${region.condition} and ${inKeys('c')}`,
        [...splitKeys(keys), region.value]);
      const byKey = new Map(rows.map((row) => [caseKey(row.agency_uscc as string, row.case_id as string), toCaseRow(row, base.viewer, base.profile)]));
      return keys.map((key) => byKey.get(key) ?? null);
    }),
    checksByCase: new DataLoader(async (keys) => {
      const agencies = await agencyByUscc.loadMany([...new Set(splitKeys(keys)[0])]);
      const regionOf = new Map(agencies.flatMap((agency) => (agency && !(agency instanceof Error) ? [[agency.uscc, agency.regionCode] as const] : [])));
      const cases = keys.map((key) => {
        const [agencyUscc, caseId] = key.split('\u0000') as [string, string];
        const regionCode = regionOf.get(agencyUscc);
        return { agencyUscc, caseId, ...(regionCode !== undefined && { regionCode }) };
      });
      const checks = await caseChecksAsOf(base.db, { scope: {}, asOf: base.today, cases }, base.profile);
      const byKey = new Map(checks.map((check) => [caseKey(check.agencyUscc, check.caseId), check]));
      return keys.map((key) => byKey.get(key) ?? null);
    }),
    agencyByUscc,
    reviewsByCase: childrenLoader(base, agencyByUscc,
      `select t.agency_uscc, t.case_id, t.round, t.submitted_on::text as "submittedOn", t.completed_on::text as "completedOn", t.opinion,
         t.reviewer_ids as "reviewerIds" from legal_reviews t`, 't.round'),
    appealsByCase: childrenLoader(base, agencyByUscc,
      `select t.agency_uscc, t.case_id, t.kind, t.filed_on::text as "filedOn", t.concluded_on::text as "concludedOn", t.outcome, t.body
       from appeals t`, 't.kind'),
    recordingsByCase: childrenLoader(base, agencyByUscc,
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
    indicators: indicatorsLoader(base),
  };
}
