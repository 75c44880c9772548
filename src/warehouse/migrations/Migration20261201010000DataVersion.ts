import { Migration } from '@mikro-orm/migrations';

/**
 * Tables whose writes need no notice of their own: the API's audit log (written by every request, read by no
 * answer a cache keeps), the migrations' own table, and tables only ever written in the same transaction as a
 * fact table that gives notice (the ledger's entries, the changed days).
 */
export const tablesWithoutNotice = ['api_audit_log', 'schema_migrations', 'ledger_entries', 'changed_days'];

/**
 * The warehouse's data version, for the API's response cache (src/server/response-cache.ts): every statement
 * that writes a table the API reads takes the next value of `hub_data_version` and notifies
 * `hub_data_changed`. The sequence moves when the statement runs, so a request that reads it after a write has
 * committed never gets an answer computed before; the notice comes when the writer commits, so answers computed
 * meanwhile from the old snapshot are dropped then. Statement-level triggers: a bulk load costs one each, not one
 * a row. A table added later needs its trigger in its migration (a test lists any table without one).
 */
export class Migration20261201010000DataVersion extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create sequence "hub_data_version";`);
    this.addSql(`grant select on sequence "hub_data_version" to hub_api;`);
    // security definer: the API's own writes (frozen rankings) move the version without a grant on the sequence
    this.addSql(`create function hub_data_changed() returns trigger language plpgsql security definer
      set search_path = public, pg_temp as $$
      begin
        perform nextval('hub_data_version');
        perform pg_notify('hub_data_changed', tg_table_name);
        return null;
      end $$;`);
    this.addSql(`do $$ declare t record; begin
      for t in select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p')
          and c.relname <> all (array[${tablesWithoutNotice.map((name) => `'${name}'`).join(', ')}])
      loop
        execute format('create trigger hub_data_changed after insert or update or delete or truncate on %I for each statement execute function hub_data_changed()', t.relname);
      end loop;
    end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`do $$ declare t record; begin
      for t in select distinct event_object_table as name from information_schema.triggers where trigger_name = 'hub_data_changed'
      loop
        execute format('drop trigger hub_data_changed on %I', t.name);
      end loop;
    end $$;`);
    this.addSql(`drop function if exists hub_data_changed();`);
    this.addSql(`drop sequence if exists "hub_data_version";`);
  }
}
