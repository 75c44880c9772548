import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { unwrapResolverError } from '@apollo/server/errors';
import depthLimit from 'graphql-depth-limit';
import { GraphQLError, getOperationAST, parse, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import type { ApiConfig } from '../config';
import { InvalidValueError } from '../domain/errors';
import { hubSchema } from '../graphql/build-schema';
import type { ApiContext } from '../graphql/api-context';

/**
 * Apollo Server over the hub's schema, with the limits issue 5 asks for: depth (graphql-depth-limit) and cost
 * (graphql-query-complexity, each list counted by its page size, aliases counted each) refused before anything
 * runs; no batched requests; no field suggestions; stack traces only outside production; introspection as
 * configured. Errors users caused say what to change; others are masked in production.
 */
/**
 * A document's cost, kept per document and variables: Apollo keeps one parsed document per query text, and a
 * dashboard sends the same few queries with the same few variables again and again, so the walk over the
 * document (as much CPU as answering from the rollups) is done once for each. Malformed variables are not kept.
 */
const costs = new WeakMap<DocumentNode, Map<string, number>>();
const COSTS_PER_DOCUMENT = 256;

function costOf(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>, operationName: string | undefined): number {
  const key = JSON.stringify([operationName ?? null, variables]);
  let known = costs.get(document);
  if (!known) costs.set(document, (known = new Map()));
  const cost = known.get(key);
  if (cost !== undefined) return cost;
  const computed = getComplexity({
    schema, query: document, variables, ...(operationName ? { operationName } : {}),
    estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
  });
  if (known.size >= COSTS_PER_DOCUMENT) known.clear();
  known.set(key, computed);
  return computed;
}

function costLimit(maxCost: number): ApolloServerPlugin<ApiContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema }) {
          let cost: number;
          try {
            cost = costOf(schema, document, request.variables ?? {}, request.operationName);
          } catch (error) {
            // malformed variables: Apollo's own coercion refuses them next, with the argument named (400)
            if (error instanceof GraphQLError) return;
            throw error;
          }
          if (cost > maxCost) {
            throw new GraphQLError(`查询代价 ${cost} 超过上限 ${maxCost}：请减少每页条数（first）、别名或嵌套字段`,
              { extensions: { code: 'QUERY_TOO_COSTLY', cost, maxCost, http: { status: 400 } } });
          }
        },
      };
    },
  };
}

function formatErrorFor(production: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof InvalidValueError) {
      return { ...formatted, message: original.message, extensions: { code: 'BAD_USER_INPUT', reason: original.code } };
    }
    const code = formatted.extensions?.code;
    if (production && (code === undefined || code === 'INTERNAL_SERVER_ERROR')) {
      return { message: '服务器内部错误，已记录；请稍后重试或联系管理员', ...(formatted.path && { path: formatted.path }), extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    }
    return formatted;
  };
}

export async function startApollo(config: ApiConfig, production: boolean): Promise<ApolloServer<ApiContext>> {
  const server = new ApolloServer<ApiContext>({
    schema: hubSchema(),
    introspection: config.introspection,
    includeStacktraceInErrorResponses: !production,
    hideSchemaDetailsFromClientErrors: true,
    allowBatchedHttpRequests: false,
    parseOptions: { maxTokens: 20_000 },
    validationRules: [depthLimit(config.maxDepth)],
    plugins: [costLimit(config.maxCost), ApolloServerPluginLandingPageDisabled()],
    formatError: formatErrorFor(production),
  });
  await server.start();
  return server;
}

/**
 * The kind and name of each query text's operation, kept for the texts seen (bounded): every request needs them
 * before its transaction opens, and parsing the same dashboard query again each time costs more than reading them.
 */
const operations = new Map<string, { kind: 'query' | 'mutation'; name: string | null } | null>();
const OPERATIONS_KEPT = 500;
const OPERATION_TEXT_KEPT = 10_000;

function operationIn(query: string, name: string | null): { kind: 'query' | 'mutation'; name: string | null } | null {
  const key = `${name ?? ''}\u0000${query}`;
  if (operations.has(key)) return operations.get(key)!;
  let found: { kind: 'query' | 'mutation'; name: string | null } | null = null;
  try {
    const operation = getOperationAST(parse(query, { maxTokens: 20_000 }), name ?? undefined);
    found = { kind: operation?.operation === 'mutation' ? 'mutation' : 'query', name: name ?? operation?.name?.value ?? null };
  } catch { /* Apollo reports the syntax error */ }
  if (query.length <= OPERATION_TEXT_KEPT) {
    if (operations.size >= OPERATIONS_KEPT) operations.clear();
    operations.set(key, found);
  }
  return found;
}

/** What the request asks to do, read before the transaction opens: a mutation gets a writable one. */
export function operationOf(body: unknown): { kind: 'query' | 'mutation'; name: string | null; query: string | null; variables: unknown } {
  const payload = (body && typeof body === 'object' ? body : {}) as { query?: unknown; operationName?: unknown; variables?: unknown };
  const query = typeof payload.query === 'string' ? payload.query : null;
  const name = typeof payload.operationName === 'string' ? payload.operationName : null;
  const operation = query === null ? null : operationIn(query, name);
  return { kind: operation?.kind ?? 'query', name: operation?.name ?? name, query, variables: payload.variables };
}

export function headerMapOf(headers: Record<string, string | string[] | undefined>): HeaderMap {
  const map = new HeaderMap();
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined) map.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  return map;
}
