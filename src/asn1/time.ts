// UTCTime and GeneralizedTime as RFC 5280 §4.1.2.5 profiles them for certificates:
// always UTC ("Z"), always with seconds, never fractional seconds. Results are ms since the epoch.

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digits(b: Uint8Array, start: number, n: number): number {
  let v = 0;
  for (let i = start; i < start + n; i++) {
    const c = b[i]!;
    if (c < 0x30 || c > 0x39) return -1;
    v = v * 10 + (c - 0x30);
  }
  return v;
}

function toMillis(year: number, b: Uint8Array, off: number, what: string, fail: (m: string) => never): number {
  const month = digits(b, off, 2);
  const day = digits(b, off + 2, 2);
  const hour = digits(b, off + 4, 2);
  const minute = digits(b, off + 6, 2);
  const second = digits(b, off + 8, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) fail(`${what} has a non-digit`);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const dim = month === 2 && leap ? 29 : DAYS[month - 1];
  if (month < 1 || month > 12 || dim === undefined || day < 1 || day > dim) fail(`${what} has an invalid date`);
  // §4.1.2.5.1/2: seconds are required; a leap second (60) is not representable here.
  if (hour > 23 || minute > 59 || second > 59) fail(`${what} has an invalid time of day`);
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** UTCTime "YYMMDDHHMMSSZ"; YY >= 50 means 19YY, else 20YY (§4.1.2.5.1). */
export function decodeUtcTime(b: Uint8Array, fail: (m: string) => never): number {
  if (b.length !== 13 || b[12] !== 0x5a) fail('UTCTime must be YYMMDDHHMMSSZ');
  const yy = digits(b, 0, 2);
  if (yy < 0) fail('UTCTime has a non-digit');
  return toMillis(yy >= 50 ? 1900 + yy : 2000 + yy, b, 2, 'UTCTime', fail);
}

/** GeneralizedTime "YYYYMMDDHHMMSSZ" (§4.1.2.5.2: no fractional seconds). */
export function decodeGeneralizedTime(b: Uint8Array, fail: (m: string) => never): number {
  if (b.length !== 15 || b[14] !== 0x5a) fail('GeneralizedTime must be YYYYMMDDHHMMSSZ');
  const year = digits(b, 0, 4);
  if (year < 0) fail('GeneralizedTime has a non-digit');
  const ms = toMillis(year, b, 4, 'GeneralizedTime', fail);
  // Date.UTC treats years 0..99 as 1900..1999; correct them.
  if (year < 100) {
    const d = new Date(ms);
    d.setUTCFullYear(year);
    return d.getTime();
  }
  return ms;
}

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

function parts(ms: number): [number, string] {
  if (!Number.isFinite(ms)) throw new RangeError('time is not a finite number');
  if (ms % 1000 !== 0) ms = Math.floor(ms / 1000) * 1000;
  const d = new Date(ms);
  const rest =
    pad(d.getUTCMonth() + 1, 2) +
    pad(d.getUTCDate(), 2) +
    pad(d.getUTCHours(), 2) +
    pad(d.getUTCMinutes(), 2) +
    pad(d.getUTCSeconds(), 2) +
    'Z';
  return [d.getUTCFullYear(), rest];
}

/** The UTCTime text for a time in 1950..2049. */
export function utcTimeText(ms: number): string {
  const [year, rest] = parts(ms);
  if (year < 1950 || year > 2049) throw new RangeError(`UTCTime cannot hold year ${year}`);
  return pad(year % 100, 2) + rest;
}

/** The GeneralizedTime text for a time in 0000..9999. */
export function generalizedTimeText(ms: number): string {
  const [year, rest] = parts(ms);
  if (year < 0 || year > 9999) throw new RangeError(`GeneralizedTime cannot hold year ${year}`);
  return pad(year, 4) + rest;
}
