import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Pool } from 'pg';
import { generateProvince } from '../../etl/generator/generate-province';
import { runSource } from '../../etl/pipeline/run-source';
import { loadSimulatorData, startAgencyApiSimulator } from '../../etl/simulator/agency-api-simulator';
import { loadSourcesFile } from '../../etl/sources/sources-file';
import type { IndicatorName } from '../../src/domain/profile/policy-profile';

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

type Figures = Record<IndicatorName, [number, number]>;

/** answer-key/indicators.json as the generator writes it: [numerator, denominator] per indicator. */
export interface AnswerKeyFile {
  asOf: string;
  profile: string;
  periods: { id: string; from: string; to: string; kind: 'quarter' | 'year' }[];
  agencies: Record<string, { regionCode: string; domain: string; periods: Record<string, { indicators: Figures }> }>;
  regions: Record<string, { name: string; level: string; periods: Record<string, { indicators: Figures }> }>;
}

/** One line of answer-key/cases.jsonl: a decided case's checks as of the key's date. */
export interface AnswerKeyCase {
  agencyUscc: string;
  caseId: string;
  decidedOn: string;
  major: boolean;
  publication: {
    status: string; deadline: string; deadlineProvisional: boolean; publishedOn: string | null;
    withdrawalStatus: string | null; withdrawalDue: boolean | null;
  };
  review: { required: boolean; compliant: boolean | null; violations: string[] };
  certifiedHandling: boolean;
}

export function readAnswerKey(dir: string): { key: AnswerKeyFile; cases: AnswerKeyCase[] } {
  const key = JSON.parse(fs.readFileSync(path.join(dir, 'answer-key', 'indicators.json'), 'utf8')) as AnswerKeyFile;
  const cases = fs.readFileSync(path.join(dir, 'answer-key', 'cases.jsonl'), 'utf8').split('\n').filter(Boolean)
    .map((line) => JSON.parse(line) as AnswerKeyCase);
  return { key, cases };
}
