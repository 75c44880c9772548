import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { Viewer } from '../domain/access/viewer';
import type { PolicyProfile } from '../domain/profile/policy-profile';
import type { RankingRequest } from '../metrics/rankings/compute-ranking';
import { createLoaders, type Loaders } from './loaders';

/** What the API does beyond reading, on behalf of a viewer who may (the resolvers check who). */
export interface ApiActions {
  /** starts an ETL run of a source now; resolves once the run is recorded (its id) or refused */
  runSource(sourceId: string, viewer: Viewer): Promise<{ runId: string | null; status: string; message: string }>;
}

/**
 * One GraphQL request: who asks, the transaction it reads in (as that viewer, see viewer-transaction.ts), the
 * rules in force, today's date in Asia/Shanghai, and its DataLoaders. Every SQL statement of the request goes
 * through `db`, which counts them (the audit log records the count).
 */
export interface ApiContext {
  viewer: Viewer;
  db: PoolClient;
  profile: PolicyProfile;
  today: string;
  loaders: Loaders;
  actions: ApiActions;
  /** SQL statements run so far */
  statements(): number;
  /** the ranking request behind a ranking result (for its key) */
  rankingRequests: WeakMap<object, RankingRequest>;
}

/**
 * The name a statement is prepared under on a connection: its text's hash. The metrics' generated SQL depends
 * only on the shape of the question (values are bind parameters), so a dashboard's questions are a few texts,
 * each parsed and planned once per connection instead of once per request.
 */
const preparedNames = new Map<string, string>();
function preparedName(text: string): string {
  let name = preparedNames.get(text);
  if (name === undefined) {
    name = `hub_${createHash('sha256').update(text).digest('base64url').slice(0, 40)}`;
    if (preparedNames.size >= 2000) preparedNames.clear();
    preparedNames.set(text, name);
  }
  return name;
}

/**
 * A client whose `query` is counted (the test of "a bounded number of statements" and the audit log read it),
 * and whose statements with bind parameters are prepared statements (see preparedName).
 */
function countingClient(client: PoolClient): { db: PoolClient; count(): number } {
  let count = 0;
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const db = new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'query') {
        return (...args: unknown[]) => {
          count++;
          const [text, values] = args;
          if (typeof text === 'string' && Array.isArray(values) && values.length > 0 && args.length === 2) {
            return query({ name: preparedName(text), text, values });
          }
          return query(...args);
        };
      }
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
  return { db, count: () => count };
}

export function createApiContext(options: { viewer: Viewer; client: PoolClient; profile: PolicyProfile; today: string; actions: ApiActions }): ApiContext {
  const { db, count } = countingClient(options.client);
  const base = { viewer: options.viewer, db, profile: options.profile, today: options.today };
  return { ...base, loaders: createLoaders(base), actions: options.actions, statements: count, rankingRequests: new WeakMap() };
}
