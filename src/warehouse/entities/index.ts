import { Agency } from './agency';
import { AnnualReport } from './annual-report';
import { ApiAuditEntry } from './api-audit-entry';
import { ApiSigningKey } from './api-signing-key';
import { Appeal } from './appeal';
import { Case } from './case';
import { CertificateVersion } from './certificate-version';
import { DisplayPeriodRuleRow } from './display-period-rule';
import { EnforcementCertificate } from './enforcement-certificate';
import { EtlRun } from './etl-run';
import { FrozenRanking } from './frozen-ranking';
import { HeldRow } from './held-row';
import { AgencyMonthlyRollup, AgencySnapshotRollup, ChangedDay, IndicatorRollup, RegionMonthlyRollup, RollupState, SubtreeMonthlyRollup, SubtreeSnapshotRollup } from './indicator-rollup';
import { Evaluation } from './evaluation';
import { LedgerCheckpoint, LedgerEntry, LedgerVerification } from './ledger';
import { LegalReview } from './legal-review';
import { Lineage } from './lineage';
import { Personnel } from './personnel';
import { Publication } from './publication';
import { PublicCaseWindow } from './public-case-window';
import { QuarantinedRow } from './quarantined-row';
import { Recording } from './recording';
import { Region } from './region';
import { Source } from './source';
import { SupervisionLetter } from './supervision-letter';
import { CalendarRegionPrefix, CalendarVariant, WorkingDay } from './working-day';

export {
  Agency, AnnualReport, Appeal, Case, CertificateVersion, EnforcementCertificate, EtlRun, Evaluation, HeldRow, LegalReview,
  Lineage, Personnel, Publication, QuarantinedRow, Recording, Region, Source, SupervisionLetter,
  CalendarRegionPrefix, CalendarVariant, WorkingDay, IndicatorRollup, AgencyMonthlyRollup, RegionMonthlyRollup, SubtreeMonthlyRollup, SubtreeSnapshotRollup, AgencySnapshotRollup, ChangedDay, RollupState, FrozenRanking,
  DisplayPeriodRuleRow, PublicCaseWindow, ApiSigningKey, ApiAuditEntry, LedgerEntry, LedgerCheckpoint, LedgerVerification,
};

/** Every entity of the warehouse, for the ORM's discovery. */
export const warehouseEntities = [
  Lineage, EnforcementCertificate, Region, Agency, Personnel, CertificateVersion, Case, Publication, LegalReview,
  Appeal, Recording, Evaluation, AnnualReport, SupervisionLetter, Source, EtlRun, QuarantinedRow,
  HeldRow, CalendarVariant, CalendarRegionPrefix, WorkingDay, IndicatorRollup, AgencyMonthlyRollup, RegionMonthlyRollup, SubtreeMonthlyRollup, SubtreeSnapshotRollup, AgencySnapshotRollup, ChangedDay, RollupState, FrozenRanking,
  DisplayPeriodRuleRow, PublicCaseWindow, ApiSigningKey, ApiAuditEntry, LedgerEntry, LedgerCheckpoint, LedgerVerification,
];
