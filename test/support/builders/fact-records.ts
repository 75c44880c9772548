import type { BatchItem } from '../../../etl/pipeline/batch-types';
import { quanzhouMarketBureau } from './feed-records';

/**
 * Named builders of parsed rows for the fact entities feed-records.ts does not build (every entity the ledger
 * keeps, with cases and publications there): `aReview({ round: 2 })`. Defaults hang on feed-records' agency of
 * 泉州市 and its case QZ-2024-001; the natural key is built as etl/feed/feed-entities.ts names it.
 */

let position = 0;

function item(record: Record<string, unknown>, naturalKey: string, label?: string): BatchItem {
  position++;
  return {
    row: { values: { ...record } as BatchItem['row']['values'], position: { file: 'facts.csv', row: position + 1, label: label ?? `facts.csv 第 ${position + 1} 行` } },
    parsed: { ok: true, record, naturalKey },
  };
}

export function aPerson(overrides: Record<string, unknown> = {}, label?: string): BatchItem {
  const record = {
    personId: 'P001', name: '林一', agencyUscc: quanzhouMarketBureau, role: 'OFFICER', certificateNo: 'FJ-0001',
    certificateCategory: '市场监管', issuedOn: '2022-01-01', expiresOn: '2027-12-31', certificateStatus: 'VALID',
    suspendedFrom: null, suspendedTo: null, legalQualification: false, updatedAt: new Date('2024-01-01T08:00:00+08:00'), ...overrides,
  };
  return item(record, `${record.agencyUscc}|${record.personId}`, label);
}

export function aReview(overrides: Record<string, unknown> = {}, label?: string): BatchItem {
  const record = {
    caseId: 'QZ-2024-001', round: 1, submittedOn: '2024-09-20', completedOn: '2024-09-22', opinion: 'APPROVE',
    note: null, reviewerIds: ['P003'], updatedAt: new Date('2024-09-22T17:00:00+08:00'), ...overrides,
  };
  return item(record, `${record.caseId}|${record.round}`, label);
}

export function anAppeal(overrides: Record<string, unknown> = {}, label?: string): BatchItem {
  const record = {
    caseId: 'QZ-2024-001', kind: 'RECONSIDERATION', decisionNo: '泉政复〔2024〕9号', filedOn: '2024-10-15',
    concludedOn: '2024-12-10', outcome: 'UPHELD', body: '泉州市人民政府', updatedAt: new Date('2024-12-10T10:00:00+08:00'), ...overrides,
  };
  return item(record, `${record.caseId}|${record.kind}`, label);
}

export function aRecording(overrides: Record<string, unknown> = {}, label?: string): BatchItem {
  const record = {
    recordId: 'R-0001', caseId: 'QZ-2024-001', stage: 'INVESTIGATION', activity: 'ON_SITE_INSPECTION', method: 'AUDIO_VIDEO',
    recordedAt: new Date('2024-09-05T09:30:00+08:00'), uploadedAt: new Date('2024-09-05T18:00:00+08:00'),
    sha256: 'ab'.repeat(32), updatedAt: new Date('2024-09-05T18:00:00+08:00'), ...overrides,
  };
  return item(record, String(record.recordId), label);
}

export function anEvaluation(overrides: Record<string, unknown> = {}, label?: string): BatchItem {
  const record = {
    caseId: 'QZ-2024-001', kind: 'SELF', evaluatedOn: '2024-12-20', evaluator: '泉州市市场监督管理局法规科', score: '92.50',
    grade: 'EXCELLENT', findings: null, updatedAt: new Date('2024-12-20T16:00:00+08:00'), ...overrides,
  };
  return item(record, `${record.caseId}|${record.kind}|${record.evaluatedOn}`, label);
}

export function anAnnualReport(overrides: Record<string, unknown> = {}, label?: string): BatchItem {
  const record = { agencyUscc: quanzhouMarketBureau, year: 2024, submittedOn: '2025-01-20', publishedOn: '2025-01-28', ...overrides };
  return item(record, `${record.agencyUscc}|${record.year}`, label);
}

export function aLetter(overrides: Record<string, unknown> = {}, label?: string): BatchItem {
  const record = {
    letterNo: '泉法督〔2024〕3号', agencyUscc: quanzhouMarketBureau, kind: 'OPINION', issuedOn: '2024-11-01', dueOn: '2024-12-01',
    rectifiedOn: null, subject: '行政处罚案卷评查发现的问题', ...overrides,
  };
  return item(record, String(record.letterNo), label);
}
