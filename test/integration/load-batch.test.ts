import type { PoolClient } from 'pg';
import type { SourceScope } from '../../etl/pipeline/batch-types';
import { loadBatch } from '../../etl/pipeline/load-batch';
import { releaseHeldRows } from '../../etl/pipeline/release-held';
import { aBadRow, aCase, anAgency, aPublication, quanzhouMarketBureau } from '../support/builders/feed-records';
import { openBatchFixture, type BatchFixture } from '../support/batch-fixture';

let fixture: BatchFixture;
let client: PoolClient;
let scope: SourceScope;
let runId = '';

beforeAll(async () => {
  fixture = await openBatchFixture();
  ({ client, scope, runId } = fixture);
});
afterAll(() => fixture?.close());

const one = async <T>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows[0] as T;

describe('loading one batch', () => {
  test('a new agency and its case are inserted with their lineage, and the case takes the agency\'s region', async () => {
    const agencies = await loadBatch(client, { runId, scope, entity: 'agencies', items: [anAgency()] });
    expect(agencies).toMatchObject({ read: 1, inserted: 1, updated: 0, unchanged: 0, quarantined: 0, held: 0 });
    const cases = await loadBatch(client, { runId, scope, entity: 'cases', items: [aCase({}, 'cases.csv 第 2 行')] });
    expect(cases).toMatchObject({ read: 1, inserted: 1 });
    expect(await one(`select region_code, amount, penalty_kinds, lineage_source, lineage_position from cases where case_id = 'QZ-2024-001'`))
      .toEqual({ region_code: '350500', amount: '5000.00', penalty_kinds: ['罚款'], lineage_source: 'quanzhou-files', lineage_position: 'cases.csv 第 2 行' });
    expect(await one(`select handler_ids from cases where case_id = 'QZ-2024-001'`)).toEqual({ handler_ids: ['P001', 'P002'] });
  });

  test('the same rows loaded again change nothing', async () => {
    const before = await one<{ hash: string }>(`select lineage_content_hash as hash from cases where case_id = 'QZ-2024-001'`);
    const again = await loadBatch(client, { runId, scope, entity: 'cases', items: [aCase({}, 'cases.csv 第 9 行')] });
    expect(again).toMatchObject({ read: 1, inserted: 0, updated: 0, unchanged: 1 });
    expect(await one(`select lineage_content_hash as hash from cases where case_id = 'QZ-2024-001'`)).toEqual(before);
  });

  test('a newer updatedAt replaces the row and its handlers; an older one never overwrites a newer', async () => {
    const newer = await loadBatch(client, { runId, scope, entity: 'cases', items: [
      aCase({ amount: '8000.00', handlerIds: ['P003', 'P001'], updatedAt: new Date('2024-10-01T10:00:00+08:00') })] });
    expect(newer).toMatchObject({ updated: 1 });
    const older = await loadBatch(client, { runId, scope, entity: 'cases', items: [
      aCase({ amount: '1.00', updatedAt: new Date('2024-09-01T10:00:00+08:00') })] });
    expect(older).toMatchObject({ updated: 0, unchanged: 1 });
    expect(await one(`select amount from cases where case_id = 'QZ-2024-001'`)).toEqual({ amount: '8000.00' });
    expect(await one(`select handler_ids from cases where case_id = 'QZ-2024-001'`)).toEqual({ handler_ids: ['P003', 'P001'] });
  });

  test('of two deliveries of one key in a batch, the newer is kept and the other counts as unchanged', async () => {
    const counts = await loadBatch(client, { runId, scope, entity: 'cases', items: [
      aCase({ caseId: 'QZ-2024-002', amount: '200.00', updatedAt: new Date('2024-11-02T00:00:00Z') }),
      aCase({ caseId: 'QZ-2024-002', amount: '100.00', updatedAt: new Date('2024-11-01T00:00:00Z') })] });
    expect(counts).toMatchObject({ read: 2, inserted: 1, unchanged: 1 });
    expect(await one(`select amount from cases where case_id = 'QZ-2024-002'`)).toEqual({ amount: '200.00' });
  });

  test('a publication of a case not yet loaded is held, then loaded once its case arrives', async () => {
    const early = await loadBatch(client, { runId, scope, entity: 'publications', items: [aPublication({ caseId: 'QZ-2024-003' })] });
    expect(early).toMatchObject({ read: 1, held: 1, inserted: 0 });
    expect(await one(`select count(*)::int as n from publications where case_id = 'QZ-2024-003'`)).toEqual({ n: 0 });
    await loadBatch(client, { runId, scope, entity: 'cases', items: [aCase({ caseId: 'QZ-2024-003' })] });
    const released = await releaseHeldRows(client, runId);
    expect(released.publications).toMatchObject({ released: 1 });
    expect(await one(`select region_code, agency_uscc, published_on from publications where case_id = 'QZ-2024-003'`))
      .toEqual({ region_code: '350500', agency_uscc: quanzhouMarketBureau, published_on: '2024-10-10' });
    expect(await one(`select status from held_rows where natural_key = 'QZ-2024-003'`)).toEqual({ status: 'RELEASED' });
  });

  test('a refused row is kept in quarantine with every reason, once per position, and released when fixed', async () => {
    const reasons = [
      { code: 'INVALID_DATE', field: '决定日期', message: '决定日期 "2025-02-30" 不是有效日期' },
      { code: 'UNKNOWN_CODE', field: '行为类别', message: '行为类别 "罚款" 不是已知的代码' },
    ];
    const first = await loadBatch(client, { runId, scope, entity: 'cases', items: [aBadRow(reasons, `${quanzhouMarketBureau}|QZ-BAD`, 'bad.csv 第 5 行')] });
    expect(first).toMatchObject({ read: 1, quarantined: 1 });
    await loadBatch(client, { runId, scope, entity: 'cases', items: [aBadRow(reasons, `${quanzhouMarketBureau}|QZ-BAD`, 'bad.csv 第 5 行')] });
    const open = await client.query(`select reasons from quarantine where position = 'bad.csv 第 5 行' and status = 'QUARANTINED'`);
    expect(open.rows).toEqual([{ reasons }]);
    await loadBatch(client, { runId, scope, entity: 'cases', items: [aCase({ caseId: 'QZ-BAD' }, 'bad.csv 第 5 行')] });
    expect(await one(`select status, released_by_run from quarantine where position = 'bad.csv 第 5 行'`))
      .toEqual({ status: 'RELEASED', released_by_run: runId });
  });

  test('a source cannot deliver for an agency outside its region', async () => {
    await loadBatch(client, { runId, scope: { sourceId: 'quanzhou-files', agencyUscc: null, regionPrefix: null }, entity: 'agencies',
      items: [anAgency({ uscc: '91350100M000100Y43', name: '福州市市场监督管理局', regionCode: '350100' })] });
    const counts = await loadBatch(client, { runId, scope, entity: 'cases', items: [aCase({ caseId: 'FZ-1', agencyUscc: '91350100M000100Y43' })] });
    expect(counts).toMatchObject({ quarantined: 1, inserted: 0 });
    expect(await one(`select reasons->0->>'code' as code from quarantine where natural_key = '91350100M000100Y43|FZ-1'`)).toEqual({ code: 'OUT_OF_SCOPE' });
  });

  test('a failure inside a batch stores nothing of it', async () => {
    const before = await one(`select count(*)::int as n from cases`);
    await expect(loadBatch(client, { runId, scope, entity: 'cases', items: [
      aCase({ caseId: 'QZ-2024-010' }), aCase({ caseId: 'QZ-2024-011', actionType: 'NOT_A_TYPE' })] })).rejects.toThrow();
    expect(await one(`select count(*)::int as n from cases`)).toEqual(before);
  });
});

describe('certificate history', () => {
  const officer = (overrides: Record<string, unknown>) => {
    const record = {
      personId: 'P100', name: '林一', agencyUscc: quanzhouMarketBureau, role: 'OFFICER', certificateNo: 'FJ-0001',
      certificateCategory: '市场监管', issuedOn: '2022-01-01', expiresOn: '2027-12-31', certificateStatus: 'VALID',
      suspendedFrom: null, suspendedTo: null, legalQualification: false, updatedAt: new Date('2024-01-01T00:00:00+08:00'), ...overrides,
    };
    return { row: { values: {}, position: { label: `personnel.csv ${String(record.updatedAt)}` } }, parsed: { ok: true as const, record, naturalKey: `${quanzhouMarketBureau}|P100` } };
  };
  const history = async () => (await client.query(
    `select certificate_status as status, valid_to is null as current from certificate_history where person_id = 'P100' order by valid_from`)).rows;

  test('a changed certificate opens a new state and closes the old; a correction with the same updatedAt replaces its state', async () => {
    await loadBatch(client, { runId, scope, entity: 'personnel', items: [officer({})] });
    await loadBatch(client, { runId, scope, entity: 'personnel', items: [officer({ certificateStatus: 'SUSPENDED', updatedAt: new Date('2025-01-01T00:00:00+08:00') })] });
    expect(await history()).toEqual([{ status: 'VALID', current: false }, { status: 'SUSPENDED', current: true }]);
    await loadBatch(client, { runId, scope, entity: 'personnel', items: [officer({ certificateStatus: 'REVOKED', updatedAt: new Date('2025-01-01T00:00:00+08:00') })] });
    expect(await history()).toEqual([{ status: 'VALID', current: false }, { status: 'REVOKED', current: true }]);
  });
});
