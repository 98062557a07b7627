import type { Decider, DomainEvent } from '../decider';
import { DomainError } from '../domain-error';
import {
  decideIntegrations,
  evolveIntegrations,
  noIntegrations,
  type AccountIntegrationCommand,
  type AccountIntegrationEvent,
  type AccountIntegrations,
  type ScimTokenExpiring,
} from './account-integrations';
import {
  customAttributeOf,
  decideCustomAttribute,
  decideUndeclaredExtensionsPolicy,
  type CustomAttributeDeclared,
  type CustomAttributeDefinition,
  type DeclareCustomAttribute,
  type SetUndeclaredExtensionsPolicy,
  type UndeclaredExtensionsPolicy,
  type UndeclaredExtensionsPolicySet,
} from './custom-attributes';
import { DEFAULT_ROLES } from './default-access';

export type AccountCreated = DomainEvent<'AccountCreated', { readonly accountId: string; readonly name: string; readonly createdAt: string }>;
export type ScimProvisioningEnabled = DomainEvent<'ScimProvisioningEnabled', { readonly accountId: string; readonly enabledAt: string }>;
export type ScimProvisioningDisabled = DomainEvent<'ScimProvisioningDisabled', { readonly accountId: string; readonly disabledAt: string }>;
/** Only a hash of the secret is recorded: the token itself is shown once and never stored. */
export type ScimTokenIssued = DomainEvent<
  'ScimTokenIssued',
  {
    readonly accountId: string;
    readonly tokenId: string;
    readonly secretHash: string;
    readonly label: string;
    readonly issuedAt: string;
    readonly expiresAt: string;
  }
>;
export type ScimTokenRevoked = DomainEvent<'ScimTokenRevoked', { readonly accountId: string; readonly tokenId: string; readonly revokedAt: string }>;

/** An entry in the account's role catalogue: the roles manual assignments and group mappings may use. */
export type RoleDefined = DomainEvent<'RoleDefined', { readonly accountId: string; readonly role: string; readonly description: string; readonly definedAt: string }>;
/** A credential for the account's administrators (admin API), scoped to this account. Without `expiresAt` (and before keys could expire) it never expires. */
export type AccountAdminKeyIssued = DomainEvent<
  'AccountAdminKeyIssued',
  {
    readonly accountId: string;
    readonly keyId: string;
    readonly secretHash: string;
    readonly label: string;
    readonly issuedAt: string;
    readonly expiresAt?: string;
  }
>;
export type AccountAdminKeyRevoked = DomainEvent<'AccountAdminKeyRevoked', { readonly accountId: string; readonly keyId: string; readonly revokedAt: string }>;

/**
 * How long deprovisioned users are kept before they are erased (GDPR Art. 5(1)(e)); null: kept
 * until erased by hand (the default).
 */
export type RetentionPolicySet = DomainEvent<
  'RetentionPolicySet',
  { readonly accountId: string; readonly eraseDeprovisionedAfterDays: number | null; readonly setAt: string }
>;

export type AccountEvent =
  | AccountCreated
  | RetentionPolicySet
  | ScimProvisioningEnabled
  | ScimProvisioningDisabled
  | ScimTokenIssued
  | ScimTokenRevoked
  | RoleDefined
  | AccountAdminKeyIssued
  | AccountAdminKeyRevoked
  | ScimTokenExpiring
  | CustomAttributeDeclared
  | UndeclaredExtensionsPolicySet
  | AccountIntegrationEvent;

export interface ScimTokenState {
  readonly tokenId: string;
  readonly secretHash: string;
  readonly label: string;
  readonly issuedAt: string;
  readonly expiresAt: string;
  readonly revokedAt?: string;
  /** When its coming expiry was noticed (ScimTokenExpiring), so it is noticed once. */
  readonly expiringNoticedAt?: string;
}

export type AccountState =
  | { readonly status: 'absent' }
  | {
      readonly status: 'open';
      readonly accountId: string;
      readonly name: string;
      readonly scimEnabled: boolean;
      readonly tokens: readonly ScimTokenState[];
      readonly createdAt: string;
      readonly roles: readonly RoleDefinition[];
      readonly adminKeys: readonly AdminKeyState[];
      /** The account's schema extensions (RFC 7643 §3.3), attribute by attribute, in declaration order. */
      readonly customAttributes: readonly CustomAttributeDefinition[];
      readonly undeclaredExtensions: UndeclaredExtensionsPolicy;
      /** Days after which deprovisioned users are erased; absent or null: never by themselves. */
      readonly eraseDeprovisionedAfterDays?: number | null;
    } & AccountIntegrations;

export interface RoleDefinition {
  readonly role: string;
  readonly description: string;
  readonly definedAt: string;
}

/** Like tokens: only the hash of the key's secret. */
export interface AdminKeyState {
  readonly keyId: string;
  readonly secretHash: string;
  readonly label: string;
  readonly issuedAt: string;
  /** Absent: the key does not expire. */
  readonly expiresAt?: string;
  readonly revokedAt?: string;
}

export type AccountCommand =
  | { readonly type: 'CreateAccount'; readonly accountId: string; readonly name: string; readonly at: string }
  | { readonly type: 'EnableScimProvisioning'; readonly at: string }
  | { readonly type: 'DisableScimProvisioning'; readonly at: string }
  | {
      readonly type: 'IssueScimToken';
      readonly tokenId: string;
      readonly secretHash: string;
      readonly label: string;
      readonly validForDays: number;
      readonly at: string;
    }
  | { readonly type: 'RevokeScimToken'; readonly tokenId: string; readonly at: string }
  | { readonly type: 'DefineRole'; readonly role: string; readonly description: string; readonly at: string }
  | {
      readonly type: 'IssueAdminKey';
      readonly keyId: string;
      readonly secretHash: string;
      readonly label: string;
      /** Omitted: the key does not expire. */
      readonly validForDays?: number;
      readonly at: string;
    }
  | { readonly type: 'RevokeAdminKey'; readonly keyId: string; readonly at: string }
  | { readonly type: 'SetRetentionPolicy'; readonly eraseDeprovisionedAfterDays: number | null; readonly at: string }
  /** Notices, once each, the active tokens that expire within `withinDays` of `at`. */
  | { readonly type: 'NoticeExpiringTokens'; readonly withinDays: number; readonly at: string }
  | DeclareCustomAttribute
  | SetUndeclaredExtensionsPolicy
  | AccountIntegrationCommand;

/** Longest validity an administrator may choose for a SCIM token or an admin key (two years). */
export const MAX_TOKEN_VALIDITY_DAYS = 730;

const DAY_MS = 86_400_000;

/** Longest retention period an account may set (ten years). */
export const MAX_RETENTION_DAYS = 3650;

const ROLE_NAME = /^[A-Za-z0-9._:-]{1,64}$/;

export const initialAccountState: AccountState = { status: 'absent' };

export function evolveAccount(state: AccountState, event: AccountEvent): AccountState {
  if (event.type === 'AccountCreated') {
    const { accountId, name, createdAt } = event.data;
    return { status: 'open', accountId, name, createdAt, scimEnabled: false, tokens: [], roles: [], adminKeys: [], customAttributes: [], undeclaredExtensions: 'refuse', ...noIntegrations };
  }
  if (state.status === 'absent') return state;
  switch (event.type) {
    case 'ScimProvisioningEnabled':
      return { ...state, scimEnabled: true };
    case 'ScimProvisioningDisabled':
      return { ...state, scimEnabled: false };
    case 'ScimTokenIssued': {
      const { tokenId, secretHash, label, issuedAt, expiresAt } = event.data;
      if (state.tokens.some((t) => t.tokenId === tokenId)) return state;
      return { ...state, tokens: [...state.tokens, { tokenId, secretHash, label, issuedAt, expiresAt }] };
    }
    case 'ScimTokenRevoked':
      return {
        ...state,
        tokens: state.tokens.map((t) => (t.tokenId === event.data.tokenId ? { ...t, revokedAt: event.data.revokedAt } : t)),
      };
    case 'RoleDefined':
      if (state.roles.some((r) => r.role === event.data.role)) return state;
      return { ...state, roles: [...state.roles, { role: event.data.role, description: event.data.description, definedAt: event.data.definedAt }] };
    case 'AccountAdminKeyIssued': {
      const { keyId, secretHash, label, issuedAt, expiresAt } = event.data;
      if (state.adminKeys.some((k) => k.keyId === keyId)) return state;
      return { ...state, adminKeys: [...state.adminKeys, { keyId, secretHash, label, issuedAt, ...(expiresAt ? { expiresAt } : {}) }] };
    }
    case 'RetentionPolicySet':
      return { ...state, eraseDeprovisionedAfterDays: event.data.eraseDeprovisionedAfterDays };
    case 'AccountAdminKeyRevoked':
      return { ...state, adminKeys: state.adminKeys.map((k) => (k.keyId === event.data.keyId ? { ...k, revokedAt: event.data.revokedAt } : k)) };
    case 'ScimTokenExpiring':
      return {
        ...state,
        tokens: state.tokens.map((t) => (t.tokenId === event.data.tokenId ? { ...t, expiringNoticedAt: event.data.noticedAt } : t)),
      };
    case 'CustomAttributeDeclared':
      return { ...state, customAttributes: [...state.customAttributes, customAttributeOf(event.data)] };
    case 'UndeclaredExtensionsPolicySet':
      return { ...state, undeclaredExtensions: event.data.policy };
    case 'EventsKeyIssued':
    case 'EventsKeyRevoked':
    case 'WebhookEndpointRegistered':
    case 'WebhookEndpointChanged':
    case 'WebhookEndpointDisabled':
    case 'WebhookEndpointEnabled':
    case 'WebhookSecretRotated':
    case 'WebhookEndpointDeleted':
      return { ...state, ...evolveIntegrations(state, event) };
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

/** When a credential issued at `at` for `validForDays` expires; 1 to MAX_TOKEN_VALIDITY_DAYS days. */
function expiryOf(credential: 'Token' | 'Admin key', validForDays: number, at: string): string {
  if (!Number.isInteger(validForDays) || validForDays < 1 || validForDays > MAX_TOKEN_VALIDITY_DAYS) {
    throw new DomainError('invalid_token_validity', `${credential} validity must be 1 to ${MAX_TOKEN_VALIDITY_DAYS} days`);
  }
  return new Date(Date.parse(at) + validForDays * DAY_MS).toISOString();
}

export function decideAccount(command: AccountCommand, state: AccountState): readonly AccountEvent[] {
  if (command.type === 'CreateAccount') {
    if (state.status !== 'absent') throw new DomainError('account_already_exists', 'Account already exists');
    const { accountId, name, at } = command;
    return [
      { type: 'AccountCreated', data: { accountId, name, createdAt: at } },
      ...DEFAULT_ROLES.map(({ role, description }): AccountEvent => ({ type: 'RoleDefined', data: { accountId, role, description, definedAt: at } })),
    ];
  }
  if (state.status === 'absent') throw new DomainError('account_not_found', 'Account not found');
  const { accountId } = state;
  switch (command.type) {
    case 'EnableScimProvisioning':
      return state.scimEnabled ? [] : [{ type: 'ScimProvisioningEnabled', data: { accountId, enabledAt: command.at } }];
    case 'DisableScimProvisioning':
      return state.scimEnabled ? [{ type: 'ScimProvisioningDisabled', data: { accountId, disabledAt: command.at } }] : [];
    case 'IssueScimToken': {
      const { tokenId, secretHash, label, validForDays, at } = command;
      const expiresAt = expiryOf('Token', validForDays, at);
      return [{ type: 'ScimTokenIssued', data: { accountId, tokenId, secretHash, label, issuedAt: at, expiresAt } }];
    }
    case 'RevokeScimToken': {
      const token = state.tokens.find((t) => t.tokenId === command.tokenId);
      if (!token) throw new DomainError('scim_token_not_found', 'Token not found');
      if (token.revokedAt) throw new DomainError('scim_token_already_revoked', 'Token already revoked');
      return [{ type: 'ScimTokenRevoked', data: { accountId, tokenId: command.tokenId, revokedAt: command.at } }];
    }
    case 'DefineRole': {
      const role = command.role.trim();
      if (!ROLE_NAME.test(role)) throw new DomainError('unknown_role', `Role names are 1-64 letters, digits, '.', '_', ':' or '-'; got "${command.role}"`);
      if (state.roles.some((r) => r.role === role)) throw new DomainError('role_already_defined', `Role "${role}" is already in the catalogue`);
      return [{ type: 'RoleDefined', data: { accountId, role, description: command.description, definedAt: command.at } }];
    }
    case 'IssueAdminKey': {
      const { keyId, secretHash, label, validForDays, at } = command;
      const expiry = validForDays === undefined ? {} : { expiresAt: expiryOf('Admin key', validForDays, at) };
      return [{ type: 'AccountAdminKeyIssued', data: { accountId, keyId, secretHash, label, issuedAt: at, ...expiry } }];
    }
    case 'RevokeAdminKey': {
      const key = state.adminKeys.find((k) => k.keyId === command.keyId && !k.revokedAt);
      if (!key) throw new DomainError('admin_key_not_found', 'Admin key not found or already revoked');
      return [{ type: 'AccountAdminKeyRevoked', data: { accountId, keyId: command.keyId, revokedAt: command.at } }];
    }
    case 'SetRetentionPolicy': {
      const days = command.eraseDeprovisionedAfterDays;
      if (days !== null && (!Number.isInteger(days) || days < 1 || days > MAX_RETENTION_DAYS)) {
        throw new DomainError('invalid_retention', `eraseDeprovisionedAfterDays must be 1 to ${MAX_RETENTION_DAYS} days, or null to keep them until erased by hand`);
      }
      if ((state.eraseDeprovisionedAfterDays ?? null) === days) return [];
      return [{ type: 'RetentionPolicySet', data: { accountId, eraseDeprovisionedAfterDays: days, setAt: command.at } }];
    }
    case 'NoticeExpiringTokens': {
      const horizon = Date.parse(command.at) + command.withinDays * DAY_MS;
      return state.tokens
        .filter((t) => !t.revokedAt && !t.expiringNoticedAt && Date.parse(t.expiresAt) <= horizon && Date.parse(t.expiresAt) > Date.parse(command.at))
        .map((t) => ({ type: 'ScimTokenExpiring', data: { accountId, tokenId: t.tokenId, label: t.label, expiresAt: t.expiresAt, noticedAt: command.at } }));
    }
    case 'DeclareCustomAttribute':
      return [decideCustomAttribute(command, state.customAttributes, accountId)];
    case 'SetUndeclaredExtensionsPolicy':
      return decideUndeclaredExtensionsPolicy(command, state.undeclaredExtensions, accountId);
    case 'IssueEventsKey':
    case 'RevokeEventsKey':
    case 'RegisterWebhook':
    case 'ChangeWebhook':
    case 'RotateWebhookSecret':
    case 'DisableFailingWebhook':
    case 'DeleteWebhook':
      return decideIntegrations(command, state, accountId);
    default: {
      const _exhaustive: never = command;
      return [];
    }
  }
}

export const accountDecider: Decider<AccountCommand, AccountEvent, AccountState> = {
  initialState: initialAccountState,
  evolve: evolveAccount,
  decide: decideAccount,
};
