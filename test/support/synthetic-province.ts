import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Pool } from 'pg';
import { generateProvince } from '../../etl/generator/generate-province';
import { runSource } from '../../etl/pipeline/run-source';
import { loadSimulatorData, startAgencyApiSimulator } from '../../etl/simulator/agency-api-simulator';
import { loadSourcesFile } from '../../etl/sources/sources-file';

/**
 * A synthetic province generated into a temp folder and pulled through the real ETL (the simulated platform
 * API and the county folders) into the given database. Returns the folder (answer key under answer-key/).
 */
export async function loadSyntheticProvince(pool: Pool, options: { seed: number; scale: number; prefix: string }): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), options.prefix));
  await generateProvince({ seed: options.seed, scale: options.scale, out: dir });
  const token = crypto.randomBytes(12).toString('hex');
  const simulator = await startAgencyApiSimulator({ data: await loadSimulatorData(path.join(dir, 'api')), token });
  try {
    const env = { ...process.env, HUB_DEMO_API_URL: simulator.url, HUB_DEMO_API_TOKEN: token };
    for (const source of loadSourcesFile(path.join(dir, 'sources.yaml'), env)) {
      const summary = await runSource(pool, source, { trigger: 'test', env });
      if (summary.error) throw new Error(`loading ${source.id}: ${summary.error}`);
    }
  } finally {
    await simulator.close();
  }
  return dir;
}
