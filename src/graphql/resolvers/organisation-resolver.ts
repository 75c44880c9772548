import { Arg, Ctx, Field, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { regionDirectory, type Region as DomainRegion } from '../../domain/regions';
import { assertUscc } from '../../domain/uscc';
import { scopedAgenciesCte } from '../../metrics/scope/scope';
import { SqlParameters, withCtes } from '../../metrics/sql/sql-parameters';
import type { ApiContext } from '../api-context';
import { decodeCursor, encodeCursor, pageSizeOf, scopeOf } from '../arguments';
import { PageInfo, ScopeInput } from '../types/common';
import { Agency, Person, Region } from '../types/organisation';

export const MAX_LIST_PAGE = 200;

@ObjectType()
class AgencyConnection {
  @Field(() => [Agency]) nodes!: Agency[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

@ObjectType()
class PersonConnection {
  @Field(() => [Person]) nodes!: Person[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

/** A region of the national tree as the API shows it. */
export const regionOf = (region: DomainRegion): Region =>
  ({ code: region.code, name: region.name, level: region.level, parentCode: region.parentCode });

/**
 * Regions are the national reference tree (public); agencies are listed inside the viewer's jurisdiction (all of
 * them for the public, whose records of each are its published decisions); personnel through row-level security,
 * the public seeing only names and certificate numbers (DOMAIN.md §6).
 */
@Resolver()
export class OrganisationResolver {
  @Query(() => Region, { nullable: true })
  region(@Arg('code', () => String) code: string): Region | null {
    const region = regionDirectory().get(code);
    return region ? regionOf(region) : null;
  }

  @Query(() => [Region], { description: '下级区划；不给 parentCode 时为各省' })
  regions(@Arg('parentCode', () => String, { nullable: true }) parentCode?: string): Region[] {
    const directory = regionDirectory();
    const list = parentCode ? directory.children(parentCode) : [...directory.all()].filter((region) => region.parentCode === null);
    return list.map(regionOf);
  }

  @Query(() => AgencyConnection, { description: '执法主体（管辖范围内）', complexity: ({ args }) => 1 + Number(args.first ?? 50) })
  async agencies(
    @Ctx() ctx: ApiContext,
    @Arg('scope', () => ScopeInput, { nullable: true }) scope?: ScopeInput,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<AgencyConnection> {
    const size = pageSizeOf(first, MAX_LIST_PAGE);
    const params = new SqlParameters();
    const cursor = decodeCursor(after, 1) as [string] | null;
    const text = withCtes([scopedAgenciesCte(scopeOf(scope), params)],
      `select a.uscc, a.name, a.region_code as "regionCode", a.tier, a.domain, a.kind
       from agencies a join scoped_agencies s on s.agency_uscc = a.uscc
       where (hub_viewer_role() = 'PUBLIC' or hub_viewer_sees(a.region_code, a.uscc))
         ${cursor ? `and a.uscc > ${params.bind(cursor[0], 'text')}` : ''}
       order by a.uscc limit ${size + 1}`);
    const { rows } = await ctx.db.query<Agency>(text, params.values);
    const nodes = rows.slice(0, size);
    return { nodes, pageInfo: { hasNextPage: rows.length > size, endCursor: nodes.length ? encodeCursor([nodes.at(-1)!.uscc]) : null } };
  }

  @Query(() => Agency, { nullable: true })
  async agency(@Arg('uscc', () => String) uscc: string, @Ctx() ctx: ApiContext): Promise<Agency | null> {
    const { rows } = await ctx.db.query<Agency>(
      `select uscc, name, region_code as "regionCode", tier, domain, kind from agencies
       where uscc = $1 and (hub_viewer_role() = 'PUBLIC' or hub_viewer_sees(region_code, uscc))`, [assertUscc(uscc)]);
    return rows[0] ?? null;
  }

  @Query(() => PersonConnection, { description: '执法主体的人员', complexity: ({ args }) => 1 + Number(args.first ?? 50) })
  async personnel(
    @Arg('agencyUscc', () => String) agencyUscc: string,
    @Ctx() ctx: ApiContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<PersonConnection> {
    const size = pageSizeOf(first, MAX_LIST_PAGE);
    const cursor = decodeCursor(after, 1) as [string] | null;
    const isPublic = ctx.viewer.role === 'PUBLIC';
    // the public's statement selects names and certificate numbers only, of officers with a certificate
    const columns = isPublic
      ? `p.agency_uscc as "agencyUscc", p.name, p.certificate_no as "certificateNo", p.person_id as sort_key`
      : `p.agency_uscc as "agencyUscc", p.name, p.certificate_no as "certificateNo", p.person_id as "personId", p.role,
         p.certificate_category as "certificateCategory", p.certificate_status as "certificateStatus",
         p.certificate_issued_on::text as "certificateIssuedOn", p.certificate_expires_on::text as "certificateExpiresOn",
         p.legal_qualification as "legalQualification", p.person_id as sort_key`;
    const { rows } = await ctx.db.query<Partial<Person> & { agencyUscc: string; name: string; certificateNo: string | null; sort_key: string }>(
      `select ${columns} from personnel p
       where p.agency_uscc = $1 ${isPublic ? `and p.certificate_no is not null` : ''} and ($2::text is null or p.person_id > $2)
       order by p.person_id limit ${size + 1}`, [assertUscc(agencyUscc), cursor?.[0] ?? null]);
    const nodes = rows.slice(0, size);
    const last = nodes.at(-1);
    return {
      nodes: nodes.map(({ sort_key: _key, ...person }) => ({
        personId: null, role: null, certificateCategory: null, certificateStatus: null, certificateIssuedOn: null,
        certificateExpiresOn: null, legalQualification: null, ...person,
      })),
      pageInfo: { hasNextPage: rows.length > size, endCursor: last ? encodeCursor([last.sort_key]) : null },
    };
  }
}
