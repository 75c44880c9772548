import type { IndicatorName } from '../../domain/profile/policy-profile';
import { checkRelations } from '../checks/check-relations';
import { indicatorDefinitions, type IndicatorDefinition } from './indicator-definitions';

/**
 * The indicators as pages and exports name them, in one way: the label from the definition, what one counted
 * record is from the check relation it counts (one noun per relation), and the date that puts a record in a
 * period. In the definitions' order.
 */
export interface IndicatorInfo {
  name: IndicatorName;
  label: string;
  /** 「件案件」「条记录」「名执法人员」… */
  recordNoun: string;
  /** the check relation's date column; null for snapshot indicators */
  datedBy: string | null;
}

export function indicatorCatalog(definitions: readonly IndicatorDefinition[] = indicatorDefinitions): IndicatorInfo[] {
  return definitions.map((definition) => ({
    name: definition.name,
    label: definition.label,
    recordNoun: checkRelations[definition.relation].record.noun,
    datedBy: definition.date,
  }));
}

/** The label of an indicator (the schema's descriptions read it from here). */
export function indicatorLabel(name: IndicatorName, definitions: readonly IndicatorDefinition[] = indicatorDefinitions): string {
  const definition = definitions.find((d) => d.name === name);
  if (!definition) throw new Error(`indicator ${name} has no definition`);
  return definition.label;
}
