// The benchmark's peer: PostGraphile 5 serving the overview headline over the hub's own database, so the hub's
// requests/s and p95 stand beside a GraphQL server that people who care about PostgreSQL hold up as fast.
// Plain ESM run as its own Node process (postgraphile-peer.ts starts it): PostGraphile 5's package exports need
// ESM resolution, and a process of its own puts it on the same footing as the hub's.
//
// Environment (set by postgraphile-peer.ts):
//   PEER_OWNER_DATABASE_URL  the database's owner: installs the peer's own schema `bench_peer` (never a migration
//                            of the hub) and reads the region tree and the token key
//   PEER_API_DATABASE_URL    the login PostGraphile serves with: the hub API's own role `hub_api`
//   PEER_POOL_MAX            connections in PostGraphile's pool: the hub API pool's size
//   PEER_JWT_SECRET          the hub's HS256 token key, base64url: the same bearer token works on both servers
//   PEER_HOST                where to listen (127.0.0.1); the port is chosen by the system and printed
// It prints one line `{"url": "http://127.0.0.1:PORT/graphql"}` when it serves, and stops on SIGTERM.
//
// What is equal to the hub, request for request:
// - the same rows: the period's whole months from `subtree_monthly_rollups` for the region's subtree, and its
//   other days from `indicator_rollups` for the subtree's agencies (rollup-reader.ts splitPeriod and sumRollups
//   over scope.ts scopedAgenciesCte), both periods in one request, under aliases;
// - the same login and the same row-level security: PostGraphile connects as `hub_api` and runs each request in
//   a transaction that first sets the hub's viewer settings (hub.viewer_role, hub.viewer_subtree,
//   hub.viewer_agency) with set_config(…, true), as viewer-transaction.ts beginAsViewer does; the function is
//   SECURITY INVOKER, so the policies filter the rollups exactly as they do for the hub;
// - the same token check: an HS256 JWT with the hub's key and issuer, verified on every request (jose), its
//   claims turned into the same viewer settings (a supervisor sees its region's subtree prefix; the hub also
//   checks an agency's USCC check character, which the peer does not);
// - the same pool size, session time zone (Asia/Shanghai) and statement time limit (30 s) as createApiPool.
// What differs (most of it makes the peer's request lighter than the hub's):
// - the hub first checks that the rollups can answer (rollup_state matches the as-of date and policy profile,
//   no changed day pending for the scope) and otherwise computes from the facts; it also computes the snapshot
//   indicators (certificate holding, reviewer staffing, annual reports) and every dated indicator, then returns
//   the eight the query selects. The peer sums the eight asked for, from the rollups, and nothing else; `asOf`
//   has no meaning for it;
// - the hub refuses an unknown region code or a malformed scope with a message; the peer answers zeros;
// - the hub answers a request in one `repeatable read read only` transaction on one connection (both periods
//   see one snapshot); PostGraphile runs each root field in a transaction of its own — `begin`, the settings,
//   the function call, `commit` — so the two periods go to two connections at once, each read committed (made
//   read-only by a setting here); PostGraphile also sets jit_optimize_above_cost = -1 on each connection;
// - the hub also limits rate (HUB_RATE_LIMIT_PER_MINUTE per viewer: raise it for a load test, or the hub
//   answers 429), query depth and cost, and writes an audit-log row after every request; the peer does none;
// - only HS256 tokens (the hub also accepts EdDSA tokens from a configured public key);
// - the answer's shape: a list of (indicator, numerator, denominator, rate) rows instead of one object with a
//   field per indicator; the figures are the same.

// PostGraphile 5 declares engines node >= 22 and means it for one thing only: grafast, grafserv and @dataplan/pg
// call Promise.withResolvers (V8 12.2, Node 22). The hub runs on Node 20.19+, so on an older Node the peer
// supplies that one function, exactly as the specification defines it, before PostGraphile loads.
if (typeof Promise.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true, writable: true, enumerable: false,
    value: function withResolvers() {
      let resolve, reject;
      const promise = new this((res, rej) => { resolve = res; reject = rej; });
      return { promise, resolve, reject };
    },
  });
}

const { createServer } = await import('node:http');
const { default: pg } = await import('pg');
const { jwtVerify } = await import('jose');
const { postgraphile } = await import('postgraphile');
const { makePgService } = await import('postgraphile/adaptors/pg');
const { PostGraphileAmberPreset } = await import('postgraphile/presets/amber');
const { grafserv } = await import('postgraphile/grafserv/node');

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`postgraphile-peer: ${name} is not set`);
  return value;
}

const ownerUrl = required('PEER_OWNER_DATABASE_URL');
const apiUrl = required('PEER_API_DATABASE_URL');
const poolMax = Number(required('PEER_POOL_MAX'));
const jwtSecret = Buffer.from(required('PEER_JWT_SECRET'), 'base64url');
const host = process.env.PEER_HOST || '127.0.0.1';
const sessionOptions = '-c TimeZone=Asia/Shanghai';

// The headline's sums, equal to sumRollups(scope: { regionCode }, period, indicators, byAgency: false):
// staging (the agencies of the region's subtree) → the rollups of the period's days summed per indicator → one row
// per asked indicator in the order asked, 0 / 0 when no day had any (as read-indicators.ts withSums does), with
// the rate the hub's rateOf computes. Grain of the result: one row per requested indicator.
const installSql = `
create schema if not exists bench_peer;
create or replace function bench_peer.indicator_sums(region text, from_day date, to_day date, indicators text[])
returns table (indicator text, numerator int, denominator int, rate double precision)
language sql stable parallel safe
as $$
  with scoped_agencies as (
    -- grain: one row per agency of the region's subtree (scope.ts scopedAgenciesCte)
    select a.uscc as agency_uscc, a.region_code
    from public.agencies a
    where a.region_code like (select r.subtree_prefix from public.regions r where r.code = indicator_sums.region) || '%'
  ), bounds as (
    -- the whole months inside the period and the days outside them (rollup-reader.ts splitPeriod)
    select
      case when extract(day from indicator_sums.from_day) = 1 then indicator_sums.from_day
        else (date_trunc('month', indicator_sums.from_day) + interval '1 month')::date end as first_whole,
      case when extract(day from indicator_sums.to_day + 1) = 1 then indicator_sums.to_day
        else date_trunc('month', indicator_sums.to_day)::date - 1 end as last_whole,
      (select r.subtree_prefix from public.regions r where r.code = indicator_sums.region) as prefix
  ), spans as materialized (
    -- the days before the first whole month and after the last one (none for a year, a quarter or a month)
    select * from (select indicator_sums.from_day as day_from,
      case when b.first_whole <= b.last_whole then b.first_whole - 1 else indicator_sums.to_day end as day_to
    from bounds b
    union all
    select b.last_whole + 1, indicator_sums.to_day from bounds b where b.first_whole <= b.last_whole) x
    where x.day_from <= x.day_to
  ), rows as (
    -- whole months: the region's subtree, per month (rollup-reader.ts sumRollups, a region's own figures)
    select m.indicator, m.numerator, m.denominator
    from public.subtree_monthly_rollups m, bounds b
    where b.first_whole <= b.last_whole
      and m.region_code = indicator_sums.region
      and m.indicator = any(indicator_sums.indicators)
      and m.month between b.first_whole and date_trunc('month', b.last_whole)::date
    union all
    -- other days: per agency and day
    select r.indicator, r.numerator, r.denominator
    from spans s
    join public.indicator_rollups r on r.day between s.day_from and s.day_to
    join scoped_agencies a on a.agency_uscc = r.agency_uscc and a.region_code = r.region_code
    where r.indicator = any(indicator_sums.indicators)
  ), sums as (
    select x.indicator, sum(x.numerator)::int as numerator, sum(x.denominator)::int as denominator
    from rows x group by x.indicator
  )
  select asked.indicator::text, coalesce(s.numerator, 0), coalesce(s.denominator, 0),
    case when coalesce(s.denominator, 0) = 0 then null else s.numerator::double precision / s.denominator end
  from unnest(indicator_sums.indicators) with ordinality as asked(indicator, position)
  left join sums s on s.indicator = asked.indicator
  order by asked.position
$$;
comment on function bench_peer.indicator_sums(text, date, date, text[]) is
  E'@behavior -connection +list\\nNumerator, denominator and rate per indicator over a period, for the agencies of a region''s subtree: the benchmark peer''s overview headline.';
grant usage on schema bench_peer to hub_api;
grant execute on function bench_peer.indicator_sums(text, date, date, text[]) to hub_api;
`;

const owner = new pg.Client({ connectionString: ownerUrl, options: sessionOptions });
await owner.connect();
let subtreePrefixes;
try {
  await owner.query(installSql);
  const { rows } = await owner.query('select code, subtree_prefix from regions');
  subtreePrefixes = new Map(rows.map((row) => [row.code, row.subtree_prefix]));
} finally {
  await owner.end();
}

const issuer = 'supervision-hub';
const viewerRoles = new Set(['AGENCY', 'SUPERVISOR', 'PROVINCE', 'ADMIN']);

function refused(why) {
  return Object.assign(new Error(`令牌无效：${why}`), { statusCode: 401 });
}

/** The viewer settings for a request, as the hub's token check and beginAsViewer make them. */
async function viewerSettings(authorization) {
  const bearer = typeof authorization === 'string' ? /^Bearer\s+(\S+)$/i.exec(authorization) : null;
  if (!bearer) return { 'hub.viewer_role': 'PUBLIC', 'hub.viewer_subtree': '', 'hub.viewer_agency': '' };
  let claims;
  try {
    ({ payload: claims } = await jwtVerify(bearer[1], jwtSecret, { algorithms: ['HS256'], issuer }));
  } catch {
    throw refused('签名或声明不正确');
  }
  if (!viewerRoles.has(claims.role)) throw refused(`角色 ${JSON.stringify(claims.role)} 无效`);
  let subtree = '';
  if (claims.role === 'SUPERVISOR') {
    subtree = subtreePrefixes.get(claims.region);
    if (!subtree) throw refused(`行政区划 ${JSON.stringify(claims.region)} 不存在`);
  }
  if (claims.role === 'AGENCY' && typeof claims.agency !== 'string') throw refused('AGENCY 令牌须带 agency');
  return {
    'hub.viewer_role': claims.role,
    'hub.viewer_subtree': subtree,
    'hub.viewer_agency': claims.role === 'AGENCY' ? claims.agency : '',
  };
}

const pool = new pg.Pool({ connectionString: apiUrl, max: poolMax, options: sessionOptions });
pool.on('error', () => undefined);
pool.on('connect', (client) => { client.query(`set statement_timeout = '30s'`).catch(() => undefined); });

/** PostGraphile's recommended setup: the amber preset, a pg service, JWT handled in grafast's context. */
const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [makePgService({ pool, schemas: ['bench_peer'], pubsub: false })],
  grafast: {
    async context(requestContext) {
      const settings = await viewerSettings(requestContext.node?.req?.headers?.authorization);
      return { pgSettings: { ...settings, transaction_read_only: 'on' } };
    },
    explain: false,
  },
  grafserv: { graphqlPath: '/graphql', graphiql: false, watch: false, websockets: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.keepAliveTimeout = 65_000;
serv.addTo(server).catch((error) => {
  process.stderr.write(`postgraphile-peer: ${error?.stack ?? error}\n`);
  process.exit(1);
});
// the schema is built from the database before the first request, so a broken setup shows before serving
await pgl.getSchema();
server.listen(0, host, () => {
  const { port } = server.address();
  process.stdout.write(`${JSON.stringify({ url: `http://${host}:${port}/graphql` })}\n`);
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  server.closeAllConnections?.();
  await new Promise((resolve) => server.close(() => resolve()));
  await pgl.release();
  await pool.end();
  process.exit(0);
}
process.on('SIGTERM', () => { stop().catch(() => process.exit(1)); });
process.on('SIGINT', () => { stop().catch(() => process.exit(1)); });
