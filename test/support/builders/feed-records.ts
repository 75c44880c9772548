import type { BatchItem } from '../../../etl/pipeline/batch-types';

/**
 * Named builders of parsed feed rows for pipeline tests: `aCase({ decidedOn: '2024-09-27' })`. Defaults
 * describe one plausible agency of 泉州市 and one penalty case of it.
 */
export const quanzhouMarketBureau = '91350500MA2Y0K3L8T';

let position = 0;
const at = (label?: string) => ({ file: 'test.csv', row: ++position + 1, label: label ?? `test.csv 第 ${position + 1} 行` });

function item(record: Record<string, unknown>, naturalKey: string, label?: string): BatchItem {
  return { row: { values: { ...record } as BatchItem["row"]["values"], position: at(label) }, parsed: { ok: true, record, naturalKey } };
}

export function anAgency(overrides: Record<string, unknown> = {}, label?: string): BatchItem {
  const record = {
    uscc: quanzhouMarketBureau, name: '泉州市市场监督管理局', regionCode: '350500', tier: 'CITY', domain: '市场监管',
    kind: 'STATUTORY', updatedAt: new Date('2024-01-01T08:00:00+08:00'), ...overrides,
  };
  return item(record, String(record.uscc), label);
}

export function aCase(overrides: Record<string, unknown> = {}, label?: string): BatchItem {
  const record = {
    caseId: 'QZ-2024-001', agencyUscc: quanzhouMarketBureau, actionType: 'PENALTY', procedure: 'ORDINARY',
    filedOn: '2024-09-01', decidedOn: '2024-09-27', decisionNo: '泉市监罚〔2024〕1号', partyType: 'PERSON',
    partyName: '张三', partyIdNo: null, amount: '5000.00', penaltyKinds: ['罚款'], isMajor: false, majorGrounds: [],
    hearingHeld: false, closedOn: null, archivedOn: null, disclosure: 'PUBLIC', exemptReason: null, extended: false,
    handlerIds: ['P001', 'P002'], updatedAt: new Date('2024-09-28T10:00:00+08:00'), ...overrides,
  };
  return item(record, `${record.agencyUscc}|${record.caseId}`, label);
}

export function aPublication(overrides: Record<string, unknown> = {}, label?: string): BatchItem {
  const record = {
    caseId: 'QZ-2024-001', decisionNo: '泉市监罚〔2024〕1号', publishedOn: '2024-10-10', platform: '信用中国（福建泉州）',
    url: null, withdrawnOn: null, withdrawReason: null, updatedAt: new Date('2024-10-10T09:00:00+08:00'), ...overrides,
  };
  return item(record, String(record.caseId), label);
}

export function aBadRow(reasons: { code: string; field: string; message: string }[], naturalKey: string | null, label?: string): BatchItem {
  return { row: { values: { 案件编号: naturalKey ?? '' }, position: at(label) }, parsed: { ok: false, reasons, naturalKey } };
}
