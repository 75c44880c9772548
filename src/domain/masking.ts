import type { PartyType } from './codes';
import compoundSurnames from './data/compound-surnames.json';

/**
 * What the public view shows of a party's name (DOMAIN.md §6): a natural person keeps only the surname.
 * Identity numbers, phone numbers and addresses are not masked here because they are never exposed publicly at
 * all — the public views do not select them.
 */

const MASK = '*';
const COMPOUND_SURNAMES: ReadonlySet<string> = new Set(compoundSurnames);
/** The separators of transliterated names (买买提·艾力): the interpunct and the look-alikes clerks type for it. */
const NAME_DOT = /[·•．・‧]/u;
const HAN = /\p{Script=Han}/u;
const LETTER = /\p{L}/u;
const WHITESPACE = /\s/u;

function maskLatinName(chars: string[]): string {
  // Keep the first letter of each word (J*** S****); hyphens, apostrophes and spaces stay as they are.
  return chars.map((ch, i) => (LETTER.test(ch) && i > 0 && LETTER.test(chars[i - 1]!) ? MASK : ch)).join('');
}

function maskChineseName(chars: string[]): string {
  const transliterated = chars.some((ch) => NAME_DOT.test(ch));
  // A two-character name starting with a compound surname (司马) is surname + given name, so only one is kept.
  const kept = !transliterated && chars.length > 2 && COMPOUND_SURNAMES.has(chars[0]! + chars[1]!) ? 2 : 1;
  return chars.map((ch, i) => (i < kept || NAME_DOT.test(ch) || WHITESPACE.test(ch) ? ch : MASK)).join('');
}

export function maskPersonName(name: string): string {
  const chars = [...name.trim()];
  const latin = !chars.some((ch) => HAN.test(ch)) && chars.some((ch) => LETTER.test(ch));
  return latin ? maskLatinName(chars) : maskChineseName(chars);
}

/**
 * Only natural persons are masked; organisations' names are public (DOMAIN.md §6). A 个体工商户 is a registered
 * market entity whose name is already public in the national enterprise credit information system, so it is
 * shown by default. A sole trader registered without a trade name is known by the operator's own name, which is
 * why a profile may turn masking on for them (`maskSoleTraders`).
 */
export function maskParty(partyType: PartyType, name: string, maskSoleTraders = false): string {
  if (partyType === 'PERSON' || (partyType === 'SOLE_TRADER' && maskSoleTraders)) return maskPersonName(name);
  return name;
}
