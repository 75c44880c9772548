import { InvalidValueError } from '../errors';
import { regionDirectory, subtreePrefix } from '../regions';
import { assertUscc } from '../uscc';

/**
 * Who is asking (issue 5, DOMAIN.md §1): the public (no token), one agency, the justice bureau of one region
 * (two tiers: a prefecture's bureau sees its whole subtree, a county's its county), the province, or an
 * administrator. What each may see is enforced by PostgreSQL's row-level security; this module only says who
 * the viewer is and checks that a token's claims make sense.
 */
export const ViewerRoles = ['PUBLIC', 'AGENCY', 'SUPERVISOR', 'PROVINCE', 'ADMIN'] as const;
export type ViewerRole = (typeof ViewerRoles)[number];

export interface Viewer {
  role: ViewerRole;
  /** SUPERVISOR: the bureau's region; PROVINCE may name its province */
  regionCode?: string;
  /** AGENCY: its USCC */
  agencyUscc?: string;
  /** the token's subject, for the audit log and for who froze a ranking */
  subject?: string;
}

export const publicViewer: Viewer = Object.freeze({ role: 'PUBLIC' });

/** A viewer from a token's claims, or an error that says which claim is wrong. */
export function checkViewer(claims: { role?: unknown; region?: unknown; agency?: unknown; sub?: unknown }): Viewer {
  const role = claims.role;
  if (typeof role !== 'string' || !(ViewerRoles as readonly string[]).includes(role) || role === 'PUBLIC') {
    throw new InvalidValueError('BAD_ROLE', role, `令牌的角色 role=${JSON.stringify(role)} 无效：应为 AGENCY、SUPERVISOR、PROVINCE 或 ADMIN`);
  }
  const viewer: Viewer = { role: role as ViewerRole };
  if (typeof claims.sub === 'string' && claims.sub) viewer.subject = claims.sub.slice(0, 200);
  if (role === 'AGENCY') {
    if (typeof claims.agency !== 'string') throw new InvalidValueError('MISSING_AGENCY', claims.agency, 'AGENCY 令牌须带执法主体的统一社会信用代码 agency');
    viewer.agencyUscc = assertUscc(claims.agency);
  }
  if (role === 'SUPERVISOR' || (role === 'PROVINCE' && claims.region !== undefined)) {
    if (typeof claims.region !== 'string') throw new InvalidValueError('MISSING_REGION', claims.region, `${role} 令牌须带监督机关的行政区划代码 region`);
    viewer.regionCode = regionDirectory().require(claims.region).code;
  }
  return viewer;
}

/** The leading digits of the region codes a supervisor sees ('' for anyone else). */
export function viewerSubtreePrefix(viewer: Viewer): string {
  if (viewer.role !== 'SUPERVISOR' || !viewer.regionCode) return '';
  return subtreePrefix(regionDirectory().require(viewer.regionCode));
}

/**
 * Whether a region is inside what the viewer may see: the same rule as the database's hub_viewer_sees, for
 * what is not a row (the units a ranking lists, the regions a picker offers).
 */
export function viewerSeesRegion(viewer: Viewer, regionCode: string): boolean {
  switch (viewer.role) {
    case 'ADMIN': case 'PROVINCE': return true;
    case 'SUPERVISOR': return viewer.regionCode !== undefined && regionDirectory().isWithin(regionCode, viewer.regionCode);
    default: return false;
  }
}

/** A short stable name of the viewer: rate limits and caches are kept per viewer. */
export function viewerKey(viewer: Viewer): string {
  return [viewer.role, viewer.regionCode ?? '', viewer.agencyUscc ?? '', viewer.subject ?? ''].join(':');
}

/** Supervisors and up act on rankings (freeze); agencies and the public only read. */
export function viewerMaySupervise(viewer: Viewer): boolean {
  return viewer.role === 'SUPERVISOR' || viewer.role === 'PROVINCE' || viewer.role === 'ADMIN';
}

/** Whether an agency is inside the viewer's jurisdiction (the public reads every agency's published records). */
export function viewerSeesAgency(viewer: Viewer, agency: { uscc: string; regionCode: string }): boolean {
  if (viewer.role === 'AGENCY') return viewer.agencyUscc === agency.uscc;
  return viewer.role === 'PUBLIC' || viewerSeesRegion(viewer, agency.regionCode);
}
