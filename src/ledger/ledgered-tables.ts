import { loadSpecs } from '../../etl/pipeline/load-specs';

/** The fact tables whose row versions the ledger keeps: every table the ETL loads for an agency, with its key. */
export interface LedgeredTable { table: string; keys: string[] }

export function ledgeredTables(): LedgeredTable[] {
  return Object.values(loadSpecs)
    .filter((spec) => spec.parent !== 'none')
    .map((spec) => ({ table: spec.table, keys: spec.keys.map((k) => k.column) }));
}
