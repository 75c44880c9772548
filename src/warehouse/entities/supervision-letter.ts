import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/core';
import { LetterKinds, type LetterKind } from '../../domain/codes';
import { FactRow } from './fact-row';

/** 行政执法监督意见书 / 监督决定书 sent to an agency, with the rectification it asks for. */
@Entity({ tableName: 'supervision_letters' })
export class SupervisionLetter extends FactRow {
  @PrimaryKey({ type: 'string', length: 100 })
  letterNo!: string;

  @Enum({ items: () => LetterKinds.codes })
  kind!: LetterKind;

  @Property({ type: 'date' })
  issuedOn!: string;

  @Property({ type: 'date', nullable: true })
  dueOn?: string | null;

  @Property({ type: 'date', nullable: true })
  rectifiedOn?: string | null;

  @Property({ type: 'text', nullable: true })
  subject?: string | null;

  /** the feed has no 更新时间 for letters: null, and the later load wins */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  updatedAt?: Date | null;
}
