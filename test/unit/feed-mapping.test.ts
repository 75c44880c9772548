import { InvalidValueError } from '../../src/domain/errors';
import { usccCheckCharacter } from '../../src/domain/uscc';
import {
  applyMapping, entityOfMappedFile, loadMapping, MAPPING_INVALID, MAPPING_NOT_FOUND, parseFeedMapping, type FeedMapping,
} from '../../etl/feed/mapping';
import { parseFeedRow } from '../../etl/feed/parse-row';
import type { CellValue, RawRow } from '../../etl/raw-row';

const AGENCY_USCC = '11350502MB0123456' + usccCheckCharacter('11350502MB0123456');
const ORIGIN = 'etl/mappings/some-source.yaml';

/** A row of the example county platform's case export: its headers, its words, day-first dates. */
function aCountyCaseRow(overrides: Record<string, CellValue> = {}): RawRow {
  return {
    values: {
      case_no: 'LC-2024-0007',
      org_code: AGENCY_USCC,
      type: '处罚',
      proc: '一般',
      reg_date: '01/02/2024',
      decide_date: '18/05/2024',
      party_type: '单位',
      party: '泉州某某食品有限公司',
      fine: '1.5万',
      penalty: '罚款',
      major: '一般',
      officers: 'P001,P002',
      open: '公开',
      modified: '18/05/2024 14:03',
      remark: '平台备注列',
      ...overrides,
    },
    position: { file: 'ajxx_20240518.csv', row: 2, label: 'ajxx_20240518.csv 第 2 行' },
  };
}

function errorOf(text: string): InvalidValueError {
  try {
    parseFeedMapping(text, ORIGIN);
  } catch (error) {
    if (error instanceof InvalidValueError) return error;
    throw error;
  }
  throw new Error('expected the mapping to be refused');
}

describe('the example county platform mapping', () => {
  const mapping = loadMapping('etl/mappings/example-county-platform.yaml');

  test('loads with its name, day-first date order and file patterns', () => {
    expect(mapping).toMatchObject({ name: 'example-county-platform', origin: 'etl/mappings/example-county-platform.yaml', dateOrder: 'DMY' });
    expect(loadMapping('example-county-platform')).toEqual(mapping);
  });

  test('a row in the platform layout becomes a standard case record: headers, words and DD/MM/YYYY dates mapped', () => {
    const result = parseFeedRow('cases', applyMapping('cases', aCountyCaseRow(), mapping), mapping);
    if (!result.ok) throw new Error(JSON.stringify(result.reasons));
    expect(result.record).toMatchObject({
      caseId: 'LC-2024-0007',
      agencyUscc: AGENCY_USCC,
      actionType: 'PENALTY',
      procedure: 'ORDINARY',
      filedOn: '2024-02-01',
      decidedOn: '2024-05-18',
      partyType: 'LEGAL_PERSON',
      amount: '15000.00',
      penaltyKinds: ['罚款'],
      isMajor: false,
      handlerIds: ['P001', 'P002'],
      disclosure: 'PUBLIC',
    });
    expect(result.record.updatedAt.toISOString()).toBe('2024-05-18T06:03:00.000Z');
  });

  test('mapping keeps the delivered row untouched and beside the mapped one, for quarantine', () => {
    const row = aCountyCaseRow();
    const before = structuredClone(row.values);
    const mapped = applyMapping('cases', row, mapping);
    expect(row.values).toEqual(before);
    expect(mapped.delivered).toBe(row.values);
    expect(mapped.position).toBe(row.position);
    expect(mapped.values.remark).toBe('平台备注列');
  });

  test('a value the mapping does not name reaches the parser as delivered and is refused there', () => {
    const result = parseFeedRow('cases', applyMapping('cases', aCountyCaseRow({ type: '罚' }), mapping), mapping);
    expect(result.ok ? [] : result.reasons.map(({ field, code }) => ({ field, code }))).toEqual([{ field: '行为类别', code: 'UNKNOWN_CODE' }]);
  });

  test('standard headers and codes pass through a mapping unchanged', () => {
    const row: RawRow = { values: { 案件编号: 'C-9', 主体代码: AGENCY_USCC, 行为类别: 'PENALTY', 更新时间: '2024-05-18' }, position: { label: 'x' } };
    expect(parseFeedRow('cases', applyMapping('cases', row, mapping), mapping).ok).toBe(true);
  });

  test('file patterns say which entity a file holds', () => {
    expect(entityOfMappedFile(mapping, 'ajxx_20240518.csv')).toBe('cases');
    expect(entityOfMappedFile(mapping, 'GSXX_20240518.CSV')).toBe('publications');
    expect(entityOfMappedFile(mapping, 'other.csv')).toBeNull();
  });
});

describe('mapping rules', () => {
  const singleAgency: FeedMapping = parseFeedMapping(
    [
      'headers:',
      '  编号: caseId',
      '  处罚类型: penaltyKinds',
      'codes:',
      '  处罚种类: { 罚钱: 罚款, 警告处分: 警告 }',
      'constants:',
      `  agencyUscc: ${AGENCY_USCC}`,
    ].join('\n'),
    ORIGIN,
  );
  const row = (values: Record<string, CellValue>): RawRow => ({ values: { 编号: 'C-1', 行为类别: '行政处罚', 更新时间: '2024-05-18', ...values }, position: { label: 'x' } });

  test('a constant fills the field on every row of a single-agency source', () => {
    const result = parseFeedRow('cases', applyMapping('cases', row({}), singleAgency));
    expect(result).toMatchObject({ ok: true, record: { agencyUscc: AGENCY_USCC, caseId: 'C-1' } });
  });

  test('a row contradicting a constant is refused saying so', () => {
    const other = '11350502MB0999999' + usccCheckCharacter('11350502MB0999999');
    const result = parseFeedRow('cases', applyMapping('cases', row({ 主体代码: other }), singleAgency));
    expect(result.ok ? [] : result.reasons.map((r) => r.code)).toEqual(['MAPPING_CONSTANT_CONFLICT']);
  });

  test('value maps apply to each item of a list, under a delivered or a standard header', () => {
    const result = parseFeedRow('cases', applyMapping('cases', row({ 处罚类型: '罚钱、警告处分' }), singleAgency));
    expect(result).toMatchObject({ ok: true, record: { penaltyKinds: ['罚款', '警告'] } });
  });

  test('two delivered columns mapped to one field that disagree are refused', () => {
    const result = parseFeedRow('cases', applyMapping('cases', row({ 案件编号: 'C-2' }), singleAgency));
    expect(result.ok ? [] : result.reasons.map((r) => r.code)).toEqual(['DUPLICATE_COLUMN']);
  });

  test('a mapping file with several problems names each with its path and line', () => {
    const error = errorOf([
      'dateOrder: DDMMYYYY', // line 1
      'headers:',
      '  case_no: caseNumber', // line 3
      'codes:',
      '  actionType:',
      '    处罚: PUNISH', // line 6
      'constants:',
      '  agencyUscc: 91350500MA2Y0K3L85', // line 8
      'entities:',
      '  - files: "x_*.csv"',
      '    entity: things', // line 11
      'colour: blue', // line 12
    ].join('\n'));
    expect(error.code).toBe(MAPPING_INVALID);
    const lines = error.message.split('\n');
    expect(lines).toHaveLength(6);
    expect(lines).toEqual(expect.arrayContaining([
      expect.stringMatching(/^etl\/mappings\/some-source\.yaml: dateOrder: expected one of YMD, DMY, MDY .* \(line 1\)$/),
      expect.stringMatching(/^etl\/mappings\/some-source\.yaml: headers\.case_no: "caseNumber" is not a FEEDS\.md field.*\(line 3\)$/),
      expect.stringMatching(/: codes\.actionType\.处罚: "PUNISH" is not a value of actionType: 行为类别 "PUNISH" 不在代码表中.*\(line 6\)$/),
      expect.stringMatching(/: constants\.agencyUscc: .*校验位应为 T，实为 5 \(line 8\)$/),
      expect.stringMatching(/: entities\[0\]\.entity: unknown entity "things" .*\(line 11\)$/),
      expect.stringMatching(/: colour: unknown key \(known: description, headers, codes, dateOrder, constants, entities\) \(line 12\)$/),
    ]));
  });

  test('a YAML syntax error names the file, line and column', () => {
    const error = errorOf('headers:\n  case_no: [caseId\n');
    expect(error.message).toMatch(/^etl\/mappings\/some-source\.yaml:\d+:\d+: YAML syntax error/);
  });

  test('a mapping that does not exist is named with the ones that do', () => {
    let error: unknown;
    try {
      loadMapping('no-such-source');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidValueError);
    expect((error as InvalidValueError).code).toBe(MAPPING_NOT_FOUND);
    expect((error as InvalidValueError).message).toContain('example-county-platform');
  });
});
