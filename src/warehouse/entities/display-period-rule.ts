import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The policy profile's display periods (公示期限, DOMAIN.md §6) as a table, so that PostgreSQL itself can take a
 * publication out of public view when its period is over (hub_display_open). Written from the profile by the
 * hub at start; the profile file stays the source.
 */
@Entity({ tableName: 'display_period_rules' })
export class DisplayPeriodRuleRow {
  /** the rule set's effectiveFrom: it governs publications dated on or after it, until the next set */
  @PrimaryKey({ type: 'date' })
  effectiveFrom!: string;

  /** order within the set: the first matching rule applies */
  @PrimaryKey({ type: 'smallint', autoincrement: false })
  position!: number;

  /** null: any action type */
  @Property({ type: 'text[]', nullable: true })
  actionTypes?: string[] | null;

  /** null: no condition on penalty kinds */
  @Property({ type: 'text[]', nullable: true })
  penaltyKindsOnly?: string[] | null;

  /** null: shown without end */
  @Enum({ items: ['days', 'months', 'years'], nullable: true })
  periodUnit?: 'days' | 'months' | 'years' | null;

  @Property({ type: 'integer', nullable: true })
  periodCount?: number | null;
}
