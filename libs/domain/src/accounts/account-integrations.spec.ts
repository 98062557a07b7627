import { specFor } from '../testing/decider-spec';
import { accountDecider, type AccountEvent } from './account';

const spec = specFor(accountDecider);
const at = '2026-01-01T00:00:00.000Z';
const created: AccountEvent = { type: 'AccountCreated', data: { accountId: 'a1', name: 'Acme', createdAt: at } };
const knownEventTypes = ['user.created', 'user.deleted'];
const settings = { url: 'https://app.acme.test/hooks', eventTypes: null, description: 'prod' };
const registered: AccountEvent = {
  type: 'WebhookEndpointRegistered',
  data: { accountId: 'a1', endpointId: 'w1', ...settings, secretVersion: 1, registeredAt: at },
};

describe('account integrations: events API keys and webhook endpoints', () => {
  it('issues and revokes an events API key once', () => {
    const issued: AccountEvent = { type: 'EventsKeyIssued', data: { accountId: 'a1', keyId: 'k1', secretHash: 'h', label: 'app', issuedAt: at } };
    spec.given([created]).when({ type: 'IssueEventsKey', keyId: 'k1', secretHash: 'h', label: 'app', at }).then([issued]);
    const revoked: AccountEvent = { type: 'EventsKeyRevoked', data: { accountId: 'a1', keyId: 'k1', revokedAt: at } };
    spec.given([created, issued]).when({ type: 'RevokeEventsKey', keyId: 'k1', at }).then([revoked]);
    spec.given([created, issued, revoked]).when({ type: 'RevokeEventsKey', keyId: 'k1', at }).thenRejects('events_key_not_found');
  });

  it('registers an endpoint for every type when none is named, at secret version 1', () =>
    spec.given([created]).when({ type: 'RegisterWebhook', endpointId: 'w1', settings, knownEventTypes, at }).then([registered]));

  it('keeps the named types sorted and unique', () =>
    spec
      .given([created])
      .when({ type: 'RegisterWebhook', endpointId: 'w1', settings: { ...settings, eventTypes: ['user.deleted', 'user.created', 'user.deleted'] }, knownEventTypes, at })
      .then([{ ...registered, data: { ...registered.data, eventTypes: ['user.created', 'user.deleted'] } } as AccountEvent]));

  it('refuses bad URLs, unknown or empty type lists', () => {
    for (const url of ['not a url', 'ftp://x.test/', 'https://user:pw@x.test/', `https://x.test/${'a'.repeat(2000)}`]) {
      spec.given([created]).when({ type: 'RegisterWebhook', endpointId: 'w1', settings: { ...settings, url }, knownEventTypes, at }).thenRejects('invalid_webhook');
    }
    spec.given([created]).when({ type: 'RegisterWebhook', endpointId: 'w1', settings: { ...settings, eventTypes: ['dsync.user'] }, knownEventTypes, at }).thenRejects('invalid_webhook');
    spec.given([created]).when({ type: 'RegisterWebhook', endpointId: 'w1', settings: { ...settings, eventTypes: [] }, knownEventTypes, at }).thenRejects('invalid_webhook');
  });

  it('refuses a 21st endpoint', () => {
    const twenty = Array.from({ length: 20 }, (_, i) => ({ ...registered, data: { ...registered.data, endpointId: `w${i}` } }) as AccountEvent);
    spec.given([created, ...twenty]).when({ type: 'RegisterWebhook', endpointId: 'w99', settings, knownEventTypes, at }).thenRejects('webhook_limit_reached');
  });

  it('changes settings and the enabled switch, and nothing when nothing changes', () => {
    spec
      .given([created, registered])
      .when({ type: 'ChangeWebhook', endpointId: 'w1', settings: { description: 'staging' }, enabled: false, knownEventTypes, at })
      .then([
        { type: 'WebhookEndpointChanged', data: { accountId: 'a1', endpointId: 'w1', ...settings, description: 'staging', changedAt: at } },
        { type: 'WebhookEndpointDisabled', data: { accountId: 'a1', endpointId: 'w1', reason: 'by-administrator', disabledAt: at } },
      ]);
    spec.given([created, registered]).when({ type: 'ChangeWebhook', endpointId: 'w1', settings: { url: settings.url }, enabled: true, knownEventTypes, at }).then([]);
    spec.given([created]).when({ type: 'ChangeWebhook', endpointId: 'w1', settings: {}, knownEventTypes, at }).thenRejects('webhook_not_found');
  });

  it('rotates the secret to the next version', () =>
    spec
      .given([created, registered])
      .when({ type: 'RotateWebhookSecret', endpointId: 'w1', at })
      .then([{ type: 'WebhookSecretRotated', data: { accountId: 'a1', endpointId: 'w1', secretVersion: 2, rotatedAt: at } }]));

  it('disables a failing endpoint once, and a deleted one not at all', () => {
    const disabled: AccountEvent = {
      type: 'WebhookEndpointDisabled',
      data: { accountId: 'a1', endpointId: 'w1', reason: 'deliveries-failing', detail: 'HTTP 500', disabledAt: at },
    };
    spec.given([created, registered]).when({ type: 'DisableFailingWebhook', endpointId: 'w1', detail: 'HTTP 500', at }).then([disabled]);
    spec.given([created, registered, disabled]).when({ type: 'DisableFailingWebhook', endpointId: 'w1', detail: 'HTTP 500', at }).then([]);
    const deleted: AccountEvent = { type: 'WebhookEndpointDeleted', data: { accountId: 'a1', endpointId: 'w1', deletedAt: at } };
    spec.given([created, registered, deleted]).when({ type: 'DisableFailingWebhook', endpointId: 'w1', detail: 'x', at }).then([]);
    spec.given([created, registered, deleted]).when({ type: 'DeleteWebhook', endpointId: 'w1', at }).thenRejects('webhook_not_found');
  });

  it('notices each active token once, within the horizon and not yet expired', () => {
    const token = (tokenId: string, expiresAt: string): AccountEvent => ({
      type: 'ScimTokenIssued',
      data: { accountId: 'a1', tokenId, secretHash: 'h', label: tokenId, issuedAt: at, expiresAt },
    });
    const soon = token('soon', '2026-01-10T00:00:00.000Z');
    const far = token('far', '2026-06-01T00:00:00.000Z');
    const gone = token('gone', '2025-12-31T00:00:00.000Z');
    const noticed: AccountEvent = {
      type: 'ScimTokenExpiring',
      data: { accountId: 'a1', tokenId: 'soon', label: 'soon', expiresAt: '2026-01-10T00:00:00.000Z', noticedAt: at },
    };
    spec.given([created, soon, far, gone]).when({ type: 'NoticeExpiringTokens', withinDays: 14, at }).then([noticed]);
    spec.given([created, soon, far, gone, noticed]).when({ type: 'NoticeExpiringTokens', withinDays: 14, at }).then([]);
  });
});
