import type { SortSpec } from '../read-store.port';
import { compareForSort, compileSort } from './sort';
import { UnsupportedQueryError } from './unsupported-query.error';
import type { JsonObject } from './values';

function sortIds(documents: readonly JsonObject[], spec: SortSpec): string[] {
  return [...documents].sort((a, b) => compareForSort(a, b, spec)).map((document) => String(document._id));
}

describe('compareForSort', () => {
  const people: JsonObject[] = [
    { _id: 'carol', age: 40, name: { family: 'Zed' } },
    { _id: 'missing' },
    { _id: 'alice', age: 31, name: { family: 'Liddell' } },
    { _id: 'null', age: null, name: null },
    { _id: 'bob', age: 25 },
  ];

  it('puts missing and null first ascending, keeping their relative order', () => {
    expect(sortIds(people, [['age', 1]])).toEqual(['missing', 'null', 'bob', 'alice', 'carol']);
  });

  it('puts missing and null last descending', () => {
    expect(sortIds(people, [['age', -1]])).toEqual(['carol', 'alice', 'bob', 'missing', 'null']);
  });

  it('sorts by a dotted path', () => {
    expect(sortIds(people, [['name.family', 1]])).toEqual(['missing', 'null', 'bob', 'alice', 'carol']);
  });

  it('breaks ties with the next field', () => {
    const rows = [
      { _id: 'a2-dave', account: 'a2', userName: 'dave' },
      { _id: 'a1-bob', account: 'a1', userName: 'bob' },
      { _id: 'a2-Carol', account: 'a2', userName: 'Carol' },
      { _id: 'a1-alice', account: 'a1', userName: 'alice' },
    ];
    expect(sortIds(rows, [['account', -1], ['userName', 1]])).toEqual(['a2-Carol', 'a2-dave', 'a1-alice', 'a1-bob']);
  });

  it('orders values of different types by BSON type order', () => {
    const mixed = [
      { _id: 'bool', v: false },
      { _id: 'array', v: [[1]] },
      { _id: 'object', v: { a: 1 } },
      { _id: 'string', v: '1' },
      { _id: 'number', v: 2 },
      { _id: 'null', v: null },
    ];
    expect(sortIds(mixed, [['v', 1]])).toEqual(['null', 'number', 'string', 'object', 'array', 'bool']);
  });

  it('sorts an array by its smallest element ascending and its largest descending', () => {
    const scored = [
      { _id: 'wide', scores: [10, 90] },
      { _id: 'mid', scores: [50] },
      { _id: 'scalar', scores: 60 },
    ];
    expect(sortIds(scored, [['scores', 1]])).toEqual(['wide', 'mid', 'scalar']);
    expect(sortIds(scored, [['scores', -1]])).toEqual(['wide', 'scalar', 'mid']);
  });

  it('puts an empty array before missing ascending and after it descending', () => {
    const rows = [{ _id: 'one', a: 1 }, { _id: 'missing' }, { _id: 'empty', a: [] }];
    expect(sortIds(rows, [['a', 1]])).toEqual(['empty', 'missing', 'one']);
    expect(sortIds(rows, [['a', -1]])).toEqual(['one', 'missing', 'empty']);
  });

  it('sorts by the smallest value a dotted path reaches through an array', () => {
    const rows = [
      { _id: 'b-and-z', emails: [{ value: 'z' }, { value: 'b' }] },
      { _id: 'c', emails: [{ value: 'c' }] },
      { _id: 'a', emails: [{ value: 'a' }] },
    ];
    expect(sortIds(rows, [['emails.value', 1]])).toEqual(['a', 'b-and-z', 'c']);
    expect(sortIds(rows, [['emails.value', -1]])).toEqual(['b-and-z', 'c', 'a']);
  });

  it('compares strings by code point, uppercase before lowercase', () => {
    const rows = [{ _id: 'emoji', s: '\u{1f600}' }, { _id: 'fullwidth', s: '\uff5e' }, { _id: 'lower', s: 'a' }, { _id: 'upper', s: 'B' }];
    expect(sortIds(rows, [['s', 1]])).toEqual(['upper', 'lower', 'fullwidth', 'emoji']);
  });

  it('compares embedded documents field by field', () => {
    const rows = [{ _id: 'ab2', o: { a: 1, b: 2 } }, { _id: 'a2', o: { a: 2 } }, { _id: 'a1', o: { a: 1 } }];
    expect(sortIds(rows, [['o', 1]])).toEqual(['a1', 'ab2', 'a2']);
  });

  it('returns 0 for documents equal on every sort field', () => {
    expect(compareForSort({ _id: 'x', a: 1 }, { _id: 'y', a: 1 }, [['a', 1]])).toBe(0);
  });

  it('rejects an invalid sort', () => {
    expect(() => compileSort([])).toThrow(UnsupportedQueryError);
    expect(() => compileSort([['a', 2 as 1]])).toThrow(/must be 1 or -1/);
    expect(() => compileSort([['', 1]])).toThrow(/Invalid field path/);
  });
});
