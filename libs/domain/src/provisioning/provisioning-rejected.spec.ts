import { rejectionReason, requestRefused } from './provisioning-rejected';

const at = '2026-03-01T00:00:00.000Z';

describe('refused requests', () => {
  it('records the answer, the resource and its name, never more', () => {
    const event = requestRefused({
      accountId: 'a1',
      resourceType: 'Group',
      resourceId: 'g1',
      displayName: 'Sales',
      refusal: { method: 'PATCH', status: 400, scimType: 'invalidValue', detail: 'Unknown member (1): u9' },
      at,
    });

    expect(event).toEqual({
      type: 'ProvisioningRejected',
      data: {
        accountId: 'a1',
        resourceType: 'Group',
        resourceId: 'g1',
        displayName: 'Sales',
        reason: 'request-refused',
        refusal: { method: 'PATCH', status: 400, scimType: 'invalidValue', detail: 'Unknown member (1): u9' },
        rejectedAt: at,
      },
    });
    expect(rejectionReason(event.data)).toBe('PATCH answered 400 invalidValue: Unknown member (1): u9');
  });

  it('never keeps a userName, and clips long texts', () => {
    const event = requestRefused({ accountId: 'a1', resourceType: 'User', body: { userName: 'x'.repeat(600) }, refusal: { method: 'POST', status: 400, detail: 'y'.repeat(900) }, at });

    expect(event.data).not.toHaveProperty('userName');
    expect(event.data).not.toHaveProperty('displayName');
    expect(event.data.refusal?.detail).toHaveLength(500);
    expect(event.data.refusal?.detail.endsWith('…')).toBe(true);
    expect(event.data).not.toHaveProperty('resourceId');
  });

  it('explains a userName held by another account without naming it', () => {
    const reason = rejectionReason({ accountId: 'a1', resourceType: 'User', userName: 'taken@x.com', reason: 'username-held-by-another-account', rejectedAt: at });
    expect(reason).toBe('the userName is held by a user of another account (409 uniqueness)');
  });

  it('cuts every value the request sent from the detail it records, and keeps the names of attributes', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'replace', path: 'emails[value eq "ada@example.com"].type', value: 'work' },
        { op: 'add', value: { 'emails[type eq "home"].value': 'Ada.Home@Example.org', displayName: 'Ada "the Countess" Lovelace' } },
      ],
    };
    const detail =
      'Path "emails[value eq \\"ada@example.com\\"].type" matches no value of "emails"; ada.home@example.org is not valid; displayName Ada "the Countess" Lovelace in Operations[1]';
    const event = requestRefused({ accountId: 'a1', resourceType: 'User', resourceId: 'u1', body, refusal: { method: 'PATCH', status: 400, scimType: 'noTarget', detail }, at });

    const recorded = event.data.refusal?.detail ?? '';
    expect(recorded).toBe('Path "emails[…].type" matches no value of "emails"; … is not valid; displayName … in Operations[1]');
    expect(event.data.resourceId).toBe('u1');
  });
});
