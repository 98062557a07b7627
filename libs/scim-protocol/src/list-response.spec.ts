import { listResponse, listResponseJson } from './list-response';

describe('listResponseJson', () => {
  const resources = [{ id: 'a', name: { givenName: 'Ann "A"' } }, { id: 'b' }];

  it('is the JSON of the ListResponse built from the same resources', () => {
    const paging = { totalResults: 7, startIndex: 3, itemsPerPage: 2 };
    expect(listResponseJson(resources.map((r) => JSON.stringify(r)), paging)).toBe(JSON.stringify(listResponse(resources, paging)));
  });

  it('is the JSON of an empty ListResponse', () => {
    const paging = { totalResults: 0, startIndex: 1, itemsPerPage: 0 };
    expect(listResponseJson([], paging)).toBe(JSON.stringify(listResponse([], paging)));
  });

  it('refuses the paging listResponse refuses', () => {
    expect(() => listResponseJson([], { totalResults: 1, startIndex: 0, itemsPerPage: 1 })).toThrow(RangeError);
    expect(() => listResponseJson([], { totalResults: 1.5, startIndex: 1, itemsPerPage: 1 })).toThrow(RangeError);
  });
});
