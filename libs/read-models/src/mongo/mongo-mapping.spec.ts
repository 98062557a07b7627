import { calculateObjectSize } from 'bson';
import { MongoBulkWriteError, MongoServerError } from 'mongodb';
import { type Doc, UniqueIndexViolationError } from '../read-store.port';
import type { DocumentWrite } from '../store-rules';
import {
  assignCreationOrder,
  checkpointUpdate,
  CREATED_FIELD,
  CreationClock,
  replaceableIds,
  IN_LIST_CHUNK,
  inListChunks,
  toBulkOperations,
  toInclusionProjection,
  toIndexDescriptions,
  toMongoSort,
  translateMongoError,
} from './mongo-mapping';

describe('MongoDB mapping', () => {
  describe('toIndexDescriptions', () => {
    it('maps each index, keeping field order and uniqueness, plus the creation-order index', () => {
      const descriptions = toIndexDescriptions([
        { name: 'account_userName', fields: [['accountId', 1], ['search.userName', -1]], unique: true },
        { name: 'odd_names', fields: [['2', 1], ['1', 1]] },
      ]);
      expect(descriptions).toEqual([
        { name: '_created_1__id_1', key: new Map([['_created', 1], ['_id', 1]]) },
        { name: 'account_userName', key: new Map([['accountId', 1], ['search.userName', -1]]), unique: true },
        { name: 'odd_names', key: new Map([['2', 1], ['1', 1], ['_created', 1], ['_id', 1]]) },
      ]);
      expect([...(descriptions[2].key as Map<string, number>).keys()]).toEqual(['2', '1', '_created', '_id']);
    });

    it('ends a non-unique index with the creation order, for pages in creation order', () => {
      const [, account] = toIndexDescriptions([{ name: 'account', fields: [['accountId', 1]] }]);
      expect(account).toEqual({ name: 'account', key: new Map([['accountId', 1], ['_created', 1], ['_id', 1]]) });
    });
  });

  describe('toInclusionProjection', () => {
    it('includes _id and the fields asked for, so the creation instant stays out', () => {
      expect(toInclusionProjection(['scim', 'version'])).toEqual({ _id: 1, scim: 1, version: 1 });
    });

    it('still projects when no field is asked for (an empty projection would return whole documents)', () => {
      expect(toInclusionProjection([])).toEqual({ _id: 1 });
    });
  });

  describe('toMongoSort', () => {
    it('defaults to creation order, ties by _id', () => {
      expect(toMongoSort(undefined)).toEqual([['_created', 1], ['_id', 1]]);
    });

    it('breaks ties of the requested order by creation order', () => {
      expect(toMongoSort([['name.familyName', -1], ['age', 1]])).toEqual([
        ['name.familyName', -1],
        ['age', 1],
        ['_created', 1],
        ['_id', 1],
      ]);
    });
  });

  const put = (doc: Doc, recreated = false): DocumentWrite => ({ doc, recreated });
  const deletion: DocumentWrite = { doc: null, recreated: false };

  describe('CreationClock', () => {
    it('counts microseconds and never repeats or goes back, even when the wall clock does', () => {
      const times = [1_000, 1_000, 999, 1_002];
      const clock = new CreationClock(() => times.shift() as number);
      expect([clock.next(), clock.next(), clock.next(), clock.next()]).toEqual([1_000_000, 1_000_001, 1_000_002, 1_002_000]);
    });
  });

  describe('assignCreationOrder', () => {
    it('keeps the stored instant of a replaced document and takes the clock for new ones, in commit order', () => {
      const writes = new Map([
        ['new1', put({ _id: 'new1' })],
        ['old', put({ _id: 'old' })],
        ['gone', deletion],
        ['new2', put({ _id: 'new2' })],
      ]);
      const created = assignCreationOrder(writes, new Map([['old', 3]]), new CreationClock(() => 10));
      expect([...created]).toEqual([
        ['new1', 10_000],
        ['old', 3],
        ['new2', 10_001],
      ]);
    });

    it('gives a re-created document a new instant', () => {
      const writes = new Map([['old', put({ _id: 'old' }, true)]]);
      expect([...assignCreationOrder(writes, new Map([['old', 3]]), new CreationClock(() => 10))]).toEqual([['old', 10_000]]);
    });
  });

  describe('replaceableIds', () => {
    it('lists written documents that may keep a stored creation instant', () => {
      const writes = new Map([
        ['a', put({ _id: 'a' })],
        ['b', deletion],
        ['c', put({ _id: 'c' }, true)],
      ]);
      expect(replaceableIds(writes)).toEqual(['a']);
    });
  });

  describe('toBulkOperations', () => {
    it('deletes every changed document, then inserts the new versions with their creation instants', () => {
      const writes = new Map([
        ['u1', put({ _id: 'u1', name: 'a' })],
        ['u2', deletion],
        ['u3', put({ _id: 'u3', name: 'c' })],
      ]);
      expect(toBulkOperations(writes, new Map([['u1', 7], ['u3', 12]]))).toEqual([
        { deleteMany: { filter: { _id: { $in: ['u1', 'u2', 'u3'] } } } },
        { insertOne: { document: { _id: 'u1', name: 'a', [CREATED_FIELD]: 7 } } },
        { insertOne: { document: { _id: 'u3', name: 'c', [CREATED_FIELD]: 12 } } },
      ]);
    });

    it('splits the deletions of a large commit into $in lists that each fit in one command', () => {
      // 250,000 group-member-sized ids: one $in list of them all is over 16 MiB, which the driver refuses.
      const ids = Array.from({ length: 250_000 }, (_, index) => `account-0123456789abcdef-member-${String(index).padStart(40, '0')}`);
      const writes = new Map(ids.map((id) => [id, deletion]));

      const operations = toBulkOperations(writes, new Map());

      const filters = operations.map((operation) => ('deleteMany' in operation ? operation.deleteMany.filter : undefined));
      expect(filters.every((filter) => filter !== undefined)).toBe(true);
      expect(calculateObjectSize({ $in: ids })).toBeGreaterThan(16 * 1024 * 1024);
      for (const filter of filters) expect(calculateObjectSize(filter as object)).toBeLessThan(1024 * 1024);
      expect(filters.flatMap((filter) => (filter as { _id: { $in: string[] } })._id.$in)).toEqual(ids);
      expect(inListChunks(ids).every((chunk) => chunk.length <= IN_LIST_CHUNK)).toBe(true);
    });

    it('does not modify the documents it is given', () => {
      const doc = { _id: 'u1' };
      toBulkOperations(new Map([['u1', put(doc)]]), new Map([['u1', 1]]));
      expect(doc).toEqual({ _id: 'u1' });
    });

    it('writes nothing for no changes and refuses a document without a creation instant', () => {
      expect(toBulkOperations(new Map(), new Map())).toEqual([]);
      expect(() => toBulkOperations(new Map([['u1', put({ _id: 'u1' })]]), new Map())).toThrow(/No creation instant/);
    });
  });

  describe('checkpointUpdate', () => {
    it('raises the position to at least the committed one, never lowers it, and always writes the document', () => {
      // The $inc makes every commit of a projection write its checkpoint document, even one that
      // leaves the position as it is, so two concurrent commits of one projection always conflict.
      expect(checkpointUpdate({ projection: 'users', position: 42 })).toEqual({
        filter: { _id: 'users' },
        update: { $max: { position: 42 }, $inc: { commits: 1 } },
      });
    });
  });

  describe('translateMongoError', () => {
    const duplicateMessage = (index: string) =>
      `E11000 duplicate key error collection: scim.users index: ${index} dup key: { accountId: "a1", userNameKey: "alice" }`;

    it('turns a duplicate key in a bulk write into UniqueIndexViolationError naming index and document', () => {
      const writeError = {
        code: 11000,
        index: 1,
        errmsg: duplicateMessage('account_userName'),
        getOperation: () => ({ _id: 'u4', accountId: 'a1' }),
      };
      const bulkError = new MongoBulkWriteError(
        { message: writeError.errmsg, code: 11000, writeErrors: [writeError] } as unknown as ConstructorParameters<
          typeof MongoBulkWriteError
        >[0],
        {} as ConstructorParameters<typeof MongoBulkWriteError>[1],
      );
      const translated = translateMongoError(bulkError, 'users');
      expect(translated).toBeInstanceOf(UniqueIndexViolationError);
      expect(translated).toMatchObject({ collection: 'users', index: 'account_userName', documentId: 'u4', cause: bulkError });
    });

    it('turns a failed unique index build into UniqueIndexViolationError', () => {
      const serverError = new MongoServerError({
        errmsg: `Index build failed: 4f1c: Collection scim.users ( 1a2b ) :: caused by :: ${duplicateMessage('email')}`,
        code: 11000,
      });
      expect(translateMongoError(serverError, 'users')).toMatchObject({
        name: 'UniqueIndexViolationError',
        collection: 'users',
        index: 'email',
        documentId: undefined,
      });
    });

    it('leaves every other error as it is', () => {
      const writeConflict = new MongoServerError({ errmsg: 'WriteConflict', code: 112 });
      expect(translateMongoError(writeConflict, 'users')).toBe(writeConflict);
      const plain = new Error('boom');
      expect(translateMongoError(plain, 'users')).toBe(plain);
      expect(translateMongoError('text', 'users')).toBe('text');
    });
  });
});
