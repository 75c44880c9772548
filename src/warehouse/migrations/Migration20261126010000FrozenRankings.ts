import { Migration } from '@mikro-orm/migrations';

/** Frozen rankings: published rankings stored with their inputs, versioned, read back byte for byte. */
export class Migration20261126010000FrozenRankings extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "frozen_rankings" ("id" bigserial primary key, "ranking_key" text not null, "version" int not null, "title" text not null, "as_of" date not null, "profile_name" varchar(100) not null, "profile_fingerprint" varchar(64) not null, "profile" text not null, "request" text not null, "inputs" text not null, "result" text not null, "result_sha256" varchar(64) not null, "frozen_at" timestamptz not null default now(), "frozen_by" varchar(200) not null);`);
    this.addSql(`alter table "frozen_rankings" add constraint "frozen_rankings_ranking_key_version_unique" unique ("ranking_key", "version");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "frozen_rankings" cascade;`);
  }
}
