import { Embedded, Entity, Enum, PrimaryKey, Property } from '@mikro-orm/core';
import { PersonnelRoles, type PersonnelRole } from '../../domain/codes';
import { EnforcementCertificate } from './enforcement-certificate';
import { FactRow } from './fact-row';

/** 执法人员 / 法制审核人员 / 监督人员 of an agency, as last reported; certificate changes are kept in history. */
@Entity({ tableName: 'personnel' })
export class Personnel extends FactRow {
  @PrimaryKey({ type: 'string', length: 64 })
  personId!: string;

  @Property({ type: 'string', length: 100 })
  name!: string;

  @Enum({ items: () => PersonnelRoles.codes })
  role!: PersonnelRole;

  @Embedded(() => EnforcementCertificate, { prefix: 'certificate_' })
  certificate!: EnforcementCertificate;

  /** 法律职业资格: required of first-time legal reviewers (APL art. 58) */
  @Property({ type: 'boolean', default: false })
  legalQualification: boolean = false;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  updatedAt!: Date;
}
