import { EmbeddedReadStore } from '@scim/read-models';
import { pageOf } from './paging';

describe('pageOf', () => {
  let store: EmbeddedReadStore;
  let counted: number;

  beforeAll(async () => {
    store = EmbeddedReadStore.open({ file: ':memory:' });
    const docs = Array.from({ length: 25 }, (_, i) => ({ _id: `d${i}`, accountId: i < 20 ? 'a' : 'b', n: i }));
    await store.commit(docs.map((doc) => ({ collection: 'docs', id: doc._id, doc })), { projection: 'test', position: 1 });
  });
  afterAll(() => store.close());

  beforeEach(() => {
    counted = 0;
    const count = store.count.bind(store);
    jest.spyOn(store, 'count').mockImplementation((collection, query) => {
      counted++;
      return count(collection, query);
    });
  });
  afterEach(() => jest.restoreAllMocks());

  const page = (startIndex: number | undefined, count: number | undefined, filter?: Record<string, unknown>) =>
    pageOf(store, 'docs', { accountId: 'a' }, filter, { startIndex, count });
  const ids = (resources: readonly { _id: string }[]) => resources.map((r) => r._id);

  it.each([
    // [startIndex, count, expected ids, counts asked of the store]
    [1, 100, 20, 0],
    [1, 20, 20, 1],
    [1, 5, 5, 1],
    [16, 10, 5, 0],
    [21, 10, 0, 1],
    [40, 10, 0, 1],
    [1, 0, 0, 1],
    [undefined, undefined, 20, 0],
  ])('startIndex %p, count %p: %p resources, total 20, %p count queries', async (startIndex, count, resources, countQueries) => {
    const result = await page(startIndex, count);
    expect(result.totalResults).toBe(20);
    expect(result.resources).toHaveLength(resources);
    expect(counted).toBe(countQueries);
  });

  it('totals a filtered result from a short first page', async () => {
    const result = await page(1, 100, { n: { $gte: 18 } });
    expect(result).toEqual({ totalResults: 2, startIndex: 1, resources: expect.any(Array) });
    expect(ids(result.resources)).toEqual(['d18', 'd19']);
  });

  it('totals an empty result without a count query', async () => {
    const result = await page(1, 100, { n: 99 });
    expect(result.totalResults).toBe(0);
    expect(counted).toBe(0);
  });
});
