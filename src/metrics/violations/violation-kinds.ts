import type { IndicatorName } from '../../domain/profile/policy-profile';
import type { CheckRelationName } from '../checks/check-relations';
import { indicatorDefinitions, type Condition } from '../indicators/indicator-definitions';

/**
 * The kinds of violation a supervisor is shown as a list (DOMAIN.md §4: every number drills down to the exact
 * records behind it). A kind is data over a check relation: the records of the relation that meet `where` and
 * not `unless`, dated by the same column its indicator counts them by. Where a list is exactly an indicator's
 * denominator without its numerator, the conditions are taken from that indicator's definition, so that the
 * two cannot drift apart; the others state theirs over the same columns.
 */

export const ViolationKinds = [
  'OVERDUE_PUBLICATION', 'LATE_PUBLICATION', 'WITHDRAWAL_NOT_DONE', 'REVIEW_VIOLATION', 'UNCERTIFIED_HANDLING',
  'MISSING_RECORDING', 'OVERDUE_RECTIFICATION',
] as const;
export type ViolationKind = (typeof ViolationKinds)[number];

/** What one item of a kind is: a decided case, one whole-process record of a case, a supervision letter. */
export type ViolationSubject = 'case' | 'recording' | 'letter';

export interface ViolationKindDefinition {
  kind: ViolationKind;
  label: string;
  /** the DOMAIN.md section and the law or seed the rule rests on */
  basis: string;
  relation: CheckRelationName;
  /** the relation's date that puts an item in a period: the one its indicator counts it by (DOMAIN.md §4) */
  date: string;
  /** every condition must hold (a condition maps a check column to `true` or to the values it may take) */
  where: Condition;
  /** and not all of these ({}: nothing excluded) */
  unless: Condition;
  subject: ViolationSubject;
  /**
   * How lateness is counted: the deadlines of §4.1 are working days (APL art. 85), so their lateness is too;
   * a 整改期限 is a date the letter sets, so calendar days. null: the kind has no deadline.
   */
  lateness: 'WORKING_DAYS' | 'CALENDAR_DAYS' | null;
  /** the agency can still put it right (publish, withdraw, rectify); otherwise it stands on the record */
  open: boolean;
  /** the indicator the list answers to, and how the number of items relates to its figures */
  indicator: { name: IndicatorName; identity: string };
}

/** The denominator and numerator of an indicator as a list's `where` and `unless`: the records that fail it. */
function failing(name: IndicatorName): Pick<ViolationKindDefinition, 'relation' | 'date' | 'where' | 'unless' | 'indicator'> {
  const definition = indicatorDefinitions.find((d) => d.name === name);
  if (!definition || definition.date === null) throw new Error(`violation kinds: indicator ${name} is not a dated indicator definition`);
  return {
    relation: definition.relation, date: definition.date, where: definition.denominator, unless: definition.numerator,
    indicator: { name, identity: 'denominator − numerator' },
  };
}

export const violationKinds: readonly ViolationKindDefinition[] = [
  {
    kind: 'OVERDUE_PUBLICATION', label: '逾期未公示',
    basis: 'DOMAIN.md §4.1 (seeds 000, 002, 003): 许可、处罚 7 个工作日内，其他 20 个工作日内公示',
    ...failing('publicationRate'), subject: 'case', lateness: 'WORKING_DAYS', open: true,
  },
  {
    // for the record: published, but after the deadline; publicationTimeliness counts it as a miss
    kind: 'LATE_PUBLICATION', label: '超期公示',
    basis: 'DOMAIN.md §4.1 (seeds 000, 002, 003)',
    relation: 'case_checks', date: 'decided_on', where: { publication_status: ['LATE'] }, unless: {},
    subject: 'case', lateness: 'WORKING_DAYS', open: false,
    indicator: { name: 'publicationTimeliness', identity: 'publicationTimeliness (denominator − numerator) − publicationRate (denominator − numerator)' },
  },
  {
    // owed and its 3 working days gone; one withdrawn late is a miss of withdrawalTimeliness but nothing to act on
    kind: 'WITHDRAWAL_NOT_DONE', label: '应撤未撤',
    basis: 'DOMAIN.md §4.1 withdrawal; APL art. 48: 3 个工作日内撤回',
    relation: 'case_checks', date: 'withdrawal_outcome_on',
    where: { withdrawal_status: ['NOT_WITHDRAWN'], withdrawal_due: true }, unless: {},
    subject: 'case', lateness: 'WORKING_DAYS', open: true,
    indicator: { name: 'withdrawalTimeliness', identity: 'denominator − numerator − those withdrawn late' },
  },
  {
    kind: 'REVIEW_VIOLATION', label: '重大决定未经法制审核或审核不规范',
    basis: 'DOMAIN.md §4.2; APL art. 58 (seeds 000–004)',
    ...failing('reviewCoverage'), subject: 'case', lateness: null, open: false,
  },
  {
    kind: 'UNCERTIFIED_HANDLING', label: '未持证或单人执法',
    basis: 'DOMAIN.md §4.5; APL art. 42: 执法人员不得少于两人，并应持证',
    ...failing('certifiedHandling'), subject: 'case', lateness: null, open: false,
  },
  {
    // one item per record whose activity or stage requires audio-video and whose method does not give it
    kind: 'MISSING_RECORDING', label: '缺少法定全过程记录',
    basis: 'DOMAIN.md §4.4 (seeds 000, 002, 004): 全程音像 / 音像记录',
    ...failing('recordingCompliance'), subject: 'recording', lateness: null, open: false,
  },
  {
    // unrectified past the 整改期限; one rectified late is a miss of rectificationTimeliness but nothing to act on
    kind: 'OVERDUE_RECTIFICATION', label: '整改逾期',
    basis: 'DOMAIN.md §4.6 (seed 001 items 12–15): 监督意见书 / 监督决定书的整改期限',
    relation: 'letter_checks', date: 'due_on', where: { rectification_status: ['OVERDUE'] }, unless: {},
    subject: 'letter', lateness: 'CALENDAR_DAYS', open: true,
    indicator: { name: 'rectificationTimeliness', identity: 'denominator − numerator − those rectified late' },
  },
];

/** The definition of a kind; kinds are checked where a request names them, so a miss here is a bug. */
export function violationKind(kind: ViolationKind): ViolationKindDefinition {
  const definition = violationKinds.find((d) => d.kind === kind);
  if (!definition) throw new Error(`violation kind ${kind} has no definition`);
  return definition;
}
