import { StreamPrefix, type AccountEvent } from '@scim/domain';
import type { Projection } from '../projection';
import type { Doc } from '../read-store.port';
import { Collections } from './collections';
import { domainEventOf } from './recorded-event';

export interface ScimTokenView {
  readonly tokenId: string;
  readonly secretHash: string;
  readonly label: string;
  readonly issuedAt: string;
  readonly expiresAt: string;
  readonly revokedAt?: string;
}

export interface AdminKeyView {
  readonly keyId: string;
  readonly secretHash: string;
  readonly label: string;
  readonly issuedAt: string;
  readonly revokedAt?: string;
}

export interface AccountView extends Doc {
  readonly name: string;
  readonly createdAt: string;
  readonly scimEnabled: boolean;
  readonly tokens: readonly ScimTokenView[];
  readonly roles: readonly { readonly role: string; readonly description: string; readonly definedAt: string }[];
  readonly adminKeys: readonly AdminKeyView[];
}

/** Accounts with SCIM state and token hashes: what the SCIM bearer-token check reads. */
export const accountsProjection: Projection = {
  name: 'accounts',
  streamPrefixes: [StreamPrefix.account],
  targets: (recorded) =>
    typeof recorded.data.accountId === 'string' ? [{ collection: Collections.accounts, id: recorded.data.accountId }] : [],
  evolve: (ref, doc, recorded) => {
    const event = domainEventOf<AccountEvent>(recorded);
    if (event.type === 'AccountCreated') {
      return { _id: ref.id, name: event.data.name, createdAt: event.data.createdAt, scimEnabled: false, tokens: [], roles: [], adminKeys: [] } satisfies AccountView;
    }
    const account = doc as AccountView | null;
    if (!account) return null;
    switch (event.type) {
      case 'ScimProvisioningEnabled':
        return { ...account, scimEnabled: true };
      case 'ScimProvisioningDisabled':
        return { ...account, scimEnabled: false };
      case 'ScimTokenIssued': {
        const { tokenId, secretHash, label, issuedAt, expiresAt } = event.data;
        if (account.tokens.some((t) => t.tokenId === tokenId)) return account;
        return { ...account, tokens: [...account.tokens, { tokenId, secretHash, label, issuedAt, expiresAt }] };
      }
      case 'ScimTokenRevoked':
        return {
          ...account,
          tokens: account.tokens.map((t) => (t.tokenId === event.data.tokenId ? { ...t, revokedAt: event.data.revokedAt } : t)),
        };
      case 'RoleDefined': {
        const { role, description, definedAt } = event.data;
        return account.roles.some((r) => r.role === role) ? account : { ...account, roles: [...account.roles, { role, description, definedAt }] };
      }
      case 'AccountAdminKeyIssued': {
        const { keyId, secretHash, label, issuedAt } = event.data;
        if (account.adminKeys.some((k) => k.keyId === keyId)) return account;
        return { ...account, adminKeys: [...account.adminKeys, { keyId, secretHash, label, issuedAt }] };
      }
      case 'AccountAdminKeyRevoked':
        return {
          ...account,
          adminKeys: account.adminKeys.map((k) => (k.keyId === event.data.keyId ? { ...k, revokedAt: event.data.revokedAt } : k)),
        };
      default: {
        const _exhaustive: never = event;
        return account;
      }
    }
  },
};
