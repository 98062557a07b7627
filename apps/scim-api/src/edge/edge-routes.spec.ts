import { edgeRouteOf } from './edge-routes';

describe('edgeRouteOf', () => {
  it('guards every SCIM resource route with the account in the URL, sized by resource', () => {
    expect(edgeRouteOf('POST', '/scim/v2/acme/Users')).toEqual({ kind: 'guarded', realm: 'scim', accountId: 'acme', body: 'user', label: '/scim/v2/:accountId/Users' });
    expect(edgeRouteOf('PATCH', '/scim/v2/acme/Users/u-1')).toMatchObject({ body: 'user' });
    expect(edgeRouteOf('PUT', '/scim/v2/acme/Groups/g-1')).toMatchObject({ realm: 'scim', body: 'group' });
    expect(edgeRouteOf('POST', '/scim/v2/acme/Groups/.search')).toMatchObject({ body: 'small' });
    expect(edgeRouteOf('POST', '/scim/v2/acme/Users/.search')).toMatchObject({ body: 'small' });
    expect(edgeRouteOf('POST', '/scim/v2/acme/.search')).toMatchObject({ body: 'small' });
    expect(edgeRouteOf('GET', '/scim/v2/acme')).toMatchObject({ kind: 'guarded', body: 'small' });
  });

  it('matches case-insensitively, as Express routes', () => {
    expect(edgeRouteOf('POST', '/SCIM/V2/acme/users')).toMatchObject({ realm: 'scim', accountId: 'acme', body: 'user' });
    expect(edgeRouteOf('GET', '/scim/v2/acme/schemas')).toMatchObject({ kind: 'guarded', credentialOptional: true });
  });

  it('decodes the account id as Express decodes parameters; a malformed one names no account', () => {
    expect(edgeRouteOf('GET', '/scim/v2/ac%20me/Users')).toMatchObject({ accountId: 'ac me' });
    expect(edgeRouteOf('GET', '/scim/v2/%E0%A4%A/Users')).toMatchObject({ kind: 'guarded', accountId: undefined });
  });

  it('guards /Bulk with its own advertised payload limit', () => {
    expect(edgeRouteOf('POST', '/scim/v2/acme/Bulk')).toEqual({ kind: 'guarded', realm: 'scim', accountId: 'acme', body: 'bulk', label: '/scim/v2/:accountId/Bulk' });
  });

  it('serves discovery reads with or without a credential and leaves the 501 endpoints open, but not writes to discovery', () => {
    for (const path of ['/ServiceProviderConfig', '/Schemas', '/Schemas/urn:x', '/ResourceTypes/User']) {
      expect(edgeRouteOf('GET', `/scim/v2/acme${path}`)).toMatchObject({ kind: 'guarded', realm: 'scim', credentialOptional: true });
    }
    expect(edgeRouteOf('GET', '/scim/v2/acme/Me')).toEqual({ kind: 'open' });
    expect(edgeRouteOf('POST', '/scim/v2/acme/Schemas')).toMatchObject({ kind: 'guarded', realm: 'scim' });
  });

  it('guards the admin, audit and support APIs with small bodies, but admin member lists as large as groups', () => {
    expect(edgeRouteOf('POST', '/admin/accounts')).toEqual({ kind: 'guarded', realm: 'admin', accountId: undefined, body: 'small', label: '/admin/*' });
    expect(edgeRouteOf('POST', '/admin/accounts/acme/scim/tokens')).toEqual({ kind: 'guarded', realm: 'admin', accountId: 'acme', body: 'small', label: '/admin/accounts/:accountId/*' });
    expect(edgeRouteOf('POST', '/admin/accounts/acme/groups/g-1/members')).toMatchObject({ realm: 'admin', body: 'group' });
    expect(edgeRouteOf('GET', '/audit/accounts/acme/events')).toEqual({ kind: 'guarded', realm: 'audit', accountId: 'acme', body: 'small', label: '/audit/accounts/:accountId/*' });
    expect(edgeRouteOf('GET', '/support/accounts/acme/users')).toEqual({ kind: 'guarded', realm: 'support', accountId: 'acme', body: 'small', label: '/support/accounts/:accountId/*' });
  });

  it('guards the events API with an events key of the account in the route', () => {
    expect(edgeRouteOf('GET', '/api/v1/accounts/acme/events')).toEqual({ kind: 'guarded', realm: 'events', accountId: 'acme', body: 'small', label: '/api/v1/accounts/:accountId/*' });
  });

  it('leaves the API docs, the console page and routes outside the realms open', () => {
    expect(edgeRouteOf('GET', '/admin/docs')).toEqual({ kind: 'open' });
    expect(edgeRouteOf('GET', '/admin/docs-json')).toEqual({ kind: 'open' });
    expect(edgeRouteOf('GET', '/support/console')).toEqual({ kind: 'open' });
    expect(edgeRouteOf('GET', '/health')).toEqual({ kind: 'open' });
    expect(edgeRouteOf('POST', '/admin/docs')).toMatchObject({ kind: 'guarded', realm: 'admin' });
    expect(edgeRouteOf('GET', '/administrator')).toEqual({ kind: 'open' });
    expect(edgeRouteOf('GET', '/console')).toEqual({ kind: 'open' });
    expect(edgeRouteOf('GET', '/console/assets/index-abc.js')).toEqual({ kind: 'open' });
  });

  it('takes any admin, audit or support credential for /admin/session, which names no account', () => {
    expect(edgeRouteOf('GET', '/admin/session')).toEqual({ kind: 'guarded', realm: 'support', accountId: undefined, body: 'small', label: '/admin/session' });
  });
});
