import { compareStrings, jsonEquals, valuesAtPath } from './values';

describe('valuesAtPath', () => {
  const document = {
    name: { givenName: 'Alice' },
    emails: [{ value: 'a@x', tags: ['work'] }, { value: 'b@x' }, 'not-an-object', [{ value: 'nested' }]],
    scalar: 5,
  };

  it.each<[string, unknown[]]>([
    ['name.givenName', ['Alice']],
    ['name', [{ givenName: 'Alice' }]],
    ['missing', [undefined]],
    ['name.missing', [undefined]],
    ['scalar.deeper', [undefined]],
    // Scalars and nested arrays inside the array are not traversed; objects missing the field count as missing.
    ['emails.value', ['a@x', 'b@x']],
    ['emails.tags', [['work'], undefined]],
    ['emails.1.value', ['b@x']],
    ['emails.9.value', [undefined]],
  ])('%s', (path, expected) => {
    expect(valuesAtPath(document, path.split('.'))).toEqual(expected);
  });
});

describe('jsonEquals', () => {
  it.each<[unknown, unknown, boolean]>([
    [1, 1, true],
    [1, '1', false],
    [null, null, true],
    [null, undefined, false],
    [[1, [2]], [1, [2]], true],
    [[1, 2], [2, 1], false],
    [{ a: 1, b: { c: [1] } }, { a: 1, b: { c: [1] } }, true],
    [{ a: 1, b: 2 }, { b: 2, a: 1 }, false],
    [{ a: 1 }, { a: 1, b: 2 }, false],
    [[], {}, false],
  ])('%j vs %j', (a, b, expected) => {
    expect(jsonEquals(a, b)).toBe(expected);
  });
});

describe('compareStrings', () => {
  it('orders by code point', () => {
    expect(compareStrings('a', 'b')).toBeLessThan(0);
    expect(compareStrings('B', 'a')).toBeLessThan(0);
    expect(compareStrings('ab', 'a')).toBeGreaterThan(0);
    expect(compareStrings('same', 'same')).toBe(0);
    // '\uff5e' < '\u{1f600}' by code point, although '\ud83d' (high surrogate) < '\uff5e' by code unit.
    expect(compareStrings('\uff5e', '\u{1f600}')).toBeLessThan(0);
    expect(compareStrings('\u{1f600}', '\uff5e')).toBeGreaterThan(0);
    expect(compareStrings('\u{1f600}', '\u{1f601}')).toBeLessThan(0);
  });
});
