import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/core';
import { AppealKinds, AppealOutcomes, type AppealKind, type AppealOutcome } from '../../domain/codes';
import { FactRow } from './fact-row';

/** 复议诉讼: a reconsideration or a court instance challenging a case's decision; one per case and kind. */
@Entity({ tableName: 'appeals' })
export class Appeal extends FactRow {
  @PrimaryKey({ type: 'string', length: 100 })
  caseId!: string;

  @Enum({ items: () => AppealKinds.codes, primary: true })
  kind!: AppealKind;

  @Property({ type: 'string', length: 200, nullable: true })
  decisionNo?: string | null;

  @Property({ type: 'date', nullable: true })
  filedOn?: string | null;

  /** null while pending */
  @Property({ type: 'date', nullable: true })
  concludedOn?: string | null;

  @Enum({ items: () => AppealOutcomes.codes, nullable: true })
  outcome?: AppealOutcome | null;

  @Property({ type: 'string', length: 200, nullable: true })
  body?: string | null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  updatedAt!: Date;
}
