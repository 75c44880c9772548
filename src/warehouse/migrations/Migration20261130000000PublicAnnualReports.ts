import { Migration } from '@mikro-orm/migrations';

/**
 * The public reads published annual statistics reports (DOMAIN.md §4.7: the report is published by 31 January):
 * without them, every agency looked overdue to the public, whose indicators come from the facts it can see. A
 * report not yet published stays hidden, and the public then counts it as not published — which it is not.
 */
export class Migration20261130000000PublicAnnualReports extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create policy "annual_reports_public" on "annual_reports" for select to hub_api
      using (hub_viewer_role() = 'PUBLIC' and published_on <= current_date);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop policy if exists "annual_reports_public" on "annual_reports";`);
  }
}
