/**
 * The behaviour every ReadStore adapter must share (shared/STYLE.md §15). Run it from an adapter's
 * *.contract-spec.ts with a setup that returns a fresh, empty store each time it is called.
 */
import { UnsupportedQueryError } from '../query/sql-query';
import { CheckpointMovedError, type Doc, type Query, ReadStore, type SortSpec, UniqueIndexViolationError } from '../read-store.port';
import { CommitTooLargeError, DocumentTooLargeError, MAX_COMMIT_BYTES, MAX_DOCUMENT_BYTES } from '../store-limits';

export type ReadStoreContractSetup = () => Promise<
  { readonly store: ReadStore; readonly teardown?: () => Promise<void> } | { readonly skip: string }
>;

const declaredSkip = new WeakMap<ReadStoreContractSetup, string>();

/**
 * A setup that skips the suite. Jest registers tests synchronously, so a skip must be known when the
 * suite is described: declare it with this function rather than resolving to `{skip}` later.
 */
export function skipReadStoreContract(reason: string): ReadStoreContractSetup {
  const setup: ReadStoreContractSetup = async () => ({ skip: reason });
  declaredSkip.set(setup, reason);
  return setup;
}

export function describeReadStoreContract(name: string, setup: ReadStoreContractSetup): void {
  const skipReason = declaredSkip.get(setup);
  if (skipReason !== undefined) console.log(`SKIP ${name} contract: ${skipReason}`);
  const test = skipReason === undefined ? it : it.skip;

  describe(`${name} (ReadStore contract)`, () => {
    let store: ReadStore;
    let teardown: (() => Promise<void>) | undefined;

    beforeEach(async () => {
      const result = await setup();
      if ('skip' in result) {
        throw new Error(`${name}: setup skipped at run time (${result.skip}); declare skips with skipReadStoreContract()`);
      }
      store = result.store;
      teardown = result.teardown ?? (() => result.store.close());
    });

    afterEach(async () => {
      await teardown?.();
      teardown = undefined;
    });

    const ids = (docs: readonly Doc[]) => docs.map((doc) => doc._id);
    const commitDocs = (collection: string, docs: readonly Doc[], position = 1, projection = 'contract') =>
      store.commit(
        docs.map((doc) => ({ collection, id: doc._id, doc })),
        { projection, position },
      );

    describe('documents', () => {
      test('get returns null for an unknown document or collection', async () => {
        expect(await store.get('users', 'nobody')).toBeNull();
        await commitDocs('users', [{ _id: 'u1' }]);
        expect(await store.get('users', 'nobody')).toBeNull();
        expect(await store.get('groups', 'u1')).toBeNull();
      });

      test('commit stores, replaces and deletes documents', async () => {
        await commitDocs('users', [{ _id: 'u1', userName: 'alice', tags: ['a'], name: { givenName: 'Alice' } }]);
        expect(await store.get('users', 'u1')).toEqual({ _id: 'u1', userName: 'alice', tags: ['a'], name: { givenName: 'Alice' } });

        await commitDocs('users', [{ _id: 'u1', userName: 'alicia' }], 2);
        // A replacement, not a merge: fields absent from the new document are gone.
        expect(await store.get('users', 'u1')).toEqual({ _id: 'u1', userName: 'alicia' });

        await store.commit([{ collection: 'users', id: 'u1', doc: null }], { projection: 'contract', position: 3 });
        expect(await store.get('users', 'u1')).toBeNull();
        expect(await store.count('users', {})).toBe(0);
      });

      test('deleting a document that does not exist is a no-op', async () => {
        await store.commit([{ collection: 'users', id: 'ghost', doc: null }], { projection: 'contract', position: 1 });
        expect(await store.get('users', 'ghost')).toBeNull();
        expect(await store.checkpoint('contract')).toBe(1);
      });

      test('the last change to a document within one commit wins', async () => {
        await store.commit(
          [
            { collection: 'users', id: 'u1', doc: { _id: 'u1', v: 1 } },
            { collection: 'users', id: 'u2', doc: { _id: 'u2', v: 1 } },
            { collection: 'users', id: 'u1', doc: { _id: 'u1', v: 2 } },
            { collection: 'users', id: 'u2', doc: null },
          ],
          { projection: 'contract', position: 1 },
        );
        expect(await store.find('users', {})).toEqual([{ _id: 'u1', v: 2 }]);
      });

      test('collections are separate namespaces', async () => {
        await commitDocs('users', [{ _id: 'x', kind: 'user' }]);
        await commitDocs('groups', [{ _id: 'x', kind: 'group' }], 2);
        expect(await store.get('users', 'x')).toEqual({ _id: 'x', kind: 'user' });
        expect(await store.get('groups', 'x')).toEqual({ _id: 'x', kind: 'group' });
      });

      test('the store is isolated from the objects callers hold', async () => {
        const written = { _id: 'u1', name: { givenName: 'Alice' }, tags: ['a'] };
        await commitDocs('users', [written]);
        written.name.givenName = 'Mallory';
        written.tags.push('b');

        const read = (await store.get<Doc & { name: { givenName: string }; tags: string[] }>('users', 'u1'))!;
        try {
          read.name.givenName = 'Eve';
          read.tags.push('c');
        } catch {
          // Frozen documents reject mutation; copies accept it. Either way the store must not change.
        }
        const [found] = await store.find('users', { _id: 'u1' });
        expect(found).toEqual({ _id: 'u1', name: { givenName: 'Alice' }, tags: ['a'] });
      });

      test('rejects a document whose _id differs from the change id, writing nothing', async () => {
        await expect(
          store.commit(
            [
              { collection: 'users', id: 'u1', doc: { _id: 'u1' } },
              { collection: 'users', id: 'u2', doc: { _id: 'other' } },
            ],
            { projection: 'contract', position: 1 },
          ),
        ).rejects.toThrow(/_id/);
        expect(await store.get('users', 'u1')).toBeNull();
        expect(await store.checkpoint('contract')).toBe(0);
      });

      test('rejects reserved and invalid collection names', async () => {
        for (const collection of ['checkpoints', 'read_store_counters', '', 'a$b', 'system.users']) {
          await expect(
            store.commit([{ collection, id: 'x', doc: { _id: 'x' } }], { projection: 'contract', position: 1 }),
          ).rejects.toThrow(TypeError);
        }
      });
    });

    // MongoDB's limits, held by every adapter: what the embedded store accepts, production accepts.
    describe('size limits', () => {
      test("refuses a document over MongoDB's 16 MiB with DocumentTooLargeError, writing nothing", async () => {
        await commitDocs('groups', [{ _id: 'g0', members: [] }], 1);
        const huge = { _id: 'g1', members: 'x'.repeat(MAX_DOCUMENT_BYTES) };

        const refused = await store.commit(
          [{ collection: 'groups', id: 'g0', doc: { _id: 'g0', members: ['u1'] } }, { collection: 'groups', id: 'g1', doc: huge }],
          { projection: 'contract', position: 2 },
        ).catch((error: unknown) => error);

        expect(refused).toBeInstanceOf(DocumentTooLargeError);
        expect(refused).toMatchObject({ collection: 'groups', documentId: 'g1' });
        expect(await store.get('groups', 'g0')).toEqual({ _id: 'g0', members: [] });
        expect(await store.get('groups', 'g1')).toBeNull();
        expect(await store.checkpoint('contract')).toBe(1);
      });

      test('refuses a commit over MAX_COMMIT_BYTES with CommitTooLargeError, writing nothing', async () => {
        const docs = Array.from({ length: 5 }, (_, index) => ({ _id: `g${index}`, blob: 'x'.repeat(MAX_COMMIT_BYTES / 4) }));

        const refused = await commitDocs('groups', docs, 3).catch((error: unknown) => error);

        expect(refused).toBeInstanceOf(CommitTooLargeError);
        expect(await store.count('groups', {})).toBe(0);
        expect(await store.checkpoint('contract')).toBe(0);
      });
    });

    describe('checkpoints', () => {
      test('a projection that never committed is at 0', async () => {
        expect(await store.checkpoint('never')).toBe(0);
      });

      test('commit moves the checkpoint together with its documents', async () => {
        await commitDocs('users', [{ _id: 'u1' }], 7);
        expect(await store.checkpoint('contract')).toBe(7);
        await store.commit([], { projection: 'contract', position: 9 });
        expect(await store.checkpoint('contract')).toBe(9);
      });

      test('an older position never moves a checkpoint back', async () => {
        await commitDocs('users', [{ _id: 'u1' }], 10);
        await commitDocs('users', [{ _id: 'u2' }], 4);
        expect(await store.checkpoint('contract')).toBe(10);
        await commitDocs('users', [{ _id: 'u3' }], 10);
        expect(await store.checkpoint('contract')).toBe(10);
      });

      // Two projectors of one projection (a rolling deploy): the lagging one's commit, computed from
      // an older checkpoint, must not move documents back.
      test('a commit computed after a checkpoint that has since moved on is refused whole', async () => {
        await store.commit([{ collection: 'users', id: 'u1', doc: { _id: 'u1', _position: 9 } }], { projection: 'contract', position: 9, after: 0 });

        const stale = await store
          .commit([{ collection: 'users', id: 'u1', doc: { _id: 'u1', _position: 5 } }, { collection: 'users', id: 'u2', doc: { _id: 'u2' } }], { projection: 'contract', position: 5, after: 0 })
          .catch((error: unknown) => error);
        await store.commit([], { projection: 'contract', position: 12, after: 9 });

        expect(stale).toBeInstanceOf(CheckpointMovedError);
        expect(stale).toMatchObject({ projection: 'contract', after: 0, stored: 9 });
        expect(await store.get('users', 'u1')).toEqual({ _id: 'u1', _position: 9 });
        expect(await store.get('users', 'u2')).toBeNull();
        expect(await store.checkpoint('contract')).toBe(12);
      });

      test('of two concurrent commits computed after the same checkpoint, one is refused', async () => {
        const outcomes = await Promise.allSettled([
          store.commit([{ collection: 'users', id: 'u1', doc: { _id: 'u1', by: 'first' } }], { projection: 'contract', position: 4, after: 0 }),
          store.commit([{ collection: 'users', id: 'u1', doc: { _id: 'u1', by: 'second' } }], { projection: 'contract', position: 6, after: 0 }),
        ]);

        const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
        expect(refused).toHaveLength(1);
        expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(CheckpointMovedError);
        const winner = outcomes.findIndex((outcome) => outcome.status === 'fulfilled');
        expect(await store.get('users', 'u1')).toEqual({ _id: 'u1', by: winner === 0 ? 'first' : 'second' });
        expect(await store.checkpoint('contract')).toBe(winner === 0 ? 4 : 6);
      });

      test('checkpoints are per projection', async () => {
        await commitDocs('users', [{ _id: 'u1' }], 5, 'users');
        await commitDocs('groups', [{ _id: 'g1' }], 3, 'groups');
        expect(await store.checkpoint('users')).toBe(5);
        expect(await store.checkpoint('groups')).toBe(3);
      });
    });

    describe.each([
      ['without indexes', false],
      ['with equality indexes', true],
    ])('find and count %s', (_, withIndexes) => {
      const people: Doc[] = [
        {
          _id: 'u1',
          accountId: 'a1',
          userName: 'alice',
          age: 31,
          active: true,
          status: 'active',
          name: { givenName: 'Alice', familyName: 'Liddell' },
          emails: [
            { value: 'alice@example.com', type: 'work', primary: true },
            { value: 'alice@home.test', type: 'home' },
          ],
          tags: ['admin', 'ops'],
          scores: [72, 88],
        },
        {
          _id: 'u2',
          accountId: 'a1',
          userName: 'bob',
          age: 25,
          active: false,
          status: 'deleted',
          name: { givenName: 'Bob' },
          emails: [{ value: 'bob@example.com', type: 'home' }],
          tags: ['dev'],
          scores: [91],
        },
        { _id: 'u3', accountId: 'a2', userName: 'Carol', age: 40, active: true, status: 'active', emails: [], tags: [], scores: [50, 95] },
        {
          _id: 'u4',
          accountId: 'a2',
          userName: 'dave',
          active: true,
          status: 'active',
          nickName: null,
          name: { givenName: 'Dave', familyName: 'Grohl' },
          emails: [{ value: 'DAVE@EXAMPLE.COM', type: 'work' }],
          tags: ['ops'],
          scores: [],
        },
      ];

      beforeEach(async () => {
        if (withIndexes) {
          await store.ensureIndexes('people', [
            { name: 'account', fields: [['accountId', 1]] },
            { name: 'account_userName', fields: [['accountId', 1], ['userName', 1]], unique: true },
            // As wide as account_userName, far less selective: a query pinning both must still be right.
            { name: 'account_status', fields: [['accountId', 1], ['status', 1]] },
            { name: 'tags', fields: [['tags', 1]] },
            { name: 'email_values', fields: [['emails.value', 1]] },
            { name: 'age', fields: [['age', 1]] },
          ]);
        }
        await commitDocs('people', people);
      });

      const cases: [string, Query, string[]][] = [
        ['everything', {}, ['u1', 'u2', 'u3', 'u4']],
        ['equality', { accountId: 'a1' }, ['u1', 'u2']],
        ['compound equality', { accountId: 'a2', userName: 'dave' }, ['u4']],
        ['$eq', { userName: { $eq: 'dave' } }, ['u4']],
        ['equality on a number', { age: 25 }, ['u2']],
        ['equality on a boolean', { active: false }, ['u2']],
        ['equality on _id', { _id: 'u3' }, ['u3']],
        ['$in on _id keeps insertion order', { _id: { $in: ['u4', 'u1', 'nobody'] } }, ['u1', 'u4']],
        ['$in on _id with an equality', { _id: { $in: ['u4', 'u1', 'u2', 'nobody'] }, accountId: 'a1' }, ['u1', 'u2']],
        ['$in on _id with a compound equality', { _id: { $in: ['u1', 'u2', 'u4'] }, accountId: 'a2', status: 'active' }, ['u4']],
        ['$in on _id with an equality on an array', { _id: { $in: ['u1', 'u2', 'u4'] }, tags: 'ops' }, ['u1', 'u4']],
        ['dotted path into an object', { 'name.givenName': 'Bob' }, ['u2']],
        ['a whole embedded document', { name: { givenName: 'Bob' } }, ['u2']],
        ['any array element', { tags: 'ops' }, ['u1', 'u4']],
        ['the whole array', { tags: ['admin', 'ops'] }, ['u1']],
        ['dotted path through an array of objects', { 'emails.type': 'work' }, ['u1', 'u4']],
        ['positional path', { 'emails.0.type': 'home' }, ['u2']],
        ['$ne', { accountId: 'a1', status: { $ne: 'deleted' } }, ['u1']],
        ['$ne on an array is false when any element equals', { tags: { $ne: 'ops' } }, ['u2', 'u3']],
        ['$ne is true for a missing field', { age: { $ne: 31 } }, ['u2', 'u3', 'u4']],
        ['null matches null and missing', { nickName: null }, ['u1', 'u2', 'u3', 'u4']],
        ['$exists true', { nickName: { $exists: true } }, ['u4']],
        ['$exists false', { age: { $exists: false } }, ['u4']],
        ['$exists through a dotted path', { 'name.familyName': { $exists: true } }, ['u1', 'u4']],
        ['$gt', { age: { $gt: 30 } }, ['u1', 'u3']],
        ['$gte', { age: { $gte: 31 } }, ['u1', 'u3']],
        ['$lt', { age: { $lt: 31 } }, ['u2']],
        ['$lte', { age: { $lte: 25 } }, ['u2']],
        ['range only within one type', { age: { $gt: '0' } }, []],
        ['string range by code point', { userName: { $gte: 'b', $lt: 'd' } }, ['u2']],
        ['range over array elements', { scores: { $gt: 90 } }, ['u2', 'u3']],
        ['range bounds met by different elements', { scores: { $gt: 80, $lt: 85 } }, ['u1', 'u3']],
        ['$elemMatch over scalars', { scores: { $elemMatch: { $gt: 80, $lt: 90 } } }, ['u1']],
        ['$elemMatch over objects', { emails: { $elemMatch: { type: 'work', primary: true } } }, ['u1']],
        [
          '$elemMatch with a $regex',
          { emails: { $elemMatch: { type: 'home', value: { $regex: 'example' } } } },
          ['u2'],
        ],
        ['the same conditions without $elemMatch', { 'emails.type': 'home', 'emails.value': { $regex: 'example' } }, ['u1', 'u2']],
        ['$regex with $options i', { 'emails.value': { $regex: '@example\\.com$', $options: 'i' } }, ['u1', 'u2', 'u4']],
        ['$regex case-sensitive', { 'emails.value': { $regex: '@example\\.com$' } }, ['u1', 'u2']],
        ['a RegExp value', { userName: /^c/i }, ['u3']],
        ['$in', { accountId: { $in: ['a2', 'zz'] } }, ['u3', 'u4']],
        ['$in over array elements', { tags: { $in: ['dev', 'admin'] } }, ['u1', 'u2']],
        ['$in with null matches missing', { nickName: { $in: [null] } }, ['u1', 'u2', 'u3', 'u4']],
        ['$nin', { tags: { $nin: ['ops'] } }, ['u2', 'u3']],
        ['$or', { $or: [{ userName: 'alice' }, { age: 40 }] }, ['u1', 'u3']],
        ['$and', { $and: [{ accountId: 'a2' }, { active: true }] }, ['u3', 'u4']],
        ['$nor', { $nor: [{ accountId: 'a1' }, { tags: 'ops' }] }, ['u3']],
        ['$not with an operator', { age: { $not: { $gt: 30 } } }, ['u2', 'u4']],
        ['$not with a RegExp', { userName: { $not: /^a/ } }, ['u2', 'u3', 'u4']],
        ['an indexed value nobody has', { accountId: 'a9' }, []],
        ['two indexes of one width pin the query', { accountId: 'a2', status: 'active', userName: 'dave' }, ['u4']],
        ['exactly the fields of a compound index', { accountId: 'a2', status: 'active' }, ['u3', 'u4']],
        ['exactly an index, in $eq form', { accountId: { $eq: 'a1' }, status: { $eq: 'deleted' } }, ['u2']],
        ['an index and one more condition', { accountId: 'a2', status: 'active', tags: 'ops' }, ['u4']],
        ['an index key with no document', { accountId: 'a1', status: 'gone' }, []],
        ['an index and a condition inside $and', { accountId: 'a1', $and: [{ status: 'active' }] }, ['u1']],
        // Equalities that two indexes cover together: a document under one key and not the other is no match.
        ['two indexes pin the query, the second key leaves the first key out', { accountId: 'a1', status: 'active', userName: 'bob' }, []],
        ['two indexes pin the query, in $eq form', { accountId: { $eq: 'a1' }, userName: 'alice', status: { $eq: 'active' } }, ['u1']],
        ['an index and an index on an array', { accountId: 'a2', status: 'active', tags: 'ops' }, ['u4']],
        ['an index and an index on an array, no element equal', { accountId: 'a1', userName: 'alice', tags: 'dev' }, []],
        ['indexes on values of objects in an array', { accountId: 'a1', 'emails.value': 'alice@home.test', status: 'active' }, ['u1']],
      ];

      test.each(cases)('%s', async (_, query, expected) => {
        expect(ids(await store.find('people', query))).toEqual(expected);
        expect(await store.count('people', query)).toBe(expected.length);
        const first = await store.findOne('people', query);
        expect(first?._id ?? null).toBe(expected[0] ?? null);
      });

      test('a count follows every commit: documents added, moved out of the key, deleted, and cleared', async () => {
        const query = { accountId: 'a1' };
        const before = await store.count('people', query);
        await commitDocs('people', [{ _id: 'counted', accountId: 'a1', userName: 'counted' }]);
        expect(await store.count('people', query)).toBe(before + 1);
        await commitDocs('people', [{ _id: 'counted', accountId: 'a2', userName: 'counted' }]);
        expect(await store.count('people', query)).toBe(before);
        await store.commit([{ collection: 'people', id: 'u1', doc: null }], { projection: 'counting', position: 1 });
        expect(await store.count('people', query)).toBe(before - 1);
        await store.clear();
        expect(await store.count('people', query)).toBe(0);
      });

      test('equalities two indexes cover together, sorted and paged', async () => {
        const query = { accountId: 'a2', status: 'active', tags: 'ops' };
        expect(ids(await store.find('people', query, { sort: [['userName', -1]] }))).toEqual(['u4']);
        const active = { accountId: 'a1', status: 'active', userName: 'alice' };
        expect(ids(await store.find('people', active, { sort: [['age', 1]], limit: 5 }))).toEqual(['u1']);
        expect(ids(await store.find('people', { ...active, userName: 'bob' }, { sort: [['age', 1]] }))).toEqual([]);
        expect(ids(await store.find('people', { accountId: 'a2', status: 'active', tags: 'ops' }, { skip: 1 }))).toEqual([]);
      });

      test('rejects an operator outside the subset, in find, findOne and count', async () => {
        await expect(store.find('people', { tags: { $size: 2 } })).rejects.toThrow(UnsupportedQueryError);
        await expect(store.findOne('people', { $where: 'true' })).rejects.toThrow(UnsupportedQueryError);
        await expect(store.count('people', { age: { $mod: [2, 0] } })).rejects.toThrow(UnsupportedQueryError);
      });

      test('an indexed query sees replacements and deletions', async () => {
        await store.commit(
          [
            { collection: 'people', id: 'u1', doc: { ...people[0], accountId: 'a2', tags: ['dev'] } },
            { collection: 'people', id: 'u3', doc: null },
          ],
          { projection: 'contract', position: 2 },
        );
        expect(ids(await store.find('people', { accountId: 'a2' }))).toEqual(['u1', 'u4']);
        expect(ids(await store.find('people', { accountId: 'a1' }))).toEqual(['u2']);
        expect(ids(await store.find('people', { tags: 'dev' }))).toEqual(['u1', 'u2']);
        expect(ids(await store.find('people', { tags: 'admin' }))).toEqual([]);
      });
    });

    describe('paging', () => {
      const page = (skip: number, limit: number, query: Query = {}) =>
        store.find('items', query, { skip, limit }).then(ids);

      beforeEach(async () => {
        await store.ensureIndexes('items', [{ name: 'account', fields: [['accountId', 1]] }]);
        // Several commits, ids deliberately not in alphabetical order.
        for (let batch = 0; batch < 5; batch++) {
          const docs = Array.from({ length: 5 }, (_, i) => {
            const n = batch * 5 + i;
            return { _id: `item-${(n * 7) % 25}`, n, accountId: n % 2 === 0 ? 'even' : 'odd' };
          });
          await commitDocs('items', docs, batch + 1);
        }
      });

      const insertionOrder = Array.from({ length: 25 }, (_, n) => `item-${(n * 7) % 25}`);

      test('without a sort, documents come in insertion order', async () => {
        expect(ids(await store.find('items', {}))).toEqual(insertionOrder);
      });

      test('skip and limit page through insertion order', async () => {
        const pages = [await page(0, 10), await page(10, 10), await page(20, 10)];
        expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
        expect(pages.flat()).toEqual(insertionOrder);
        expect(await page(25, 10)).toEqual([]);
        expect(await page(3, 0)).toEqual([]);
      });

      test('paging a filtered, indexed query keeps insertion order', async () => {
        const even = insertionOrder.filter((_, n) => n % 2 === 0);
        const pages = [await page(0, 5, { accountId: 'even' }), await page(5, 5, { accountId: 'even' }), await page(10, 5, { accountId: 'even' })];
        expect(pages.flat()).toEqual(even);
      });

      test('a replaced document keeps its place; a deleted and recreated one goes last', async () => {
        const [first, second, third] = insertionOrder;
        await store.commit(
          [
            { collection: 'items', id: second, doc: { _id: second, n: -1, accountId: 'even' } },
            { collection: 'items', id: first, doc: null },
          ],
          { projection: 'contract', position: 10 },
        );
        await commitDocs('items', [{ _id: first, n: 0, accountId: 'even' }], 11);
        const all = ids(await store.find('items', {}));
        expect(all.slice(0, 2)).toEqual([second, third]);
        expect(all[all.length - 1]).toBe(first);
        // An index key change moves the document between keys without changing its place.
        expect(await page(0, 2, { accountId: 'even' })).toEqual([second, third]);
      });

      test('within one commit, changes apply in order: a deleted then re-created document goes last', async () => {
        const [first, second] = insertionOrder;
        await store.commit(
          [
            { collection: 'items', id: first, doc: null },
            { collection: 'items', id: 'new-1', doc: { _id: 'new-1', accountId: 'even' } },
            { collection: 'items', id: first, doc: { _id: first, n: 0, accountId: 'even' } },
            { collection: 'items', id: 'new-2', doc: { _id: 'new-2', accountId: 'even' } },
            { collection: 'items', id: second, doc: { _id: second, n: 1, accountId: 'odd', touched: true } },
          ],
          { projection: 'contract', position: 10 },
        );
        const all = ids(await store.find('items', {}));
        expect(all[0]).toBe(second);
        expect(all.slice(-3)).toEqual(['new-1', first, 'new-2']);
        expect((await page(0, 20, { accountId: 'even' })).slice(-3)).toEqual(['new-1', first, 'new-2']);
      });

      test('rejects a negative or fractional skip or limit', async () => {
        await expect(store.find('items', {}, { skip: -1 })).rejects.toThrow(RangeError);
        await expect(store.find('items', {}, { limit: 1.5 })).rejects.toThrow(RangeError);
      });
    });

    describe('fields', () => {
      const people = [
        { _id: 'p1', accountId: 'a', name: 'Zoe', repr: '{"id":"p1"}', tags: ['x'], nested: { n: 1 } },
        { _id: 'p2', accountId: 'b', name: 'Ann', repr: '{"id":"p2"}' },
        { _id: 'p3', accountId: 'a', name: 'Bob', nested: { n: 3 } },
        { _id: 'p4', accountId: 'a', name: 'Cy', repr: '{"id":"p4"}', tags: [] },
      ];
      const declarations = {
        'as declared by default': async () => undefined,
        'with fields stored apart': () => store.ensureStoredApart('people', ['repr', 'nested']),
      };

      describe.each(Object.entries(declarations))('%s', (_, declare) => {
        beforeEach(async () => {
          await store.ensureIndexes('people', [{ name: 'account', fields: [['accountId', 1]] }]);
          await declare();
          await commitDocs('people', people);
        });

        test('whole documents read back the same, by id, query and sort, on the fields stored apart too', async () => {
          expect(await store.get('people', 'p1')).toEqual(people[0]);
          expect(await store.find('people', {})).toEqual(people);
          expect(ids(await store.find('people', { 'nested.n': 3 }))).toEqual(['p3']);
          expect(ids(await store.find('people', { repr: { $exists: false } }))).toEqual(['p3']);
          expect(ids(await store.find('people', { accountId: 'a', repr: { $exists: true } }, { sort: [['name', 1]] }))).toEqual(['p4', 'p1']);
          expect(await store.find('people', { accountId: 'a' }, { sort: [['repr', -1]], limit: 2 })).toEqual([people[3], people[0]]);
          expect(await store.count('people', { repr: { $regex: 'p[12]' } })).toBe(2);
        });

        test('fields gives each document its _id and those of the fields it has', async () => {
          expect(await store.find('people', { accountId: 'a' }, { fields: ['repr'] })).toEqual([
            { _id: 'p1', repr: '{"id":"p1"}' },
            { _id: 'p3' },
            { _id: 'p4', repr: '{"id":"p4"}' },
          ]);
          expect(await store.find('people', {}, { fields: ['name', 'nested'], skip: 1, limit: 2 })).toEqual([
            { _id: 'p2', name: 'Ann' },
            { _id: 'p3', name: 'Bob', nested: { n: 3 } },
          ]);
          expect(await store.find('people', { name: { $gt: 'B' } }, { fields: [] })).toEqual([{ _id: 'p1' }, { _id: 'p3' }, { _id: 'p4' }]);
          expect(await store.find('people', { _id: { $in: ['p4', 'p2', 'p1', 'nobody'] }, accountId: 'a' }, { fields: ['_id'] })).toEqual([{ _id: 'p1' }, { _id: 'p4' }]);
          expect(await store.find('people', { _id: { $in: ['p3', 'p2'] } }, { fields: [] })).toEqual([{ _id: 'p2' }, { _id: 'p3' }]);
          expect(await store.find('people', { accountId: 'a' }, { fields: ['_id', 'tags'], sort: [['name', 1]] })).toEqual([
            { _id: 'p3' },
            { _id: 'p4', tags: [] },
            { _id: 'p1', tags: ['x'] },
          ]);
          expect(await store.find('people', { _id: { $in: ['p2', 'p4'] } }, { fields: ['repr'] })).toEqual([
            { _id: 'p2', repr: '{"id":"p2"}' },
            { _id: 'p4', repr: '{"id":"p4"}' },
          ]);
        });

        test('fields of one document, and of documents written in turn with another collection', async () => {
          expect(await store.find('people', { accountId: 'b' }, { fields: ['repr'] })).toEqual([{ _id: 'p2', repr: '{"id":"p2"}' }]);
          expect(await store.find('people', { _id: 'p3' }, { fields: ['repr'] })).toEqual([{ _id: 'p3' }]);
          await store.ensureStoredApart('pets', ['repr']);
          const pets = ['q1', 'q2', 'q3'].map((id) => ({ _id: id, accountId: 'a', repr: `pet ${id}` }));
          for (const [turn, pet] of pets.entries()) {
            await store.commit(
              [
                { collection: 'pets', id: pet._id, doc: pet },
                { collection: 'people', id: `n${turn}`, doc: { _id: `n${turn}`, accountId: 'a', repr: `person ${turn}` } },
              ],
              { projection: 'contract', position: 2 + turn },
            );
          }
          expect(await store.find('people', { accountId: 'a' }, { fields: ['repr'], skip: 3 })).toEqual([
            { _id: 'n0', repr: 'person 0' },
            { _id: 'n1', repr: 'person 1' },
            { _id: 'n2', repr: 'person 2' },
          ]);
          expect(await store.find('pets', {}, { fields: ['repr'] })).toEqual(pets.map(({ _id, repr }) => ({ _id, repr })));
          expect(await store.find('people', { _id: { $in: ['n2', 'p1'] } }, { fields: ['repr'] })).toEqual([
            { _id: 'p1', repr: '{"id":"p1"}' },
            { _id: 'n2', repr: 'person 2' },
          ]);
        });

        test('a new version without a field, or with another value, reads as written', async () => {
          await commitDocs('people', [{ _id: 'p1', accountId: 'a', name: 'Zoe' }, { _id: 'p3', accountId: 'a', name: 'Bob', repr: 'now' }], 2);
          expect(await store.get('people', 'p1')).toEqual({ _id: 'p1', accountId: 'a', name: 'Zoe' });
          expect(await store.find('people', { accountId: 'a' }, { fields: ['repr', 'nested'] })).toEqual([{ _id: 'p1' }, { _id: 'p3', repr: 'now' }, { _id: 'p4', repr: '{"id":"p4"}' }]);
          await store.commit([{ collection: 'people', id: 'p4', doc: null }], { projection: 'contract', position: 3 });
          expect(await store.find('people', {}, { fields: ['repr'] })).toEqual([{ _id: 'p1' }, { _id: 'p2', repr: '{"id":"p2"}' }, { _id: 'p3', repr: 'now' }]);
        });
      });

      test('fields stored apart after documents were written: those documents read the same', async () => {
        await commitDocs('people', people);
        await store.ensureStoredApart('people', ['repr']);
        await store.ensureStoredApart('people', ['repr']);
        await commitDocs('people', [{ _id: 'p5', accountId: 'c', repr: 'new' }], 2);
        expect(await store.find('people', {})).toEqual([...people, { _id: 'p5', accountId: 'c', repr: 'new' }]);
        expect(await store.find('people', {}, { fields: ['repr'] })).toEqual([
          { _id: 'p1', repr: '{"id":"p1"}' },
          { _id: 'p2', repr: '{"id":"p2"}' },
          { _id: 'p3' },
          { _id: 'p4', repr: '{"id":"p4"}' },
          { _id: 'p5', repr: 'new' },
        ]);
      });

      test('rejects fields that are not top-level field names, and storing _id apart', async () => {
        for (const fields of [['name.first'], ['$name'], [''], ['_ord'], ['_created']]) {
          await expect(store.find('people', {}, { fields })).rejects.toThrow(TypeError);
          await expect(store.ensureStoredApart('people', fields)).rejects.toThrow(TypeError);
        }
        await expect(store.ensureStoredApart('people', ['_id'])).rejects.toThrow(TypeError);
      });
    });

    describe('sort', () => {
      const sorted = (sort: SortSpec, query: Query = {}, skip?: number, limit?: number) =>
        store.find('people', query, { sort, skip, limit }).then(ids);

      beforeEach(async () => {
        await commitDocs('people', [
          { _id: 'carol', age: 40, account: 'a2', userName: 'Carol', scores: [50, 95], active: true },
          { _id: 'nobody', account: 'a1', userName: 'zed', active: true },
          { _id: 'alice', age: 31, account: 'a1', userName: 'alice', scores: [72, 88], active: true, rank: { of: { team: 2 } } },
          { _id: 'null-age', age: null, account: 'a2', userName: 'dave', scores: [], active: false },
          { _id: 'bob', age: 25, account: 'a1', userName: 'bob', scores: [91], active: true, rank: { of: { team: 1 } } },
        ]);
      });

      test('ascending puts missing and null first', async () => {
        expect(await sorted([['age', 1]])).toEqual(['nobody', 'null-age', 'bob', 'alice', 'carol']);
      });

      test('descending puts missing and null last', async () => {
        expect(await sorted([['age', -1]])).toEqual(['carol', 'alice', 'bob', 'nobody', 'null-age']);
      });

      test('ties keep insertion order', async () => {
        expect(await sorted([['active', -1]])).toEqual(['carol', 'nobody', 'alice', 'bob', 'null-age']);
      });

      test('several fields, strings by code point', async () => {
        expect(await sorted([['account', -1], ['userName', 1]])).toEqual(['carol', 'null-age', 'alice', 'bob', 'nobody']);
      });

      test('arrays sort by their smallest element ascending and largest descending, empty arrays lowest', async () => {
        expect(await sorted([['scores', 1]])).toEqual(['null-age', 'nobody', 'carol', 'alice', 'bob']);
        expect(await sorted([['scores', -1]])).toEqual(['carol', 'bob', 'alice', 'nobody', 'null-age']);
      });

      test('sort with a filter, skip and limit', async () => {
        expect(await sorted([['userName', -1]], { account: 'a1' }, 1, 2)).toEqual(['bob', 'alice']);
      });

      test('a filter with several conditions and a sort on another field apply together', async () => {
        expect(await sorted([['age', -1]], { account: 'a1', age: { $gt: 20 }, scores: { $exists: true } })).toEqual(['alice', 'bob']);
        expect(await sorted([['rank.of.team', 1]], { account: 'a1', 'rank.of': { $exists: true } })).toEqual(['bob', 'alice']);
        expect(await sorted([['scores', 1]], { $or: [{ userName: 'bob' }, { account: 'a2', active: true }] })).toEqual(['carol', 'bob']);
      });
    });

    test('pages deep into one index key read the same documents as a scan, also after a commit', async () => {
      await store.ensureIndexes('many', [{ name: 'account', fields: [['accountId', 1]] }]);
      const docs = Array.from({ length: 2_600 }, (_, at) => ({ _id: `m${at}`, accountId: at % 13 === 0 ? 'other' : 'a1', at }));
      for (let from = 0; from < docs.length; from += 500) await commitDocs('many', docs.slice(from, from + 500));
      const expectPages = async () => {
        const all = ids(await store.find('many', { accountId: 'a1' }));
        for (const skip of [0, 999, 1_000, 1_001, 1_999, 2_000, all.length - 1, all.length, all.length + 500]) {
          expect({ skip, page: ids(await store.find('many', { accountId: 'a1' }, { skip, limit: 7 })) }).toEqual({ skip, page: all.slice(skip, skip + 7) });
        }
        return all;
      };
      const before = await expectPages();
      await store.commit([{ collection: 'many', id: before[5], doc: null }, { collection: 'many', id: before[1_500], doc: null }], { projection: 'contract', position: 2 });
      expect((await expectPages()).length).toBe(before.length - 2);
    });

    test('equality lookups of one shape stay right as the key with the fewest matches moves between indexes', async () => {
      await store.ensureIndexes('shapes', [
        { name: 'account_status', fields: [['accountId', 1], ['status', 1]] },
        { name: 'account_name', fields: [['accountId', 1], ['name', 1]] },
      ]);
      await commitDocs('shapes', Array.from({ length: 6 }, (_, n) => ({ _id: `s${n}`, accountId: 'a', status: n < 5 ? 'active' : 'gone', name: n < 3 ? 'same' : `n${n}` })));
      const lookup = (status: string, name: string) => store.find('shapes', { accountId: 'a', status, name }).then(ids);
      expect(await lookup('active', 'n3')).toEqual(['s3']);
      expect(await lookup('gone', 'same')).toEqual([]);
      expect(await lookup('active', 'same')).toEqual(['s0', 's1', 's2']);
      expect(await lookup('gone', 'n5')).toEqual(['s5']);
      expect(await store.count('shapes', { accountId: 'a', status: 'active', name: 'same' })).toBe(3);
      expect(ids(await store.find('shapes', { accountId: 'a', status: 'active', name: 'same' }, { skip: 1, limit: 1 }))).toEqual(['s1']);
    });

    describe('unique indexes', () => {
      const userIndexes = [
        { name: 'account_userName', fields: [['accountId', 1], ['userNameKey', 1]] as const, unique: true },
        { name: 'account', fields: [['accountId', 1]] as const },
      ];
      const user = (id: string, accountId: string, userNameKey: string): Doc => ({ _id: id, accountId, userNameKey });

      beforeEach(async () => {
        await store.ensureIndexes('users', userIndexes);
        await commitDocs('users', [user('u1', 'a1', 'alice'), user('u2', 'a1', 'bob')], 1);
      });

      test('a violating commit is rejected whole: no document and no checkpoint is written', async () => {
        const attempt = store.commit(
          [
            { collection: 'users', id: 'u3', doc: user('u3', 'a1', 'carol') },
            { collection: 'users', id: 'u4', doc: user('u4', 'a1', 'alice') },
            { collection: 'groups', id: 'g1', doc: { _id: 'g1' } },
          ],
          { projection: 'contract', position: 2 },
        );
        await expect(attempt).rejects.toBeInstanceOf(UniqueIndexViolationError);
        await expect(attempt).rejects.toMatchObject({ collection: 'users', index: 'account_userName' });
        expect(ids(await store.find('users', {}))).toEqual(['u1', 'u2']);
        expect(await store.get('groups', 'g1')).toBeNull();
        expect(await store.checkpoint('contract')).toBe(1);
      });

      test('two documents of one commit cannot take the same key', async () => {
        await expect(
          commitDocs('users', [user('u3', 'a1', 'carol'), user('u4', 'a1', 'carol')], 2),
        ).rejects.toBeInstanceOf(UniqueIndexViolationError);
        expect(await store.count('users', {})).toBe(2);
      });

      test('the same key in another account is fine', async () => {
        await commitDocs('users', [user('u3', 'a2', 'alice')], 2);
        expect(ids(await store.find('users', { accountId: 'a2', userNameKey: 'alice' }))).toEqual(['u3']);
      });

      test('a key freed by a replacement or a deletion in the same commit can be taken', async () => {
        await store.commit(
          [
            { collection: 'users', id: 'u3', doc: user('u3', 'a1', 'alice') },
            { collection: 'users', id: 'u1', doc: user('u1', 'a1', 'alicia') },
            { collection: 'users', id: 'u4', doc: user('u4', 'a1', 'bob') },
            { collection: 'users', id: 'u2', doc: null },
          ],
          { projection: 'contract', position: 2 },
        );
        expect((await store.findOne('users', { accountId: 'a1', userNameKey: 'alice' }))?._id).toBe('u3');
        expect((await store.findOne('users', { accountId: 'a1', userNameKey: 'bob' }))?._id).toBe('u4');
      });

      test('two documents can swap keys in one commit', async () => {
        await commitDocs('users', [user('u1', 'a1', 'bob'), user('u2', 'a1', 'alice')], 2);
        expect((await store.findOne('users', { accountId: 'a1', userNameKey: 'alice' }))?._id).toBe('u2');
      });

      test('a replacement may keep its own key', async () => {
        await commitDocs('users', [{ ...user('u1', 'a1', 'alice'), displayName: 'Alice' }], 2);
        expect(await store.get('users', 'u1')).toMatchObject({ displayName: 'Alice' });
      });

      test('documents without the indexed field share the null key, as in MongoDB', async () => {
        await commitDocs('users', [{ _id: 'n1', accountId: 'a3' }], 2);
        await expect(commitDocs('users', [{ _id: 'n2', accountId: 'a3' }], 3)).rejects.toBeInstanceOf(
          UniqueIndexViolationError,
        );
      });

      test('array values: documents cannot share an element, one document may repeat one', async () => {
        await store.ensureIndexes('aliases', [{ name: 'names', fields: [['names', 1]], unique: true }]);
        await commitDocs('aliases', [{ _id: 'x', names: ['a', 'b', 'a'] }], 2);
        await expect(commitDocs('aliases', [{ _id: 'y', names: ['c', 'b'] }], 3)).rejects.toBeInstanceOf(
          UniqueIndexViolationError,
        );
        expect(ids(await store.find('aliases', { names: 'b' }))).toEqual(['x']);
      });

      test('ensureIndexes is idempotent and rejects a different definition under an existing name', async () => {
        await store.ensureIndexes('users', userIndexes);
        await expect(
          store.ensureIndexes('users', [{ name: 'account', fields: [['accountId', 1], ['x', 1]] }]),
        ).rejects.toThrow();
      });

      test('a unique index cannot be built over duplicates', async () => {
        await commitDocs('users', [{ _id: 'u4', accountId: 'a1', userNameKey: 'x', email: 'same' }], 3);
        await commitDocs('users', [{ _id: 'u5', accountId: 'a1', userNameKey: 'y', email: 'same' }], 4);
        await expect(
          store.ensureIndexes('users', [{ name: 'email', fields: [['email', 1]], unique: true }]),
        ).rejects.toBeInstanceOf(UniqueIndexViolationError);
        // The failed index does not exist: equal emails are still accepted.
        await commitDocs('users', [{ _id: 'u6', accountId: 'a1', userNameKey: 'z', email: 'same' }], 5);
        expect(await store.count('users', { email: 'same' })).toBe(3);
      });
    });

    describe('clear', () => {
      test('deletes every document and checkpoint, keeps indexes', async () => {
        await store.ensureIndexes('users', [{ name: 'key', fields: [['key', 1]], unique: true }]);
        await commitDocs('users', [{ _id: 'u1', key: 'k' }], 3, 'users');
        await commitDocs('groups', [{ _id: 'g1' }], 4, 'groups');

        await store.clear();

        expect(await store.count('users', {})).toBe(0);
        expect(await store.find('groups', {})).toEqual([]);
        expect(await store.checkpoint('users')).toBe(0);
        expect(await store.checkpoint('groups')).toBe(0);
        await commitDocs('users', [{ _id: 'u2', key: 'k' }], 1, 'users');
        await expect(commitDocs('users', [{ _id: 'u3', key: 'k' }], 2, 'users')).rejects.toBeInstanceOf(
          UniqueIndexViolationError,
        );
        expect(ids(await store.find('users', { key: 'k' }))).toEqual(['u2']);
      });
    });
  });
}
