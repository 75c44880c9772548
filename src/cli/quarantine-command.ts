import type { Command } from 'commander';
import { withHubSession } from './hub-session';

interface QuarantineListRow {
  id: string; source: string; entity: string; position: string; status: string;
  quarantined_at: Date; reasons: { code: string; field?: string; message: string }[];
}

export function registerQuarantineCommand(program: Command): void {
  const quarantine = program.command('quarantine').description('rows refused by the ETL, kept whole with every reason');

  quarantine
    .command('list')
    .description('list quarantined rows, newest first')
    .option('--source <id>', 'only this source')
    .option('--entity <name>', 'only this entity (cases, publications, …)')
    .option('--all', 'include rows already released by a corrected reload')
    .option('--limit <n>', 'at most this many rows', '50')
    .action(async (options: { source?: string; entity?: string; all?: boolean; limit: string }) => {
      await withHubSession(async (session) => {
        const { rows } = await session.pool().query<QuarantineListRow>(
          `select id, source, entity, position, status, quarantined_at, reasons from quarantine
           where ($1::text is null or source = $1) and ($2::text is null or entity = $2)
             and ($3 or status = 'QUARANTINED')
           order by id desc limit $4`,
          [options.source ?? null, options.entity ?? null, Boolean(options.all), Number(options.limit) || 50]);
        const { rows: [total] } = await session.pool().query<{ n: number }>(
          `select count(*)::int as n from quarantine where ($1::text is null or source = $1)
             and ($2::text is null or entity = $2) and ($3 or status = 'QUARANTINED')`,
          [options.source ?? null, options.entity ?? null, Boolean(options.all)]);
        if (!rows.length) {
          console.log('隔离区为空 (no quarantined rows)');
          return;
        }
        for (const row of rows) {
          const reasons = row.reasons.map((reason) => `${reason.code}: ${reason.message}`).join('；');
          console.log(`#${row.id}  ${row.source}  ${row.entity}  ${row.position}${row.status === 'RELEASED' ? '  [已释放]' : ''}\n    ${reasons}`);
        }
        console.log(`\n${rows.length} of ${total!.n} shown; \`hub quarantine show <id>\` shows a row whole`);
      });
    });

  quarantine
    .command('show')
    .description('show one quarantined row: where it came from, its raw content and every reason')
    .argument('<id>', 'the row\'s number in `hub quarantine list`')
    .action(async (id: string) => {
      await withHubSession(async (session) => {
        if (!/^\d+$/.test(id)) throw new Error(`"${id}" is not a quarantine row number (see \`hub quarantine list\`)`);
        const { rows } = await session.pool().query(
          `select q.*, r.started_at as run_started_at from quarantine q left join etl_runs r on r.id = q.run where q.id = $1`, [id]);
        const row = rows[0];
        if (!row) throw new Error(`no quarantine row #${id}`);
        console.log(`#${row.id} ${row.status === 'RELEASED' ? `已释放 (released by run ${row.released_by_run} at ${row.released_at.toISOString()})` : '隔离中 (quarantined)'}`);
        console.log(`source:   ${row.source} (run ${row.run ?? '—'})`);
        console.log(`entity:   ${row.entity}`);
        console.log(`position: ${row.position}`);
        if (row.natural_key) console.log(`key:      ${row.natural_key}`);
        console.log('reasons:');
        for (const reason of row.reasons as QuarantineListRow['reasons']) {
          console.log(`  - [${reason.code}]${reason.field ? ` ${reason.field}:` : ''} ${reason.message}`);
        }
        console.log('raw:');
        for (const [key, value] of Object.entries(row.raw as Record<string, unknown>)) {
          console.log(`  ${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
        }
      });
    });
}
