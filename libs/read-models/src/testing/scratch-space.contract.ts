/**
 * What a read store that rebuilds beside its readers (ScratchSpace) must do, run against MongoDB
 * when a server is there and against the driver-shaped fake otherwise.
 */
import type { Projection } from '../projection';
import { PROJECTION_VERSIONS } from '../projection-versions';
import type { Doc, ReadStore } from '../read-store.port';
import type { ScratchSpace } from '../scratch-rebuild';

export interface ScratchSpaceFixture {
  readonly store: ReadStore & ScratchSpace;
  /** Every collection of the database, as the server lists them. */
  readonly collections: () => Promise<string[]>;
  /** The names of a collection's indexes, as the server lists them. */
  readonly indexNames: (collection: string) => Promise<string[]>;
  readonly teardown: () => Promise<void>;
}

/** `setup` undefined: no server, the cases are skipped (and say why). */
export function describeScratchSpaceContract(name: string, setup: (() => Promise<ScratchSpaceFixture>) | undefined, skipReason = 'no server'): void {
  const test = setup ? it : it.skip;
  describe(`${name} (ScratchSpace contract)${setup ? '' : `: skipped, ${skipReason}`}`, () => {
    let fixture: ScratchSpaceFixture;
    let live: ReadStore & ScratchSpace;

    beforeEach(async () => {
      if (!setup) return;
      fixture = await setup();
      live = fixture.store;
    });

    afterEach(async () => {
      if (setup) await fixture.teardown();
    });

    const put = (store: ReadStore, collection: string, docs: readonly Doc[], projection: string, position: number) =>
      store.commit(docs.map((doc) => ({ collection, id: doc._id, doc })), { projection, position });
    const projection = (projectionName: string, version: number): Projection => ({
      name: projectionName,
      version,
      streamPrefixes: [],
      targets: () => [],
      evolve: (_ref, doc) => doc,
    });
    const scratchCollections = async () => (await fixture.collections()).filter((collection) => collection.includes('__rebuild_'));

    test('a scratch store writes its documents, checkpoints and indexes beside the live ones, which stay as they were', async () => {
      await put(live, 'users', [{ _id: 'u1', shape: 1 }], 'users', 5);
      const scratch = live.scratch('t1');
      await scratch.ensureIndexes('users', [{ name: 'shape', fields: [['shape', 1]] }]);
      await put(scratch, 'users', [{ _id: 'u1', shape: 2 }, { _id: 'u2', shape: 2 }], 'users', 9);

      expect(await live.find('users', {})).toEqual([{ _id: 'u1', shape: 1 }]);
      expect(await live.checkpoint('users')).toBe(5);
      expect(await scratch.find('users', {})).toEqual([{ _id: 'u1', shape: 2 }, { _id: 'u2', shape: 2 }]);
      expect(await scratch.checkpoint('users')).toBe(9);
      expect(await scratchCollections()).toEqual(expect.arrayContaining(['users__rebuild_t1', 'checkpoints__rebuild_t1']));
      expect(await fixture.indexNames('users__rebuild_t1')).toContain('shape');
      expect(await fixture.indexNames('users')).not.toContain('shape');

      await scratch.clear();
      expect(await scratch.find('users', {})).toEqual([]);
      expect(await live.find('users', {})).toEqual([{ _id: 'u1', shape: 1 }]);
    });

    test('swapIn makes the rebuilt collections, checkpoints and versions live, and drops the rest of the scratch store', async () => {
      await put(live, 'users', [{ _id: 'u1', shape: 1 }], 'users', 5);
      await put(live, 'groups', [{ _id: 'g1', shape: 1 }], 'groups', 20);
      await put(live, 'group_members', [{ _id: 'g1:u1' }], 'groups', 20);
      await put(live, 'accounts', [{ _id: 'a1' }], 'accounts', 7);
      const scratch = live.scratch('t2');
      for (const collection of ['users', 'groups', 'accounts']) await scratch.ensureIndexes(collection, [{ name: 'shape', fields: [['shape', 1]] }]);
      await put(scratch, 'users', [{ _id: 'u1', shape: 2 }, { _id: 'u2', shape: 2 }], 'users', 9);
      // The rebuilt groups end before the live ones did (the live projector had run further).
      await put(scratch, 'groups', [{ _id: 'g1', shape: 2 }], 'groups', 8);

      await live.swapIn(scratch, { collections: ['users', 'groups', 'group_members'], projections: [projection('users', 2), projection('groups', 3)] });

      expect(await live.find('users', {})).toEqual([{ _id: 'u1', shape: 2 }, { _id: 'u2', shape: 2 }]);
      expect(await live.find('groups', {})).toEqual([{ _id: 'g1', shape: 2 }]);
      // Nothing rebuilt there: the collection of another version goes.
      expect(await live.find('group_members', {})).toEqual([]);
      // Not swapped: another projection's.
      expect(await live.find('accounts', {})).toEqual([{ _id: 'a1' }]);
      expect(await fixture.indexNames('users')).toContain('shape');
      expect([await live.checkpoint('users'), await live.checkpoint('groups'), await live.checkpoint('accounts')]).toEqual([9, 8, 7]);
      expect(await live.get(PROJECTION_VERSIONS, 'users')).toEqual({ _id: 'users', version: 2 });
      expect(await live.get(PROJECTION_VERSIONS, 'groups')).toEqual({ _id: 'groups', version: 3 });
      expect(await scratchCollections()).toEqual([]);
    });

    test('dropRebuildLeftovers drops one rebuild\'s scratch collections, or every rebuild\'s, never live ones', async () => {
      await put(live, 'users', [{ _id: 'u1' }], 'users', 1);
      await put(live.scratch('aaa'), 'users', [{ _id: 'u1' }], 'users', 1);
      await put(live.scratch('bbb'), 'groups', [{ _id: 'g1' }], 'groups', 1);

      expect([...(await live.dropRebuildLeftovers('aaa'))].sort()).toEqual(['checkpoints__rebuild_aaa', 'users__rebuild_aaa']);
      expect([...(await live.dropRebuildLeftovers())].sort()).toEqual(['checkpoints__rebuild_bbb', 'groups__rebuild_bbb']);
      expect(await scratchCollections()).toEqual([]);
      expect(await live.find('users', {})).toEqual([{ _id: 'u1' }]);
      expect(await live.checkpoint('users')).toBe(1);
    });

    test('swapIn takes only a scratch store of the same store', async () => {
      await expect(live.swapIn(live, { collections: ['users'], projections: [] })).rejects.toThrow(TypeError);
      expect(() => live.scratch('Not A Tag')).toThrow(/rebuild tag/);
    });
  });
}
