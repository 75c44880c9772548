import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261124000000Warehouse } from './Migration20261124000000Warehouse';
import { Migration20261124010000EtlState } from './Migration20261124010000EtlState';
import { Migration20261125000000WorkingDays } from './Migration20261125000000WorkingDays';
import { Migration20261126000000Rollups } from './Migration20261126000000Rollups';
import { Migration20261126010000FrozenRankings } from './Migration20261126010000FrozenRankings';
import { Migration20261127000000ApiAccess } from './Migration20261127000000ApiAccess';
import { Migration20261128000000SourceHealth } from './Migration20261128000000SourceHealth';
import { Migration20261129000000Ledger } from './Migration20261129000000Ledger';
import { Migration20261130000000PublicAnnualReports } from './Migration20261130000000PublicAnnualReports';
import { Migration20261201000000MonthlyRollups } from './Migration20261201000000MonthlyRollups';
import { Migration20261201010000DataVersion } from './Migration20261201010000DataVersion';
import { Migration20261201020000SubtreeRollups } from './Migration20261201020000SubtreeRollups';
import { Migration20261202000000CaseIdIndex } from './Migration20261202000000CaseIdIndex';
import { Migration20261203000000PublicCaseWindows } from './Migration20261203000000PublicCaseWindows';

/** Every migration, oldest first. A new migration is a new file here and a new line below. */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261124000000Warehouse', class: Migration20261124000000Warehouse },
  { name: 'Migration20261124010000EtlState', class: Migration20261124010000EtlState },
  { name: 'Migration20261125000000WorkingDays', class: Migration20261125000000WorkingDays },
  { name: 'Migration20261126000000Rollups', class: Migration20261126000000Rollups },
  { name: 'Migration20261126010000FrozenRankings', class: Migration20261126010000FrozenRankings },
  { name: 'Migration20261127000000ApiAccess', class: Migration20261127000000ApiAccess },
  { name: 'Migration20261128000000SourceHealth', class: Migration20261128000000SourceHealth },
  { name: 'Migration20261129000000Ledger', class: Migration20261129000000Ledger },
  { name: 'Migration20261130000000PublicAnnualReports', class: Migration20261130000000PublicAnnualReports },
  { name: 'Migration20261201000000MonthlyRollups', class: Migration20261201000000MonthlyRollups },
  { name: 'Migration20261201010000DataVersion', class: Migration20261201010000DataVersion },
  { name: 'Migration20261201020000SubtreeRollups', class: Migration20261201020000SubtreeRollups },
  { name: 'Migration20261202000000CaseIdIndex', class: Migration20261202000000CaseIdIndex },
  { name: 'Migration20261203000000PublicCaseWindows', class: Migration20261203000000PublicCaseWindows },
];
