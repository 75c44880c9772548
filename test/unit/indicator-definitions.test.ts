import { IndicatorNames, loadPolicyProfile, mergeProfiles } from '../../src/domain/profile/policy-profile';
import { checkRelations } from '../../src/metrics/checks/check-relations';
import { indicatorDefinitions } from '../../src/metrics/indicators/indicator-definitions';
import { indicatorStatement } from '../../src/metrics/indicators/indicator-engine';

const profile = loadPolicyProfile();
const request = { scope: { regionCode: '350500' }, periods: [{ id: '2025Q1', from: '2025-01-01', to: '2025-03-31' }], asOf: '2025-06-30' };

describe('indicator definitions (data read by one engine)', () => {
  test('every indicator of the contract has exactly one definition', () => {
    expect(indicatorDefinitions.map((d) => d.name).sort()).toEqual([...IndicatorNames].sort());
  });

  test('every definition counts a known relation by a date it carries (or per period for a snapshot), with conditions on its columns', () => {
    for (const definition of indicatorDefinitions) {
      const relation = checkRelations[definition.relation];
      const columns = [...Object.keys(definition.denominator), ...Object.keys(definition.numerator)];
      expect({ name: definition.name, unknown: columns.filter((c) => !relation.columns.includes(c)) }).toEqual({ name: definition.name, unknown: [] });
      if (definition.date === null) expect({ name: definition.name, dates: relation.dates }).toEqual({ name: definition.name, dates: [] });
      else expect({ name: definition.name, dated: relation.dates.includes(definition.date) }).toEqual({ name: definition.name, dated: true });
    }
  });

  test('profile values are bound parameters: another threshold or deadline changes the values, never the SQL text', () => {
    const stricter = mergeProfiles(profile, {
      deadlines: { publication: { workingDays: { LICENSING: 5, PENALTY: 5, default: 15 } }, archive: { calendarDays: 20 } },
      majorDecision: { fineThresholds: [{ partyTypes: ['PERSON', 'SOLE_TRADER'], minAmountYuan: 5000 }, { partyTypes: ['LEGAL_PERSON', 'OTHER_ORG'], minAmountYuan: 50000 }] },
    });
    const usual = indicatorStatement(request, profile, 'agency');
    const other = indicatorStatement(request, stricter, 'agency');
    expect(other.text).toBe(usual.text);
    expect(other.values).not.toEqual(usual.values);
    expect(usual.text).not.toMatch(/10000|100000/);
  });

  test('a period that ends before it starts is refused with the dates named', () => {
    expect(() => indicatorStatement({ ...request, periods: [{ id: 'x', from: '2025-03-31', to: '2025-01-01' }] }, profile, 'scope'))
      .toThrow(/2025-03-31 – 2025-01-01/);
  });
});
