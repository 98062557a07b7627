import { FakeMongoClient } from '../testing/fake-mongo-client';
import { describeScratchSpaceContract } from '../testing/scratch-space.contract';
import { MongoReadStore } from './mongo-read-store';

// No server here: the contract's cases against the driver-shaped fake (the contract spec runs them on MongoDB).
describeScratchSpaceContract('MongoReadStore on the fake driver', async () => {
  const client = new FakeMongoClient();
  const db = client.db('scim');
  return {
    store: MongoReadStore.over(client.asClient(), 'scim'),
    collections: async () => (await db.listCollections().toArray()).map(({ name }) => name),
    indexNames: async (collection) => db.collection(collection).indexNames(),
    teardown: async () => undefined,
  };
});

describe('MongoReadStore swapping a rebuild in, on the fake driver', () => {
  test('lowers the checkpoints first, renames each rebuilt collection over the live one, then records checkpoints and versions', async () => {
    const client = new FakeMongoClient();
    const live = MongoReadStore.over(client.asClient(), 'scim');
    await live.commit([{ collection: 'users', id: 'u1', doc: { _id: 'u1' } }], { projection: 'users', position: 30 });
    const scratch = live.scratch('abc');
    await scratch.commit([{ collection: 'users', id: 'u1', doc: { _id: 'u1' } }], { projection: 'users', position: 12 });
    await scratch.commit([{ collection: 'groups', id: 'g1', doc: { _id: 'g1' } }], { projection: 'groups', position: 12 });
    client.operations.length = 0;

    const version = { version: 2, streamPrefixes: [], targets: () => [], evolve: () => null };
    await live.swapIn(scratch, { collections: ['users', 'group_members'], projections: [{ name: 'users', ...version }] });

    expect(client.operations).toEqual([
      // No reader is told the old documents (at 30) or the rebuilt ones (at 12) include more than they do.
      'update checkpoints users $min $inc',
      'rename users__rebuild_abc -> users (dropTarget)',
      // Neither live nor rebuilt: nothing to drop.
      'update checkpoints users $max $inc',
      'drop checkpoints__rebuild_abc',
      'drop groups__rebuild_abc',
    ]);
    expect(await live.checkpoint('users')).toBe(12);
  });
});
