import { Command } from 'commander';
import { registerBackupCommands } from './backup-command';
import { registerEtlCommand } from './etl-command';
import { registerGenerateCommand } from './generate-command';
import { registerMigrateCommand } from './migrate-command';
import { registerQuarantineCommand } from './quarantine-command';
import { registerRankCommand } from './rank-command';
import { registerRefreshCommand } from './refresh-command';
import { registerSchemaCommand } from './schema-command';
import { registerStartCommand } from './start-command';
import { registerTokenCommand } from './token-command';
import { registerVerifyCommands } from './verify-command';

/** `hub`: the one command line of the hub; npm scripts call it. Each subcommand lives in its own file. */
export function buildProgram(): Command {
  const program = new Command('hub')
    .description('行政执法监督数据中台 — supervision data hub for administrative law enforcement')
    .showHelpAfterError();
  registerStartCommand(program);
  registerMigrateCommand(program);
  registerEtlCommand(program);
  registerQuarantineCommand(program);
  registerRefreshCommand(program);
  registerRankCommand(program);
  registerGenerateCommand(program);
  registerTokenCommand(program);
  registerSchemaCommand(program);
  registerVerifyCommands(program);
  registerBackupCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    process.stderr.write(`hub: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
