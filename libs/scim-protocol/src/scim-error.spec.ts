import { badRequest, ScimError, toScimErrorBody } from './scim-error';
import { listResponse } from './list-response';

describe('ScimError', () => {
  it('carries status, scimType and detail, and is an Error', () => {
    const error = new ScimError(400, 'bad filter', 'invalidFilter');
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ status: 400, scimType: 'invalidFilter', detail: 'bad filter', message: 'bad filter', name: 'ScimError' });
  });

  it('has no scimType when none is given', () => {
    expect(new ScimError(404, 'User not found').scimType).toBeUndefined();
  });

  it('badRequest is a 400 with the given scimType', () => {
    expect(badRequest('noTarget', 'x')).toMatchObject({ status: 400, scimType: 'noTarget' });
  });
});

describe('toScimErrorBody', () => {
  it('renders the RFC 7644 §3.12 body with the status as a string', () => {
    expect(toScimErrorBody(new ScimError(409, 'userName taken', 'uniqueness'))).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '409',
      scimType: 'uniqueness',
      detail: 'userName taken',
    });
  });

  it('omits scimType when there is none', () => {
    expect(toScimErrorBody(new ScimError(401, 'no token'))).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '401',
      detail: 'no token',
    });
  });
});

describe('listResponse', () => {
  it('builds a ListResponse with integer paging figures', () => {
    expect(listResponse([{ id: 'a' }], { totalResults: 7, startIndex: 3, itemsPerPage: 1 })).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 7,
      startIndex: 3,
      itemsPerPage: 1,
      Resources: [{ id: 'a' }],
    });
  });

  it('is valid for an empty result (Entra Test Connection, Okta existence check)', () => {
    expect(listResponse([], { totalResults: 0, startIndex: 1, itemsPerPage: 0 })).toMatchObject({ totalResults: 0, Resources: [] });
  });

  it.each([
    [{ totalResults: 1.5, startIndex: 1, itemsPerPage: 1 }],
    [{ totalResults: '1' as unknown as number, startIndex: 1, itemsPerPage: 1 }],
    [{ totalResults: 1, startIndex: 0, itemsPerPage: 1 }],
    [{ totalResults: 1, startIndex: 1, itemsPerPage: -1 }],
  ])('refuses non-integer or out-of-range paging %j', (paging) => {
    expect(() => listResponse([], paging)).toThrow(RangeError);
  });
});
