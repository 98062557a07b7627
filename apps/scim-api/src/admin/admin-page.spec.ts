import { EmbeddedReadStore } from '@scim/read-models';
import { pageOfList, prefixOf } from './admin-page';

describe('admin pages', () => {
  const letters = ['a', 'b', 'c', 'd', 'e'];

  it('pages a list in the one admin shape, 1-based, 100 by default', () => {
    expect(pageOfList(letters, {})).toEqual({ totalResults: 5, startIndex: 1, itemsPerPage: 5, items: letters });
    expect(pageOfList(letters, { startIndex: 2, count: 2 })).toEqual({ totalResults: 5, startIndex: 2, itemsPerPage: 2, items: ['b', 'c'] });
    expect(pageOfList(letters, { startIndex: 5, count: 2 })).toEqual({ totalResults: 5, startIndex: 5, itemsPerPage: 1, items: ['e'] });
    expect(pageOfList(letters, { startIndex: 9 })).toEqual({ totalResults: 5, startIndex: 9, itemsPerPage: 0, items: [] });
    expect(pageOfList(letters, { count: 0 })).toEqual({ totalResults: 5, startIndex: 1, itemsPerPage: 0, items: [] });
  });

  it('matches a case-folded prefix as text, whatever characters it holds', async () => {
    const store = EmbeddedReadStore.open({ file: ':memory:' });
    const names = ['grace@acme.com', '.*x'];
    await store.commit(names.map((name, at) => ({ collection: 'names', id: String(at), doc: { _id: String(at), name } })), { projection: 'spec', position: 1 });
    const matches = async (prefix: string) => (await store.find<{ _id: string; name: string }>('names', prefixOf('name', prefix))).map((doc) => doc.name);
    try {
      expect(await matches('GRACE')).toEqual(['grace@acme.com']);
      expect(await matches('grace@acme.com')).toEqual(['grace@acme.com']);
      expect(await matches('race')).toEqual([]);
      expect(await matches('.*')).toEqual(['.*x']);
    } finally {
      await store.close();
    }
  });
});
