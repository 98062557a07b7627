import { withoutValues } from './request-values';

describe('withoutValues: a text about a request, less what the request sent', () => {
  it('cuts a value however the detail quotes it, and leaves a detail that quotes none as it was', () => {
    expect(withoutValues('userName "ADA@X.COM" is taken', { userName: 'ada@x.com' })).toBe('userName "…" is taken');
    expect(withoutValues('Attribute "name" must be an object', { name: 'Ada', op: 'add' })).toBe('Attribute "name" must be an object');
    expect(withoutValues('no body', undefined)).toBe('no body');
    expect(withoutValues('Unknown member (1): u-77 of Sales', { displayName: 'Sales', members: [{ value: 'u-77' }] })).toBe('Unknown member (1): u-77 of …');
    expect(withoutValues('no member bob@x', { path: 'members[value eq "bob@x"]' })).toBe('no member …');
  });

  it('cuts the quoted literals of a filter sent in a query, wherever the text quotes them', () => {
    const sent = { filter: 'userName eq "ada@example.com" and title sw "Count"' };
    expect(withoutValues('TypeError: no user ada@example.com (title Count) at parse (filter.js:1)', sent)).toBe('TypeError: no user … (title …) at parse (filter.js:1)');
    // Without `filters`, brackets are kept (a failure's JSON), only the values go.
    expect(withoutValues('cannot store [{"title":"Count","n":[1]}]', sent, { filters: false })).toBe('cannot store [{"title":"…","n":[1]}]');
  });
});
