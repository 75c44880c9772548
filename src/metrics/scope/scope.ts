import { ActionTypes, type ActionType } from '../../domain/codes';
import { InvalidValueError } from '../../domain/errors';
import { regionDirectory } from '../../domain/regions';
import { assertUscc } from '../../domain/uscc';
import { SqlParameters, withCtes, type Cte, type Queryable } from '../sql/sql-parameters';
import { calendarVariantSql } from '../working-days/working-day-sql';

/**
 * Whose records a request covers (the contract's ScopeInput). Every condition given must hold: a region's whole
 * subtree (DOMAIN.md §1: a supervisor sees its region's subtree), one agency, one enforcement domain, one action
 * type. The action type narrows records that have one (cases and what hangs on them); figures of the agency as a
 * whole (personnel, annual reports, supervision letters) are not narrowed by it.
 */
export interface Scope {
  regionCode?: string;
  agencyUscc?: string;
  /** any of these agencies (what a rollup refresh recomputes); not part of the contract's ScopeInput */
  agencyUsccs?: readonly string[];
  domain?: string;
  actionType?: ActionType;
}

/** The scope with its codes checked and normalised; an unknown region or a malformed USCC is refused, named. */
export function checkScope(scope: Scope): Scope {
  if (scope.actionType !== undefined && !(ActionTypes.codes as readonly string[]).includes(scope.actionType)) {
    throw new InvalidValueError('UNKNOWN_CODE', scope.actionType, `行为类别 ${scope.actionType} 不存在（${ActionTypes.codes.join(', ')}）`);
  }
  return {
    ...scope,
    ...(scope.regionCode !== undefined && { regionCode: regionDirectory().require(scope.regionCode).code }),
    ...(scope.agencyUscc !== undefined && { agencyUscc: assertUscc(scope.agencyUscc) }),
    ...(scope.agencyUsccs !== undefined && { agencyUsccs: scope.agencyUsccs.map((uscc) => assertUscc(uscc)) }),
  };
}

/**
 * `scoped_agencies` — grain: one row per agency in the scope, with the calendar variant its region follows.
 * Every check starts from it, so a scope narrows the work before anything is computed. `scope` as checkScope
 * returns it. Reads of the rollups count no working days and leave the calendar out (`calendar: false`): it is
 * a lookup per agency, a province's thousand of them on every dashboard request.
 */
export function scopedAgenciesCte(scope: Scope, params: SqlParameters, options: { calendar?: boolean } = {}): Cte {
  const where: string[] = [];
  if (scope.regionCode !== undefined) {
    where.push(`a.region_code like (select r.subtree_prefix from regions r where r.code = ${params.bind(scope.regionCode, 'text')}) || '%'`);
  }
  if (scope.agencyUscc !== undefined) where.push(`a.uscc = ${params.bind(scope.agencyUscc, 'text')}`);
  if (scope.agencyUsccs !== undefined) where.push(`a.uscc = any(${params.bind(scope.agencyUsccs, 'text[]')})`);
  if (scope.domain !== undefined) where.push(`a.domain = ${params.bind(scope.domain, 'text')}`);
  return {
    name: 'scoped_agencies',
    sql: `-- grain: one row per agency in the scope
      select a.uscc as agency_uscc, a.region_code, a.domain${options.calendar === false ? '' : `, ${calendarVariantSql('a.region_code')} as calendar_variant`}
      from agencies a
      where ${where.length ? where.join(' and ') : 'true'}`,
  };
}

/** The region codes with at least one agency in the scope (grain: one row per region code), in code order. */
export async function agencyRegionCodes(db: Queryable, scope: Scope): Promise<string[]> {
  const params = new SqlParameters();
  const { rows } = await db.query<{ region_code: string }>(withCtes([scopedAgenciesCte(checkScope(scope), params, { calendar: false })],
    'select distinct region_code from scoped_agencies order by region_code'), params.values);
  return rows.map((row) => row.region_code);
}

/** The condition on a case's action type that the scope puts, over a case row `alias`. */
export function actionTypeConditionSql(scope: Scope, params: SqlParameters, alias: string): string {
  return scope.actionType === undefined ? 'true' : `${alias}.action_type = ${params.bind(scope.actionType, 'text')}`;
}
