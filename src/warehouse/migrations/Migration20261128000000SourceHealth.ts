import { Migration } from '@mikro-orm/migrations';

/**
 * Source health on the data-quality dashboard: the API's role reads a source's definition as the sources file
 * last gave it, for the operator's rules about the source (`lateAfterHours`: when a scheduled source counts as
 * late). The definition holds no credential — a token is only named by its variable (etl/sources/sources-file.ts
 * refuses one written in the file) — and its rows stay behind the sources policy of the ApiAccess migration.
 */
export class Migration20261128000000SourceHealth extends Migration {
  override async up(): Promise<void> {
    this.addSql(`grant select ("definition") on "sources" to hub_api;`);
  }

  override async down(): Promise<void> {
    this.addSql(`revoke select ("definition") on "sources" from hub_api;`);
  }
}
