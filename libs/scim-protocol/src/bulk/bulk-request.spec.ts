import { bulkIdReferences, parseBulkRequest, resolveBulkIds } from './bulk-request';

const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const request = (Operations: unknown[], extra: Record<string, unknown> = {}) => ({ schemas: [BULK], Operations, ...extra });

describe('parseBulkRequest', () => {
  it('reads operations: method upper-cased, resource type and id from the path, bulkId, version, data', () => {
    expect(
      parseBulkRequest(
        request(
          [
            { method: 'post', path: '/Users', bulkId: 'u1', data: { userName: 'a' } },
            { method: 'PATCH', path: '/Groups/g1', version: 'W/"3"', data: { Operations: [] } },
            { method: 'DELETE', path: '/Users/bulkId:u1' },
          ],
          { failOnErrors: 1 },
        ),
      ),
    ).toEqual({
      failOnErrors: 1,
      operations: [
        { method: 'POST', path: '/Users', resourceType: 'Users', bulkId: 'u1', data: { userName: 'a' } },
        { method: 'PATCH', path: '/Groups/g1', resourceType: 'Groups', id: 'g1', version: 'W/"3"', data: { Operations: [] } },
        { method: 'DELETE', path: '/Users/bulkId:u1', resourceType: 'Users', id: 'bulkId:u1' },
      ],
    });
  });

  it('refuses more than maxOperations operations with 413', () => {
    const ops = [1, 2, 3].map((i) => ({ method: 'DELETE', path: `/Users/${i}` }));
    expect(() => parseBulkRequest(request(ops), 2)).toThrow(expect.objectContaining({ status: 413 }));
    expect(parseBulkRequest(request(ops), 3).operations).toHaveLength(3);
  });

  it.each([
    [{ Operations: [{ method: 'DELETE', path: '/Users/1' }] }, 'invalidSyntax'],
    ['not an object', 'invalidSyntax'],
    [request([]), 'invalidSyntax'],
    [request([{ method: 'GET', path: '/Users' }]), 'invalidValue'],
    [request([{ method: 'POST', path: '/Users', data: {} }]), 'invalidValue'],
    [request([{ method: 'POST', path: '/Users/1', bulkId: 'x', data: {} }]), 'invalidPath'],
    [request([{ method: 'DELETE', path: '/Users' }]), 'invalidPath'],
    [request([{ method: 'DELETE', path: '/Accounts/1' }]), 'invalidPath'],
    [request([{ method: 'PATCH', path: '/Users/1', data: [] }]), 'invalidSyntax'],
    [request([{ method: 'DELETE', path: '/Users/1', version: 3 }]), 'invalidValue'],
    [request([{ method: 'DELETE', path: '/Users/1', bulkId: '' }]), 'invalidValue'],
    [request([{ method: 'DELETE', path: '/Users/1', bulkId: 'x' }, { method: 'DELETE', path: '/Users/2', bulkId: 'x' }]), 'invalidValue'],
    [request([{ method: 'DELETE', path: '/Users/1' }], { failOnErrors: 0 }), 'invalidValue'],
    [request([{ method: 'DELETE', path: '/Users/1' }], { failOnErrors: 1.5 }), 'invalidValue'],
  ])('refuses %j with 400 %s', (body, scimType) => {
    expect(() => parseBulkRequest(body)).toThrow(expect.objectContaining({ status: 400, scimType }));
  });
});

describe('bulkId references', () => {
  const [group] = parseBulkRequest(
    request([{ method: 'PUT', path: '/Groups/bulkId:g', bulkId: 'put', data: { displayName: 'bulkId:not-a-member', members: [{ value: 'bulkId:u1' }, { value: 'bulkId:u2' }, { value: 'u3' }] } }]),
  ).operations;

  it('are found in the path and anywhere in the data', () => {
    expect(bulkIdReferences(group)).toEqual(new Set(['g', 'not-a-member', 'u1', 'u2']));
  });

  it('resolve to the ids made by their operations; unknown ones stay as sent', () => {
    const resolved = resolveBulkIds(group, new Map([['g', 'G'], ['u1', 'U1'], ['u2', 'U2']]));
    expect(resolved).toMatchObject({ id: 'G', data: { displayName: 'bulkId:not-a-member', members: [{ value: 'U1' }, { value: 'U2' }, { value: 'u3' }] } });
    expect(group.data).toEqual({ displayName: 'bulkId:not-a-member', members: [{ value: 'bulkId:u1' }, { value: 'bulkId:u2' }, { value: 'u3' }] });
  });

  it('keep a "__proto__" key of the data as data', () => {
    const [op] = parseBulkRequest(JSON.parse(`{"schemas":["${BULK}"],"Operations":[{"method":"POST","path":"/Users","bulkId":"a","data":{"__proto__":{"x":"bulkId:b"}}}]}`)).operations;
    const resolved = resolveBulkIds(op, new Map([['b', 'B']])).data as Record<string, unknown>;
    expect(Object.hasOwn(resolved, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(resolved)).toBe(Object.prototype);
  });
});
