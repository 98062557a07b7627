import { ACCOUNT_LOG, Collections, distributedProjections, projectionCollections, readModelIndexes } from './index';

// A distributed rebuild swaps in exactly the collections a projection declares: one left out would
// keep documents of the old shape, one claimed by two projections would be replaced by either's rebuild.
describe('projectionCollections', () => {
  it('names the collections of every projection the projector runs, and no other projection', () => {
    expect([...projectionCollections.keys()].sort()).toEqual(distributedProjections.map(({ name }) => name).sort());
  });

  it('gives every read-model collection to exactly one projection', () => {
    const owned = [...projectionCollections.values()].flat();
    expect(new Set(owned).size).toBe(owned.length);
    expect([...owned].sort()).toEqual([...Object.values(Collections), ACCOUNT_LOG].sort());
    expect(owned).toEqual(expect.arrayContaining(Object.keys(readModelIndexes)));
  });
});
