import { Collection, FindCursor, MongoClient, MongoServerError } from 'mongodb';
import { MongoReadStore } from './mongo-read-store';

// No server here: the driver call is replaced, and what the adapter asked of it is checked.
describe('MongoReadStore without a server', () => {
  afterEach(() => jest.restoreAllMocks());

  test('reads checkpoints with majority read concern (no rolled-back checkpoint after a failover)', async () => {
    const readConcerns: unknown[] = [];
    jest.spyOn(Collection.prototype, 'findOne').mockImplementation(async function (this: Collection) {
      readConcerns.push(this.readConcern?.level);
      return { _id: 'users', position: 42 };
    } as never);
    const store = MongoReadStore.over(new MongoClient('mongodb://127.0.0.1:9201/'), 'scim');

    expect(await store.checkpoint('users')).toBe(42);
    expect(readConcerns).toEqual(['majority']);
    await store.close();
  });

  test('reads again once when a rebuild\'s swap dropped the collection under the query, and not for any other error', async () => {
    const collectionDropped = new MongoServerError({ message: 'collection dropped', code: 175, codeName: 'QueryPlanKilled' });
    const failures = [collectionDropped];
    const toArray = jest.spyOn(FindCursor.prototype, 'toArray').mockImplementation(async () => {
      const failure = failures.shift();
      if (failure) throw failure;
      return [{ _id: 'u1' }];
    });
    const store = MongoReadStore.over(new MongoClient('mongodb://127.0.0.1:9201/'), 'scim');

    expect(await store.find('users', {})).toEqual([{ _id: 'u1' }]);
    expect(toArray).toHaveBeenCalledTimes(2);

    failures.push(new MongoServerError({ message: 'not primary', code: 10107 }));
    await expect(store.find('users', {})).rejects.toThrow('not primary');
    failures.push(collectionDropped, collectionDropped);
    await expect(store.find('users', {})).rejects.toThrow('collection dropped');
    await store.close();
  });
});
