import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/core';
import { EvaluationGrades, EvaluationKinds, type EvaluationGrade, type EvaluationKind } from '../../domain/codes';
import { FactRow } from './fact-row';

/** 案卷评查: a self-check or a bureau's spot check of a case file, on a date. */
@Entity({ tableName: 'evaluations' })
export class Evaluation extends FactRow {
  @PrimaryKey({ type: 'string', length: 100 })
  caseId!: string;

  @Enum({ items: () => EvaluationKinds.codes, primary: true })
  kind!: EvaluationKind;

  @PrimaryKey({ type: 'date' })
  evaluatedOn!: string;

  @Property({ type: 'string', length: 200, nullable: true })
  evaluator?: string | null;

  @Property({ type: 'decimal', precision: 5, scale: 2, nullable: true })
  score?: string | null;

  @Enum({ items: () => EvaluationGrades.codes })
  grade!: EvaluationGrade;

  @Property({ type: 'text', nullable: true })
  findings?: string | null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  updatedAt!: Date;
}
