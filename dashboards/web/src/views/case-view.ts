import { ApiError, gql } from '../api.js';
import type { App } from '../app-state.js';
import { h } from '../dom.js';
import { count, dateTime, label } from '../format.js';

const query = `query Case($agencyUscc: String!, $caseId: String!) {
  case(agencyUscc: $agencyUscc, caseId: $caseId) {
    caseId agencyUscc regionCode actionType procedure decisionNo partyName partyType penaltyKinds amount
    filedOn decidedOn closedOn archivedOn isMajor majorReasons handlerIds
    agency { name domain } region { name }
    publication { status deadline deadlineProvisional publishedOn exemption withdrawalStatus withdrawalDeadline }
    review { required compliant violations }
    handling { decidedInTime certifiedHandling archiveStatus }
    reviews { round submittedOn completedOn opinion reviewerIds }
    appeals { kind body filedOn concludedOn outcome }
    recordings { recordId activity stage method recordedAt uploadedAt sha256 }
    lineage { source position run loadedAt contentHash }
  }
}`;

type Case = Record<string, any>;

function facts(rows: [string, Node | string | null][]): HTMLElement {
  return h('dl', { class: 'facts' }, ...rows.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value ?? '—')]));
}

const yesNo = (v: boolean | null | undefined, yes = '是', no = '否') => (v === null || v === undefined ? '—' : v ? h('span', { class: 'status ok' }, yes) : h('span', { class: 'status bad' }, no));

/** One decision: what it is, every check on it as of today, what hangs on it, and where its data came from. */
export async function renderCase(main: HTMLElement, app: App): Promise<void> {
  const agencyUscc = app.route.params.get('ag') ?? '';
  const caseId = app.route.params.get('c') ?? '';
  const labels = app.catalog.labels;
  const section = h('section', { class: 'panel w-full', 'data-panel': 'case', 'data-state': 'loading' }, h('p', { class: 'loading' }, '加载中…'));
  main.append(h('header', { class: 'dashboard-header' }, h('h1', {}, `案件 ${caseId}`),
    h('p', { class: 'description' }, '检查结果均截至今日；期限按节假日安排（含调休）以工作日计算。')), section);
  try {
    const { case: c } = await gql<{ case: Case | null }>(query, { agencyUscc, caseId });
    if (!c) {
      section.dataset.state = 'empty';
      section.replaceChildren(h('p', { class: 'empty' }, '没有这个案件，或它不在您的管辖范围内。'));
      return;
    }
    const p = c.publication;
    const provisional = (flag: boolean) => (flag ? h('span', { class: 'provisional', title: '期限超出节假日安排已知范围，为暂定' }, '暂定') : null);
    const deadline = (day: string | null, flag: boolean) => (day ? h('span', {}, day, provisional(flag)) : '—');
    section.replaceChildren(
      h('h2', {}, '基本情况'),
      facts([
        ['执法主体', `${c.agency?.name ?? c.agencyUscc}（${c.agencyUscc}）`], ['区划', c.region?.name ?? c.regionCode],
        ['行为类别', label(labels, 'ActionType', c.actionType)], ['程序', label(labels, 'Procedure', c.procedure)],
        ['决定文书号', c.decisionNo], ['当事人', c.partyName], ['处罚种类', (c.penaltyKinds as string[]).join('、') || null],
        ['罚没金额（元）', c.amount === null ? null : count(c.amount)],
        ['立案', c.filedOn], ['决定', c.decidedOn], ['结案', c.closedOn], ['归档', c.archivedOn],
        ['重大执法决定', c.isMajor ? `是（${(c.majorReasons as string[]).join('；') || '来源标注'}）` : '否'],
        ['承办人员', (c.handlerIds as string[]).join('、') || null],
      ]),
      h('h2', {}, '公示'),
      facts([
        ['公示状态', h('span', { class: `status s-${String(p.status).toLowerCase()}` }, label(labels, 'PublicationStatus', p.status))],
        ['公示期限', deadline(p.deadline, p.deadlineProvisional)], ['公示日期', p.publishedOn],
        ['不予公示', p.exemption], ['撤回公示', p.withdrawalStatus ? label(labels, 'WithdrawalStatus', p.withdrawalStatus) : '无需撤回'],
        ['撤回期限', deadline(p.withdrawalDeadline, p.deadlineProvisional)],
      ]),
      h('h2', {}, '法制审核'),
      facts([
        ['需要审核', yesNo(c.review.required)], ['审核合规', yesNo(c.review.compliant, '合规', '不合规')],
        ['问题', (c.review.violations as string[]).map((v) => label(labels, 'ReviewViolation', v)).join('、') || '无'],
      ]),
      c.reviews.length ? h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, ...['轮次', '送审', '完成', '意见', '审核人员'].map((t) => h('th', {}, t)))),
        h('tbody', {}, ...(c.reviews as Case[]).map((r) => h('tr', {}, h('td', {}, String(r.round)), h('td', {}, r.submittedOn ?? '—'), h('td', {}, r.completedOn ?? '—'),
          h('td', {}, label(labels, 'ReviewOpinion', r.opinion)), h('td', {}, (r.reviewerIds as string[]).join('、'))))))) : h('p', { class: 'note' }, '无审核记录'),
      h('h2', {}, '办案期限与持证'),
      facts([
        ['90 日内作出决定', yesNo(c.handling.decidedInTime)], ['持证执法', yesNo(c.handling.certifiedHandling)],
        ['30 日内归档', c.handling.archiveStatus ? label(labels, 'DeadlineStatus', c.handling.archiveStatus) : '—'],
      ]),
      h('h2', {}, `复议与诉讼（${c.appeals.length}）`),
      c.appeals.length ? h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, ...['类别', '机关', '受理', '审结', '结果'].map((t) => h('th', {}, t)))),
        h('tbody', {}, ...(c.appeals as Case[]).map((a) => h('tr', {}, h('td', {}, label(labels, 'AppealKind', a.kind)), h('td', {}, a.body ?? '—'),
          h('td', {}, a.filedOn ?? '—'), h('td', {}, a.concludedOn ?? '—'), h('td', {}, label(labels, 'AppealOutcome', a.outcome))))))) : h('p', { class: 'note' }, '无'),
      h('h2', {}, `全过程记录（${c.recordings.length}）`),
      c.recordings.length ? h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, ...['记录编号', '活动', '环节', '方式', '记录时间', '上传时间', '内容 SHA-256'].map((t) => h('th', {}, t)))),
        h('tbody', {}, ...(c.recordings as Case[]).map((r) => h('tr', {}, h('td', {}, r.recordId), h('td', {}, label(labels, 'RecordingActivity', r.activity)),
          h('td', {}, label(labels, 'RecordingStage', r.stage)), h('td', {}, label(labels, 'RecordingMethod', r.method)), h('td', {}, dateTime(r.recordedAt)),
          h('td', {}, dateTime(r.uploadedAt)), h('td', { class: 'hash' }, r.sha256 ? `${String(r.sha256).slice(0, 16)}…` : '—')))))) : h('p', { class: 'note' }, '无'),
      h('h2', {}, '数据来源（血缘）'),
      c.lineage ? facts([
        ['来源', c.lineage.source], ['位置（文件行或接口页）', c.lineage.position], ['采集运行', c.lineage.run],
        ['入库时间', dateTime(c.lineage.loadedAt)], ['内容摘要', h('span', { class: 'hash' }, c.lineage.contentHash)],
      ]) : h('p', { class: 'note' }, '公众视图不显示数据来源。'),
    );
    section.dataset.state = 'ready';
  } catch (error) {
    section.dataset.state = 'error';
    section.replaceChildren(h('p', { class: 'error', role: 'alert' }, error instanceof ApiError ? error.message : `显示出错：${(error as Error).message}`));
  }
}
