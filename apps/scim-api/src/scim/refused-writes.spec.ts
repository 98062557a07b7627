import { DomainError, type ProvisioningRejected } from '@scim/domain';
import { ScimError } from '@scim/scim-protocol';
import { type ProvisioningLog } from '@scim/provisioning';
import type { AuthenticatedRequest, CommandContext } from '../shared/request-context';
import { RefusedWrites } from './refused-writes';

const ACCOUNT = 'acct-1';
const USERS = `/scim/v2/${ACCOUNT}/Users`;

/** A ProvisioningLog that keeps what it was asked to record. */
function recorder(): { writer: ProvisioningLog; recorded: ProvisioningRejected[] } {
  const recorded: ProvisioningRejected[] = [];
  const writer = { recordRejection: async (_: CommandContext, event: ProvisioningRejected) => void recorded.push(event) } as unknown as ProvisioningLog;
  return { writer, recorded };
}

const request = (method: string, path: string, body: unknown = {}, authenticated = true): AuthenticatedRequest =>
  ({ method, path, body, requestId: 'req-1', ...(authenticated ? { scimCaller: { accountId: ACCOUNT, tokenId: 'tok-1' } } : {}) }) as unknown as AuthenticatedRequest;

describe('RefusedWrites: which refusals become ProvisioningRejected', () => {
  const conflict = new ScimError(409, 'userName is taken', 'uniqueness');

  it.each([
    ['POST', USERS, 'User', undefined],
    ['PUT', `${USERS}/u-1`, 'User', 'u-1'],
    ['PATCH', `/scim/v2/${ACCOUNT}/Groups/g-1`, 'Group', 'g-1'],
    ['DELETE', `/scim/v2/${ACCOUNT}/Groups/g-1/`, 'Group', 'g-1'],
  ])('records a refused %s %s', async (method, path, resourceType, resourceId) => {
    const { writer, recorded } = recorder();
    await new RefusedWrites(writer).record(request(method, path, { userName: 'ada@example.com', displayName: 'Admins' }), conflict, conflict);
    expect(recorded).toHaveLength(1);
    expect(recorded[0].data).toMatchObject({ accountId: ACCOUNT, resourceType, reason: 'request-refused', refusal: { method, status: 409, scimType: 'uniqueness', detail: 'userName is taken' } });
    expect(recorded[0].data.resourceId).toBe(resourceId);
  });

  it.each([
    ['a read', request('GET', `${USERS}/u-1`), conflict],
    ['a search sent with POST', request('POST', `${USERS}/.search`), conflict],
    ['an unauthenticated request', request('POST', USERS, {}, false), conflict],
    ['a route outside /Users and /Groups', request('POST', `/scim/v2/${ACCOUNT}/Bulk`), conflict],
    ['a server error', request('POST', USERS), new ScimError(500, 'boom')],
  ])('leaves out %s', async (_, refused, error) => {
    const { writer, recorded } = recorder();
    await new RefusedWrites(writer).record(refused, error, error);
    expect(recorded).toEqual([]);
  });

  it('leaves out a userName held by another account: the user write model records that with its own reason', async () => {
    const { writer, recorded } = recorder();
    const cause = new DomainError('username_held_by_another_account', 'taken elsewhere');
    await new RefusedWrites(writer).record(request('POST', USERS), conflict, cause);
    expect(recorded).toEqual([]);
  });

  it('resolves when recording fails: the IdP still gets its answer', async () => {
    const writer = { recordRejection: () => Promise.reject(new Error('log unavailable')) } as unknown as ProvisioningLog;
    await expect(new RefusedWrites(writer).record(request('POST', USERS), conflict, conflict)).resolves.toBeUndefined();
  });
});
