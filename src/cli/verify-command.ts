import type { Command } from 'commander';
import { writeCheckpoint } from '../ledger/checkpoints';
import { ledgerSigningKey } from '../ledger/signing-key';
import { recordVerification, verifyLedger } from '../ledger/verify-ledger';
import { withHubSession } from './hub-session';

export function registerVerifyCommands(program: Command): void {
  program
    .command('verify')
    .description('recompute every agency\'s ledger chain (or one agency\'s), check the signed checkpoints and compare the ' +
      'stored rows with their recorded versions; names the first broken entry of each agency; exit code 1 when any is broken')
    .option('--agency <uscc>', 'only this agency\'s chain')
    .option('--json', 'the report as JSON')
    .action(async (options: { agency?: string; json?: boolean }) => {
      await withHubSession(async (session) => {
        const key = ledgerSigningKey({ dataDir: session.config.dataDir, create: false });
        const report = await verifyLedger(session.pool(), { ...(options.agency && { agencyUscc: options.agency }), trustedPublicKey: key?.publicKeyPem ?? null });
        await recordVerification(session.pool(), report);
        const broken = report.agencies.filter((agency) => !agency.ok);
        if (options.json) console.log(JSON.stringify(report, null, 2));
        else {
          const names = new Map((await session.pool().query<{ uscc: string; name: string }>('select uscc, name from agencies')).rows.map((r) => [r.uscc, r.name]));
          for (const agency of broken) {
            const p = agency.problem!;
            console.log(`BROKEN ${agency.agencyUscc} ${names.get(agency.agencyUscc) ?? ''}: entry ${p.seq ?? '—'} (${p.entity} ${p.naturalKey}) ${p.kind}: ${p.message}` +
              (agency.problems > 1 ? ` (and ${agency.problems - 1} more)` : ''));
          }
          for (const problem of report.checkpointProblems) console.log(`CHECKPOINT ${problem}`);
          if (!key) console.log('note: no ledger signing key here (HUB_LEDGER_SIGNING_KEY or the data folder): checkpoint signatures were checked against their own keys only');
          console.log(`${report.agencies.length} agencies, ${report.entries} entries, ${report.checkpoints} checkpoints: ` +
            (broken.length || report.checkpointProblems.length ? `${broken.length} agencies broken` : 'every chain intact'));
        }
        if (broken.length || report.checkpointProblems.length) process.exitCode = 1;
      });
    });

  program
    .command('checkpoint')
    .description('sign every ledger chain\'s head now (Ed25519, key from HUB_LEDGER_SIGNING_KEY or the data folder); the hub also does this after loads')
    .action(async () => {
      await withHubSession(async (session) => {
        const key = ledgerSigningKey({ dataDir: session.config.dataDir })!;
        const checkpoint = await writeCheckpoint(session.pool(), key);
        console.log(checkpoint ? `checkpoint ${checkpoint.id}: ${checkpoint.agencies} chains signed with ${key.origin}` : 'the ledger is empty: nothing to sign');
      });
    });
}
