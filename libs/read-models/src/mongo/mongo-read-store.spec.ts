import { Collection, MongoClient } from 'mongodb';
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
});
