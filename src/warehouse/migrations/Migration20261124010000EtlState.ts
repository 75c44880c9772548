import { Migration } from '@mikro-orm/migrations';

/**
 * What the ETL keeps between batches and runs: rows held for a parent that has not arrived, a pull's
 * checkpoint on its source, one open quarantine entry per source position, and a run's problems that are no
 * single row's (a file whose entity cannot be told).
 */
export class Migration20261124010000EtlState extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "held_rows" (
      "id" bigserial primary key,
      "source" varchar(100) not null,
      "run" bigint null,
      "entity" varchar(30) not null,
      "natural_key" text not null,
      "parent_kind" varchar(10) not null,
      "parent_key" text not null,
      "record" jsonb not null,
      "raw" jsonb not null,
      "position" text not null,
      "position_detail" jsonb not null default '{}',
      "reasons" jsonb not null,
      "status" text check ("status" in ('HELD', 'RELEASED')) not null default 'HELD',
      "held_at" timestamptz not null default now(),
      "released_at" timestamptz null,
      "released_by_run" bigint null);`);
    this.addSql(`create index "held_rows_status_entity_parent_key_index" on "held_rows" ("status", "entity", "parent_key");`);
    this.addSql(`create unique index "held_rows_open_key_unique" on "held_rows" ("source", "entity", "natural_key") where "status" = 'HELD';`);
    this.addSql(`alter table "held_rows" add constraint "held_rows_source_fk" foreign key ("source") references "sources" ("id");`);
    this.addSql(`alter table "sources" add column "checkpoint" jsonb null;`);
    this.addSql(`alter table "etl_runs" add column "problems" jsonb not null default '[]';`);
    this.addSql(`create unique index "quarantine_open_position_unique" on "quarantine" ("source", "entity", "position") where "status" = 'QUARANTINED';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "quarantine_open_position_unique";`);
    this.addSql(`alter table "etl_runs" drop column "problems";`);
    this.addSql(`alter table "sources" drop column "checkpoint";`);
    this.addSql(`drop table "held_rows";`);
  }
}
