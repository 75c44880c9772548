import type { Command } from 'commander';
import { migrateWarehouse } from '../warehouse/migrate';
import { log, withHubSession } from './hub-session';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply pending schema migrations and refresh reference data (the region tree)')
    .action(async () => {
      await withHubSession(async ({ orm, database }) => {
        log(`database: ${database.description}`);
        const report = await migrateWarehouse(orm);
        console.log(report.applied.length
          ? `applied ${report.applied.length} migration(s): ${report.applied.join(', ')}`
          : 'schema up to date');
        console.log(`schema version: ${report.schemaVersion}`);
        console.log(`regions: ${report.regions.total} (${report.regions.changed} added or changed)`);
        console.log(`working-day calendar: ${report.calendar.variants} variant(s), ${report.calendar.days} days to ${report.calendar.horizon} ` +
          `(${report.calendar.changed} added or changed)`);
      });
    });
}
