/**
 * The entities of FEEDS.md by the names a delivery may use for them: the JSON/API name, and the Chinese
 * names a clerk puts in a file name (`执法案件-2024Q3-泉州市.xlsx`), a sheet name or a 实体 column.
 */
export const entityNames = [
  'agencies', 'personnel', 'cases', 'publications', 'reviews', 'appeals', 'recordings', 'evaluations',
  'annualReports', 'letters',
] as const;
export type EntityName = (typeof entityNames)[number];

export const entityAliases: Record<EntityName, readonly string[]> = {
  agencies: ['agencies', 'agency', '执法主体', '主体'],
  personnel: ['personnel', 'persons', '执法人员', '人员'],
  cases: ['cases', 'case', '执法案件', '案件'],
  publications: ['publications', 'publication', '公示记录', '公示'],
  reviews: ['reviews', 'review', '法制审核', '审核'],
  appeals: ['appeals', 'appeal', '复议诉讼'],
  recordings: ['recordings', 'recording', '全过程记录', '执法记录'],
  evaluations: ['evaluations', 'evaluation', '案卷评查', '评查'],
  annualReports: ['annualReports', 'annual-reports', 'annual_reports', '统计年报', '年报'],
  letters: ['letters', 'letter', '监督文书'],
};

const byAlias = new Map<string, EntityName>();
for (const name of entityNames) for (const alias of entityAliases[name]) byAlias.set(alias.toLowerCase(), name);

/** The entity a name stands for (case-insensitive for Latin names), or null. */
export function entityNamed(text: string): EntityName | null {
  return byAlias.get(text.trim().toLowerCase()) ?? null;
}

/**
 * The entity a file holds, from its name: the part before the first '-', '_', '.' or space, or the whole
 * stem (`cases-2024Q3-泉州市.csv`, `执法案件.xlsx`, `annual-reports-2025.arrow`). Null when none matches.
 */
export function entityOfFileName(fileName: string): EntityName | null {
  const stem = fileName.replace(/\.[^.]+$/, '');
  const whole = entityNamed(stem);
  if (whole) return whole;
  // longest alias that the name starts with, followed by a separator
  let best: EntityName | null = null;
  let bestLength = 0;
  for (const [alias, name] of byAlias) {
    if (alias.length > bestLength && stem.toLowerCase().startsWith(alias) && /^[-_. ]/.test(stem.slice(alias.length))) {
      best = name;
      bestLength = alias.length;
    }
  }
  return best;
}
