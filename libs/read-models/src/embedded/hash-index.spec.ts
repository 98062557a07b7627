import type { Doc } from '../read-store.port';
import { HashIndex } from './hash-index';

const stored = (ord: number, doc: Doc) => ({ id: doc._id, ord, doc });

describe('HashIndex', () => {
  const byAccountAndName = new HashIndex({ name: 'n', fields: [['accountId', 1], ['search.userName', 1]] });

  it('keys a compound index by the values of its fields, in order', () => {
    const doc = { _id: 'u', accountId: 'a1', search: { userName: 'alice' } };
    expect(byAccountAndName.keysOf(doc)).toEqual([byAccountAndName.keyFor(['a1', 'alice'])]);
    expect(byAccountAndName.keyFor(['a1', 'alice'])).not.toEqual(byAccountAndName.keyFor(['alice', 'a1']));
  });

  it('keeps component boundaries unambiguous', () => {
    const index = new HashIndex({ name: 'n', fields: [['a', 1], ['b', 1]] });
    expect(index.keyFor(['x', 'yz'])).not.toEqual(index.keyFor(['xy', 'z']));
    expect(index.keyFor(['1', 2])).not.toEqual(index.keyFor([1, '2']));
  });

  it('indexes every element of an array, once, and the combinations for compound indexes', () => {
    const index = new HashIndex({ name: 'n', fields: [['accountId', 1], ['emails.value', 1]] });
    const doc = { _id: 'u', accountId: 'a1', emails: [{ value: 'x' }, { value: 'y' }, { value: 'x' }] };
    expect(index.keysOf(doc).sort()).toEqual([index.keyFor(['a1', 'x']), index.keyFor(['a1', 'y'])].sort());
  });

  it('indexes a missing field and null under one key, an empty array under another', () => {
    const index = new HashIndex({ name: 'n', fields: [['tag', 1]] });
    expect(index.keysOf({ _id: 'a' })).toEqual(index.keysOf({ _id: 'b', tag: null }));
    expect(index.keysOf({ _id: 'c', tag: [] })).not.toEqual(index.keysOf({ _id: 'a' }));
  });

  it('keys documents with one value per field as those whose fields are arrays of one value', () => {
    const index = new HashIndex({ name: 'n', fields: [['accountId', 1], ['profile.emails.value', 1], ['tag', 1]] });
    const single = { _id: 'a', accountId: 'a1', profile: { emails: { value: 'x' } }, tag: 't' };
    const arrays = { _id: 'b', accountId: ['a1'], profile: { emails: [{ value: 'x' }] }, tag: ['t'] };
    expect(index.keysOf(single)).toEqual([index.keyFor(['a1', 'x', 't'])]);
    expect(index.keysOf(arrays)).toEqual(index.keysOf(single));
    // A path that stops at a scalar, null or a missing field reaches "missing", as in MongoDB.
    const missing = index.keysOf({ _id: 'c', accountId: 'a1', tag: 't' });
    expect(index.keysOf({ _id: 'd', accountId: 'a1', profile: 'p', tag: 't' })).toEqual(missing);
    expect(index.keysOf({ _id: 'e', accountId: 'a1', profile: { emails: null }, tag: 't' })).toEqual(missing);
    expect(index.keysOf({ _id: 'f', accountId: 'a1', profile: { emails: { value: null } }, tag: 't' })).toEqual(missing);
    expect(index.keysOf({ _id: 'g', accountId: 'a1', profile: { emails: [] }, tag: 't' })).toEqual(missing);
  });

  it('treats numbers by value', () => {
    const index = new HashIndex({ name: 'n', fields: [['n', 1]] });
    expect(index.keysOf({ _id: 'a', n: -0 })).toEqual([index.keyFor([0])]);
    expect(index.keysOf({ _id: 'a', n: 1.0 })).toEqual([index.keyFor([1])]);
  });

  it('lists the documents of a key in insertion order, also after a document moves to it', () => {
    const index = new HashIndex({ name: 'n', fields: [['group', 1]] });
    const first = stored(1, { _id: 'first', group: 'x' });
    const second = stored(2, { _id: 'second', group: 'y' });
    const third = stored(3, { _id: 'third', group: 'y' });
    [first, second, third].forEach((s) => index.add(s.ord, index.keysOf(s.doc)));

    const moved = { _id: 'first', group: 'y' };
    index.replace(first.ord, index.keysOf(first.doc), index.keysOf(moved));
    first.doc = moved;

    const idOf = new Map([first, second, third].map((s) => [s.ord, s.id]));
    const ids = (key: string) => index.documentsWithKey(key).map((ord) => idOf.get(ord));
    expect(ids(index.keyFor(['y']))).toEqual(['first', 'second', 'third']);
    expect(ids(index.keyFor(['x']))).toEqual([]);

    index.remove(second.ord, index.keysOf(second.doc));
    expect(ids(index.keyFor(['y']))).toEqual(['first', 'third']);
  });

  it('keeps a large bucket exact while documents leave it one by one and some come back', () => {
    const index = new HashIndex({ name: 'n', fields: [['roles', 1]] });
    const none = index.keyFor([]);
    const empty = index.keysOf({ _id: 'x', roles: [] });
    const admin = index.keysOf({ _id: 'x', roles: ['admin'] });
    const ords = Array.from({ length: 5000 }, (_, i) => i + 1);
    for (const ord of ords) index.add(ord, empty);
    const granted = ords.filter((ord) => ord % 3 !== 0);
    granted.forEach((ord, i) => {
      index.replace(ord, empty, admin);
      // A read in the middle sees exactly the documents still there.
      if (i === 1000) expect(index.documentsWithKey(empty[0])).toEqual(ords.filter((o) => o % 3 === 0 || o > granted[i]));
    });
    const revoked = granted.filter((ord) => ord % 7 === 0);
    for (const ord of revoked) index.replace(ord, admin, empty);
    const withoutRoles = ords.filter((ord) => ord % 3 === 0 || ord % 7 === 0);
    expect(index.documentsWithKey(empty[0])).toEqual(withoutRoles);
    expect(index.documentsWithKey(admin[0])).toEqual(granted.filter((ord) => ord % 7 !== 0));
    expect(index.documentsWithKey(none)).toEqual([]);
  });

  it('lists one, two and many documents of a key, as documents come and go in any order', () => {
    const index = new HashIndex({ name: 'n', fields: [['group', 1]] });
    const key = index.keyFor(['g']);
    index.add(5, [key]);
    expect(index.documentsWithKey(key)).toEqual([5]);
    index.add(5, [key]);
    index.add(3, [key]);
    expect(index.documentsWithKey(key)).toEqual([3, 5]);
    index.add(9, [key]);
    index.add(4, [key]);
    expect(index.documentsWithKey(key)).toEqual([3, 4, 5, 9]);
    for (const ord of [4, 3, 7]) index.remove(ord, [key]);
    expect(index.documentsWithKey(key)).toEqual([5, 9]);
    index.remove(9, [key]);
    expect(index.documentsWithKey(key)).toEqual([5]);
    index.remove(6, [key]);
    expect(index.documentsWithKey(key)).toEqual([5]);
    index.add(2, [key]);
    expect(index.documentsWithKey(key)).toEqual([2, 5]);
    index.remove(2, [key]);
    index.remove(5, [key]);
    expect(index.documentsWithKey(key)).toEqual([]);
  });
});
