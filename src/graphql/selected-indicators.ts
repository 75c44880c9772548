import type { GraphQLResolveInfo } from 'graphql';
import { parseResolveInfo, type ResolveTree } from 'graphql-parse-resolve-info';
import { IndicatorNames, type IndicatorName } from '../domain/profile/policy-profile';

const children = (tree: ResolveTree): ResolveTree[] => Object.values(tree.fieldsByTypeName).flatMap((fields) => Object.values(fields));

/**
 * The indicators a query selects from the `Indicators` object this field returns, or found at `path` below it
 * (a series' points: ['indicators']), under every alias, fragments and @skip/@include applied. Only these are
 * read or computed: the overview's headline asks for 8 of the 18, and the rest would cost most of its time.
 */
export function selectedIndicators(info: GraphQLResolveInfo, path: readonly string[] = []): IndicatorName[] {
  let trees = [parseResolveInfo(info) as ResolveTree | null | undefined].filter((tree): tree is ResolveTree => !!tree);
  for (const step of path) trees = trees.flatMap(children).filter((field) => field.name === step);
  const selected = new Set(trees.flatMap(children).map((field) => field.name));
  return IndicatorNames.filter((name) => selected.has(name));
}
