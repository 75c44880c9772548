/**
 * PostgreSQL's jsonb text (what `jsonb::text` writes), for the values the ETL stores, so that the ledger's row hash
 * can be taken in Node as a batch is merged (etl/pipeline/ledger-row.ts) and still equal, byte for byte, what
 * `ledger_row_hash` (migration Ledger) computes over the stored row when the ledger is verified. The rules are
 * PostgreSQL's (src/backend/utils/adt/jsonb.c, json.c, numeric.c, datetime.c):
 *
 * - an object's keys in jsonb order: shorter keys first, equal lengths by their bytes; `{"k": v, "k2": v2}` with a
 *   space after each colon and comma; an array `["a", "b"]`, an empty one `[]`;
 * - strings as escape_json writes them: `\"`, `\\`, `\b \f \n \r \t`, every other control character as `\u00xx`
 *   (lower-case hex), everything else as it is — JSON.stringify's choices, except for a lone UTF-16 surrogate, which
 *   JSON.stringify writes as `\udxxx` but which reaches PostgreSQL as U+FFFD (Node's UTF-8 encoder replaces it);
 * - a numeric as numeric_out writes the stored value: the column's scale exactly (numeric(18,2) keeps two
 *   decimals, rounding half away from zero), no leading zeros, no negative zero;
 * - a date `2024-03-01`; a timestamptz in UTC (the function sets timezone UTC) as `2024-03-01T08:30:00+00:00`,
 *   fractional seconds with their trailing zeros trimmed (`…:00.5+00:00`).
 *
 * Each renderer reads only the forms it can vouch for and returns null for any other text PostgreSQL's input
 * functions may accept (`' 1e3 '`, `NaN`, `1_000`, a timestamp in the session's zone, a year before 1000): the
 * caller then leaves that row's hash to PostgreSQL. A wrong hash would make `hub verify` report an untouched row as
 * tampered with, so doubt costs a little speed, never a false alarm.
 *
 * Not src/domain/canonical-json.ts: that is RFC 8785-style canonical JSON of JavaScript values (keys by UTF-16 code
 * units, no spaces, numbers as JavaScript writes them), a different text.
 */

/** jsonb's key order (lengthCompareJsonbString): by length in bytes, then byte by byte. */
export function jsonbKeyOrder(keys: readonly string[]): string[] {
  const bytes = new Map(keys.map((key) => [key, Buffer.from(key, 'utf8')]));
  return [...keys].sort((a, b) => {
    const x = bytes.get(a)!;
    const y = bytes.get(b)!;
    return x.length - y.length || Buffer.compare(x, y);
  });
}

/** what a string may hold that is not written as it is: a quote, a backslash, a control character, a surrogate */
const NEEDS_CARE = /["\\\u0000-\u001F\uD800-\uDFFF]/;
/** an unpaired surrogate: with the u flag a paired one is a single code point outside this range */
const LONE_SURROGATES = /[\uD800-\uDFFF]/gu;

export function jsonbString(text: string): string {
  // most texts need no escape, and one look costs less than JSON.stringify
  if (!NEEDS_CARE.test(text)) return `"${text}"`;
  return JSON.stringify(text.replace(LONE_SURROGATES, '\uFFFD'));
}

/**
 * Plain decimal text, optionally signed, with an optional exponent: what the feed parsers and String(number) give.
 * The exponent is kept to what every PostgreSQL version reads the same way (older ones refuse beyond ±1000).
 */
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,4}))?$/;
const MAX_EXPONENT = 1000;

/**
 * Text already as numeric_out writes a value of `scale` decimals: what the feed parsers give (the common case, taken
 * as it is). Negative zero is not: numeric has none.
 */
const storedForms = new Map<number, RegExp>();
function storedForm(scale: number): RegExp {
  let form = storedForms.get(scale);
  if (!form) storedForms.set(scale, (form = new RegExp(`^-?(?:0|[1-9]\\d*)${scale > 0 ? `\\.\\d{${scale}}` : ''}$`)));
  return form;
}
const NEGATIVE_ZERO = /^-0(?:\.0*)?$/;

/** A numeric(p, `scale`) column's stored value of `text` as jsonb writes it, or null when not vouched for. */
export function jsonbNumeric(text: string, scale: number): string | null {
  if (storedForm(scale).test(text) && !NEGATIVE_ZERO.test(text)) return text;
  const m = DECIMAL.exec(text);
  if (!m) return null;
  const intDigits = m[2]!;
  const fracDigits = m[3] ?? '';
  if (intDigits === '' && fracDigits === '') return null;
  const exponent = m[4] === undefined ? 0 : Number(m[4]);
  if (Math.abs(exponent) > MAX_EXPONENT) return null;
  // the digits and where the point falls among them, the exponent applied by moving the point
  let digits = intDigits + fracDigits;
  let point = intDigits.length + exponent;
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  } else if (point > digits.length) {
    digits = digits.padEnd(point, '0');
  }
  // round to `scale` decimals, half away from zero (numeric's round_var works on the magnitude)
  const keep = point + scale;
  let kept = digits.length > keep ? digits.slice(0, keep) : digits.padEnd(keep, '0');
  if (digits.length > keep && digits.charCodeAt(keep) >= 53 /* '5' */) kept = incremented(kept);
  const whole = kept.slice(0, kept.length - scale).replace(/^0+/, '') || '0';
  const fraction = kept.slice(kept.length - scale);
  const magnitude = scale > 0 ? `${whole}.${fraction}` : whole;
  // numeric has no negative zero
  const negative = m[1] === '-' && /[1-9]/.test(kept);
  return negative ? `-${magnitude}` : magnitude;
}

/** a string of decimal digits plus one, one digit longer when it carries out of the first */
function incremented(digits: string): string {
  let i = digits.length - 1;
  while (i >= 0 && digits[i] === '9') i--;
  if (i < 0) return `1${'0'.repeat(digits.length)}`;
  return digits.slice(0, i) + String.fromCharCode(digits.charCodeAt(i) + 1) + '0'.repeat(digits.length - i - 1);
}

const INTEGER = /^([+-]?)(\d{1,10})$/;
const SMALLINT = { min: -32768, max: 32767 } as const;

/** A smallint's text as jsonb writes it, or null (out of range, or a form such as ' 7' left to PostgreSQL). */
export function jsonbSmallint(text: string): string | null {
  const m = INTEGER.exec(text);
  if (!m) return null;
  const n = Number(text);
  return n >= SMALLINT.min && n <= SMALLINT.max ? String(n === 0 ? 0 : n) : null;
}

/** years every form below writes with four digits and PostgreSQL reads back as written */
const YEARS = { min: 1000, max: 9999 } as const;
/** YYYY-MM-DD from year 1000 on */
const ISO_DATE = /^[1-9]\d{3}-\d{2}-\d{2}$/;

/**
 * A date written YYYY-MM-DD as jsonb writes it (the same text). An impossible day (2024-02-30) is refused by
 * PostgreSQL, and its batch with it, so it needs no check here.
 */
export function jsonbDate(text: string): string | null {
  return ISO_DATE.test(text) ? `"${text}"` : null;
}

/** An instant as jsonb writes a timestamptz in UTC. */
export function jsonbInstant(instant: Date): string | null {
  const ms = instant.getTime();
  if (Number.isNaN(ms)) return null;
  const year = instant.getUTCFullYear();
  if (year < YEARS.min || year > YEARS.max) return null;
  const iso = instant.toISOString();
  return utcTimestamp(iso.slice(0, 19), instant.getUTCMilliseconds() === 0 ? '' : iso.slice(20, 23));
}

/** 2024-03-01T00:00:00Z, with up to six decimals of a second: Date.toISOString's form (a held row's record holds it) */
const ISO_UTC = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?Z$/;

/** A timestamp written in UTC with a Z as jsonb writes its timestamptz, or null for any other form. */
export function jsonbUtcTimestamp(text: string): string | null {
  const m = ISO_UTC.exec(text);
  if (!m) return null;
  // a real instant, read back unchanged: 2024-02-30, 24:00:00 or a leap second 23:59:60 are left to PostgreSQL
  const instant = new Date(`${m[1]}Z`);
  if (Number.isNaN(instant.getTime()) || instant.toISOString().slice(0, 19) !== m[1]) return null;
  const year = instant.getUTCFullYear();
  if (year < YEARS.min || year > YEARS.max) return null;
  return utcTimestamp(m[1]!, m[2] ?? '');
}

function utcTimestamp(dateTime: string, fraction: string): string {
  const trimmed = fraction.replace(/0+$/, '');
  return `"${dateTime}${trimmed ? `.${trimmed}` : ''}+00:00"`;
}

export function jsonbArray(items: readonly string[]): string {
  return `[${items.join(', ')}]`;
}
