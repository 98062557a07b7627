import { attribute, complex } from '../schema/attribute';
import type { FilterNode } from './ast';
import { equalities, matchesValue } from './evaluate';
import { failWith } from './operand';
import { parseFilter } from './parser';

// A synthetic complex attribute exercising every comparable type.
const parent = complex('things', 'test', [
  attribute('label', 'caseExact=false string'),
  attribute('code', 'caseExact string', { caseExact: true }),
  attribute('flag', 'boolean', { type: 'boolean' }),
  attribute('count', 'integer', { type: 'integer' }),
  attribute('at', 'dateTime', { type: 'dateTime' }),
]);
const fail = failWith('invalidPath', 'path');

/** The filter inside `things[...]`. */
const inner = (text: string): FilterNode => (parseFilter(`things[${text}]`) as { filter: FilterNode }).filter;
const matches = (text: string, value: Record<string, unknown>) => matchesValue(inner(text), value, parent, fail);

describe('matchesValue', () => {
  const value = { label: 'Work Phone', code: 'AbC', flag: true, count: 5, at: '2011-05-13T04:42:34.000Z' };

  it.each([
    ['label eq "work phone"', true],
    ['label co "PHONE"', true],
    ['label sw "work"', true],
    ['label ew "Work"', false],
    ['label gt "w"', true],
    ['code eq "abc"', false],
    ['code eq "AbC"', true],
    ['code sw "Ab"', true],
    ['flag eq true', true],
    ['flag eq "False"', false],
    ['flag ne false', true],
    ['count gt 4', true],
    ['count le 4', false],
    ['at gt "2011-05-13T04:42:33Z"', true],
    ['at eq "2011-05-13T06:42:34+02:00"', true],
    ['at ge "2011-05-13T04:42:34.0001Z"', false],
    ['at lt "2011-05-13T04:42:34.0001Z"', true],
    ['at eq "2011-05-13T04:42:34.0001Z"', false],
    ['at ne "2011-05-13T04:42:34.0001Z"', true],
    ['at le "2011-05-13T04:42:34Z"', true],
    ['label pr', true],
    ['missing pr', 'error'],
    ['count pr and not (flag eq false)', true],
    ['flag eq false or count eq 5', true],
    ['label eq null', false],
    ['label ne null', true],
  ])('%s → %s', (text, expected) => {
    if (expected === 'error') expect(() => matches(text, value)).toThrow(expect.objectContaining({ scimType: 'invalidPath' }));
    else expect(matches(text, value)).toBe(expected);
  });

  it('an absent sub-attribute matches only ne and eq null', () => {
    expect(matches('label eq "x"', {})).toBe(false);
    expect(matches('label ne "x"', {})).toBe(true);
    expect(matches('label eq null', {})).toBe(true);
    expect(matches('label pr', { label: '' })).toBe(false);
  });

  it('rejects operators not allowed on the type, as invalidPath', () => {
    expect(() => matches('flag gt true', value)).toThrow(expect.objectContaining({ scimType: 'invalidPath' }));
  });
});

describe('equalities', () => {
  it('collects eq comparisons of a pure conjunction', () => {
    expect(equalities(inner('label eq "work" and flag eq true'))).toEqual(new Map<string, unknown>([['label', 'work'], ['flag', true]]));
  });

  it.each(['label co "w"', 'label eq "a" or label eq "b"', 'not (label eq "a")', 'label eq "a" and label eq "b"', 'label eq null', 'label pr'])(
    'gives up on %s',
    (text) => {
      expect(equalities(inner(text))).toBeUndefined();
    },
  );
});
