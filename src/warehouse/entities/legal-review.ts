import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/core';
import { ReviewOpinions, type ReviewOpinion } from '../../domain/codes';
import { FactRow } from './fact-row';

/** 法制审核: one round of legal review of a case's decision (APL art. 58). */
@Entity({ tableName: 'legal_reviews' })
export class LegalReview extends FactRow {
  @PrimaryKey({ type: 'string', length: 100 })
  caseId!: string;

  @PrimaryKey({ type: 'smallint', autoincrement: false })
  round!: number;

  @Property({ type: 'date', nullable: true })
  submittedOn?: string | null;

  @Property({ type: 'date', nullable: true })
  completedOn?: string | null;

  @Enum({ items: () => ReviewOpinions.codes, nullable: true })
  opinion?: ReviewOpinion | null;

  @Property({ type: 'text', nullable: true })
  note?: string | null;

  /** 审核人员 of the round, personnel ids, in the order the feed listed them */
  @Property({ type: 'string[]', default: '{}' })
  reviewerIds: string[] = [];

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  updatedAt!: Date;
}
