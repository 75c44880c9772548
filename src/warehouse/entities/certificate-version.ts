import { Embedded, Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { EnforcementCertificate } from './enforcement-certificate';
import { FactRow } from './fact-row';

/**
 * One state of an officer's enforcement certificate, in force from the `updatedAt` of the personnel record
 * that reported it until the next state. "Valid on the decision date" (DOMAIN.md §4.5) needs the state
 * then, not now: a certificate revoked in 2026 was valid for a 2025 decision.
 */
@Entity({ tableName: 'certificate_history' })
export class CertificateVersion extends FactRow {
  @PrimaryKey({ type: 'string', length: 64 })
  personId!: string;

  @PrimaryKey({ type: 'datetime', columnType: 'timestamptz' })
  validFrom!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  validTo?: Date | null;

  @Embedded(() => EnforcementCertificate, { prefix: 'certificate_' })
  certificate!: EnforcementCertificate;
}
