import type { Doc } from '@scim/read-models';
import { diffCollection, differingPaths } from './read-model-diff';

const doc = (id: string, fields: Record<string, unknown> = {}): Doc => ({ _id: id, _position: 1, ...fields });

describe('diffCollection', () => {
  test('finds nothing when the documents are equal up to bookkeeping fields', () => {
    const live = [doc('a', { name: 'A', _position: 7 }), doc('b', { tags: ['x'] })];
    const rebuilt = [doc('a', { name: 'A', _position: 9 }), doc('b', { tags: ['x'] })];

    expect(diffCollection('users', live, rebuilt, ['_position'])).toEqual([]);
  });

  test('names documents only in one side and the fields that differ, with both values', () => {
    const live = [doc('a', { profile: { name: 'A', title: 'CTO' }, active: true }), doc('ghost')];
    const rebuilt = [doc('a', { profile: { name: 'A', title: 'CEO' }, active: false }), doc('new')];

    expect(diffCollection('users', live, rebuilt, ['_position'])).toEqual([
      { collection: 'users', id: 'a', kind: 'fields-differ', detail: 'active: live true, rebuilt false; profile.title: live "CTO", rebuilt "CEO"' },
      { collection: 'users', id: 'ghost', kind: 'only-in-live', detail: expect.any(String) },
      { collection: 'users', id: 'new', kind: 'missing-from-live', detail: expect.any(String) },
    ]);
  });

  test('reports a different insertion order of the documents both hold', () => {
    const [a, b, c] = [doc('a'), doc('b'), doc('c')];

    const differences = diffCollection('groups', [a, b, c], [a, c, b], ['_position']);

    expect(differences).toEqual([{ collection: 'groups', kind: 'order-differs', detail: 'document #2 in insertion order is b live, c rebuilt' }]);
  });

  test('leaves out documents changed after the compared position', () => {
    expect(diffCollection('users', [doc('a', { n: 1 }), doc('b')], [doc('a', { n: 2 })], ['_position'], new Set(['a', 'b']))).toEqual([]);
  });
});

test('differingPaths compares arrays whole and marks absent fields', () => {
  expect(differingPaths({ list: [1, 2], x: 1 }, { list: [1, 3] })).toEqual([
    { path: 'list', live: [1, 2], rebuilt: [1, 3] },
    { path: 'x', live: 1, rebuilt: undefined },
  ]);
});

test('differingPaths names a key only one side holds as absent on the other, whatever its name', () => {
  const grants = [{ groupId: 'g1', since: '2026-01-01T00:00:00.000Z' }];
  for (const role of ['constructor', '__proto__', 'toString']) {
    const live = JSON.parse(JSON.stringify({ groupRoles: Object.fromEntries([[role, grants]]) })) as Doc;
    expect(differingPaths(live, { groupRoles: {} })).toEqual([{ path: `groupRoles.${role}`, live: grants, rebuilt: undefined }]);
    expect(diffCollection('users', [doc('a', { groupRoles: {} })], [doc('a', live)], ['_position'])).toEqual([
      { collection: 'users', id: 'a', kind: 'fields-differ', detail: `groupRoles.${role}: live (absent), rebuilt ${JSON.stringify(grants)}` },
    ]);
  }
});
