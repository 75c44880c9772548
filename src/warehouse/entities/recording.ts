import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import {
  RecordingActivities, RecordingMethods, RecordingStages,
  type RecordingActivity, type RecordingMethod, type RecordingStage,
} from '../../domain/codes';
import { FactRow } from './fact-row';

/** 全过程记录: one record (text, audio-video) made during a case, with the SHA-256 of its content (防删改). */
@Entity({ tableName: 'recordings' })
@Index({ properties: ['regionCode', 'agencyUscc', 'caseId'] })
export class Recording extends FactRow {
  @PrimaryKey({ type: 'string', length: 100 })
  recordId!: string;

  @Property({ type: 'string', length: 100 })
  caseId!: string;

  @Enum({ items: () => RecordingStages.codes })
  stage!: RecordingStage;

  @Enum({ items: () => RecordingActivities.codes })
  activity!: RecordingActivity;

  @Enum({ items: () => RecordingMethods.codes })
  method!: RecordingMethod;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  recordedAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  uploadedAt?: Date | null;

  @Property({ type: 'string', length: 64, nullable: true })
  sha256?: string | null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  updatedAt!: Date;
}
