/**
 * The files that say what the generated folder is: README.txt (Chinese: synthetic demo data, what is where),
 * sources.yaml (the hub's sources file for it) and manifest.json (seed, scale, counts).
 */
import { stringify } from 'yaml';
import type { SourceLayout } from './sources';

export function sourcesYaml(layout: SourceLayout): string {
  const sources = layout.all.map((source) => {
    const entry: Record<string, unknown> = {
      id: source.id,
      name: source.name,
      transport: source.transport,
      // the demo starts the agency-API simulator on DIR/api and puts its address here
      location: source.transport === 'HTTP' ? '${HUB_DEMO_API_URL}' : source.folder,
      covers: source.covers,
    };
    if (source.tokenEnv) entry.tokenEnv = source.tokenEnv;
    if (source.schedule) entry.schedule = source.schedule;
    entry.synthetic = true;
    return entry;
  });
  const header = [
    '# 合成演示数据的数据源（hub generate 生成）。本数据为合成演示数据，不代表任何真实机关或个人。',
    '# Synthetic demo data sources, written by `hub generate`. FOLDER locations are relative to this file.',
    '# Load the HTTP source first: rows it delivers for cases that only the agency folder has are held, then released.',
    '',
  ].join('\n');
  return header + stringify({ sources }, { lineWidth: 0 });
}

export function readme(summary: {
  seed: number; scale: number; asOf: string; window: { from: string; to: string }; cutoff: string; pageSize: number; layout: SourceLayout;
  /** set when the city platform's API was capped (generate-province.ts, API_SCALE_CAP) */
  httpPlatformScale?: number;
}): string {
  const { layout } = summary;
  const folderLines = layout.all.filter((s) => s.transport === 'FOLDER').map((s) => `  ${s.folder}/  ${s.name}（覆盖 ${s.covers.region ? `行政区划 ${s.covers.region}` : `主体 ${s.covers.agency}`}）`);
  return [
    '本数据为合成演示数据',
    '====================',
    '',
    '本文件夹中的全部数据均由 `hub generate` 按固定随机种子生成，仅用于行政执法监督数据中台的演示、测试和性能评估。',
    '其中的执法主体、执法人员、当事人、案件、文书号、证件号码和网址均为虚构，不代表任何真实机关、单位或个人；',
    '行政区划代码取自真实的 GB/T 2260 区划（福建省），执法主体名称均带有“（演示）”字样。',
    '请勿将本数据作为真实执法数据引用、发布或上报。',
    '',
    `随机种子：${summary.seed}　规模（案件数）：${summary.scale}　数据期间：${summary.window.from} 至 ${summary.window.to}`,
    `数据提取日：${summary.cutoff}（此后发生的事项均未包含）　答案的计算基准日（as of）：${summary.asOf}`,
    '同一种子与规模，生成结果逐字节相同。',
    '',
    '目录结构',
    '--------',
    '  manifest.json          生成参数、各数据源各实体的行数统计（"synthetic": true）',
    '  sources.yaml           中台的数据源配置：一个市级平台经 HTTP 接口报送，其余以文件夹报送',
    `  api/<实体>.jsonl       ${layout.http.name}的接口数据（由接口模拟器提供，应答头带 x-synthetic-data: true）`,
    ...folderLines,
    '  answer-key/quarantine.json  刻意制造的错误行及其位置、自然键和全部原因代码；暂存后释放的行；重复行',
    '  answer-key/indicators.json  各主体、各区划每季度和每年度 18 项指标的分子与分母（按 DOMAIN.md §4 计算）',
    '  answer-key/cases.jsonl      每个已作出决定案件的公示状态、法制审核检查结果和持证办案结果',
    '',
    '文件格式',
    '--------',
    '  CSV（GBK 编码或带 BOM 的 UTF-8，中文表头）、XLSX（含真实的 Excel 日期单元格，部分金额写作“1.5万”）、',
    '  Apache Arrow IPC（案件），以及 JSON 接口数据；各数据源使用不同的日期、是否、列表和金额写法。',
    `  接口数据按 updatedAt 排序，位置按每页 ${summary.pageSize} 条计算。`,
    ...(summary.httpPlatformScale
      ? [`  规模超过 ${summary.httpPlatformScale} 时，市级平台接口只承载规模为 ${summary.httpPlatformScale} 时的案件量，其余案件由各文件夹报送。`]
      : []),
    '',
    '约 2% 的行是刻意制造的错误行（校验位错误的统一社会信用代码、不存在的区划代码、2025-02-30 这样的日期、',
    '不在代码表中的取值、决定日期早于立案日期、负数金额、缺少必填项等），中台应将其隔离并说明原因。',
    '',
  ].join('\n');
}
