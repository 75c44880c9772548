import { Embeddable, Enum, Property } from '@mikro-orm/core';
import { CertificateStatuses, type CertificateStatus } from '../../domain/codes';

/** 执法证: an officer's enforcement certificate as reported (DOMAIN.md §1). Columns `certificate_*`. */
@Embeddable()
export class EnforcementCertificate {
  @Property({ type: 'string', length: 64, nullable: true })
  no?: string | null;

  /** 执法类别 */
  @Property({ type: 'string', length: 100, nullable: true })
  category?: string | null;

  @Property({ type: 'date', nullable: true })
  issuedOn?: string | null;

  @Property({ type: 'date', nullable: true })
  expiresOn?: string | null;

  @Enum({ items: () => CertificateStatuses.codes, nullable: true })
  status?: CertificateStatus | null;

  /** 暂扣 window: the certificate is not valid inside it */
  @Property({ type: 'date', nullable: true })
  suspendedFrom?: string | null;

  @Property({ type: 'date', nullable: true })
  suspendedTo?: string | null;
}
