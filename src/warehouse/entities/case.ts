import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import {
  ActionTypes, Disclosures, PartyTypes, Procedures,
  type ActionType, type Disclosure, type PartyType, type Procedure,
} from '../../domain/codes';
import { FactRow } from './fact-row';

/** 执法案件: one case of an agency, keyed by the agency's own case number. */
@Entity({ tableName: 'cases' })
@Index({ properties: ['regionCode', 'decidedOn'] })
@Index({ properties: ['agencyUscc', 'decidedOn'] })
// a child row names its case by case id alone (etl/pipeline/merge-sql.ts, resolveParent)
@Index({ properties: ['caseId'] })
export class Case extends FactRow {
  @PrimaryKey({ type: 'string', length: 100 })
  caseId!: string;

  @Enum({ items: () => ActionTypes.codes })
  actionType!: ActionType;

  @Enum({ items: () => Procedures.codes, nullable: true })
  procedure?: Procedure | null;

  @Property({ type: 'date', nullable: true })
  filedOn?: string | null;

  @Property({ type: 'date', nullable: true })
  decidedOn?: string | null;

  @Property({ type: 'string', length: 200, nullable: true })
  decisionNo?: string | null;

  @Enum({ items: () => PartyTypes.codes, nullable: true })
  partyType?: PartyType | null;

  @Property({ type: 'string', length: 200, nullable: true })
  partyName?: string | null;

  /** identity or registration number of the party: never shown to the public (DOMAIN.md §6) */
  @Property({ type: 'string', length: 64, nullable: true })
  partyIdNo?: string | null;

  /** 罚没金额 in yuan, exact */
  @Property({ type: 'decimal', precision: 18, scale: 2, nullable: true })
  amount?: string | null;

  /** APL art. 9 kinds (警告, 罚款, …); empty for decisions that are not penalties */
  @Property({ type: 'string[]', default: '{}' })
  penaltyKinds: string[] = [];

  /** the source's own 是否重大 flag; the catalog of the profile may make a decision major too */
  @Property({ type: 'boolean', default: false })
  isMajor: boolean = false;

  @Property({ type: 'string[]', default: '{}' })
  majorGrounds: string[] = [];

  @Property({ type: 'boolean', default: false })
  hearingHeld: boolean = false;

  /**
   * 承办人员, in the order the feed listed them: personnel ids of the same agency. An array rather than a
   * child table: it is part of the case row, replaced with it, and read whole (APL art. 42 counts them).
   */
  @Property({ type: 'string[]', default: '{}' })
  handlerIds: string[] = [];

  @Property({ type: 'date', nullable: true })
  closedOn?: string | null;

  @Property({ type: 'date', nullable: true })
  archivedOn?: string | null;

  @Enum({ items: () => Disclosures.codes, default: 'PUBLIC' })
  disclosure: Disclosure = 'PUBLIC';

  @Property({ type: 'text', nullable: true })
  exemptReason?: string | null;

  /** 延期: the 90-day decision period was extended (APL art. 60) */
  @Property({ type: 'boolean', default: false })
  extended: boolean = false;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  updatedAt!: Date;
}
