import { EmbeddedReadStore } from '../embedded/embedded-read-store';
import type { Doc, SortSpec } from '../read-store.port';
import { compileSort, fieldsOf } from './sql-query';
import { UnsupportedQueryError } from './sql-query';

let store: EmbeddedReadStore;
let collections = 0;

beforeAll(() => {
  store = EmbeddedReadStore.open({ file: ':memory:' });
});

afterAll(() => store.close());

/** The documents' ids in the order the store sorts them (each call stores them in a collection of their own). */
async function sortIds(documents: readonly Doc[], spec: SortSpec): Promise<string[]> {
  const collection = `c${++collections}`;
  await store.commit(documents.map((doc) => ({ collection, id: doc._id, doc })), { projection: 'spec', position: collections });
  return (await store.find(collection, {}, { sort: spec })).map((document) => document._id);
}

describe('compileSort, through the embedded store', () => {
  const people: Doc[] = [
    { _id: 'carol', age: 40, name: { family: 'Zed' } },
    { _id: 'missing' },
    { _id: 'alice', age: 31, name: { family: 'Liddell' } },
    { _id: 'null', age: null, name: null },
    { _id: 'bob', age: 25 },
  ];

  it('puts missing and null first ascending, keeping their relative order', async () => {
    expect(await sortIds(people, [['age', 1]])).toEqual(['missing', 'null', 'bob', 'alice', 'carol']);
  });

  it('puts missing and null last descending', async () => {
    expect(await sortIds(people, [['age', -1]])).toEqual(['carol', 'alice', 'bob', 'missing', 'null']);
  });

  it('sorts by a dotted path', async () => {
    expect(await sortIds(people, [['name.family', 1]])).toEqual(['missing', 'null', 'bob', 'alice', 'carol']);
  });

  it('breaks ties with the next field', async () => {
    const rows = [
      { _id: 'a2-dave', account: 'a2', userName: 'dave' },
      { _id: 'a1-bob', account: 'a1', userName: 'bob' },
      { _id: 'a2-Carol', account: 'a2', userName: 'Carol' },
      { _id: 'a1-alice', account: 'a1', userName: 'alice' },
    ];
    expect(await sortIds(rows, [['account', -1], ['userName', 1]])).toEqual(['a2-Carol', 'a2-dave', 'a1-alice', 'a1-bob']);
  });

  it('orders values of different types by BSON type order', async () => {
    const mixed = [
      { _id: 'bool', v: false },
      { _id: 'array', v: [[1]] },
      { _id: 'object', v: { a: 1 } },
      { _id: 'string', v: '1' },
      { _id: 'number', v: 2 },
      { _id: 'null', v: null },
    ];
    expect(await sortIds(mixed, [['v', 1]])).toEqual(['null', 'number', 'string', 'object', 'array', 'bool']);
  });

  it('sorts an array by its smallest element ascending and its largest descending', async () => {
    const scored = [
      { _id: 'wide', scores: [10, 90] },
      { _id: 'mid', scores: [50] },
      { _id: 'scalar', scores: 60 },
    ];
    expect(await sortIds(scored, [['scores', 1]])).toEqual(['wide', 'mid', 'scalar']);
    expect(await sortIds(scored, [['scores', -1]])).toEqual(['wide', 'scalar', 'mid']);
  });

  it('puts an empty array before missing ascending and after it descending', async () => {
    const rows = [{ _id: 'one', a: 1 }, { _id: 'missing' }, { _id: 'empty', a: [] }];
    expect(await sortIds(rows, [['a', 1]])).toEqual(['empty', 'missing', 'one']);
    expect(await sortIds(rows, [['a', -1]])).toEqual(['one', 'missing', 'empty']);
  });

  it('sorts by the smallest value a dotted path reaches through an array', async () => {
    const rows = [
      { _id: 'b-and-z', emails: [{ value: 'z' }, { value: 'b' }] },
      { _id: 'c', emails: [{ value: 'c' }] },
      { _id: 'a', emails: [{ value: 'a' }] },
    ];
    expect(await sortIds(rows, [['emails.value', 1]])).toEqual(['a', 'b-and-z', 'c']);
    expect(await sortIds(rows, [['emails.value', -1]])).toEqual(['b-and-z', 'c', 'a']);
  });

  it('compares strings by code point, uppercase before lowercase', async () => {
    const rows = [{ _id: 'emoji', s: '\u{1f600}' }, { _id: 'fullwidth', s: '\uff5e' }, { _id: 'lower', s: 'a' }, { _id: 'upper', s: 'B' }];
    expect(await sortIds(rows, [['s', 1]])).toEqual(['upper', 'lower', 'fullwidth', 'emoji']);
  });

  it('compares embedded documents field by field', async () => {
    const rows = [{ _id: 'ab2', o: { a: 1, b: 2 } }, { _id: 'a2', o: { a: 2 } }, { _id: 'a1', o: { a: 1 } }];
    expect(await sortIds(rows, [['o', 1]])).toEqual(['a1', 'ab2', 'a2']);
  });

  it('keeps documents equal on every sort field in insertion order', async () => {
    expect(await sortIds([{ _id: 'y', a: 1 }, { _id: 'x', a: 1 }], [['a', 1]])).toEqual(['y', 'x']);
  });

  it('rejects an invalid sort', async () => {
    expect(() => compileSort([], fieldsOf('doc'))).toThrow(UnsupportedQueryError);
    expect(() => compileSort([['a', 2 as 1]], fieldsOf('doc'))).toThrow(/must be 1 or -1/);
    expect(() => compileSort([['', 1]], fieldsOf('doc'))).toThrow(/Invalid field path/);
    await expect(store.find('c1', {}, { sort: [['a', 2 as 1]] })).rejects.toThrow(UnsupportedQueryError);
  });
});
