import path from 'node:path';
import type { SourceDefinition } from './source-definition';

/** A folder loaded by hand with no source named: one ad hoc source that may deliver for any agency. */
export function manualSourceFor(folder: string): SourceDefinition {
  const absolute = path.resolve(folder);
  return { id: 'manual-files', name: `手工导入 ${absolute}`, transport: 'FOLDER', location: absolute, covers: {} };
}
