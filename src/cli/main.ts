import { Command } from 'commander';
type Register = (program: Command) => void;

/**
 * Each command's module, by the command names it registers, loaded only when needed: `hub generate` and
 * `hub etl run` run with a bounded heap and should not carry the API's, the dashboards' and every other
 * command's modules (about 46 MB). Help and an unknown command load them all.
 */
const commandModules: { names: string[]; load(): Promise<Register> }[] = [
  { names: ['start'], load: async () => (await import('./start-command.js')).registerStartCommand },
  { names: ['migrate'], load: async () => (await import('./migrate-command.js')).registerMigrateCommand },
  { names: ['etl'], load: async () => (await import('./etl-command.js')).registerEtlCommand },
  { names: ['quarantine'], load: async () => (await import('./quarantine-command.js')).registerQuarantineCommand },
  { names: ['refresh'], load: async () => (await import('./refresh-command.js')).registerRefreshCommand },
  { names: ['rank'], load: async () => (await import('./rank-command.js')).registerRankCommand },
  { names: ['generate'], load: async () => (await import('./generate-command.js')).registerGenerateCommand },
  { names: ['token'], load: async () => (await import('./token-command.js')).registerTokenCommand },
  { names: ['schema'], load: async () => (await import('./schema-command.js')).registerSchemaCommand },
  { names: ['verify', 'checkpoint'], load: async () => (await import('./verify-command.js')).registerVerifyCommands },
  { names: ['backup', 'restore'], load: async () => (await import('./backup-command.js')).registerBackupCommands },
];

/** `hub`: the one command line of the hub; npm scripts call it. Each subcommand lives in its own file. */
export async function buildProgram(commandName?: string): Promise<Command> {
  const program = new Command('hub')
    .description('行政执法监督数据中台 — supervision data hub for administrative law enforcement')
    .showHelpAfterError();
  const named = commandModules.filter((module) => commandName !== undefined && module.names.includes(commandName));
  for (const module of named.length > 0 ? named : commandModules) (await module.load())(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await (await buildProgram(argv[2])).parseAsync(argv);
  } catch (error) {
    process.stderr.write(`hub: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
