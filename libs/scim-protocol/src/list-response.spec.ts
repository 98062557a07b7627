import { listResponse, listResponseFrame } from './list-response';

describe('listResponseFrame', () => {
  const framed = (resources: readonly object[], paging: Parameters<typeof listResponseFrame>[0]) => {
    const { before, after } = listResponseFrame(paging);
    return before + resources.map((r) => JSON.stringify(r)).join(',') + after;
  };

  it('frames serialised resources into the JSON of the ListResponse', () => {
    const resources = [{ id: 'a', name: { givenName: 'Ann "A"' } }, { id: 'b' }];
    const paging = { totalResults: 7, startIndex: 3, itemsPerPage: 2 };
    expect(framed(resources, paging)).toBe(JSON.stringify(listResponse(resources, paging)));
  });

  it('frames an empty ListResponse', () => {
    const paging = { totalResults: 0, startIndex: 1, itemsPerPage: 0 };
    expect(framed([], paging)).toBe(JSON.stringify(listResponse([], paging)));
  });

  it('refuses the paging listResponse refuses', () => {
    expect(() => listResponseFrame({ totalResults: 1, startIndex: 0, itemsPerPage: 1 })).toThrow(RangeError);
    expect(() => listResponseFrame({ totalResults: 1.5, startIndex: 1, itemsPerPage: 1 })).toThrow(RangeError);
  });
});
