import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { generateProvince } from '../../etl/generator/generate-province';
import { loadSimulatorData, startAgencyApiSimulator } from '../../etl/simulator/agency-api-simulator';
import type { SourceDefinition } from '../../etl/sources/source-definition';
import { loadSourcesFile } from '../../etl/sources/sources-file';
import type { HubConfig } from '../config';

/**
 * The demo `npm start` brings up on a machine with no sources of its own: a synthetic province (generated
 * once into <data>/demo, marked synthetic everywhere), its prefecture platform played by the agency-API
 * simulator, and its sources file, which the ETL then pulls like any deployment's.
 */
export const demoSeed = 20261124;

export interface Demo {
  folder: string;
  sources: SourceDefinition[];
  /** true when this start generated it (so it has never been loaded) */
  generated: boolean;
  stop(): Promise<void>;
}

export async function startDemo(config: HubConfig, log: (line: string) => void): Promise<Demo> {
  const folder = path.join(config.dataDir, 'demo');
  let generated = false;
  if (!fs.existsSync(path.join(folder, 'manifest.json'))) {
    log(`generating the synthetic demo province (${config.demoScale} cases) in ${folder} …`);
    fs.rmSync(folder, { recursive: true, force: true });
    await generateProvince({ seed: demoSeed, scale: config.demoScale, out: folder });
    generated = true;
  }
  // the simulator lives as long as the hub; its token is made anew each start and given to the ETL
  // through the environment, as a deployment's would be
  const token = crypto.randomBytes(18).toString('base64url');
  const simulator = await startAgencyApiSimulator({ data: await loadSimulatorData(path.join(folder, 'api')), token });
  process.env.HUB_DEMO_API_URL = simulator.url;
  process.env.HUB_DEMO_API_TOKEN = token;
  log(`demo agency platform (synthetic data) at ${simulator.url}`);
  return {
    folder, generated,
    sources: loadSourcesFile(path.join(folder, 'sources.yaml')),
    stop: () => simulator.close(),
  };
}
