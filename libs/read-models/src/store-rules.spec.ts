import type { DocumentChange } from './read-store.port';
import { planWrites } from './store-rules';

const put = (id: string, v = 1): DocumentChange => ({ collection: 'c', id, doc: { _id: id, v } });
const remove = (id: string): DocumentChange => ({ collection: 'c', id, doc: null });

function plan(changes: DocumentChange[]) {
  return [...(planWrites(changes).get('c') ?? [])].map(([id, { doc, recreated }]) => [id, doc?.v ?? null, recreated]);
}

describe('planWrites', () => {
  it('keeps the last change to each document', () => {
    expect(plan([put('a', 1), put('b', 1), put('a', 2), remove('b')])).toEqual([
      ['a', 2, false],
      ['b', null, false],
    ]);
  });

  it('orders documents by the change that created their final version', () => {
    // b is deleted, then created again after x: applied in order, x is inserted before b.
    expect(plan([remove('b'), put('x'), put('b', 2)])).toEqual([
      ['x', 1, false],
      ['b', 2, true],
    ]);
    expect(plan([put('a', 1), remove('a'), put('z'), put('a', 3)])).toEqual([
      ['z', 1, false],
      ['a', 3, true],
    ]);
  });

  it('groups writes by collection', () => {
    const planned = planWrites([put('a'), { collection: 'other', id: 'a', doc: null }]);
    expect([...planned.keys()]).toEqual(['c', 'other']);
  });

  it.each<[string, DocumentChange, RegExp]>([
    ['a mismatched _id', { collection: 'c', id: 'a', doc: { _id: 'b' } }, /_id is "a"/],
    ['an empty id', { collection: 'c', id: '', doc: null }, /non-empty string id/],
    ['a reserved field', { collection: 'c', id: 'a', doc: { _id: 'a', _ord: 1 } }, /reserved field _ord/],
    ['a reserved collection', { collection: 'checkpoints', id: 'a', doc: null }, /reserved/],
    ['a collection name with $', { collection: 'a$b', id: 'a', doc: null }, /Invalid collection name/],
  ])('rejects %s', (_, change, message) => {
    expect(() => planWrites([change])).toThrow(message);
  });
});
