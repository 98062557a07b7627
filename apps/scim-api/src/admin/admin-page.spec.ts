import { compileQuery } from '@scim/read-models/query';
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

  it('matches a case-folded prefix as text, whatever characters it holds', () => {
    const matches = (prefix: string, value: string) => compileQuery(prefixOf('name', prefix))({ _id: '1', name: value });
    expect(matches('GRACE', 'grace@acme.com')).toBe(true);
    expect(matches('grace@acme.com', 'grace@acme.com')).toBe(true);
    expect(matches('race', 'grace@acme.com')).toBe(false);
    expect(matches('.*', 'grace@acme.com')).toBe(false);
    expect(matches('.*', '.*x')).toBe(true);
  });
});
