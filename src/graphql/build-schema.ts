import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchemaSync } from 'type-graphql';
import { CaseResolver } from './resolvers/case-resolver';
import { EtlResolver, SourceResolver } from './resolvers/etl-resolver';
import { IndicatorRecordResolver } from './resolvers/indicator-record-resolver';
import { IndicatorResolver } from './resolvers/indicator-resolver';
import { AgencyLedgerResolver, CaseHistoryResolver } from './resolvers/ledger-resolver';
import { OrganisationResolver } from './resolvers/organisation-resolver';
import { RankingResolver } from './resolvers/ranking-resolver';
import { ViolationResolver } from './resolvers/violation-resolver';
import { ViewerResolver } from './resolvers/viewer-resolver';

let schema: GraphQLSchema | undefined;

/** The hub's GraphQL schema, built once from the resolver classes (type-graphql). */
export function hubSchema(): GraphQLSchema {
  return (schema ??= buildSchemaSync({
    resolvers: [CaseResolver, IndicatorResolver, IndicatorRecordResolver, RankingResolver, OrganisationResolver, ViolationResolver,
      EtlResolver, SourceResolver, ViewerResolver, AgencyLedgerResolver, CaseHistoryResolver],
    validate: false,
  }));
}

/** The SDL as emitted to schema/schema.graphql: sorted, so that a diff shows what changed and nothing else. */
export function printHubSchema(): string {
  return `${printSchema(lexicographicSortSchema(hubSchema()))}\n`;
}
