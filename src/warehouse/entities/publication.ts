import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { FactRow } from './fact-row';

/** 公示记录: where and when a case's decision was published, and its withdrawal if any. One per case. */
@Entity({ tableName: 'publications' })
export class Publication extends FactRow {
  @PrimaryKey({ type: 'string', length: 100 })
  caseId!: string;

  @Property({ type: 'string', length: 200, nullable: true })
  decisionNo?: string | null;

  @Property({ type: 'date' })
  publishedOn!: string;

  @Property({ type: 'string', length: 200, nullable: true })
  platform?: string | null;

  @Property({ type: 'text', nullable: true })
  url?: string | null;

  @Property({ type: 'date', nullable: true })
  withdrawnOn?: string | null;

  @Property({ type: 'text', nullable: true })
  withdrawReason?: string | null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  updatedAt!: Date;
}
