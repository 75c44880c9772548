import { Migration } from '@mikro-orm/migrations';

/**
 * What makes a case's window, by table: the case's disclosure, action type and penalty kinds, its publication's
 * dates. A statement that writes neither these nor a key leaves the windows alone.
 */
const windowColumns: Record<string, string[]> = {
  cases: ['disclosure', 'action_type', 'penalty_kinds'],
  publications: ['published_on', 'withdrawn_on'],
};

/**
 * The public's view of a case, decided once when the case or its publication is written instead of on every row
 * read. Before, each row the public read called hub_public_case(), a function that looked up the case, its
 * publication and the display-period rules (DOMAIN.md §6): some 100 µs a row, so a county's year of public
 * figures took 40 s at 1.2M cases, past the API's time limit. Now `public_case_windows` holds, per publicly
 * disclosed and published case, the days it is shown: from its publication date until the earlier of its
 * withdrawal and the end of its display period (公示期限, `display_period_rules`); the policies' function
 * hub_public_case compares that with current_date (still "today", as before), one index probe by the case's key.
 *
 * The windows follow their sources in the same statement: triggers on `cases` and `publications` recompute the
 * windows of the cases a statement moved (one set-based statement per statement, not per row; an update that
 * changes nothing a window depends on, such as a case's later dates, costs only the comparison), and a change of
 * the display rules recomputes them all (`hub_public_windows_rebuild`; display-period-rules.ts writes the rules
 * and rebuilds once). The rule itself is written once, as `hub_display_end`; hub_display_open keeps its meaning.
 */
export class Migration20261203000000PublicCaseWindows extends Migration {
  override async up(): Promise<void> {
    // the first day a publication is no longer shown because its display period is over (null: shown without
    // end), by the rule set in force on its publication date. A table function, so that PostgreSQL inlines it into the statements below.
    this.addSql(`create function hub_display_end(p_published date, p_action text, p_kinds text[]) returns table (shown_until date)
      language sql stable as $$
      select case when r.period_unit is null then null else (p_published + make_interval(
          years => case when r.period_unit = 'years' then r.period_count else 0 end,
          months => case when r.period_unit = 'months' then r.period_count else 0 end,
          days => case when r.period_unit = 'days' then r.period_count else 0 end))::date end
      from display_period_rules r
      where r.effective_from = (select max(s.effective_from) from display_period_rules s where s.effective_from <= p_published)
        and (r.action_types is null or p_action = any(r.action_types))
        and (r.penalty_kinds_only is null or (cardinality(p_kinds) > 0 and p_kinds <@ r.penalty_kinds_only))
      order by r.position limit 1 $$;`);
    this.addSql(`create or replace function hub_display_open(p_published date, p_action text, p_kinds text[]) returns boolean language sql stable as $$
      select coalesce(current_date < (select e.shown_until from hub_display_end(p_published, p_action, p_kinds) e), true) $$;`);

    this.addSql(`create table "public_case_windows" ("region_code" varchar(12) not null, "agency_uscc" varchar(18) not null,
      "case_id" varchar(100) not null, "shown_from" date not null, "shown_until" date null,
      constraint "public_case_windows_pkey" primary key ("region_code", "agency_uscc", "case_id"));`);
    // the API reads it only inside the public's policies
    this.addSql(`grant select on "public_case_windows" to hub_api;`);
    this.addSql(`alter table "public_case_windows" enable row level security;`);
    this.addSql(`create policy "public_case_windows_public" on "public_case_windows" for select to hub_api using (hub_viewer_role() = 'PUBLIC');`);
    // written only with cases and publications, which give the data version's notice (DataVersion migration)
    this.addSql(`create trigger hub_data_changed after insert or update or delete or truncate on "public_case_windows" for each statement execute function hub_data_changed();`);

    // the windows of the cases whose keys `keys` (a query) yields: removed, then computed again from what is there now
    const windowsOf = (keys: string) => `
        delete from public_case_windows w using (${keys}) k
          where w.region_code = k.region_code and w.agency_uscc = k.agency_uscc and w.case_id = k.case_id;
        insert into public_case_windows (region_code, agency_uscc, case_id, shown_from, shown_until)
        select c.region_code, c.agency_uscc, c.case_id, p.published_on, least(p.withdrawn_on, e.shown_until)
        from (select distinct region_code, agency_uscc, case_id from (${keys}) k0) k
        join cases c on c.region_code = k.region_code and c.agency_uscc = k.agency_uscc and c.case_id = k.case_id
        join publications p on p.region_code = k.region_code and p.agency_uscc = k.agency_uscc and p.case_id = k.case_id
        left join lateral hub_display_end(p.published_on, c.action_type, c.penalty_kinds) e on true
        where c.disclosure = 'PUBLIC';`;
    // the keys an UPDATE moved a window of: rows whose window columns changed, or whose key did (old and new key)
    const movedKeys = (table: string) => {
      const compared = (alias: string) => `(${windowColumns[table]!.map((column) => `${alias}.${column}`).join(', ')})`;
      return `select n.region_code, n.agency_uscc, n.case_id from changed n
          left join gone o on o.region_code = n.region_code and o.agency_uscc = n.agency_uscc and o.case_id = n.case_id
          where o.case_id is null or ${compared('n')} is distinct from ${compared('o')}
        union all
        select o.region_code, o.agency_uscc, o.case_id from gone o
          where not exists (select 1 from changed n where n.region_code = o.region_code and n.agency_uscc = o.agency_uscc and n.case_id = o.case_id)`;
    };
    // One function for both tables; plpgsql plans a statement when it first runs it, so each table's branch
    // names only its own columns. No trigger on inserting or deleting a case: the publication's foreign key means
    // a case is inserted before its publication and deleted after it, whose triggers do the work.
    this.addSql(`create function hub_public_windows_follow() returns trigger language plpgsql security definer
      set search_path = public, pg_temp as $$
      begin
        if tg_op = 'INSERT' then
          ${windowsOf('select region_code, agency_uscc, case_id from changed')}
        elsif tg_op = 'DELETE' then
          ${windowsOf('select region_code, agency_uscc, case_id from gone')}
        elsif tg_table_name = 'cases' then
          ${windowsOf(movedKeys('cases'))}
        else
          ${windowsOf(movedKeys('publications'))}
        end if;
        return null;
      end $$;`);
    this.addSql(`create function hub_public_windows_rebuild() returns void language sql security definer
      set search_path = public, pg_temp as $$
      -- DELETE, not TRUNCATE: a reader whose snapshot is older still sees the old windows (TRUNCATE is not MVCC
      -- safe), and a TRUNCATE of the rules within a restore's TRUNCATE of this table cannot truncate it again
      delete from public_case_windows;
      insert into public_case_windows (region_code, agency_uscc, case_id, shown_from, shown_until)
      select c.region_code, c.agency_uscc, c.case_id, p.published_on, least(p.withdrawn_on, e.shown_until)
      from cases c
      join publications p on p.region_code = c.region_code and p.agency_uscc = c.agency_uscc and p.case_id = c.case_id
      left join lateral hub_display_end(p.published_on, c.action_type, c.penalty_kinds) e on true
      where c.disclosure = 'PUBLIC' $$;`);
    // the rules are written whole by display-period-rules.ts, which rebuilds once itself (hub.display_rules_writing);
    // any other write to them rebuilds after each statement
    this.addSql(`create function hub_public_windows_rules_changed() returns trigger language plpgsql security definer
      set search_path = public, pg_temp as $$
      begin
        if coalesce(current_setting('hub.display_rules_writing', true), '') <> 'on' then
          perform hub_public_windows_rebuild();
        end if;
        return null;
      end $$;`);

    // a trigger with transition tables has one event. None on TRUNCATE: the windows of cases no longer there are
    // never read (no row asks for them), a case loaded again gets its window anew, and a restore, the one writer
    // that truncates, truncates this table with the others.
    this.addSql(`create trigger "cases_public_windows_update" after update on "cases" referencing old table as gone new table as changed for each statement execute function hub_public_windows_follow();`);
    this.addSql(`create trigger "publications_public_windows_insert" after insert on "publications" referencing new table as changed for each statement execute function hub_public_windows_follow();`);
    this.addSql(`create trigger "publications_public_windows_update" after update on "publications" referencing old table as gone new table as changed for each statement execute function hub_public_windows_follow();`);
    this.addSql(`create trigger "publications_public_windows_delete" after delete on "publications" referencing old table as gone for each statement execute function hub_public_windows_follow();`);
    this.addSql(`create trigger "display_period_rules_public_windows" after insert or update or delete or truncate on "display_period_rules" for each statement execute function hub_public_windows_rules_changed();`);

    // the policies keep calling hub_public_case (Citus refuses subqueries in policies: schema/distribution.yaml),
    // which now probes one window by its key. An invoker's function without SET clauses: the API's role reads the
    // windows itself (granted above, as the public only), without the per-call switch of user and settings that
    // SECURITY DEFINER … SET costs on every row.
    this.addSql(`create or replace function hub_public_case(p_region text, p_agency text, p_case text) returns boolean
      language sql stable as $$
      select exists (select 1 from public.public_case_windows w
        where w.region_code = p_region and w.agency_uscc = p_agency and w.case_id = p_case
          and w.shown_from <= current_date and (w.shown_until is null or current_date < w.shown_until)) $$;`);
    this.addSql(`select hub_public_windows_rebuild();`);
  }

  override async down(): Promise<void> {
    this.addSql(`create or replace function hub_public_case(p_region text, p_agency text, p_case text) returns boolean
      language sql stable security definer set search_path = public, pg_temp as $$
      select exists (select 1 from cases c
        join publications p on p.region_code = c.region_code and p.agency_uscc = c.agency_uscc and p.case_id = c.case_id
        where c.region_code = p_region and c.agency_uscc = p_agency and c.case_id = p_case
          and c.disclosure = 'PUBLIC' and p.published_on <= current_date
          and (p.withdrawn_on is null or p.withdrawn_on > current_date)
          and hub_display_open(p.published_on, c.action_type, c.penalty_kinds)) $$;`);
    this.addSql(`drop trigger if exists "display_period_rules_public_windows" on "display_period_rules";`);
    this.addSql(`drop trigger if exists "cases_public_windows_update" on "cases";`);
    for (const event of ['insert', 'update', 'delete']) this.addSql(`drop trigger if exists "publications_public_windows_${event}" on "publications";`);
    this.addSql(`drop function if exists hub_public_windows_rules_changed(), hub_public_windows_rebuild(), hub_public_windows_follow();`);
    this.addSql(`drop table if exists "public_case_windows";`);
    this.addSql(`create or replace function hub_display_open(p_published date, p_action text, p_kinds text[]) returns boolean language sql stable as $$
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
    this.addSql(`drop function if exists hub_display_end(date, text, text[]);`);
  }
}
