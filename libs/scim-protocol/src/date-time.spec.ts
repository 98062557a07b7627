import fc from 'fast-check';
import { canonicalDateTime, formatDateTime, parseDateTime } from './date-time';

describe('xsd:dateTime', () => {
  it.each([
    ['2011-05-13T04:42:34Z', '2011-05-13T04:42:34.000Z'],
    ['2011-05-13T04:42:34.5Z', '2011-05-13T04:42:34.500Z'],
    ['2011-05-13T04:42:34.123456Z', '2011-05-13T04:42:34.123Z'],
    ['2011-05-13T06:42:34+02:00', '2011-05-13T04:42:34.000Z'],
    ['2011-05-12T23:12:34-05:30', '2011-05-13T04:42:34.000Z'],
    ['2011-05-13t04:42:34z', '2011-05-13T04:42:34.000Z'],
    ['2011-05-13T04:42:34', '2011-05-13T04:42:34.000Z'],
    ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00.000Z'],
    ['1970-01-01T00:00:00Z', '1970-01-01T00:00:00.000Z'],
    ['1969-12-31T23:59:59.999Z', '1969-12-31T23:59:59.999Z'],
    ['2000-01-01T00:30:00+01:00', '1999-12-31T23:30:00.000Z'],
  ])('%s is canonically %s', (text, canonical) => {
    expect(canonicalDateTime(text)).toBe(canonical);
  });

  it('agrees with JavaScript Date on the epoch value', () => {
    for (const text of ['2011-05-13T04:42:34.123Z', '1900-03-01T12:00:00Z', '2400-02-29T23:59:59.999Z', '0001-01-01T00:00:00Z']) {
      expect(parseDateTime(text)?.epochMs).toBe(Date.parse(text));
      expect(formatDateTime(Date.parse(text))).toBe(new Date(Date.parse(text)).toISOString());
    }
  });

  it.each(['2011-13-01T00:00:00Z', '2011-02-29T00:00:00Z', '1900-02-29T00:00:00Z', '2011-05-13T24:00:00Z', '2011-05-13T04:60:00Z', '2011-05-13', '2011-05-13T04:42Z', 'yesterday', '2011-05-13T04:42:34+15:00', ' 2011-05-13T04:42:34Z'])(
    'rejects %s',
    (text) => {
      expect(parseDateTime(text)).toBeUndefined();
    },
  );

  it('keeps precision beyond the millisecond apart, without trailing zeros', () => {
    expect(parseDateTime('2011-05-13T04:42:34.1234500Z')).toEqual({ epochMs: Date.parse('2011-05-13T04:42:34.123Z'), extraFraction: '45' });
    expect(parseDateTime('2011-05-13T04:42:34.123000Z')?.extraFraction).toBe('');
  });

  it('refuses years outside 0000-9999 when formatting', () => {
    expect(formatDateTime(Date.parse('9999-12-31T23:59:59.999Z') + 1)).toBeUndefined();
    expect(canonicalDateTime('0000-01-01T00:30:00+01:00')).toBeUndefined();
  });

  it('takes a text already in canonical form as it is only when parsing and formatting it gives it back', () => {
    const digits = (n: number) => fc.stringMatching(new RegExp(`^[0-9]{${n}}$`));
    const canonicalShaped = fc
      .tuple(digits(4), digits(2), digits(2), digits(2), digits(2), digits(2), digits(3))
      .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);
    fc.assert(
      fc.property(canonicalShaped, (text) => {
        const parsed = parseDateTime(text);
        expect(canonicalDateTime(text)).toBe(parsed && formatDateTime(parsed.epochMs));
      }),
      { numRuns: 5000 },
    );
    expect(canonicalDateTime('2024-02-29T23:59:59.999Z')).toBe('2024-02-29T23:59:59.999Z');
    expect(canonicalDateTime('2023-02-29T00:00:00.000Z')).toBeUndefined();
    expect(canonicalDateTime('2024-04-31T00:00:00.000Z')).toBeUndefined();
    expect(canonicalDateTime('2024-01-01T24:00:00.000Z')).toBeUndefined();
  });
});
