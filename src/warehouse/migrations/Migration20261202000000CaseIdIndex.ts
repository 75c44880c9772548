import { Migration } from '@mikro-orm/migrations';

/**
 * Cases by case id alone. A publication, review, appeal, recording or evaluation names its case by case id only,
 * and the ETL finds it among the cases of the source's agencies (etl/pipeline/merge-sql.ts, resolveParent). No index
 * started with case_id, so every batch of such rows read and hashed the whole cases table (0.7 s a batch at 1M
 * cases, growing with the warehouse); with this one each row is an index probe.
 */
export class Migration20261202000000CaseIdIndex extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "cases_case_id_index" on "cases" ("case_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "cases_case_id_index";`);
  }
}
