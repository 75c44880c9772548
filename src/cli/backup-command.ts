import path from 'node:path';
import type { Command } from 'commander';
import { backupWarehouse, restoreWarehouse } from '../backup/warehouse-backup';
import { migrateWarehouse, schemaVersion } from '../warehouse/migrate';
import { withHubSession } from './hub-session';

export function registerBackupCommands(program: Command): void {
  program
    .command('backup')
    .description('write the whole warehouse (facts, ledger, checkpoints, reference data, ETL state) to one file, consistent while the hub runs')
    .option('--out <file>', 'the backup file', `hub-backup-${new Date().toISOString().slice(0, 10)}.gz`)
    .action(async (options: { out: string }) => {
      await withHubSession(async (session) => {
        const report = await backupWarehouse(session.pool(), path.resolve(options.out), await schemaVersion(session.orm));
        const total = Object.values(report.rows).reduce((a, b) => a + b, 0);
        console.log(`backup ${report.file}: ${Object.keys(report.rows).length} tables, ${total} rows, ${report.bytes} bytes, schema ${report.schemaVersion}`);
      });
    });

  program
    .command('restore <file>')
    .description('restore a backup into this database (migrated first; refused when it already holds facts, unless --replace); then run hub verify')
    .option('--replace', 'overwrite a database that already holds facts')
    .action(async (file: string, options: { replace?: boolean }) => {
      await withHubSession(async (session) => {
        await migrateWarehouse(session.orm);
        const { rows } = await restoreWarehouse(session.pool(), path.resolve(file), {
          schemaVersion: await schemaVersion(session.orm), ...(options.replace && { replace: true }),
        });
        const total = Object.values(rows).reduce((a, b) => a + b, 0);
        console.log(`restored ${file}: ${Object.keys(rows).length} tables, ${total} rows; check it with: hub verify`);
      });
    });
}
