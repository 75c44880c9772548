import { Migration } from '@mikro-orm/migrations';

/** Tables whose rows belong to one agency of one region: a viewer reads them inside its jurisdiction only. */
const jurisdictionTables = [
  'personnel', 'certificate_history', 'cases', 'publications', 'legal_reviews', 'appeals', 'recordings', 'evaluations',
  'annual_reports', 'supervision_letters', 'indicator_rollups', 'changed_days',
];
/** Tables hanging on one case: the public reads them for a publicly shown decision (DOMAIN.md §6). */
const caseTables = ['cases', 'publications', 'legal_reviews', 'appeals', 'recordings', 'evaluations'];
/** Reference and derived tables anyone may read. */
const referenceTables = ['regions', 'agencies', 'working_days', 'calendar_variants', 'calendar_region_prefixes', 'rollup_state', 'display_period_rules'];

/**
 * Who sees what, enforced in PostgreSQL (issue 5). The API connects as `hub_api`, a role that is neither the
 * tables' owner nor allowed to bypass row-level security, and states its viewer at the start of each
 * transaction (`hub.viewer_role`, `hub.viewer_subtree`, `hub.viewer_agency`, see viewer-transaction.ts). Without
 * a viewer it sees no fact at all. The hub's own jobs (migrations, ETL, rollup refresh) run as the owner.
 *
 * - PUBLIC: decisions published as of today, not withdrawn, not undisclosed (依法不予公开) and still inside their
 *   display period (公示期限, from `display_period_rules`, which the hub writes from its policy profile), with
 *   what hangs on them; personnel rows (the API shows only names and certificate numbers). No rollups.
 * - AGENCY: rows of its own USCC. SUPERVISOR: rows whose region lies in its region's subtree (DOMAIN.md §1).
 *   PROVINCE and ADMIN: every row. Only ADMIN reads quarantined raw content (hub_quarantine_raw).
 *
 * A future table the API reads needs its grant (and, holding an agency's rows, its policy) in its migration.
 */
export class Migration20261127000000ApiAccess extends Migration {
  override async up(): Promise<void> {
    this.addSql(`do $$ begin
      if not exists (select from pg_roles where rolname = 'hub_api') then
        create role hub_api nologin nosuperuser nobypassrls nocreatedb nocreaterole noinherit;
      end if;
    end $$;`);
    this.addSql(`alter role hub_api nosuperuser nobypassrls;`);

    this.addSql(`create table "display_period_rules" ("effective_from" date not null, "position" smallint not null, "action_types" text[] null, "penalty_kinds_only" text[] null, "period_unit" text check ("period_unit" in ('days', 'months', 'years')) null, "period_count" int null, constraint "display_period_rules_pkey" primary key ("effective_from", "position"));`);
    this.addSql(`create table "api_signing_keys" ("id" varchar(40) not null, "algorithm" varchar(20) not null, "secret" text not null, "created_at" timestamptz not null default now(), constraint "api_signing_keys_pkey" primary key ("id"));`);
    this.addSql(`create table "api_audit_log" ("id" bigserial primary key, "at" timestamptz not null default now(), "viewer_role" varchar(20) not null, "viewer_region" varchar(12) null, "viewer_agency" varchar(18) null, "viewer_subject" varchar(200) null, "operation_kind" varchar(20) not null, "operation_name" varchar(200) null, "query_sha256" varchar(64) null, "query" text null, "variables" jsonb null, "outcome" varchar(20) not null, "error" text null, "sql_statements" int not null default 0, "duration_ms" int not null default 0, "client_address" varchar(100) null);`);
    this.addSql(`create index "api_audit_log_at_index" on "api_audit_log" ("at");`);

    // The viewer of this transaction. Unset or unknown: NONE, which no policy admits.
    this.addSql(`create function hub_viewer_role() returns text language sql stable parallel safe as $$
      select case when current_setting('hub.viewer_role', true) in ('PUBLIC', 'AGENCY', 'SUPERVISOR', 'PROVINCE', 'ADMIN')
        then current_setting('hub.viewer_role', true) else 'NONE' end $$;`);
    this.addSql(`create function hub_viewer_sees(p_region text, p_agency text) returns boolean language sql stable parallel safe as $$
      select case hub_viewer_role()
        when 'ADMIN' then true
        when 'PROVINCE' then true
        -- a subtree prefix has at least two digits (a province); an empty one must not match everything
        when 'SUPERVISOR' then length(coalesce(current_setting('hub.viewer_subtree', true), '')) >= 2
          and starts_with(p_region, current_setting('hub.viewer_subtree', true))
        when 'AGENCY' then p_agency = current_setting('hub.viewer_agency', true)
        else false end $$;`);
    // Is a publication dated p_published still in public view today? The rule set in force on its date decides.
    this.addSql(`create function hub_display_open(p_published date, p_action text, p_kinds text[]) returns boolean language sql stable as $$
      select coalesce((
        select r.period_unit is null or current_date < p_published + make_interval(
          years => case when r.period_unit = 'years' then r.period_count else 0 end,
          months => case when r.period_unit = 'months' then r.period_count else 0 end,
          days => case when r.period_unit = 'days' then r.period_count else 0 end)
        from display_period_rules r
        where r.effective_from = (select max(s.effective_from) from display_period_rules s where s.effective_from <= p_published)
          and (r.action_types is null or p_action = any(r.action_types))
          and (r.penalty_kinds_only is null or (cardinality(p_kinds) > 0 and p_kinds <@ r.penalty_kinds_only))
        order by r.position limit 1), true) $$;`);
    // security definer: reads the case and its publication whatever the caller may see, and answers only yes or no
    this.addSql(`create function hub_public_case(p_region text, p_agency text, p_case text) returns boolean
      language sql stable security definer set search_path = public, pg_temp as $$
      select exists (select 1 from cases c
        join publications p on p.region_code = c.region_code and p.agency_uscc = c.agency_uscc and p.case_id = c.case_id
        where c.region_code = p_region and c.agency_uscc = p_agency and c.case_id = p_case
          and c.disclosure = 'PUBLIC' and p.published_on <= current_date
          and (p.withdrawn_on is null or p.withdrawn_on > current_date)
          and hub_display_open(p.published_on, c.action_type, c.penalty_kinds)) $$;`);
    this.addSql(`create function hub_viewer_sees_source(p_region text, p_agency text) returns boolean language sql stable as $$
      select case hub_viewer_role()
        when 'ADMIN' then true
        when 'PROVINCE' then true
        when 'SUPERVISOR' then (p_region is not null and hub_viewer_sees(p_region, null))
          or exists (select 1 from agencies a where a.uscc = p_agency and hub_viewer_sees(a.region_code, a.uscc))
        when 'AGENCY' then p_agency = current_setting('hub.viewer_agency', true)
        else false end $$;`);
    this.addSql(`create function hub_quarantine_raw(p_id bigint) returns jsonb
      language sql stable security definer set search_path = public, pg_temp as $$
      select q.raw from quarantine q where q.id = p_id and hub_viewer_role() = 'ADMIN' $$;`);

    this.addSql(`grant usage on schema public to hub_api;`);
    this.addSql(`grant select on ${[...referenceTables, ...jurisdictionTables, 'etl_runs', 'frozen_rankings'].map((t) => `"${t}"`).join(', ')} to hub_api;`);
    this.addSql(`grant select ("id", "name", "transport", "covers_region_code", "covers_agency_uscc", "location", "schedule", "mapping", "watermark", "created_at", "updated_at") on "sources" to hub_api;`);
    this.addSql(`grant select ("id", "source", "run", "entity", "position", "position_detail", "natural_key", "reasons", "status", "quarantined_at", "released_at", "released_by_run") on "quarantine" to hub_api;`);
    this.addSql(`grant insert on "frozen_rankings", "api_audit_log" to hub_api;`);
    this.addSql(`grant select on "api_audit_log" to hub_api;`);
    this.addSql(`grant usage on sequence "frozen_rankings_id_seq", "api_audit_log_id_seq" to hub_api;`);

    for (const table of jurisdictionTables) {
      this.addSql(`alter table "${table}" enable row level security;`);
      this.addSql(`create policy "${table}_jurisdiction" on "${table}" for select to hub_api using (hub_viewer_sees(region_code, agency_uscc));`);
    }
    for (const table of caseTables) {
      this.addSql(`create policy "${table}_public" on "${table}" for select to hub_api
        using (hub_viewer_role() = 'PUBLIC' and hub_public_case(region_code, agency_uscc, case_id));`);
    }
    this.addSql(`create policy "personnel_public" on "personnel" for select to hub_api using (hub_viewer_role() = 'PUBLIC');`);
    this.addSql(`alter table "sources" enable row level security;`);
    this.addSql(`create policy "sources_viewer" on "sources" for select to hub_api using (hub_viewer_sees_source(covers_region_code, covers_agency_uscc));`);
    this.addSql(`alter table "etl_runs" enable row level security;`);
    this.addSql(`create policy "etl_runs_viewer" on "etl_runs" for select to hub_api using (exists (select 1 from sources s where s.id = etl_runs.source));`);
    this.addSql(`alter table "quarantine" enable row level security;`);
    this.addSql(`create policy "quarantine_viewer" on "quarantine" for select to hub_api using (exists (select 1 from sources s where s.id = quarantine.source));`);
    // a frozen ranking belongs to its parent region (the key's second part: 'regions:350500:COUNTY:…')
    this.addSql(`alter table "frozen_rankings" enable row level security;`);
    this.addSql(`create policy "frozen_rankings_viewer" on "frozen_rankings" for select to hub_api
      using (hub_viewer_role() in ('SUPERVISOR', 'PROVINCE', 'ADMIN') and hub_viewer_sees(split_part(ranking_key, ':', 2), null));`);
    this.addSql(`create policy "frozen_rankings_freeze" on "frozen_rankings" for insert to hub_api
      with check (hub_viewer_role() in ('SUPERVISOR', 'PROVINCE', 'ADMIN') and hub_viewer_sees(split_part(ranking_key, ':', 2), null));`);
    this.addSql(`alter table "api_audit_log" enable row level security;`);
    this.addSql(`create policy "api_audit_log_write" on "api_audit_log" for insert to hub_api with check (true);`);
    this.addSql(`create policy "api_audit_log_read" on "api_audit_log" for select to hub_api using (hub_viewer_role() = 'ADMIN');`);
  }

  override async down(): Promise<void> {
    for (const table of [...jurisdictionTables, 'sources', 'etl_runs', 'quarantine', 'frozen_rankings']) {
      this.addSql(`alter table "${table}" disable row level security;`);
      this.addSql(`drop policy if exists "${table}_jurisdiction" on "${table}";`);
      this.addSql(`drop policy if exists "${table}_public" on "${table}";`);
    }
    this.addSql(`drop policy if exists "personnel_public" on "personnel";`);
    this.addSql(`drop policy if exists "sources_viewer" on "sources";`);
    this.addSql(`drop policy if exists "etl_runs_viewer" on "etl_runs";`);
    this.addSql(`drop policy if exists "quarantine_viewer" on "quarantine";`);
    this.addSql(`drop policy if exists "frozen_rankings_viewer" on "frozen_rankings";`);
    this.addSql(`drop policy if exists "frozen_rankings_freeze" on "frozen_rankings";`);
    this.addSql(`drop table if exists "api_audit_log" cascade;`);
    this.addSql(`drop table if exists "api_signing_keys" cascade;`);
    this.addSql(`drop function if exists hub_quarantine_raw(bigint), hub_viewer_sees_source(text, text), hub_public_case(text, text, text),
      hub_display_open(date, text, text[]), hub_viewer_sees(text, text), hub_viewer_role();`);
    this.addSql(`drop table if exists "display_period_rules" cascade;`);
    this.addSql(`revoke all on all tables in schema public from hub_api;`);
  }
}
