import { Migration } from '@mikro-orm/migrations';

/**
 * The facts ledger at the time of this migration, for the backfill below: each fact table the ETL loads and the
 * columns that name a row within its agency. The live list is the ETL's load specs (etl/pipeline/load-specs.ts);
 * a test checks that both name the same keys.
 */
export const ledgeredAtMigration: { table: string; keys: string[] }[] = [
  { table: 'personnel', keys: ['person_id'] },
  { table: 'cases', keys: ['case_id'] },
  { table: 'publications', keys: ['case_id'] },
  { table: 'legal_reviews', keys: ['case_id', 'round'] },
  { table: 'appeals', keys: ['case_id', 'kind'] },
  { table: 'recordings', keys: ['record_id'] },
  { table: 'evaluations', keys: ['case_id', 'kind', 'evaluated_on'] },
  { table: 'annual_reports', keys: ['year'] },
  { table: 'supervision_letters', keys: ['letter_no'] },
];

/**
 * Tamper-evidence (issue 8, seeds 002 and 004 防删改): the ledger of accepted fact row versions, one hash chain per
 * agency, signed checkpoints of the chains' heads, and the outcomes of verifications.
 *
 * - `ledger_row_hash(row)`: SHA-256 of a row's canonical form — its columns as JSON without the lineage columns
 *   and without nulls (a later nullable column does not change old rows' hashes), rendered in UTC.
 * - `ledger_append(…)`: the next entry of an agency's chain: entry_hash = SHA-256 of
 *   `prev_hash|seq|entity|natural_key|row_hash|source|position|run`; serialised per agency by an advisory lock.
 *   src/ledger/ledger-chain.ts computes the same formula to verify.
 * - Append-only: UPDATE, DELETE and TRUNCATE of entries and checkpoints are refused by triggers; the API's role
 *   reads its jurisdiction's entries and verifications and never writes.
 * - Rows already in the warehouse are appended now, so an existing warehouse starts with whole chains.
 */
export class Migration20261129000000Ledger extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "ledger_entries" ("region_code" varchar(12) not null, "agency_uscc" varchar(18) not null, "seq" bigint not null, "entity" varchar(40) not null, "natural_key" text not null, "row_hash" varchar(64) not null, "source" varchar(100) null, "position" text null, "run" bigint null, "recorded_at" timestamptz not null default now(), "prev_hash" varchar(64) not null, "entry_hash" varchar(64) not null, constraint "ledger_entries_pkey" primary key ("region_code", "agency_uscc", "seq"));`);
    this.addSql(`create index "ledger_entries_agency_uscc_entity_natural_key_index" on "ledger_entries" ("agency_uscc", "entity", "natural_key");`);
    this.addSql(`create table "ledger_checkpoints" ("id" bigserial primary key, "created_at" timestamptz not null default now(), "signed_text" text not null, "signature" text not null, "public_key" text not null);`);
    this.addSql(`create table "ledger_verifications" ("id" bigserial primary key, "region_code" varchar(12) not null, "agency_uscc" varchar(18) not null, "verified_at" timestamptz not null default now(), "ok" boolean not null, "entries" bigint not null, "broken_seq" bigint null, "problem" text null);`);
    this.addSql(`create index "ledger_verifications_agency_uscc_verified_at_index" on "ledger_verifications" ("agency_uscc", "verified_at");`);

    this.addSql(`create function ledger_row_hash(r anyelement) returns text language sql stable set timezone = 'UTC' as $$
      select encode(sha256(convert_to(jsonb_strip_nulls(to_jsonb(r)
        - array['lineage_source', 'lineage_position', 'lineage_run', 'lineage_loaded_at', 'lineage_content_hash'])::text, 'UTF8')), 'hex') $$;`);
    this.addSql(`create function ledger_append(p_region text, p_agency text, p_entity text, p_key text, p_row_hash text,
        p_source text, p_position text, p_run bigint) returns void language plpgsql as $$
      declare
        last_seq bigint;
        last_hash text;
      begin
        perform pg_advisory_xact_lock(hashtextextended('ledger:' || p_agency, 0));
        select seq, entry_hash into last_seq, last_hash from ledger_entries
          where region_code = p_region and agency_uscc = p_agency order by seq desc limit 1;
        if not found then
          last_seq := 0;
          last_hash := repeat('0', 64);
        end if;
        insert into ledger_entries (region_code, agency_uscc, seq, entity, natural_key, row_hash, source, position, run, prev_hash, entry_hash)
        values (p_region, p_agency, last_seq + 1, p_entity, p_key, p_row_hash, p_source, p_position, p_run, last_hash,
          encode(sha256(convert_to(last_hash || '|' || (last_seq + 1) || '|' || p_entity || '|' || p_key || '|' || p_row_hash || '|'
            || coalesce(p_source, '') || '|' || coalesce(p_position, '') || '|' || coalesce(p_run::text, ''), 'UTF8')), 'hex'));
      end $$;`);
    this.addSql(`create function ledger_refuse_change() returns trigger language plpgsql as $$
      begin
        raise exception '% is append-only: entries are never changed or removed (issue 8, 防删改)', tg_table_name
          using errcode = 'insufficient_privilege';
      end $$;`);
    for (const table of ['ledger_entries', 'ledger_checkpoints']) {
      this.addSql(`create trigger "${table}_append_only" before update or delete on "${table}" for each row execute function ledger_refuse_change();`);
      this.addSql(`create trigger "${table}_no_truncate" before truncate on "${table}" for each statement execute function ledger_refuse_change();`);
    }

    for (const table of ['ledger_entries', 'ledger_verifications']) {
      this.addSql(`alter table "${table}" enable row level security;`);
      this.addSql(`grant select on "${table}" to hub_api;`);
      // a version's source position is lineage: not for the public
      this.addSql(`create policy "${table}_jurisdiction" on "${table}" for select to hub_api
        using (hub_viewer_role() <> 'PUBLIC' and hub_viewer_sees(region_code, agency_uscc));`);
    }
    this.addSql(`grant select on "ledger_checkpoints" to hub_api;`);

    for (const { table, keys } of ledgeredAtMigration) {
      const key = keys.map((k) => `t.${k}::text`).join(` || '|' || `);
      this.addSql(`select ledger_append(t.region_code, t.agency_uscc, '${table}', ${key}, ledger_row_hash(t),
          t.lineage_source, t.lineage_position, t.lineage_run)
        from (select * from "${table}" order by region_code, agency_uscc, ${keys.join(', ')}) t;`);
    }
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "ledger_verifications";`);
    this.addSql(`drop table if exists "ledger_checkpoints";`);
    this.addSql(`drop table if exists "ledger_entries";`);
    this.addSql(`drop function if exists ledger_append(text, text, text, text, text, text, text, bigint);`);
    this.addSql(`drop function if exists ledger_row_hash(anyelement);`);
    this.addSql(`drop function if exists ledger_refuse_change();`);
  }
}
