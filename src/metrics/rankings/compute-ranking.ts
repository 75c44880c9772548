import { assertCivilDate } from '../../domain/calendar/civil-date';
import { InvalidValueError } from '../../domain/errors';
import type { IndicatorName, PolicyProfile } from '../../domain/profile/policy-profile';
import { rankUnits, type RankedEntry, type RankingUnit } from '../../domain/ranking/rank-units';
import { regionDirectory } from '../../domain/regions';
import type { Period } from '../indicators/indicator-engine';
import type { Indicators } from '../indicators/indicator-engine';
import { readIndicatorsByAgency, readIndicatorsBySubtree } from '../indicators/read-indicators';
import { profileFingerprint } from '../rollups/rollup-state';
import type { Queryable } from '../sql/sql-parameters';
import { regionLevels } from '../../warehouse/entities/region';

/**
 * Rankings of DOMAIN.md §5 over the warehouse: the units (regions of one level inside a parent, or the
 * agencies of a region, optionally of one domain), each unit's indicators summed over its agencies for the
 * period as of the date, ranked by the profile's rules (src/domain/ranking). The inputs are returned with the
 * result, so that a frozen ranking can be stored with exactly what it was computed from.
 */
export type RegionLevel = (typeof regionLevels)[number];

export type RankingRequest =
  | { units: 'regions'; parentRegionCode: string; level: RegionLevel; period: Period; asOf: string }
  | { units: 'agencies'; parentRegionCode: string; domain?: string; period: Period; asOf: string };

export interface RankingResultEntry extends RankedEntry {
  /** the unit's region (for an agency: the agency's region) */
  regionCode: string;
  /** set when the units are agencies */
  agencyUscc: string | null;
  name: string;
}

export interface Ranking {
  request: RankingRequest;
  profileName: string;
  profileFingerprint: string;
  /** what each unit was ranked on: its decisions and indicator figures */
  inputs: RankingUnit[];
  entries: RankingResultEntry[];
  computedFrom: 'rollups' | 'facts';
}

/** The number of decisions of the period: every decided case counts in the exemption share's denominator. */
const DECISIONS: IndicatorName = 'exemptionShare';

export async function computeRanking(db: Queryable, request: RankingRequest, profile: PolicyProfile): Promise<Ranking> {
  assertCivilDate(request.asOf, 'asOf');
  const parent = regionDirectory().require(request.parentRegionCode);
  const units = await unitsOf(db, request);
  const scope = { regionCode: parent.code, ...(request.units === 'agencies' && request.domain !== undefined && { domain: request.domain }) };
  const figuresRequest = { scope, period: request.period, asOf: request.asOf };
  // what the units are ranked on, and nothing else
  const names = [...new Set([...profile.ranking.components.map((component) => component.indicator), DECISIONS])];
  // regions are ranked on their subtrees' figures, agencies on their own
  const figures: { parts: { unitKey: string | undefined; indicators: Indicators }[]; computedFrom: 'rollups' | 'facts' } = request.units === 'regions'
    ? await readIndicatorsBySubtree(db, {
      scope, regionCodes: [...units.keys()], periods: [{ id: 'period', from: request.period.from, to: request.period.to }], asOf: request.asOf,
    }, profile, names).then(({ periods, computedFrom }) => ({
      computedFrom, parts: [...periods.get('period')!].map(([regionCode, indicators]) => ({ unitKey: regionCode, indicators })),
    }))
    : await readIndicatorsByAgency(db, figuresRequest, profile, names).then(({ agencies, computedFrom }) => ({
      computedFrom, parts: [...agencies.values()].map((agency) => ({ unitKey: units.get(agency.agencyUscc)?.key, indicators: agency.indicators })),
    }));

  const inputs = new Map<string, RankingUnit>();
  for (const unit of units.values()) inputs.set(unit.key, { key: unit.key, label: unit.name, decisions: 0, indicators: {} });
  for (const part of figures.parts) {
    const unit = part.unitKey === undefined ? undefined : inputs.get(part.unitKey);
    // a region without agencies has no figures at all (its components are null, not 0 / 0)
    if (!unit || !units.get(unit.key)!.hasAgencies) continue;
    for (const component of profile.ranking.components) {
      const rate = part.indicators[component.indicator];
      const sum = unit.indicators[component.indicator] ?? { numerator: 0, denominator: 0, rate: null };
      const numerator = sum.numerator + rate.numerator;
      const denominator = sum.denominator + rate.denominator;
      unit.indicators[component.indicator] = { numerator, denominator, rate: denominator === 0 ? null : numerator / denominator };
    }
    unit.decisions += part.indicators[DECISIONS].denominator;
  }
  const rankingInputs = [...inputs.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const byKey = new Map([...units.values()].map((unit) => [unit.key, unit]));
  const entries = rankUnits(rankingInputs, profile.ranking).map((entry) => {
    const unit = byKey.get(entry.key)!;
    return { ...entry, regionCode: unit.regionCode, agencyUscc: unit.agencyUscc, name: unit.name };
  });
  return {
    request, profileName: profile.name, profileFingerprint: profileFingerprint(profile),
    inputs: rankingInputs, entries, computedFrom: figures.computedFrom,
  };
}

interface Unit { key: string; regionCode: string; agencyUscc: string | null; name: string; hasAgencies: boolean }

/**
 * The units, by key: region units by region code, agency units by USCC. Region units are every region of the
 * level in the parent's subtree, with or without agencies: a county with no data is listed (样本不足), not
 * silently dropped.
 */
async function unitsOf(db: Queryable, request: RankingRequest): Promise<Map<string, Unit>> {
  if (request.units === 'regions') {
    if (!(regionLevels as readonly string[]).includes(request.level)) {
      throw new InvalidValueError('UNKNOWN_CODE', request.level, `区划级别 ${request.level} 不存在（${regionLevels.join(', ')}）`);
    }
    const { rows } = await db.query<{ code: string; name: string; has_agencies: boolean }>(
      `select r.code, r.name, exists (select 1 from agencies a where a.region_code like r.subtree_prefix || '%') as has_agencies
       from regions r, regions p
       where p.code = $1 and r.level = $2 and r.code <> p.code and r.code like p.subtree_prefix || '%'
       order by r.code`, [request.parentRegionCode, request.level]);
    return new Map(rows.map((row) => [row.code, { key: row.code, regionCode: row.code, agencyUscc: null, name: row.name, hasAgencies: row.has_agencies }]));
  }
  const { rows } = await db.query<{ uscc: string; name: string; region_code: string }>(
    `select a.uscc, a.name, a.region_code from agencies a, regions p
     where p.code = $1 and a.region_code like p.subtree_prefix || '%' and ($2::text is null or a.domain = $2)
     order by a.uscc`, [request.parentRegionCode, request.domain ?? null]);
  return new Map(rows.map((row) => [row.uscc, { key: row.uscc, regionCode: row.region_code, agencyUscc: row.uscc, name: row.name, hasAgencies: true }]));
}
