import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { FactRow } from './fact-row';

/** 统计年报: an agency's report of a year's enforcement figures, submitted and published early next year. */
@Entity({ tableName: 'annual_reports' })
export class AnnualReport extends FactRow {
  @PrimaryKey({ type: 'smallint', autoincrement: false })
  year!: number;

  @Property({ type: 'date', nullable: true })
  submittedOn?: string | null;

  @Property({ type: 'date', nullable: true })
  publishedOn?: string | null;

  /** the feed has no 更新时间 for reports: null, and the later load wins */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  updatedAt?: Date | null;
}
