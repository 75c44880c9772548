import { Embedded, Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { AgencyKinds, AgencyTiers, type AgencyKind, type AgencyTier } from '../../domain/codes';
import { Lineage } from './lineage';
import { Region } from './region';

/** 行政执法主体: a body with enforcement power, identified by its USCC. A reference table (small, read everywhere). */
@Entity({ tableName: 'agencies' })
export class Agency {
  @PrimaryKey({ type: 'string', length: 18 })
  uscc!: string;

  @Property({ type: 'string', length: 200 })
  name!: string;

  @ManyToOne(() => Region, { fieldName: 'region_code' })
  @Index()
  region!: Region;

  @Enum({ items: () => AgencyTiers.codes })
  tier!: AgencyTier;

  /** 执法领域 (市场监管, 生态环境, …): free text from the feed; the catalog of domains is the profile's */
  @Property({ type: 'string', length: 50 })
  domain!: string;

  @Enum({ items: () => AgencyKinds.codes })
  kind!: AgencyKind;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  updatedAt!: Date;

  @Embedded(() => Lineage, { prefix: 'lineage_' })
  lineage!: Lineage;
}
