import { evolveAccount, type EventsKeyState, type WebhookEndpointState, StreamPrefix, type AccountEvent, type AccountState, type CustomAttributeDefinition, type UndeclaredExtensionsPolicy, type AdminKeyState, type RoleDefinition, type ScimTokenState } from '@scim/domain';
import type { Projection } from '../projection';
import type { Doc } from '../read-store.port';
import { Collections } from './collections';
import { domainEventOf } from './recorded-event';

type OpenAccount = Extract<AccountState, { status: 'open' }>;

interface AccountFields {
  readonly _id: string;
  readonly name: string;
  readonly createdAt: string;
  readonly scimEnabled: boolean;
  readonly tokens: readonly ScimTokenState[];
  readonly roles: readonly RoleDefinition[];
  readonly adminKeys: readonly AdminKeyState[];
  readonly eventsKeys: readonly EventsKeyState[];
  readonly webhooks: readonly WebhookEndpointState[];
  readonly customAttributes: readonly CustomAttributeDefinition[];
  readonly undeclaredExtensions: UndeclaredExtensionsPolicy;
  readonly eraseDeprovisionedAfterDays?: number | null;
}

/** Accounts with SCIM state, token and admin-key hashes (what the credential checks read), role catalogue. */
export type AccountView = Doc & AccountFields;

/** The read model is the aggregate's own state: one fold, not two. */
export const accountsProjection: Projection = {
  name: 'accounts',
  // 2: the account's declared custom attributes, its policy for undeclared extensions, its retention.
  version: 2,
  streamPrefixes: [StreamPrefix.account],
  targets: (recorded) =>
    typeof recorded.data.accountId === 'string' ? [{ collection: Collections.accounts, id: recorded.data.accountId }] : [],
  evolve: (_ref, doc, recorded) => {
    const view = doc as AccountView | null;
    const current: AccountState = view ? { status: 'open', accountId: view._id, ...fieldsOf(view) } : { status: 'absent' };
    const next = evolveAccount(current, domainEventOf<AccountEvent>(recorded));
    return next.status === 'open' ? viewOf(next) : null;
  },
};

function fieldsOf({ name, createdAt, scimEnabled, tokens, roles, adminKeys, eventsKeys, webhooks, customAttributes, undeclaredExtensions, eraseDeprovisionedAfterDays }: AccountView) {
  const retention = eraseDeprovisionedAfterDays === undefined ? {} : { eraseDeprovisionedAfterDays };
  return { name, createdAt, scimEnabled, tokens, roles, adminKeys, eventsKeys, webhooks, customAttributes, undeclaredExtensions, ...retention };
}

function viewOf({ accountId, name, createdAt, scimEnabled, tokens, roles, adminKeys, eventsKeys, webhooks, customAttributes, undeclaredExtensions, eraseDeprovisionedAfterDays }: OpenAccount): AccountView {
  // Only once set: accounts without a retention policy have no such field.
  const retention = eraseDeprovisionedAfterDays === undefined ? {} : { eraseDeprovisionedAfterDays };
  return { _id: accountId, name, createdAt, scimEnabled, tokens, roles, adminKeys, eventsKeys, webhooks, customAttributes, undeclaredExtensions, ...retention };
}
