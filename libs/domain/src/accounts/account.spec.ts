import { specFor } from '../testing/decider-spec';
import { accountDecider, type AccountEvent } from './account';
import { DEFAULT_PLATFORM_GROUPS, DEFAULT_ROLES } from './default-access';

const spec = specFor(accountDecider);
const at = '2026-01-01T00:00:00.000Z';
const created: AccountEvent = { type: 'AccountCreated', data: { accountId: 'a1', name: 'Acme', createdAt: at } };
const enabled: AccountEvent = { type: 'ScimProvisioningEnabled', data: { accountId: 'a1', enabledAt: at } };
const issued: AccountEvent = {
  type: 'ScimTokenIssued',
  data: { accountId: 'a1', tokenId: 't1', secretHash: 'h', label: 'Okta', issuedAt: at, expiresAt: '2026-01-31T00:00:00.000Z' },
};

describe('account decider', () => {
  it('creates an account once, with the default role catalogue', () => {
    spec.given([]).when({ type: 'CreateAccount', accountId: 'a1', name: 'Acme', at }).then([
      created,
      { type: 'RoleDefined', data: { accountId: 'a1', role: 'administrator', description: DEFAULT_ROLES[0].description, definedAt: at } },
      { type: 'RoleDefined', data: { accountId: 'a1', role: 'user', description: DEFAULT_ROLES[1].description, definedAt: at } },
    ]);
    spec.given([created]).when({ type: 'CreateAccount', accountId: 'a1', name: 'Acme', at }).thenRejects('account_already_exists');
  });

  it('enables and disables SCIM, idempotently', () => {
    spec.given([created]).when({ type: 'EnableScimProvisioning', at }).then([enabled]);
    spec.given([created, enabled]).when({ type: 'EnableScimProvisioning', at }).then([]);
    spec.given([created, enabled]).when({ type: 'DisableScimProvisioning', at }).then([
      { type: 'ScimProvisioningDisabled', data: { accountId: 'a1', disabledAt: at } },
    ]);
    spec.given([created]).when({ type: 'DisableScimProvisioning', at }).then([]);
  });

  it('rejects commands for a missing account', () =>
    spec.given([]).when({ type: 'EnableScimProvisioning', at }).thenRejects('account_not_found'));

  it('issues a token that expires after the chosen number of days', () =>
    spec
      .given([created, enabled])
      .when({ type: 'IssueScimToken', tokenId: 't1', secretHash: 'h', label: 'Okta', validForDays: 30, at })
      .then([issued]));

  it('refuses a validity outside 1..730 days', () => {
    for (const validForDays of [0, -1, 731, 1.5]) {
      spec
        .given([created])
        .when({ type: 'IssueScimToken', tokenId: 't1', secretHash: 'h', label: '', validForDays, at })
        .thenRejects('invalid_token_validity');
    }
  });

  it('revokes an active token once', () => {
    const revoked: AccountEvent = { type: 'ScimTokenRevoked', data: { accountId: 'a1', tokenId: 't1', revokedAt: at } };
    spec.given([created, issued]).when({ type: 'RevokeScimToken', tokenId: 't1', at }).then([revoked]);
    spec.given([created, issued, revoked]).when({ type: 'RevokeScimToken', tokenId: 't1', at }).thenRejects('scim_token_already_revoked');
    spec.given([created]).when({ type: 'RevokeScimToken', tokenId: 'nope', at }).thenRejects('scim_token_not_found');
  });

  it('maps every default Platform group to roles of the default catalogue', () => {
    const catalogue: readonly string[] = DEFAULT_ROLES.map((r) => r.role);
    for (const group of DEFAULT_PLATFORM_GROUPS) expect(group.roles.every((role) => catalogue.includes(role))).toBe(true);
  });

  describe('admin keys', () => {
    const issue = (validForDays?: number) => ({ type: 'IssueAdminKey' as const, keyId: 'k1', secretHash: 'h', label: 'IT', ...(validForDays === undefined ? {} : { validForDays }), at });

    it('issues a key that never expires when no validity is chosen', () =>
      spec.given([created]).when(issue()).then([{ type: 'AccountAdminKeyIssued', data: { accountId: 'a1', keyId: 'k1', secretHash: 'h', label: 'IT', issuedAt: at } }]));

    it('issues a key that expires after the chosen number of days', () =>
      spec
        .given([created])
        .when(issue(7))
        .then([{ type: 'AccountAdminKeyIssued', data: { accountId: 'a1', keyId: 'k1', secretHash: 'h', label: 'IT', issuedAt: at, expiresAt: '2026-01-08T00:00:00.000Z' } }]));

    it('refuses a validity outside 1..730 days', () => {
      for (const validForDays of [0, -1, 731, 1.5, Number.NaN]) spec.given([created]).when(issue(validForDays)).thenRejects('invalid_token_validity');
    });

    it('keeps the expiry in the state, and none for keys issued before keys could expire', () => {
      const withExpiry: AccountEvent = { type: 'AccountAdminKeyIssued', data: { accountId: 'a1', keyId: 'k1', secretHash: 'h', label: '', issuedAt: at, expiresAt: '2026-02-01T00:00:00.000Z' } };
      const older: AccountEvent = { type: 'AccountAdminKeyIssued', data: { accountId: 'a1', keyId: 'k2', secretHash: 'h', label: '', issuedAt: at } };
      const state = [created, withExpiry, older].reduce(accountDecider.evolve, accountDecider.initialState);
      expect(state.status === 'open' && state.adminKeys.map((k) => k.expiresAt)).toEqual(['2026-02-01T00:00:00.000Z', undefined]);
    });
  });

  describe('retention', () => {
    const set = (days: number | null): AccountEvent => ({ type: 'RetentionPolicySet', data: { accountId: 'a1', eraseDeprovisionedAfterDays: days, setAt: at } });

    it('sets, changes and turns off the retention period, recording nothing when it is unchanged', () => {
      spec.given([created]).when({ type: 'SetRetentionPolicy', eraseDeprovisionedAfterDays: 30, at }).then([set(30)]);
      spec.given([created, set(30)]).when({ type: 'SetRetentionPolicy', eraseDeprovisionedAfterDays: 90, at }).then([set(90)]);
      spec.given([created, set(30)]).when({ type: 'SetRetentionPolicy', eraseDeprovisionedAfterDays: 30, at }).then([]);
      spec.given([created, set(30)]).when({ type: 'SetRetentionPolicy', eraseDeprovisionedAfterDays: null, at }).then([set(null)]);
      // Off is the default: turning it off again records nothing.
      spec.given([created]).when({ type: 'SetRetentionPolicy', eraseDeprovisionedAfterDays: null, at }).then([]);
    });

    it('refuses a period that is not a whole number of days from 1 to 3650', () => {
      for (const days of [0, -1, 1.5, 3651, Number.NaN]) {
        spec.given([created]).when({ type: 'SetRetentionPolicy', eraseDeprovisionedAfterDays: days, at }).thenRejects('invalid_retention');
      }
    });

    it('refuses a missing account', () => {
      spec.given([]).when({ type: 'SetRetentionPolicy', eraseDeprovisionedAfterDays: 30, at }).thenRejects('account_not_found');
    });
  });
});
