import type { Command } from 'commander';
import { openApiTokens } from '../access/api-tokens';
import { migrateWarehouse } from '../warehouse/migrate';
import { withHubSession } from './hub-session';

export function registerTokenCommand(program: Command): void {
  program
    .command('token')
    .description('print an API token (its last line) that the running hub accepts: ' +
      'hub token --role SUPERVISOR --region 350500, hub token --role AGENCY --agency <USCC>, hub token --role PROVINCE')
    .requiredOption('--role <role>', 'AGENCY, SUPERVISOR, PROVINCE or ADMIN')
    .option('--region <code>', 'the supervising bureau\'s region code (SUPERVISOR)')
    .option('--agency <uscc>', 'the agency\'s unified social credit code (AGENCY)')
    .option('--subject <name>', 'who the token is for (audit log, who froze a ranking)')
    .option('--expires <span>', 'lifetime: 8h, 30d, …', '30d')
    .action(async (options: { role: string; region?: string; agency?: string; subject?: string; expires: string }) => {
      await withHubSession(async (session) => {
        // the signing key lives in the warehouse (embedded default): a first `hub token` on a fresh folder needs its table
        await migrateWarehouse(session.orm);
        const tokens = await openApiTokens(session.pool(), session.config.api);
        const token = await tokens.sign({
          role: options.role.toUpperCase(),
          ...(options.region && { region: options.region }),
          ...(options.agency && { agency: options.agency }),
          ...(options.subject && { sub: options.subject }),
        }, options.expires);
        console.log(`# ${options.role.toUpperCase()}${options.region ? ` ${options.region}` : ''}${options.agency ? ` ${options.agency}` : ''}, valid ${options.expires}; send as "Authorization: Bearer <token>"`);
        console.log(token);
      });
    });
}
