import { calculateObjectSize } from 'bson';
import type { DocumentChange } from './read-store.port';
import {
  assertCommitWithinLimits,
  bsonDocumentSize,
  changeSizeInBytes,
  CommitTooLargeError,
  DocumentTooLargeError,
  MAX_DOCUMENT_BYTES,
  splitIntoSubCommits,
} from './store-limits';

const change = (id: string, doc: Record<string, unknown> | null): DocumentChange => ({ collection: 'groups', id, doc: doc && { _id: id, ...doc } });

describe('bsonDocumentSize', () => {
  test.each([
    ['empty', {}],
    ['strings, unicode keys and values', { _id: 'g1', 'naïve': 'zoë 王 🦄', empty: '' }],
    ['int32, beyond int32, fractions, negatives', { a: 1, b: 2_147_483_648, c: 0.5, d: -7, e: -2_147_483_649 }],
    ['booleans and null', { t: true, f: false, n: null }],
    ['nested objects and arrays', { members: [{ value: 'u1', display: 'A' }, { value: 'u2' }], tags: ['x', 1, [2, [3]]], meta: { deep: { deeper: {} } } }],
    ['an array past ten elements (two-digit keys)', { ids: Array.from({ length: 123 }, (_, index) => `user-${index}`) }],
  ])('equals the driver serializer for %s', (_, doc) => {
    expect(bsonDocumentSize(doc)).toBe(calculateObjectSize(doc));
  });
});

describe('assertCommitWithinLimits', () => {
  test("refuses a document over MongoDB's 16 MiB, naming it", () => {
    const huge = change('g1', { members: 'x'.repeat(MAX_DOCUMENT_BYTES) });

    expect(() => assertCommitWithinLimits([change('g0', {}), huge])).toThrow(DocumentTooLargeError);
    expect(() => assertCommitWithinLimits([huge])).toThrow(expect.objectContaining({ collection: 'groups', documentId: 'g1' }));
  });

  test('refuses a commit whose documents together exceed the commit limit', () => {
    const changes = Array.from({ length: 5 }, (_, index) => change(`g${index}`, { blob: 'x'.repeat(1_000) }));

    expect(() => assertCommitWithinLimits(changes, 4_000)).toThrow(CommitTooLargeError);
    expect(() => assertCommitWithinLimits(changes, 10_000)).not.toThrow();
  });
});

describe('splitIntoSubCommits', () => {
  test('parts keep the order and each stays under the limit', () => {
    const changes = Array.from({ length: 100 }, (_, index) => (index % 7 === 0 ? change(`d${index}`, null) : change(`g${index}`, { blob: 'x'.repeat(index * 10) })));

    const parts = splitIntoSubCommits(changes, 5_000);

    expect(parts.length).toBeGreaterThan(1);
    expect(parts.flat()).toEqual(changes);
    for (const part of parts) expect(part.reduce((sum, one) => sum + changeSizeInBytes(one), 0)).toBeLessThanOrEqual(5_000);
  });

  test('no change is one empty part (the checkpoint still moves)', () => {
    expect(splitIntoSubCommits([])).toEqual([[]]);
  });
});
