/**
 * What supervisors and agencies produce about the enforcement itself: case-file evaluations each quarter (an
 * agency's self-check, the justice bureau's spot check), annual statistics reports (on time, late, missing)
 * and supervision letters (rectified on time, late, not at all).
 */
import type { PolicyProfile } from '../../src/domain/profile/policy-profile';
import type { AnnualReportRecord, EvaluationRecord, LetterRecord } from '../feed/parse-row';
import type { SyntheticAgency } from './agencies';
import { addDays, instantAt, quarterBounds, WorkDays } from './dates';
import type { Random } from './random';

/** A few closed cases of one agency in one quarter, sampled as they are generated (bounded: a reservoir). */
export class CaseFileSample {
  private readonly items: { caseId: string; closedOn: string }[] = [];
  private seen = 0;

  constructor(private readonly size: number) {}

  offer(caseId: string, closedOn: string, rng: Random): void {
    this.seen += 1;
    if (this.items.length < this.size) {
      this.items.push({ caseId, closedOn });
      return;
    }
    const slot = rng.int(0, this.seen - 1);
    if (slot < this.size) this.items[slot] = { caseId, closedOn };
  }

  closedBefore(date: string): { caseId: string; closedOn: string }[] {
    return this.items.filter((item) => item.closedOn < date);
  }
}

const FINDINGS_PASS = ['个别文书送达回证填写不规范', '证据目录与卷内材料页码不一致', '部分调查笔录未由当事人逐页签名'];
const FINDINGS_FAIL = ['未告知当事人陈述申辩权利', '案件事实认定证据不足', '处罚决定书未载明救济途径和期限', '卷内缺少法制审核意见'];

function gradeOf(score: number): EvaluationRecord['grade'] {
  return score >= 90 ? 'EXCELLENT' : score >= 70 ? 'PASS' : 'FAIL';
}

/**
 * Evaluations of a finished quarter: the agency checks 1–3 of its closed case files early in the next quarter;
 * the justice bureau spot-checks one file of about a third of the agencies a month later.
 */
export function evaluationsOf(agency: SyntheticAgency, quarter: string, sample: CaseFileSample, work: WorkDays,
  cutoff: string, rng: Random): EvaluationRecord[] {
  const next = addDays(quarterBounds(quarter).to, 1);
  const evaluations: EvaluationRecord[] = [];
  const evaluate = (kind: EvaluationRecord['kind'], evaluator: string, on: string, count: number) => {
    if (on > cutoff) return;
    for (const file of rng.sample(sample.closedBefore(on), count)) {
      const score = Math.min(100, Math.max(40, Math.round(rng.normal(84, 9) * 2) / 2));
      const grade = gradeOf(score);
      evaluations.push({
        caseId: file.caseId, kind, evaluator, evaluatedOn: on,
        score: rng.chance(0.1) ? null : score.toFixed(2), grade,
        findings: grade === 'EXCELLENT' ? null : rng.pick(grade === 'PASS' ? FINDINGS_PASS : FINDINGS_FAIL),
        updatedAt: instantAt(on, rng.int(14, 19), rng.int(0, 59), rng.int(0, 59)),
      });
    }
  };
  evaluate('SELF', agency.name, work.onOrAfter(addDays(next, rng.int(3, 25))), rng.int(1, 3));
  if (rng.chance(0.3)) evaluate('SPOT', agency.supervisor.name, work.onOrAfter(addDays(next, rng.int(35, 60))), 1);
  return evaluations;
}

const SUBJECTS = [
  '行政处罚决定公示不及时', '重大执法决定未经法制审核即作出', '执法人员未持有效执法证件办案', '案卷归档超过期限',
  '现场执法未按规定进行音像记录', '执法记录未在24小时内上传', '办案超过法定期限且未办理延期', '年度统计数据未按时报送',
];

/** Per justice bureau, per year and kind: letter numbers 泉司监意〔2025〕3号. */
export class LetterNumbers {
  private readonly next = new Map<string, number>();

  number(agency: SyntheticAgency, kind: LetterRecord['kind'], year: string): string {
    const key = `${agency.supervisor.regionCode}|${kind}|${year}`;
    const n = (this.next.get(key) ?? 0) + 1;
    this.next.set(key, n);
    return `${agency.supervisor.short}司监${kind === 'DECISION' ? '决' : '意'}〔${year}〕${n}号`;
  }
}

/** Letters a justice bureau sends one agency in one quarter: usually none, now and then one. */
export function lettersOf(agency: SyntheticAgency, quarter: string, numbers: LetterNumbers, work: WorkDays, cutoff: string,
  rng: Random): LetterRecord[] {
  const letters: LetterRecord[] = [];
  const bounds = quarterBounds(quarter);
  for (let i = rng.count(0.15); i > 0; i--) {
    const month = `${bounds.from.slice(0, 5)}${String(Number(bounds.from.slice(5, 7)) + rng.int(0, 2)).padStart(2, '0')}`;
    const issuedOn = work.dayIn(month, rng, 0);
    if (issuedOn > cutoff) continue;
    const kind: LetterRecord['kind'] = rng.chance(0.8) ? 'OPINION' : 'DECISION';
    const dueOn = addDays(issuedOn, kind === 'OPINION' ? 30 : 15);
    const story = rng.weighted<string>([['onTime', 70], ['late', 15], ['never', 15]]);
    let rectifiedOn: string | null = null;
    if (story === 'onTime') rectifiedOn = addDays(issuedOn, rng.int(3, kind === 'OPINION' ? 30 : 15));
    if (story === 'late') rectifiedOn = addDays(dueOn, rng.int(1, 40));
    if (rectifiedOn && rectifiedOn > cutoff) rectifiedOn = null;
    letters.push({
      letterNo: numbers.number(agency, kind, issuedOn.slice(0, 4)), kind, agencyUscc: agency.uscc, issuedOn, dueOn, rectifiedOn,
      subject: rng.pick(SUBJECTS),
    });
  }
  return letters;
}

/**
 * The agency's annual statistics for each year whose publication deadline has come by the extraction date:
 * most on time, some late, a few never sent.
 */
export function annualReportsOf(agency: SyntheticAgency, firstYear: number, cutoff: string, profile: PolicyProfile, work: WorkDays,
  rng: Random): AnnualReportRecord[] {
  const reports: AnnualReportRecord[] = [];
  for (let year = firstYear; `${year + 1}-${profile.annualReport.publishBy}` <= cutoff; year++) {
    const story = rng.weighted<string>([['onTime', 85], ['lateSubmission', 7], ['latePublication', 3], ['missing', 5]]);
    if (story === 'missing') continue;
    const submitBy = `${year + 1}-${profile.annualReport.submitBy}`;
    const publishBy = `${year + 1}-${profile.annualReport.publishBy}`;
    const submittedOn = story === 'lateSubmission'
      ? addDays(submitBy, rng.int(1, 40))
      : work.onOrAfter(addDays(`${year + 1}-01-01`, rng.int(1, 10)));
    let publishedOn: string | null = story === 'latePublication'
      ? addDays(publishBy, rng.int(1, 60))
      : rng.chance(0.04) ? null : addDays(submittedOn, rng.int(1, 10));
    if (publishedOn && publishedOn <= submittedOn) publishedOn = addDays(submittedOn, 1);
    reports.push({
      agencyUscc: agency.uscc, year,
      submittedOn: submittedOn <= cutoff ? submittedOn : null,
      publishedOn: publishedOn && publishedOn <= cutoff ? publishedOn : null,
    });
  }
  return reports;
}
