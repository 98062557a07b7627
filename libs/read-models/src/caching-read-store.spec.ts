import { CachingReadStore } from './caching-read-store';
import { EmbeddedReadStore } from './embedded/embedded-read-store';
import type { Doc } from './read-store.port';
import { describeReadStoreContract } from './testing/read-store.contract';

// The contract's own collections cached: caching changes nothing a store promises.
describeReadStoreContract('CachingReadStore over EmbeddedReadStore', async () => ({
  store: new CachingReadStore(EmbeddedReadStore.open({ file: ':memory:' }), ['users', 'groups']),
}));

describe('CachingReadStore', () => {
  let inner: EmbeddedReadStore;
  let store: CachingReadStore;
  let position = 0;
  const put = (doc: Doc | null, id = 'a1') => store.commit([{ collection: 'accounts', id, doc }], { projection: 'accounts', position: ++position });

  beforeEach(() => {
    inner = EmbeddedReadStore.open({ file: ':memory:' });
    store = new CachingReadStore(inner, ['accounts']);
  });
  afterEach(() => store.close());

  it('serves a cached document without reading the store again', async () => {
    await put({ _id: 'a1', name: 'Acme' });
    const first = await store.get('accounts', 'a1');
    const reads = jest.spyOn(inner, 'get');
    expect(await store.get('accounts', 'a1')).toBe(first);
    expect(reads).not.toHaveBeenCalled();
  });

  it('reads a document again once a commit changed or deleted it', async () => {
    await put({ _id: 'a1', name: 'Acme' });
    await store.get('accounts', 'a1');
    await put({ _id: 'a1', name: 'Acme 2' });
    expect(await store.get('accounts', 'a1')).toMatchObject({ name: 'Acme 2' });
    await put(null);
    expect(await store.get('accounts', 'a1')).toBeNull();
  });

  it('keeps no document read while a commit was in flight', async () => {
    await put({ _id: 'a1', name: 'Acme' });
    // The read starts before the commit and resolves after it, with what it read before.
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const read = inner.get.bind(inner);
    const reads = jest.spyOn(inner, 'get').mockImplementationOnce(async (collection, id) => {
      const doc = await read(collection, id);
      await released;
      return doc;
    });
    const stale = store.get('accounts', 'a1');
    await put({ _id: 'a1', name: 'Acme 2' });
    release();
    expect(await stale).toMatchObject({ name: 'Acme' });
    expect(await store.get('accounts', 'a1')).toMatchObject({ name: 'Acme 2' });
    expect(reads).toHaveBeenCalledTimes(2);
  });

  it('forgets the documents of a commit that failed', async () => {
    await put({ _id: 'a1', name: 'Acme' });
    await store.get('accounts', 'a1');
    jest.spyOn(inner, 'commit').mockRejectedValueOnce(new Error('disk full'));
    await expect(put({ _id: 'a1', name: 'Acme 2' })).rejects.toThrow('disk full');
    const reads = jest.spyOn(inner, 'get');
    expect(await store.get('accounts', 'a1')).toMatchObject({ name: 'Acme' });
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('does not keep absent ids, which a URL can name without end', async () => {
    const reads = jest.spyOn(inner, 'get');
    await store.get('accounts', 'nobody');
    await store.get('accounts', 'nobody');
    expect(reads).toHaveBeenCalledTimes(2);
  });

  it('shares cached documents frozen, so no request can change what another reads', async () => {
    await put({ _id: 'a1', tokens: [{ tokenId: 't1' }] });
    const account = (await store.get('accounts', 'a1')) as Doc & { tokens: { tokenId: string }[] };
    expect(() => account.tokens.push({ tokenId: 't2' })).toThrow(TypeError);
    expect(() => Object.assign(account.tokens[0], { tokenId: 'other' })).toThrow(TypeError);
  });

  it('leaves other collections to the store', async () => {
    await store.commit([{ collection: 'users', id: 'u1', doc: { _id: 'u1' } }], { projection: 'users', position: 1 });
    const reads = jest.spyOn(inner, 'get');
    await store.get('users', 'u1');
    await store.get('users', 'u1');
    expect(reads).toHaveBeenCalledTimes(2);
  });

  it('forgets everything on clear', async () => {
    await put({ _id: 'a1', name: 'Acme' });
    await store.get('accounts', 'a1');
    await store.clear();
    expect(await store.get('accounts', 'a1')).toBeNull();
  });
});
