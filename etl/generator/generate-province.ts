/**
 * `hub generate`: a deterministic synthetic province — agencies, people, cases and all that hangs on them —
 * written as the hub's sources deliver data (one platform's API, folders of CSV/XLSX/Arrow files), with an
 * answer key of what the hub must refuse and what its indicators must come to. Same seed and scale, same
 * bytes.
 *
 * Streaming: the province is generated month by month and agency by agency, each case written as soon as it
 * is made; only per-agency state (people, counters, a small sample of case files, the answer key's tallies)
 * stays in memory, so memory does not grow with the number of cases. Past API_SCALE_CAP cases the city
 * platform's API stops growing and the folders take the rest (see there).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isCivilDate } from '../../src/domain/calendar/civil-date';
import { loadPolicyProfile } from '../../src/domain/profile/policy-profile';
import type { EntityName } from '../feed/entity-names';
import { defaultPageSize } from '../connectors/http-api';
import type { AgencyRecord, AnnualReportRecord, FeedRecords, PersonnelRecord } from '../feed/parse-row';
import { buildProvince, SYNTHETIC_MARK, type SyntheticAgency } from './agencies';
import { AnswerKey } from './answer-key';
import { AgencyCounters, generateCase, type CaseBundle, type CaseContext } from './cases';
import { addDays, monthsBetween, quarterOf, RememberingCalendar, WorkDays } from './dates';
import { readme, sourcesYaml } from './documents';
import { organisationCode, uscc } from './names';
import { LineSink, Output, type EntityCount } from './output';
import { generateStaff, type AgencyStaff } from './personnel';
import { Random } from './random';
import { planSources, type SourcePlan } from './sources';
import { annualReportsOf, CaseFileSample, evaluationsOf, LetterNumbers, lettersOf } from './supervision';

export interface GenerateOptions {
  seed: number;
  /** about this many cases */
  scale: number;
  out: string;
  /** the date the answer key is computed as of; default 2026-10-31 */
  asOf?: string;
  /** share of rows made deliberately bad; default 0.02 */
  badShare?: number;
  /** cases are filed in this window; default 2024-01-01 … 2026-09-30 */
  window?: { from: string; to: string };
  /** policy profile the answer key follows; default 'default' */
  profile?: string;
  onProgress?: (progress: { month: string; cases: number; rssBytes: number }) => void;
}

export interface GenerateSummary {
  dir: string;
  seed: number;
  scale: number;
  asOf: string;
  window: { from: string; to: string };
  dataExtractedOn: string;
  agencies: number;
  cases: number;
  rowsByEntity: Partial<Record<EntityName, number>>;
  refusedRows: number;
  heldRows: number;
  duplicateRows: number;
  sources: { id: string; transport: string }[];
}

export const DEFAULT_WINDOW = Object.freeze({ from: '2024-01-01', to: '2026-09-30' });
export const DEFAULT_AS_OF = '2026-10-31';
export const DEFAULT_BAD_SHARE = 0.02;
/** The platforms' data is extracted this many days after the window ends: later events have not happened. */
const EXTRACTION_LAG_DAYS = 60;
/** Relative case load by calendar month: the Spring Festival lull, the National Day holiday, the year-end push. */
const SEASON = [0.9, 0.7, 1.05, 1, 1, 1.05, 1, 1, 1, 0.85, 1.05, 1.15];
const MAX_DUPLICATES = 2;
const HELD_PER_DIRECTION = 3;
const DUPLICATE_CHANCE = 0.004;
/**
 * The city platform served over HTTP carries at most the cases it would carry at this scale; past it, the
 * folder sources take the rest, so that the province still has about `scale` cases. A prefecture platform
 * whose API lists millions of cases is not what agencies run, and the agency-API simulator holds the items it
 * serves in memory (at 20 million cases one entity's file would outgrow a string). At or below the cap every
 * agency's share is as it always was, and so are the bytes.
 */
export const API_SCALE_CAP = 1_000_000;

/**
 * The scales agencies' case volumes follow (an agency's expected cases are its scale × its share of the total
 * weight): the province's for everyone up to API_SCALE_CAP; past it, the cap for the platform's agencies and,
 * for the others, what makes the whole come to `scale`.
 */
export function volumeScales(scale: number, weights: { total: number; http: number }): { http: number; folders: number; capped: boolean } {
  if (scale <= API_SCALE_CAP || weights.http <= 0 || weights.http >= weights.total) return { http: scale, folders: scale, capped: false };
  return { http: API_SCALE_CAP, folders: (scale * weights.total - API_SCALE_CAP * weights.http) / (weights.total - weights.http), capped: true };
}

const WRITTEN_BY_US = ['manifest.json', 'README.txt', 'sources.yaml', 'api', 'files', 'answer-key', '.generating'];

export class GenerateOptionsError extends Error {}

function checkOptions(options: GenerateOptions): void {
  const fail = (message: string): never => {
    throw new GenerateOptionsError(message);
  };
  if (!Number.isSafeInteger(options.seed) || options.seed < 0) fail(`--seed must be a whole number ≥ 0, not ${options.seed}`);
  if (!Number.isSafeInteger(options.scale) || options.scale < 1 || options.scale > 50_000_000) {
    fail(`--scale must be a whole number of cases from 1 to 50,000,000, not ${options.scale}`);
  }
  if (options.asOf !== undefined && !isCivilDate(options.asOf)) fail(`--as-of must be a date YYYY-MM-DD, not ${JSON.stringify(options.asOf)}`);
  const share = options.badShare;
  if (share !== undefined && !(Number.isFinite(share) && share >= 0 && share <= 0.5)) fail(`--bad-share must be a fraction from 0 to 0.5, not ${share}`);
  const window = options.window;
  if (window && !(isCivilDate(window.from) && isCivilDate(window.to) && window.from <= window.to)) fail('the window must be two dates, from ≤ to');
}

/**
 * An existing folder is replaced only when it holds an earlier synthetic province (its manifest says so): the
 * generator never deletes a folder it did not make.
 */
function prepareFolder(dir: string): void {
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    return;
  }
  const entries = readdirSync(dir);
  if (entries.length === 0) return;
  let synthetic = false;
  try {
    synthetic = (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { synthetic?: unknown }).synthetic === true;
  } catch {
    synthetic = false;
  }
  if (!synthetic) {
    throw new GenerateOptionsError(`${dir} is not empty and holds no synthetic province (manifest.json with "synthetic": true): choose an empty folder`);
  }
  for (const entry of entries) if (WRITTEN_BY_US.includes(entry)) rmSync(join(dir, entry), { recursive: true, force: true });
}

function agencyRecord(agency: SyntheticAgency): AgencyRecord {
  return {
    name: agency.name, uscc: agency.uscc, regionCode: agency.regionCode, tier: agency.tier, domain: agency.domain.domain,
    kind: agency.kind, updatedAt: agency.updatedAt,
  };
}

interface AgencyState {
  agency: SyntheticAgency;
  staff: AgencyStaff;
  source: SourcePlan;
  ctx: CaseContext;
  sample: CaseFileSample;
  share: number;
  /** the scale the agency's case volume follows: the province's, or the capped platform's (API_SCALE_CAP) */
  scale: number;
}

export async function generateProvince(options: GenerateOptions): Promise<GenerateSummary> {
  checkOptions(options);
  const dir = resolve(options.out);
  const window = options.window ?? DEFAULT_WINDOW;
  const asOf = options.asOf ?? DEFAULT_AS_OF;
  const badShare = options.badShare ?? DEFAULT_BAD_SHARE;
  const cutoff = addDays(window.to, EXTRACTION_LAG_DAYS);
  const pageSize = defaultPageSize;
  const profile = loadPolicyProfile({ name: options.profile ?? 'default' });
  const calendar = RememberingCalendar.load();
  prepareFolder(dir);

  const rng = Random.seeded(options.seed);
  const province = buildProvince(options.scale, rng.fork('province'));
  const layout = planSources(province);
  const output = new Output({
    dir, layout, pageSize, maxDuplicates: MAX_DUPLICATES,
    pinnedDate: new Date(`${cutoff}T00:00:00Z`),
  });
  const answerKey = new AnswerKey({ asOf, profile, calendar }, window.from);
  const caseChecks = new LineSink(join(dir, 'answer-key', 'cases.jsonl'));
  const self = layout.selfReporting;
  const firstQuarter = quarterOf(window.from);

  // ---- agencies and their people -------------------------------------------------------------------------
  const totalWeight = province.agencies.reduce((sum, a) => sum + a.weight, 0);
  const httpWeight = province.agencies.filter((a) => layout.sourceOf(a) === layout.http).reduce((sum, a) => sum + a.weight, 0);
  const scales = volumeScales(options.scale, { total: totalWeight, http: httpWeight });
  const states: AgencyState[] = [];
  for (const agency of province.agencies) {
    const source = layout.sourceOf(agency);
    const staff = generateStaff(agency, rng.fork('staff', agency.index), window, cutoff, profile);
    const agencyRng = rng.fork('agency-rows', agency.index);
    output.good(source, 'agencies', agencyRecord(agency), firstQuarter, { duplicate: agencyRng.chance(0.02) });
    // the city platform lists every agency of its city, the self-reporting one included
    if (self && agency.uscc === self.agency.uscc) output.good(layout.http, 'agencies', agencyRecord(agency), firstQuarter);
    for (const person of staff.all) output.good(source, 'personnel', person, firstQuarter, { duplicate: agencyRng.chance(DUPLICATE_CHANCE) });
    // refused register entries: people the clerk typed in wrong, who never load (and never handle a case)
    staff.all.forEach((person, i) => {
      if (!agencyRng.chance(badShare)) return;
      const extra: PersonnelRecord = { ...person, personId: `${agency.idPrefix}-LS${String(i + 1).padStart(3, '0')}`, name: person.name };
      output.bad(source, 'personnel', extra, firstQuarter, agencyRng);
    });
    answerKey.registerAgency(
      { uscc: agency.uscc, name: agency.name, regionCode: agency.regionCode, tier: agency.tier, domain: agency.domain.domain },
      staff.all,
    );
    states.push({
      agency, staff, source,
      ctx: {
        agency, staff, work: new WorkDays(calendar, agency.regionCode), calendar, profile, window, cutoff, counters: new AgencyCounters(),
      },
      sample: new CaseFileSample(8),
      share: agency.weight / totalWeight,
      scale: source === layout.http ? scales.http : scales.folders,
    });
  }
  // refused agency rows: bodies that do not load, and that nothing else refers to
  if (badShare > 0) {
    const badAgencies = Math.max(7, Math.round(badShare * province.agencies.length));
    const extraRng = rng.fork('bad-agencies');
    for (let k = 0; k < badAgencies; k++) {
      const base = province.agencies[Math.floor((k * province.agencies.length) / badAgencies)]!;
      const record: AgencyRecord = {
        ...agencyRecord(base),
        name: `${base.name.replace(SYNTHETIC_MARK, '')}执法支队${SYNTHETIC_MARK}`,
        uscc: uscc(base.domain.usccPrefix, (base.countyCode ?? base.regionCode).slice(0, 6), organisationCode(extraRng, 'digits')),
      };
      output.bad(layout.sourceOf(base), 'agencies', record, firstQuarter, extraRng);
    }
  }

  // ---- month by month ----------------------------------------------------------------------------------
  const months = monthsBetween(window.from, window.to);
  const seasonTotal = months.reduce((sum, month) => sum + SEASON[Number(month.slice(5, 7)) - 1]!, 0);
  const letterNumbers = new LetterNumbers();
  const held = { toHttp: 0, toFolder: 0 };
  let caseCount = 0;

  const emitBundle = (state: AgencyState, bundle: CaseBundle, caseRng: Random): void => {
    const { record } = bundle;
    const quarter = quarterOf(record.filedOn!);
    const source = state.source;
    if (caseRng.chance(badShare) && output.bad(source, 'cases', record, quarter, caseRng)) return;

    // children delivered by another source than their case: held until the case arrives
    let caseSource = source;
    let publicationSource = source;
    let heldChildrenUntil: SourcePlan | undefined;
    const isSelf = self !== null && state.agency.uscc === self.agency.uscc;
    if (isSelf && bundle.publication) {
      if (held.toHttp < HELD_PER_DIRECTION && caseRng.chance(0.2)) {
        held.toHttp += 1;
        publicationSource = layout.http;
      } else if (held.toFolder < HELD_PER_DIRECTION && caseRng.chance(0.2)) {
        held.toFolder += 1;
        caseSource = layout.http;
        heldChildrenUntil = layout.http;
      }
    }
    const crossing = caseSource !== source || publicationSource !== source;
    const duplicate = () => !crossing && caseRng.chance(DUPLICATE_CHANCE);
    output.good(caseSource, 'cases', record, quarter, { duplicate: duplicate() });

    const child = <E extends 'publications' | 'reviews' | 'appeals' | 'recordings'>(entity: E, row: FeedRecords[E],
      to: SourcePlan, heldUntil?: SourcePlan): boolean => {
      if (caseRng.chance(badShare) && output.bad(to, entity, row, quarter, caseRng)) return false;
      output.good(to, entity, row, quarter, heldUntil ? { heldUntil } : { duplicate: duplicate() });
      return true;
    };
    const loaded = {
      publication: null as CaseBundle['publication'],
      reviews: [] as CaseBundle['reviews'],
      appeals: [] as CaseBundle['appeals'],
      recordings: [] as CaseBundle['recordings'],
    };
    if (bundle.publication) {
      const heldUntil = publicationSource !== source ? source : heldChildrenUntil;
      if (child('publications', bundle.publication, publicationSource, heldUntil)) loaded.publication = bundle.publication;
    }
    for (const review of bundle.reviews) if (child('reviews', review, source, heldChildrenUntil)) loaded.reviews.push(review);
    for (const appeal of bundle.appeals) if (child('appeals', appeal, source, heldChildrenUntil)) loaded.appeals.push(appeal);
    for (const recording of bundle.recordings) if (child('recordings', recording, source, heldChildrenUntil)) loaded.recordings.push(recording);

    const check = answerKey.addCase(state.agency.uscc, state.agency.regionCode, record, loaded);
    if (check) caseChecks.write(`${JSON.stringify(check)}\n`);
    // case files evaluated later come from the agency's own source (a crossing case's file would be held too)
    if (record.closedOn && !heldChildrenUntil) state.sample.offer(record.caseId, record.closedOn, caseRng);
  };

  for (let m = 0; m < months.length; m++) {
    const month = months[m]!;
    const quarter = quarterOf(`${month}-01`);
    const quarterStarts = m === 0 || quarterOf(`${months[m - 1]}-01`) !== quarter;
    const quarterEnds = m === months.length - 1 || quarterOf(`${months[m + 1]}-01`) !== quarter;
    const monthShare = SEASON[Number(month.slice(5, 7)) - 1]! / seasonTotal;

    for (const state of states) {
      const monthRng = rng.fork('month', state.agency.index, month);
      if (quarterStarts) {
        state.sample = new CaseFileSample(8);
        for (const letter of lettersOf(state.agency, quarter, letterNumbers, state.ctx.work, cutoff, monthRng.fork('letters'))) {
          if (monthRng.chance(badShare) && output.bad(state.source, 'letters', letter, quarter, monthRng)) continue;
          output.good(state.source, 'letters', letter, quarter, { duplicate: monthRng.chance(DUPLICATE_CHANCE) });
          answerKey.addLetter(letter);
        }
      }
      const cases = monthRng.count(state.scale * state.share * monthShare);
      for (let i = 0; i < cases; i++) {
        const caseRng = monthRng.fork('case', i);
        emitBundle(state, generateCase(state.ctx, month, caseRng), caseRng.fork('delivery'));
        caseCount += 1;
      }
      if (quarterEnds) {
        const evaluationRng = monthRng.fork('evaluations');
        for (const evaluation of evaluationsOf(state.agency, quarter, state.sample, state.ctx.work, cutoff, evaluationRng)) {
          if (evaluationRng.chance(badShare) && output.bad(state.source, 'evaluations', evaluation, quarter, evaluationRng)) continue;
          output.good(state.source, 'evaluations', evaluation, quarter, { duplicate: evaluationRng.chance(DUPLICATE_CHANCE) });
          answerKey.addEvaluation(state.agency.uscc, evaluation);
        }
      }
      await output.breathe();
    }
    if (quarterEnds) await output.closeQuarter(quarter);
    output.flushApi(month);
    await output.breathe(true);
    options.onProgress?.({ month, cases: caseCount, rssBytes: process.memoryUsage().rss });
  }

  // ---- annual reports ----------------------------------------------------------------------------------
  const lastQuarter = quarterOf(window.to);
  for (const state of states) {
    const reportRng = rng.fork('annual-reports', state.agency.index);
    const loaded = new Map<number, AnnualReportRecord>();
    for (const report of annualReportsOf(state.agency, Number(window.from.slice(0, 4)) - 1, cutoff, profile, state.ctx.work, reportRng)) {
      if (reportRng.chance(badShare) && output.bad(state.source, 'annualReports', report, lastQuarter, reportRng)) continue;
      output.good(state.source, 'annualReports', report, lastQuarter, { duplicate: reportRng.chance(DUPLICATE_CHANCE) });
      loaded.set(report.year, report);
    }
    answerKey.addAnnualReports(state.agency.uscc, loaded);
  }

  await output.close();
  caseChecks.close();
  const indicators = new LineSink(join(dir, 'answer-key', 'indicators.json'));
  answerKey.writeIndicators(indicators);
  indicators.close();

  // ---- what the folder is ------------------------------------------------------------------------------
  const bySource = output.countsBySource();
  const byTransport: Record<string, Partial<Record<EntityName, EntityCount>>> = {};
  const rowsByEntity: Partial<Record<EntityName, number>> = {};
  for (const source of layout.all) {
    const transport = (byTransport[source.transport] ??= {});
    for (const [entity, count] of Object.entries(bySource[source.id] ?? {}) as [EntityName, EntityCount][]) {
      const sum = (transport[entity] ??= { rows: 0, good: 0, bad: 0, duplicates: 0, held: 0 });
      for (const key of Object.keys(sum) as (keyof EntityCount)[]) sum[key] += count[key];
      rowsByEntity[entity] = (rowsByEntity[entity] ?? 0) + count.rows;
    }
  }
  const files = output.filesBySource();
  const manifest = {
    synthetic: true,
    description: '本数据为合成演示数据，不代表任何真实机关、单位或个人。Synthetic demo data.',
    generator: 'hub generate',
    seed: options.seed,
    scale: options.scale,
    asOf,
    badShare,
    profile: profile.name,
    window,
    dataExtractedOn: cutoff,
    apiPageSize: pageSize,
    ...(scales.capped ? { httpPlatformScale: API_SCALE_CAP } : {}),
    province: { code: province.province.code, name: province.province.name },
    prefectures: province.prefectures.map((p) => ({
      code: p.region.code, name: p.region.name, counties: p.counties.map((c) => ({ code: c.code, name: c.name })),
    })),
    agencies: province.agencies.length,
    cases: caseCount,
    sources: layout.all.map((source) => ({
      id: source.id, name: source.name, transport: source.transport, covers: source.covers,
      location: source.transport === 'HTTP' ? 'api/' : source.folder, files: files[source.id],
    })),
    counts: { bySource, byTransport, rowsByEntity },
    answerKey: {
      quarantine: 'answer-key/quarantine.json',
      indicators: 'answer-key/indicators.json',
      cases: 'answer-key/cases.jsonl',
      refusedRows: output.refusedRows,
      heldRows: output.held.length,
      duplicateRows: output.duplicates.length,
    },
  };
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(dir, 'sources.yaml'), sourcesYaml(layout));
  writeFileSync(join(dir, 'README.txt'), readme({
    seed: options.seed, scale: options.scale, asOf, window, cutoff, pageSize, layout,
    ...(scales.capped ? { httpPlatformScale: API_SCALE_CAP } : {}),
  }));

  return {
    dir, seed: options.seed, scale: options.scale, asOf, window, dataExtractedOn: cutoff,
    agencies: province.agencies.length, cases: caseCount, rowsByEntity,
    refusedRows: output.refusedRows, heldRows: output.held.length, duplicateRows: output.duplicates.length,
    sources: layout.all.map((s) => ({ id: s.id, transport: s.transport })),
  };
}
