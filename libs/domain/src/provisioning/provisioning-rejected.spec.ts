import { rejectionReason, requestRefused } from './provisioning-rejected';

const at = '2026-03-01T00:00:00.000Z';

describe('refused requests', () => {
  it('records the answer, the resource and its name, never more', () => {
    const event = requestRefused({
      accountId: 'a1',
      resourceType: 'Group',
      resourceId: 'g1',
      name: 'Sales',
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

  it('names a user by userName and clips long texts', () => {
    const event = requestRefused({ accountId: 'a1', resourceType: 'User', name: 'x'.repeat(600), refusal: { method: 'POST', status: 400, detail: 'y'.repeat(900) }, at });

    expect(event.data.userName).toHaveLength(500);
    expect(event.data.refusal?.detail).toHaveLength(500);
    expect(event.data.refusal?.detail.endsWith('…')).toBe(true);
    expect(event.data).not.toHaveProperty('resourceId');
  });

  it('explains a userName held by another account without naming it', () => {
    const reason = rejectionReason({ accountId: 'a1', resourceType: 'User', userName: 'taken@x.com', reason: 'username-held-by-another-account', rejectedAt: at });
    expect(reason).toBe('the userName is held by a user of another account (409 uniqueness)');
  });
});
