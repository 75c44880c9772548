import { Embedded, PrimaryKey } from '@mikro-orm/core';
import { Lineage } from './lineage';

/**
 * What every fact row shares: the region code of the agency it belongs to, leading its primary key, and
 * its lineage. The region code is the distribution column of a distributed PostgreSQL (Citus needs it in
 * every primary and unique key), and the agency's USCC follows because natural keys (caseId, recordId, …)
 * are unique only within an agency.
 */
export abstract class FactRow {
  @PrimaryKey({ type: 'string', length: 12 })
  regionCode!: string;

  @PrimaryKey({ type: 'string', length: 18 })
  agencyUscc!: string;

  @Embedded(() => Lineage, { prefix: 'lineage_' })
  lineage!: Lineage;
}
