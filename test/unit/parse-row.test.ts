import { usccCheckCharacter } from '../../src/domain/uscc';
import type { QuarantineReason } from '../../src/warehouse/entities/quarantined-row';
import type { EntityName } from '../../etl/feed/entity-names';
import { parseFeedRow, type FeedRecord, type ParsedRow } from '../../etl/feed/parse-row';
import type { CellValue, RawRow } from '../../etl/raw-row';

/** A USCC whose check character is computed, not copied. */
function aUscc(first17: string): string {
  return first17 + usccCheckCharacter(first17);
}

const AGENCY_USCC = aUscc('11350502MB0123456'); // an agency of 鲤城区, Quanzhou
const CITY_AGENCY_USCC = aUscc('11350500MB0654321');

type Cells = Record<string, CellValue>;

function rowOf(file: string, values: Cells, overrides: Cells): RawRow {
  return { values: { ...values, ...overrides }, position: { file, row: 2, label: `${file} 第 2 行` } };
}

/** A case row as a GBK or UTF-8 CSV delivers it: Chinese headers, every cell text. */
function aCaseRow(overrides: Cells = {}): RawRow {
  return rowOf('cases-2024Q1-泉州市.csv', {
    案件编号: '泉鲤市监罚〔2024〕12号',
    主体代码: AGENCY_USCC,
    行为类别: '行政处罚',
    程序类型: '普通',
    立案日期: '2024-02-01',
    决定日期: '2024/3/1',
    决定文书号: '泉鲤市监罚字〔2024〕12号',
    相对人类型: '法人',
    相对人名称: '泉州某某食品有限公司',
    相对人证件号码: aUscc('91350502MA2Y0K3L8'),
    罚没金额: '12,000.00',
    处罚种类: '警告；罚款',
    是否重大: '否',
    重大情形: '',
    是否听证: '否',
    承办人员: 'P001、P002',
    结案日期: '2024-03-20',
    归档日期: '2024-04-02',
    公开属性: '主动公开',
    不公开理由: '',
    延期: '否',
    更新时间: '2024-04-02 10:15:00',
  }, overrides);
}

function anAgencyRow(overrides: Cells = {}): RawRow {
  return rowOf('agencies.csv', {
    主体名称: '泉州市鲤城区市场监督管理局',
    统一社会信用代码: AGENCY_USCC,
    行政区划代码: '350502',
    主体层级: '县级',
    执法领域: '市场监管',
    主体性质: '法定',
    更新时间: '2024-01-01 08:00:00',
  }, overrides);
}

function aPersonRow(overrides: Cells = {}): RawRow {
  return rowOf('personnel.csv', {
    人员编号: 'P001', 姓名: '张三', 所属主体代码: AGENCY_USCC, 人员类别: '执法人员', 执法证号: '闽35050200001',
    执法类别: '市场监管', 发证日期: '2022-01-01', 有效期至: '2027-01-01', 证件状态: '有效', 暂扣起: '', 暂扣止: '',
    法律职业资格: '否', 更新时间: '2024-01-01 08:00:00',
  }, overrides);
}

function aPublicationRow(overrides: Cells = {}): RawRow {
  return rowOf('publications.csv', {
    案件编号: '泉鲤市监罚〔2024〕12号', 决定文书号: '泉鲤市监罚字〔2024〕12号', 公示日期: '2024-03-05',
    公示平台: '国家企业信用信息公示系统', 公示网址: 'https://www.gsxt.gov.cn/x', 撤回日期: '', 撤回原因: '',
    更新时间: '2024-03-05 09:00:00',
  }, overrides);
}

function aReviewRow(overrides: Cells = {}): RawRow {
  return rowOf('reviews.csv', {
    案件编号: 'C-1', 审核轮次: '1', 送审日期: '2024-02-20', 审核完成日期: '2024-02-22', 审核人员: 'R001',
    审核意见: '同意', 意见说明: '', 更新时间: '2024-02-22 17:00:00',
  }, overrides);
}

function anAppealRow(overrides: Cells = {}): RawRow {
  return rowOf('appeals.csv', {
    案件编号: 'C-1', 决定文书号: 'D-1', 类型: '行政复议', 收案日期: '2024-04-01', 审结日期: '2024-05-30', 结果: '维持',
    审理机关: '泉州市人民政府', 更新时间: '2024-05-30 17:00:00',
  }, overrides);
}

function aRecordingRow(overrides: Cells = {}): RawRow {
  return rowOf('recordings.csv', {
    记录编号: 'REC-1', 案件编号: 'C-1', 环节: '调查取证', 执法活动: '现场检查', 记录方式: '音像',
    记录时间: '2024-02-02 09:30:00', 上传时间: '2024-02-02 18:00:00', 文件摘要: 'AB'.repeat(32),
    更新时间: '2024-02-02 18:00:00',
  }, overrides);
}

function anEvaluationRow(overrides: Cells = {}): RawRow {
  return rowOf('evaluations.csv', {
    案件编号: 'C-1', 评查类型: '抽查', 评查机关: '泉州市司法局', 评查日期: '2024-06-15', 得分: '92.5', 等次: '优秀',
    问题: '', 更新时间: '2024-06-15 12:00:00',
  }, overrides);
}

function anAnnualReportRow(overrides: Cells = {}): RawRow {
  return rowOf('annual-reports.csv', { 主体代码: AGENCY_USCC, 年度: '2024', 报送日期: '2025-01-10', 公开日期: '2025-01-25' }, overrides);
}

function aLetterRow(overrides: Cells = {}): RawRow {
  return rowOf('letters.csv', {
    文书号: '泉司监〔2024〕3号', 类型: '监督意见书', 被监督主体代码: AGENCY_USCC, 发出日期: '2024-07-01',
    整改期限: '2024-07-31', 整改完成日期: '', 事由: '公示不及时',
  }, overrides);
}

function recordOf<E extends EntityName>(result: ParsedRow<E>): FeedRecord<E> {
  if (!result.ok) throw new Error(`expected the row to parse, got ${JSON.stringify(result.reasons, null, 2)}`);
  return result.record;
}

function reasonsOf(result: ParsedRow): QuarantineReason[] {
  if (result.ok) throw new Error(`expected the row to be refused, got ${JSON.stringify(result.record)}`);
  return result.reasons;
}

/** The single reason about `field`. */
function reasonAbout(result: ParsedRow, field: string): QuarantineReason {
  const about = reasonsOf(result).filter((r) => r.field === field);
  if (about.length !== 1) throw new Error(`expected one reason about ${field}, got ${JSON.stringify(reasonsOf(result))}`);
  return about[0]!;
}

describe('cases: the three delivery styles parse to the same typed record', () => {
  test('a Chinese-header row, as decoded from a GBK CSV, parses to typed values', () => {
    const result = parseFeedRow('cases', aCaseRow());
    expect(recordOf(result)).toEqual({
      caseId: '泉鲤市监罚〔2024〕12号',
      agencyUscc: AGENCY_USCC,
      actionType: 'PENALTY',
      procedure: 'ORDINARY',
      filedOn: '2024-02-01',
      decidedOn: '2024-03-01',
      decisionNo: '泉鲤市监罚字〔2024〕12号',
      partyType: 'LEGAL_PERSON',
      partyName: '泉州某某食品有限公司',
      partyIdNo: aUscc('91350502MA2Y0K3L8'),
      amount: '12000.00',
      penaltyKinds: ['警告', '罚款'],
      isMajor: false,
      majorGrounds: [],
      hearingHeld: false,
      handlerIds: ['P001', 'P002'],
      closedOn: '2024-03-20',
      archivedOn: '2024-04-02',
      disclosure: 'PUBLIC',
      exemptReason: null,
      extended: false,
      updatedAt: new Date('2024-04-02T02:15:00Z'),
    });
    expect(result.naturalKey).toBe(`${AGENCY_USCC}|泉鲤市监罚〔2024〕12号`);
  });

  test('an XLSX row with an Excel serial date (a number), a Date cell, real booleans and 1.5万 parses', () => {
    const record = recordOf(parseFeedRow('cases', aCaseRow({
      立案日期: 45323, // 2024-02-01
      决定日期: new Date(Date.UTC(2024, 2, 1)),
      罚没金额: '1.5万',
      是否重大: true,
      重大情形: '重大权益',
      更新时间: new Date('2024-04-02T02:15:00Z'),
    })));
    expect(record).toMatchObject({
      filedOn: '2024-02-01',
      decidedOn: '2024-03-01',
      amount: '15000.00',
      isMajor: true,
      majorGrounds: ['MAJOR_RIGHTS'],
    });
    expect(record.updatedAt.toISOString()).toBe('2024-04-02T02:15:00.000Z');
  });

  test('a JSON row with English keys, codes, arrays and numbers parses', () => {
    const row: RawRow = {
      values: {
        caseId: 'C-2024-0001',
        agencyUscc: AGENCY_USCC,
        actionType: 'PENALTY',
        procedure: 'SUMMARY',
        decidedOn: '2024-03-01',
        amount: 200,
        penaltyKinds: ['罚款'],
        isMajor: false,
        handlerIds: ['P001', 'P002'],
        disclosure: 'PUBLIC',
        updatedAt: '2024-03-01T08:00:00Z',
      },
      position: { page: 1, item: 0, label: 'API 第 1 页第 1 条' },
    };
    const result = parseFeedRow('cases', row);
    expect(recordOf(result)).toMatchObject({
      caseId: 'C-2024-0001',
      procedure: 'SUMMARY',
      filedOn: null,
      amount: '200.00',
      penaltyKinds: ['罚款'],
      handlerIds: ['P001', 'P002'],
    });
    expect(result.naturalKey).toBe(`${AGENCY_USCC}|C-2024-0001`);
  });

  test('empty optional cells take the warehouse defaults: flags 否, disclosure 主动公开, lists empty', () => {
    const record = recordOf(parseFeedRow('cases', aCaseRow({
      是否重大: '', 是否听证: undefined, 延期: null, 公开属性: '', 处罚种类: '', 承办人员: '',
    })));
    expect(record).toMatchObject({ isMajor: false, hearingHeld: false, extended: false, disclosure: 'PUBLIC', penaltyKinds: [], handlerIds: [] });
  });

  test('a pending case (no decision yet) parses: 决定日期 is optional', () => {
    const record = recordOf(parseFeedRow('cases', aCaseRow({ 决定日期: '', 结案日期: '', 归档日期: '', 处罚种类: '', 罚没金额: '' })));
    expect(record.decidedOn).toBeNull();
  });

  test('headers with full-width spaces and a byte-order mark are still recognised; unknown columns are ignored', () => {
    const values = { ...aCaseRow().values };
    values['\uFEFF案件编号'] = values['案件编号'];
    delete values['案件编号'];
    values['行为　类别'] = values['行为类别'];
    delete values['行为类别'];
    values['备注'] = '平台自有列';
    const record = recordOf(parseFeedRow('cases', { values, position: { label: 'x' } }));
    expect(record).toMatchObject({ caseId: '泉鲤市监罚〔2024〕12号', actionType: 'PENALTY' });
    expect(record).not.toHaveProperty('备注');
  });

  test('JSON field names are matched case-sensitively', () => {
    const values = { ...aCaseRow().values, CaseId: 'other' };
    expect(recordOf(parseFeedRow('cases', { values, position: { label: 'x' } })).caseId).toBe('泉鲤市监罚〔2024〕12号');
  });

  test('the source date order reaches the date parser', () => {
    const record = recordOf(parseFeedRow('cases', aCaseRow({ 立案日期: '01/02/2024', 决定日期: '01/03/2024' }), { dateOrder: 'DMY' }));
    expect(record).toMatchObject({ filedOn: '2024-02-01', decidedOn: '2024-03-01' });
  });
});

describe('cases: refused rows carry every reason', () => {
  test('a row with several faults returns all reasons, each with its field and code', () => {
    const result = parseFeedRow('cases', aCaseRow({
      主体代码: '91350500MA2Y0K3L85',
      行为类别: '行政处分',
      决定日期: '2025-02-30',
      罚没金额: '-500',
      更新时间: '',
    }));
    const found = reasonsOf(result).map(({ field, code }) => ({ field, code }));
    expect(found).toEqual(expect.arrayContaining([
      { field: '主体代码', code: 'USCC_CHECK_CHARACTER' },
      { field: '行为类别', code: 'UNKNOWN_CODE' },
      { field: '决定日期', code: 'INVALID_DATE' },
      { field: '罚没金额', code: 'NEGATIVE_AMOUNT' },
      { field: '更新时间', code: 'REQUIRED' },
    ]));
    expect(found).toHaveLength(5);
  });

  test('2025-02-30 is refused as a date that does not exist, naming field and value', () => {
    expect(reasonAbout(parseFeedRow('cases', aCaseRow({ 决定日期: '2025-02-30' })), '决定日期')).toEqual({
      code: 'INVALID_DATE', field: '决定日期', message: '决定日期 "2025-02-30" 不是有效日期',
    });
  });

  test('a wrong USCC check character is refused naming the expected and the actual character', () => {
    expect(reasonAbout(parseFeedRow('cases', aCaseRow({ 主体代码: '91350500MA2Y0K3L85' })), '主体代码')).toEqual({
      code: 'USCC_CHECK_CHARACTER',
      field: '主体代码',
      message: '主体代码：统一社会信用代码 91350500MA2Y0K3L85 校验位应为 T，实为 5',
    });
  });

  test('an unknown enumeration label is refused listing what is accepted', () => {
    const reason = reasonAbout(parseFeedRow('cases', aCaseRow({ 程序类型: '快速' })), '程序类型');
    expect(reason).toEqual({ code: 'UNKNOWN_CODE', field: '程序类型', message: '程序类型 "快速" 不在代码表中（可填：简易、普通）' });
  });

  test('a decision dated before the filing is refused', () => {
    const result = parseFeedRow('cases', aCaseRow({ 立案日期: '2024-02-01', 决定日期: '2024-01-03', 结案日期: '', 归档日期: '' }));
    expect(reasonsOf(result)).toEqual([
      { code: 'DECIDED_BEFORE_FILED', field: '决定日期', message: '决定日期 2024-01-03 早于立案日期 2024-02-01' },
    ]);
  });

  test('closing before the decision and archiving before closing are refused', () => {
    const result = parseFeedRow('cases', aCaseRow({ 决定日期: '2024-03-01', 结案日期: '2024-02-28', 归档日期: '2024-02-27' }));
    expect(reasonAbout(result, '结案日期').code).toBe('CLOSED_BEFORE_DECIDED');
    expect(reasonAbout(result, '归档日期').code).toBe('ARCHIVED_BEFORE_CLOSED');
  });

  test('the decision may be on the day of filing', () => {
    expect(parseFeedRow('cases', aCaseRow({ 立案日期: '2024-03-01', 决定日期: '2024-03-01' })).ok).toBe(true);
  });

  test('a penalty kind outside APL art. 9 is refused', () => {
    expect(reasonAbout(parseFeedRow('cases', aCaseRow({ 处罚种类: '罚款、罚金' })), '处罚种类').code).toBe('UNKNOWN_CODE');
  });

  test('penalty kinds on a decision that is not a penalty are refused (FEEDS.md: empty for non-penalties)', () => {
    const reason = reasonAbout(parseFeedRow('cases', aCaseRow({ 行为类别: '行政许可', 处罚种类: '罚款' })), '处罚种类');
    expect(reason).toEqual({
      code: 'PENALTY_KINDS_ON_NON_PENALTY', field: '处罚种类', message: '处罚种类 罚款 只适用于行政处罚，本案行为类别为 行政许可',
    });
  });

  test('a missing required field is refused as REQUIRED with its header', () => {
    expect(reasonAbout(parseFeedRow('cases', aCaseRow({ 行为类别: ' ' })), '行为类别')).toEqual({
      code: 'REQUIRED', field: '行为类别', message: '行为类别 为必填项，不能为空',
    });
  });

  test('two columns for one field that disagree are refused; agreeing ones are fine', () => {
    const disagreeing = parseFeedRow('cases', aCaseRow({ caseId: 'OTHER' }));
    expect(reasonAbout(disagreeing, '案件编号').code).toBe('DUPLICATE_COLUMN');
    expect(parseFeedRow('cases', aCaseRow({ caseId: '泉鲤市监罚〔2024〕12号' })).ok).toBe(true);
  });

  test("the reader's own problems become reasons too", () => {
    const row = { ...aCaseRow(), readProblems: [{ code: 'EXTRA_CELLS', message: '第 2 行比表头多 1 列' }] };
    expect(reasonsOf(parseFeedRow('cases', row))).toEqual([{ code: 'EXTRA_CELLS', message: '第 2 行比表头多 1 列' }]);
  });

  test("a reader's problem about one cell names that cell's field as the entity does (the JSON name as its Chinese header)", () => {
    const row = { ...aCaseRow(), readProblems: [{ code: 'ENCODING_INVALID', field: 'partyName', message: '第 2 行「partyName」有不能按 UTF-8 解码的字节' }] };
    expect(reasonsOf(parseFeedRow('cases', row))).toEqual([
      { code: 'ENCODING_INVALID', field: '相对人名称', message: '第 2 行「partyName」有不能按 UTF-8 解码的字节' },
    ]);
  });

  test('a NUL or a lone surrogate (which PostgreSQL cannot store) is refused by field, and the kept row shows it as U+FFFD', () => {
    const row = aCaseRow({ 相对人名称: '某某\u0000公司', 决定文书号: '泉\ud800号', 备注: ['a\u0000'], 附加: [{ 'k\u0000': 1 }] as never });
    expect(reasonsOf(parseFeedRow('cases', row)).map(({ code, field }) => ({ code, field }))).toEqual([
      { code: 'INVALID_CHARACTER', field: '决定文书号' },
      { code: 'INVALID_CHARACTER', field: '相对人名称' },
      { code: 'INVALID_CHARACTER', field: '备注' },
      { code: 'INVALID_CHARACTER', field: '附加' },
    ]);
    expect(row.values).toMatchObject({ 相对人名称: '某某\uFFFD公司', 决定文书号: '泉\uFFFD号', 备注: ['a\uFFFD'], 附加: [{ 'k\uFFFD': 1 }] });
  });

  test('a cell over the 1 MiB cell limit from any transport is refused as CELL_TOO_LARGE and kept cut to the limit', () => {
    const row = aCaseRow({ 不公开理由: '长'.repeat(400_000) });
    const reasons = reasonsOf(parseFeedRow('cases', row));
    expect(reasons).toEqual([{
      code: 'CELL_TOO_LARGE', field: '不公开理由', message: '「不公开理由」有 1200000 字节，超过单元格上限 1048576 字节，只保留了前 1048576 字节',
    }]);
    expect(row.values.不公开理由).toBe('长'.repeat(349_525));
  });

  test('a refused row still has its natural key, so a corrected reload releases it', () => {
    const result = parseFeedRow('cases', aCaseRow({ 主体代码: '91350500MA2Y0K3L85', 决定日期: '2025-02-30' }));
    expect(result).toMatchObject({ ok: false, naturalKey: '91350500MA2Y0K3L85|泉鲤市监罚〔2024〕12号' });
  });

  test('the natural key is null only when a key field is missing', () => {
    expect(parseFeedRow('cases', aCaseRow({ 案件编号: '' })).naturalKey).toBeNull();
  });
});

describe('agencies', () => {
  test('a county agency at a county code parses', () => {
    const result = parseFeedRow('agencies', anAgencyRow());
    expect(recordOf(result)).toEqual({
      name: '泉州市鲤城区市场监督管理局', uscc: AGENCY_USCC, regionCode: '350502', tier: 'COUNTY', domain: '市场监管',
      kind: 'STATUTORY', updatedAt: new Date('2024-01-01T00:00:00Z'),
    });
    expect(result.naturalKey).toBe(AGENCY_USCC);
  });

  test('a 12-digit 统计用区划代码 is shortened to the code of the tree', () => {
    expect(recordOf(parseFeedRow('agencies', anAgencyRow({ 行政区划代码: '350502000000' }))).regionCode).toBe('350502');
    const township = parseFeedRow('agencies', anAgencyRow({ 行政区划代码: '350502001000', 主体层级: '乡镇级' }));
    expect(recordOf(township).regionCode).toBe('350502001');
  });

  test('a region code not in GB/T 2260 is refused; a malformed one too', () => {
    expect(reasonAbout(parseFeedRow('agencies', anAgencyRow({ 行政区划代码: '350599' })), '行政区划代码')).toEqual({
      code: 'UNKNOWN_REGION', field: '行政区划代码', message: '行政区划代码 350599 不存在于 GB/T 2260 区划表',
    });
    expect(reasonAbout(parseFeedRow('agencies', anAgencyRow({ 行政区划代码: '3505' })), '行政区划代码').code).toBe('REGION_CODE_FORMAT');
  });

  test('the USCC check character is checked under the 统一社会信用代码 header', () => {
    expect(reasonAbout(parseFeedRow('agencies', anAgencyRow({ 统一社会信用代码: '91350500MA2Y0K3L85' })), '统一社会信用代码')).toEqual({
      code: 'USCC_CHECK_CHARACTER', field: '统一社会信用代码', message: '统一社会信用代码 91350500MA2Y0K3L85 校验位应为 T，实为 5',
    });
  });

  test('a lower-case USCC is stored upper-case', () => {
    expect(recordOf(parseFeedRow('agencies', anAgencyRow({ 统一社会信用代码: AGENCY_USCC.toLowerCase() }))).uscc).toBe(AGENCY_USCC);
  });

  test('a tier that does not fit the region level is refused with the code to use', () => {
    const reason = reasonAbout(parseFeedRow('agencies', anAgencyRow({ 主体层级: '市级' })), '主体层级');
    expect(reason).toEqual({
      code: 'TIER_REGION_MISMATCH', field: '主体层级',
      message: '主体层级 市级 与行政区划代码 350502（县级）不符：市级部门应使用地级市代码（如 350500）',
    });
    expect(reasonAbout(parseFeedRow('agencies', anAgencyRow({ 主体层级: '乡镇级' })), '主体层级').code).toBe('TIER_REGION_MISMATCH');
  });

  test('a city agency sits at a prefecture code', () => {
    expect(parseFeedRow('agencies', anAgencyRow({ 统一社会信用代码: CITY_AGENCY_USCC, 行政区划代码: '350500', 主体层级: '市级' })).ok).toBe(true);
  });

  test("a municipality's city-level department may sit at the municipality's own code or at its 市辖区 node", () => {
    for (const code of ['110000', '110100']) {
      expect({ code, ok: parseFeedRow('agencies', anAgencyRow({ 行政区划代码: code, 主体层级: '市级' })).ok }).toEqual({ code, ok: true });
    }
    // …but a province's own code is no city outside the municipalities
    expect(parseFeedRow('agencies', anAgencyRow({ 行政区划代码: '350000', 主体层级: '市级' })).ok).toBe(false);
  });

  test('a 省直辖县级市 (仙桃 429004) department may call itself 市级 or 县级', () => {
    expect(parseFeedRow('agencies', anAgencyRow({ 行政区划代码: '429004', 主体层级: '市级' })).ok).toBe(true);
    expect(parseFeedRow('agencies', anAgencyRow({ 行政区划代码: '429004', 主体层级: '县级' })).ok).toBe(true);
  });
});

describe('the other entities keep their rules', () => {
  test('personnel: a certificate expiring before it was issued, and a suspension ending before it starts, are refused', () => {
    const result = parseFeedRow('personnel', aPersonRow({ 发证日期: '2024-01-01', 有效期至: '2023-12-31', 暂扣起: '2024-05-01', 暂扣止: '2024-04-01' }));
    expect(reasonAbout(result, '有效期至').code).toBe('EXPIRES_BEFORE_ISSUED');
    expect(reasonAbout(result, '暂扣止').code).toBe('SUSPENSION_ENDS_BEFORE_START');
  });

  test('personnel: a legal reviewer without a certificate parses; the key is agency and person', () => {
    const result = parseFeedRow('personnel', aPersonRow({ 人员类别: '法制审核人员', 执法证号: '', 发证日期: '', 有效期至: '', 证件状态: '', 法律职业资格: '是' }));
    expect(recordOf(result)).toMatchObject({ role: 'LEGAL_REVIEWER', certificateNo: null, legalQualification: true });
    expect(result.naturalKey).toBe(`${AGENCY_USCC}|P001`);
  });

  test('publications: a withdrawal before the publication is refused; the publication date is required', () => {
    expect(reasonAbout(parseFeedRow('publications', aPublicationRow({ 撤回日期: '2024-03-04' })), '撤回日期').code).toBe('WITHDRAWN_BEFORE_PUBLISHED');
    expect(reasonAbout(parseFeedRow('publications', aPublicationRow({ 公示日期: '' })), '公示日期').code).toBe('REQUIRED');
    expect(parseFeedRow('publications', aPublicationRow()).naturalKey).toBe('泉鲤市监罚〔2024〕12号');
  });

  test('reviews: round 0 is refused; completion before submission is refused', () => {
    expect(reasonAbout(parseFeedRow('reviews', aReviewRow({ 审核轮次: '0' })), '审核轮次')).toEqual({
      code: 'OUT_OF_RANGE', field: '审核轮次', message: '审核轮次 0 应在 1–99 之间',
    });
    expect(reasonAbout(parseFeedRow('reviews', aReviewRow({ 审核完成日期: '2024-02-19' })), '审核完成日期').code)
      .toBe('REVIEW_COMPLETED_BEFORE_SUBMITTED');
    expect(parseFeedRow('reviews', aReviewRow()).naturalKey).toBe('C-1|1');
  });

  test('appeals: concluded before filed is refused; a pending appeal parses', () => {
    expect(reasonAbout(parseFeedRow('appeals', anAppealRow({ 审结日期: '2024-03-01' })), '审结日期').code).toBe('APPEAL_CONCLUDED_BEFORE_FILED');
    const pending = parseFeedRow('appeals', anAppealRow({ 审结日期: '', 结果: '' }));
    expect(recordOf(pending)).toMatchObject({ kind: 'RECONSIDERATION', concludedOn: null, outcome: null });
    expect(pending.naturalKey).toBe('C-1|RECONSIDERATION');
  });

  test('recordings: upload before recording is refused; the digest is stored lower-case and must be 64 hex', () => {
    const early = parseFeedRow('recordings', aRecordingRow({ 上传时间: '2024-02-02 09:00:00' }));
    expect(reasonAbout(early, '上传时间')).toEqual({
      code: 'UPLOADED_BEFORE_RECORDED', field: '上传时间', message: '上传时间 2024-02-02 09:00:00 早于记录时间 2024-02-02 09:30:00',
    });
    expect(recordOf(parseFeedRow('recordings', aRecordingRow())).sha256).toBe('ab'.repeat(32));
    expect(reasonAbout(parseFeedRow('recordings', aRecordingRow({ 文件摘要: 'abc' })), '文件摘要').code).toBe('INVALID_SHA256');
    expect(parseFeedRow('recordings', aRecordingRow()).naturalKey).toBe('REC-1');
  });

  test('evaluations: a score above 100 is refused; the score keeps two decimals', () => {
    expect(reasonAbout(parseFeedRow('evaluations', anEvaluationRow({ 得分: '101' })), '得分').code).toBe('OUT_OF_RANGE');
    const result = parseFeedRow('evaluations', anEvaluationRow());
    expect(recordOf(result)).toMatchObject({ score: '92.50', grade: 'EXCELLENT', kind: 'SPOT' });
    expect(result.naturalKey).toBe('C-1|SPOT|2024-06-15');
  });

  test('annual reports: no 更新时间 is needed; a year outside 2000–2100 is refused', () => {
    const result = parseFeedRow('annualReports', anAnnualReportRow());
    expect(recordOf(result)).toEqual({ agencyUscc: AGENCY_USCC, year: 2024, submittedOn: '2025-01-10', publishedOn: '2025-01-25' });
    expect(result.naturalKey).toBe(`${AGENCY_USCC}|2024`);
    expect(reasonAbout(parseFeedRow('annualReports', anAnnualReportRow({ 年度: '1999' })), '年度').code).toBe('OUT_OF_RANGE');
  });

  test('letters: no 更新时间 is needed; a deadline before the issue date is refused', () => {
    const result = parseFeedRow('letters', aLetterRow());
    expect(recordOf(result)).toMatchObject({ letterNo: '泉司监〔2024〕3号', kind: 'OPINION', rectifiedOn: null });
    expect(result.naturalKey).toBe('泉司监〔2024〕3号');
    expect(reasonAbout(parseFeedRow('letters', aLetterRow({ 整改期限: '2024-06-30' })), '整改期限').code).toBe('DUE_BEFORE_ISSUED');
  });
});
