import type { Viewer } from '../domain/access/viewer';
import type { PartyType } from '../domain/codes';
import { maskPersonName } from '../domain/masking';
import type { PolicyProfile } from '../domain/profile/policy-profile';

/**
 * A case row as the API serves it. Which rows a viewer gets is the database's business (row-level security);
 * which columns the public gets is decided here, once: the public's statement does not select the identity
 * number, the handlers or the lineage, and a natural person's name is masked (DOMAIN.md §6).
 */
export interface CaseRow {
  regionCode: string; agencyUscc: string; caseId: string; actionType: string; procedure: string | null;
  filedOn: string | null; decidedOn: string | null; decisionNo: string | null;
  partyType: string | null; partyName: string | null; amount: number | null; penaltyKinds: string[];
  closedOn: string | null; archivedOn: string | null; handlerIds: string[];
  lineage: { source: string; position: string; run: string | null; loadedAt: Date; contentHash: string } | null;
}

const publicColumns = `c.region_code, c.agency_uscc, c.case_id, c.action_type, c.procedure, c.filed_on::text, c.decided_on::text,
  c.decision_no, c.party_type, c.party_name, c.amount::float8 as amount, c.penalty_kinds, c.closed_on::text, c.archived_on::text`;
const supervisionColumns = `${publicColumns}, c.handler_ids, c.lineage_source, c.lineage_position, c.lineage_run::text, c.lineage_loaded_at, c.lineage_content_hash`;

/** The columns of `cases c` this viewer's statements select. */
export function caseColumnsSql(viewer: Viewer): string {
  return viewer.role === 'PUBLIC' ? publicColumns : supervisionColumns;
}

export function toCaseRow(row: Record<string, unknown>, viewer: Viewer, profile: PolicyProfile): CaseRow {
  const partyType = row.party_type as PartyType | null;
  const partyName = row.party_name as string | null;
  const masked = viewer.role === 'PUBLIC' && partyName !== null && partyType !== null
    && profile.privacy.maskedPartyTypes.includes(partyType);
  return {
    regionCode: row.region_code as string, agencyUscc: row.agency_uscc as string, caseId: row.case_id as string,
    actionType: row.action_type as string, procedure: row.procedure as string | null,
    filedOn: row.filed_on as string | null, decidedOn: row.decided_on as string | null, decisionNo: row.decision_no as string | null,
    partyType, partyName: masked ? maskPersonName(partyName) : partyName,
    amount: row.amount as number | null, penaltyKinds: row.penalty_kinds as string[],
    closedOn: row.closed_on as string | null, archivedOn: row.archived_on as string | null,
    handlerIds: (row.handler_ids as string[] | undefined) ?? [],
    lineage: row.lineage_source === undefined ? null : {
      source: row.lineage_source as string, position: row.lineage_position as string, run: row.lineage_run as string | null,
      loadedAt: row.lineage_loaded_at as Date, contentHash: row.lineage_content_hash as string,
    },
  };
}

export const caseKey = (agencyUscc: string, caseId: string) => `${agencyUscc}\u0000${caseId}`;
