import type { Command } from 'commander';
import { DEFAULT_AS_OF, DEFAULT_BAD_SHARE, generateProvince } from '../../etl/generator/generate-province';

function wholeNumber(name: string, text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new Error(`${name} ${JSON.stringify(text)} is not a whole number`);
  return Number(text);
}

function fraction(name: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new Error(`${name} ${JSON.stringify(text)} is not a number such as 0.02`);
  return value;
}

export function registerGenerateCommand(program: Command): void {
  program
    .command('generate')
    .description('write a deterministic synthetic province (合成演示数据): API items, feed files, sources.yaml and an answer key')
    .requiredOption('--seed <n>', 'random seed: the same seed and scale give the same bytes')
    .requiredOption('--scale <cases>', 'about this many cases')
    .requiredOption('--out <dir>', 'folder to write (empty, or an earlier synthetic province, which is replaced)')
    .option('--as-of <date>', 'the date the answer key is computed as of', DEFAULT_AS_OF)
    .option('--bad-share <fraction>', 'share of rows made deliberately bad', String(DEFAULT_BAD_SHARE))
    .action(async (options: { seed: string; scale: string; out: string; asOf: string; badShare: string }) => {
      const started = Date.now();
      let peakRss = 0;
      const summary = await generateProvince({
        seed: wholeNumber('--seed', options.seed),
        scale: wholeNumber('--scale', options.scale),
        out: options.out,
        asOf: options.asOf,
        badShare: fraction('--bad-share', options.badShare),
        onProgress: ({ rssBytes }) => {
          peakRss = Math.max(peakRss, rssBytes);
        },
      });
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(`合成演示数据 synthetic province written to ${summary.dir} in ${seconds} s (peak RSS ${Math.round(peakRss / 1e6)} MB)`);
      console.log(`seed ${summary.seed}, scale ${summary.scale}: ${summary.agencies} agencies, ${summary.cases} cases, ` +
        `window ${summary.window.from} – ${summary.window.to}, extracted ${summary.dataExtractedOn}, answer key as of ${summary.asOf}`);
      for (const [entity, rows] of Object.entries(summary.rowsByEntity)) console.log(`  ${entity.padEnd(14)} ${String(rows).padStart(10)} rows`);
      console.log(`bad rows ${summary.refusedRows}, held-then-released ${summary.heldRows}, duplicated ${summary.duplicateRows}`);
      console.log(`sources: ${summary.sources.map((s) => `${s.id} (${s.transport})`).join(', ')}`);
    });
}
