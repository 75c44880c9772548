/**
 * Each agency's people: officers with enforcement certificates (most valid; some expired during the period,
 * some issued during it, some suspended for a while or now, some revoked, a few never certified), legal
 * reviewers (some agencies fewer than max(2, ⌈5% × certified officers⌉)), now and then a supervisor.
 */
import type { PersonnelRecord } from '../feed/parse-row';
import type { PolicyProfile } from '../../src/domain/profile/policy-profile';
import type { SyntheticAgency } from './agencies';
import { certificateValidOn, requiredReviewers } from './answer-key';
import { addDays, instantAt, maxDate } from './dates';
import { personName } from './names';
import type { Random } from './random';

export interface AgencyStaff {
  officers: PersonnelRecord[];
  reviewers: PersonnelRecord[];
  supervisors: PersonnelRecord[];
  /** everyone, in delivery order */
  all: PersonnelRecord[];
}

type CertificateStory = 'normal' | 'expiring' | 'new' | 'pastSuspension' | 'suspendedNow' | 'revoked' | 'none';

const STORIES: readonly (readonly [CertificateStory, number])[] = [
  ['normal', 80], ['expiring', 6], ['new', 5], ['pastSuspension', 3], ['suspendedNow', 1], ['revoked', 2], ['none', 3],
];

function dateBetween(rng: Random, from: string, to: string): string {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  return new Date(start + rng.int(0, Math.round((end - start) / 86_400_000)) * 86_400_000).toISOString().slice(0, 10);
}

/** 执法证 are issued for five years here; the last day of validity is the day before the anniversary. */
function expiryOf(issuedOn: string): string {
  return addDays(`${Number(issuedOn.slice(0, 4)) + 5}${issuedOn.slice(4)}`.replace('-02-29', '-02-28'), -1);
}

interface Window { from: string; to: string }

function certificate(rng: Random, story: CertificateStory, window: Window): Partial<PersonnelRecord> {
  const fromYear = Number(window.from.slice(0, 4));
  const y = (offset: number, md: string) => `${fromYear + offset}-${md}`;
  switch (story) {
    case 'none':
      return {};
    case 'expiring': {
      // issued five years before the period, so it runs out during it: status still 有效, date past
      const issuedOn = dateBetween(rng, y(-6, '06-01'), y(-4, '12-31'));
      return { issuedOn, expiresOn: expiryOf(issuedOn), certificateStatus: 'VALID' };
    }
    case 'new': {
      const issuedOn = dateBetween(rng, y(0, '03-01'), addDays(window.to, -90));
      return { issuedOn, expiresOn: expiryOf(issuedOn), certificateStatus: 'VALID' };
    }
    case 'pastSuspension': {
      const issuedOn = dateBetween(rng, y(-3, '01-01'), y(-1, '12-31'));
      const suspendedFrom = dateBetween(rng, y(0, '02-01'), addDays(window.to, -200));
      return {
        issuedOn, expiresOn: expiryOf(issuedOn), certificateStatus: 'VALID',
        suspendedFrom, suspendedTo: addDays(suspendedFrom, rng.int(30, 120)),
      };
    }
    case 'suspendedNow': {
      const issuedOn = dateBetween(rng, y(-3, '01-01'), y(-1, '12-31'));
      const suspendedFrom = addDays(window.to, -rng.int(10, 90));
      return {
        issuedOn, expiresOn: expiryOf(issuedOn), certificateStatus: 'SUSPENDED',
        suspendedFrom, suspendedTo: addDays(window.to, rng.int(30, 150)),
      };
    }
    case 'revoked': {
      const issuedOn = dateBetween(rng, y(-4, '01-01'), y(-1, '12-31'));
      return { issuedOn, expiresOn: expiryOf(issuedOn), certificateStatus: 'REVOKED' };
    }
    case 'normal': {
      const issuedOn = dateBetween(rng, y(-3, '10-01'), y(-1, '12-31'));
      return { issuedOn, expiresOn: expiryOf(issuedOn), certificateStatus: 'VALID' };
    }
  }
}

export function generateStaff(agency: SyntheticAgency, rng: Random, window: Window, cutoff: string, profile: PolicyProfile): AgencyStaff {
  const base = agency.tier === 'CITY' ? agency.domain.officers : Math.max(4, Math.round(agency.domain.officers * 0.6));
  const officerCount = Math.max(3, Math.round(base * (0.8 + rng.next() * 0.4)));
  const plate = agency.prefecture.plate;
  const person = (role: PersonnelRecord['role'], id: string, story: CertificateStory, qualified: boolean): PersonnelRecord => {
    const cert = certificate(rng, story, window);
    const issuedYear = cert.issuedOn?.slice(0, 4);
    const record: PersonnelRecord = {
      personId: id,
      name: personName(rng),
      agencyUscc: agency.uscc,
      role,
      certificateNo: issuedYear ? `闽${plate}${issuedYear}${String(agency.index).padStart(4, '0')}${id.slice(-3)}` : null,
      certificateCategory: issuedYear ? agency.domain.domain : null,
      issuedOn: cert.issuedOn ?? null,
      expiresOn: cert.expiresOn ?? null,
      certificateStatus: cert.certificateStatus ?? null,
      suspendedFrom: cert.suspendedFrom ?? null,
      suspendedTo: cert.suspendedTo ?? null,
      legalQualification: qualified,
      updatedAt: agency.updatedAt,
    };
    // the register was last touched by the latest change it records that has already happened
    const touched = [record.issuedOn, record.suspendedFrom, record.suspendedTo].filter((d): d is string => !!d && d <= cutoff);
    const last = maxDate(...touched);
    if (last > '2023-12-31') record.updatedAt = instantAt(last, rng.int(9, 18), rng.int(0, 59), rng.int(0, 59));
    return record;
  };

  const officers: PersonnelRecord[] = [];
  for (let i = 1; i <= officerCount; i++) {
    officers.push(person('OFFICER', `${agency.idPrefix}-ZF${String(i).padStart(3, '0')}`, rng.weighted(STORIES), rng.chance(0.15)));
  }
  const certifiedAtEnd = officers.filter((o) => certificateValidOn(o, window.to)).length;
  const need = requiredReviewers(certifiedAtEnd, profile);
  // most agencies staff their legal unit as required; some fall one short, a few have nobody
  const reviewerCount = Math.max(0, rng.weighted<number>([[need, 60], [need + 1, 20], [need - 1, 15], [0, 5]]));
  const reviewers: PersonnelRecord[] = [];
  for (let i = 1; i <= reviewerCount; i++) {
    // some reviewers came from enforcement and still hold a certificate
    const story: CertificateStory = rng.chance(0.3) ? 'normal' : 'none';
    reviewers.push(person('LEGAL_REVIEWER', `${agency.idPrefix}-FZ${String(i).padStart(3, '0')}`, story, rng.chance(0.8)));
  }
  const supervisors = rng.chance(0.2) ? [person('SUPERVISOR', `${agency.idPrefix}-JD001`, 'none', rng.chance(0.5))] : [];
  return { officers, reviewers, supervisors, all: [...officers, ...reviewers, ...supervisors] };
}
