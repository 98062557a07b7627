/**
 * xsd:dateTime (RFC 7643 §2.3.5) parsed without the Date object, so that it is pure and
 * independent of the host's time zone.
 */
export interface ParsedDateTime {
  /** Milliseconds since the epoch; precision beyond the millisecond is truncated. */
  readonly epochMs: number;
  /** Fraction digits beyond the millisecond, trailing zeros removed ('' when none). */
  readonly extraFraction: string;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})?$/;
const MS_PER_DAY = 86_400_000;

// Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian calendar).
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const daysInMonth = (y: number, m: number) => (m === 2 && isLeap(y) ? 29 : DAYS_IN_MONTH[m - 1]);

/**
 * Parses `YYYY-MM-DDThh:mm:ss[.fraction][Z|±hh:mm]`. A value without a zone is read as UTC.
 * Undefined when the text is not a valid date and time.
 */
export function parseDateTime(text: string): ParsedDateTime | undefined {
  const match = DATE_TIME.exec(text);
  if (!match) return undefined;
  const [, ys, mos, ds, hs, mis, ss, fraction = '', zone = 'Z'] = match;
  const [y, mo, d, h, mi, s] = [ys, mos, ds, hs, mis, ss].map(Number);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return undefined;
  let offsetMinutes = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 14 || om > 59) return undefined;
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const ms = Number(fraction.slice(0, 3).padEnd(3, '0'));
  const extraFraction = fraction.slice(3).replace(/0+$/, '');
  const epochMs = daysFromCivil(y, mo, d) * MS_PER_DAY + ((h * 60 + mi - offsetMinutes) * 60 + s) * 1000 + ms;
  return { epochMs, extraFraction };
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * The canonical form `YYYY-MM-DDTHH:mm:ss.sssZ`, the same as JavaScript's toISOString(), so that
 * stored and filter values compare as strings. Undefined outside years 0000–9999.
 */
export function formatDateTime(epochMs: number): string | undefined {
  const days = Math.floor(epochMs / MS_PER_DAY);
  let rest = epochMs - days * MS_PER_DAY;
  const [y, mo, d] = civilFromDays(days);
  if (y < 0 || y > 9999) return undefined;
  const ms = rest % 1000;
  rest = (rest - ms) / 1000;
  const s = rest % 60;
  rest = (rest - s) / 60;
  const mi = rest % 60;
  const h = (rest - mi) / 60;
  return `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(ms, 3)}Z`;
}

/** Canonical form of an xsd:dateTime text, or undefined when it is not one (or out of range). */
export function canonicalDateTime(text: string): string | undefined {
  // Values the service made (toISOString()) are canonical already: checked without parsing.
  if (CANONICAL.test(text) && validCanonicalFields(text)) return text;
  const parsed = parseDateTime(text);
  return parsed && formatDateTime(parsed.epochMs);
}

const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The date and time fields of a text in canonical form name a real instant (as parseDateTime checks). */
function validCanonicalFields(text: string): boolean {
  const y = digitsAt(text, 0, 4);
  const mo = digitsAt(text, 5, 2);
  const d = digitsAt(text, 8, 2);
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo) && digitsAt(text, 11, 2) <= 23 && digitsAt(text, 14, 2) <= 59 && digitsAt(text, 17, 2) <= 59;
}

function digitsAt(text: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) value = value * 10 + text.charCodeAt(i) - 48;
  return value;
}
