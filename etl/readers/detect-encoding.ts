import { isUtf8 } from 'node:buffer';

/**
 * The text encodings FEEDS.md accepts for CSV: UTF-8 (with or without BOM) and GBK/GB18030. GB18030 is a
 * superset of GBK (and of GB2312), so one decoder reads all three; an agency's "ANSI" export from Chinese
 * Windows is GBK.
 */
export interface DetectedEncoding {
  encoding: 'utf8' | 'gb18030';
  /** the sample starts with the UTF-8 byte order mark (EF BB BF), which is not part of the text */
  bom: boolean;
}

/**
 * How many well-formed UTF-8 multi-byte characters a sample needs per malformed sequence to still count as
 * UTF-8. GBK text read as UTF-8 is mostly malformed (measured: at most 2 well-formed per 3 malformed in
 * 20-character samples of random GBK hanzi, ~1 per 8 in real case text), while a UTF-8 export with one
 * corrupted cell has thousands per error. Reading that export as GBK would garble every row to fix one, so
 * it stays UTF-8 and the corrupted row gets its own ENCODING_INVALID problem.
 */
const UTF8_CHARACTERS_PER_ERROR = 10;

/**
 * Which encoding a sample of a text file is in. UTF-8 is self-checking (multi-byte characters follow a strict
 * lead/continuation pattern that GBK text almost never happens to match), so: valid UTF-8 → utf8, GBK-looking
 * bytes → gb18030. Plain ASCII is valid UTF-8 and reads the same in both.
 *
 * The sample is usually the first chunk of a file, so it may end in the middle of a character; that cut is
 * not evidence against UTF-8 and is ignored.
 */
export function detectEncoding(sample: Buffer): DetectedEncoding {
  if (sample.length >= 3 && sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) {
    return { encoding: 'utf8', bom: true };
  }
  const complete = sample.subarray(0, withoutCutCharacter(sample));
  if (isUtf8(complete)) return { encoding: 'utf8', bom: false };
  const { wellFormed, malformed } = countUtf8Sequences(complete);
  return { encoding: wellFormed >= UTF8_CHARACTERS_PER_ERROR * malformed ? 'utf8' : 'gb18030', bom: false };
}

/**
 * The sample's length without a trailing UTF-8 multi-byte character that the end of the sample cut short.
 * Only a well-formed lead byte (C2–F4) followed by fewer continuation bytes than it announces counts as cut;
 * anything else is left for the validity check to judge.
 */
function withoutCutCharacter(sample: Buffer): number {
  const end = sample.length;
  let lead = end - 1;
  // a UTF-8 character has at most 3 continuation bytes (10xxxxxx) after its lead byte
  while (lead >= 0 && lead >= end - 3 && (sample[lead] & 0xc0) === 0x80) lead--;
  if (lead < 0) return end;
  const byte = sample[lead];
  if (byte < 0xc2 || byte > 0xf4) return end;
  const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
  return lead + length > end ? lead : end;
}

/** Well-formed multi-byte UTF-8 characters and malformed sequences (RFC 3629: no overlongs, no surrogates). */
function countUtf8Sequences(bytes: Buffer): { wellFormed: number; malformed: number } {
  let wellFormed = 0;
  let malformed = 0;
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i];
    if (lead < 0x80) {
      i++;
      continue;
    }
    const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    let ok = length > 0 && i + length <= bytes.length;
    for (let k = 1; ok && k < length; k++) {
      const byte = bytes[i + k];
      const low = k > 1 ? 0x80 : lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
      const high = k > 1 ? 0xbf : lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
      ok = byte >= low && byte <= high;
    }
    if (ok) {
      wellFormed++;
      i += length;
    } else {
      malformed++;
      i++;
    }
  }
  return { wellFormed, malformed };
}
