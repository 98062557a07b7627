import type { DomainEvent } from '../decider';
import { DomainError } from '../domain-error';

/**
 * What an account gives its own application to learn what changed: read-only keys for the events
 * API, and webhook endpoints. Part of the account aggregate (like SCIM tokens and admin keys), so
 * one stream orders every change to the account's configuration.
 */

/** A read-only credential for the account's events API; only the hash of its secret is recorded. */
export type EventsKeyIssued = DomainEvent<
  'EventsKeyIssued',
  { readonly accountId: string; readonly keyId: string; readonly secretHash: string; readonly label: string; readonly issuedAt: string }
>;
export type EventsKeyRevoked = DomainEvent<'EventsKeyRevoked', { readonly accountId: string; readonly keyId: string; readonly revokedAt: string }>;

/** The settings an administrator chooses; `eventTypes: null` means every public event type. */
export interface WebhookSettings {
  readonly url: string;
  readonly eventTypes: readonly string[] | null;
  readonly description: string;
}

/**
 * The signing secret is never recorded: it is derived from the platform's webhook key, the
 * endpoint id and `secretVersion`, so the log (exported to auditors) holds nothing to sign with.
 */
export type WebhookEndpointRegistered = DomainEvent<
  'WebhookEndpointRegistered',
  WebhookSettings & { readonly accountId: string; readonly endpointId: string; readonly secretVersion: number; readonly registeredAt: string }
>;
export type WebhookEndpointChanged = DomainEvent<
  'WebhookEndpointChanged',
  WebhookSettings & { readonly accountId: string; readonly endpointId: string; readonly changedAt: string }
>;
export type WebhookDisabledReason = 'by-administrator' | 'deliveries-failing';
export type WebhookEndpointDisabled = DomainEvent<
  'WebhookEndpointDisabled',
  {
    readonly accountId: string;
    readonly endpointId: string;
    readonly reason: WebhookDisabledReason;
    /** With 'deliveries-failing': the last attempt's error, for the account's activity. */
    readonly detail?: string;
    readonly disabledAt: string;
  }
>;
export type WebhookEndpointEnabled = DomainEvent<'WebhookEndpointEnabled', { readonly accountId: string; readonly endpointId: string; readonly enabledAt: string }>;
export type WebhookSecretRotated = DomainEvent<
  'WebhookSecretRotated',
  { readonly accountId: string; readonly endpointId: string; readonly secretVersion: number; readonly rotatedAt: string }
>;
export type WebhookEndpointDeleted = DomainEvent<'WebhookEndpointDeleted', { readonly accountId: string; readonly endpointId: string; readonly deletedAt: string }>;

/** A SCIM token is about to expire: noticed once per token, so the IdP's connection can be renewed in time. */
export type ScimTokenExpiring = DomainEvent<
  'ScimTokenExpiring',
  { readonly accountId: string; readonly tokenId: string; readonly label: string; readonly expiresAt: string; readonly noticedAt: string }
>;

export type AccountIntegrationEvent =
  | EventsKeyIssued
  | EventsKeyRevoked
  | WebhookEndpointRegistered
  | WebhookEndpointChanged
  | WebhookEndpointDisabled
  | WebhookEndpointEnabled
  | WebhookSecretRotated
  | WebhookEndpointDeleted;

export interface EventsKeyState {
  readonly keyId: string;
  readonly secretHash: string;
  readonly label: string;
  readonly issuedAt: string;
  readonly revokedAt?: string;
}

export interface WebhookEndpointState extends WebhookSettings {
  readonly endpointId: string;
  readonly enabled: boolean;
  readonly disabledReason?: WebhookDisabledReason;
  readonly secretVersion: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface AccountIntegrations {
  readonly eventsKeys: readonly EventsKeyState[];
  readonly webhooks: readonly WebhookEndpointState[];
}

export type AccountIntegrationCommand =
  | { readonly type: 'IssueEventsKey'; readonly keyId: string; readonly secretHash: string; readonly label: string; readonly at: string }
  | { readonly type: 'RevokeEventsKey'; readonly keyId: string; readonly at: string }
  | {
      readonly type: 'RegisterWebhook';
      readonly endpointId: string;
      readonly settings: WebhookSettings;
      /** The public event vocabulary: the types an endpoint may ask for. */
      readonly knownEventTypes: readonly string[];
      readonly at: string;
    }
  | {
      readonly type: 'ChangeWebhook';
      readonly endpointId: string;
      readonly settings: Partial<WebhookSettings>;
      readonly enabled?: boolean;
      readonly knownEventTypes: readonly string[];
      readonly at: string;
    }
  | { readonly type: 'RotateWebhookSecret'; readonly endpointId: string; readonly at: string }
  | { readonly type: 'DisableFailingWebhook'; readonly endpointId: string; readonly detail: string; readonly at: string }
  | { readonly type: 'DeleteWebhook'; readonly endpointId: string; readonly at: string };

/** Enough endpoints for an application and its staging copies; each one is a delivery worker. */
export const MAX_WEBHOOKS_PER_ACCOUNT = 20;
const MAX_URL_LENGTH = 2000;
const MAX_DESCRIPTION_LENGTH = 500;

export const noIntegrations: AccountIntegrations = { eventsKeys: [], webhooks: [] };

export function evolveIntegrations(state: AccountIntegrations, event: AccountIntegrationEvent): AccountIntegrations {
  switch (event.type) {
    case 'EventsKeyIssued': {
      const { keyId, secretHash, label, issuedAt } = event.data;
      if (state.eventsKeys.some((k) => k.keyId === keyId)) return state;
      return { ...state, eventsKeys: [...state.eventsKeys, { keyId, secretHash, label, issuedAt }] };
    }
    case 'EventsKeyRevoked':
      return { ...state, eventsKeys: state.eventsKeys.map((k) => (k.keyId === event.data.keyId ? { ...k, revokedAt: event.data.revokedAt } : k)) };
    case 'WebhookEndpointRegistered': {
      const { endpointId, url, eventTypes, description, secretVersion, registeredAt } = event.data;
      if (state.webhooks.some((w) => w.endpointId === endpointId)) return state;
      const endpoint: WebhookEndpointState = { endpointId, url, eventTypes, description, enabled: true, secretVersion, createdAt: registeredAt, updatedAt: registeredAt };
      return { ...state, webhooks: [...state.webhooks, endpoint] };
    }
    case 'WebhookEndpointChanged': {
      const { url, eventTypes, description, changedAt } = event.data;
      return withEndpoint(state, event.data.endpointId, (w) => ({ ...w, url, eventTypes, description, updatedAt: changedAt }));
    }
    case 'WebhookEndpointDisabled':
      return withEndpoint(state, event.data.endpointId, (w) => ({ ...w, enabled: false, disabledReason: event.data.reason, updatedAt: event.data.disabledAt }));
    case 'WebhookEndpointEnabled':
      return withEndpoint(state, event.data.endpointId, ({ disabledReason: _cleared, ...w }) => ({ ...w, enabled: true, updatedAt: event.data.enabledAt }));
    case 'WebhookSecretRotated':
      return withEndpoint(state, event.data.endpointId, (w) => ({ ...w, secretVersion: event.data.secretVersion, updatedAt: event.data.rotatedAt }));
    case 'WebhookEndpointDeleted':
      return { ...state, webhooks: state.webhooks.filter((w) => w.endpointId !== event.data.endpointId) };
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

function withEndpoint(state: AccountIntegrations, endpointId: string, change: (endpoint: WebhookEndpointState) => WebhookEndpointState): AccountIntegrations {
  return { ...state, webhooks: state.webhooks.map((w) => (w.endpointId === endpointId ? change(w) : w)) };
}

export function decideIntegrations(command: AccountIntegrationCommand, state: AccountIntegrations, accountId: string): AccountIntegrationEvent[] {
  switch (command.type) {
    case 'IssueEventsKey': {
      const { keyId, secretHash, label, at } = command;
      return [{ type: 'EventsKeyIssued', data: { accountId, keyId, secretHash, label, issuedAt: at } }];
    }
    case 'RevokeEventsKey': {
      if (!state.eventsKeys.some((k) => k.keyId === command.keyId && !k.revokedAt)) {
        throw new DomainError('events_key_not_found', 'Events API key not found or already revoked');
      }
      return [{ type: 'EventsKeyRevoked', data: { accountId, keyId: command.keyId, revokedAt: command.at } }];
    }
    case 'RegisterWebhook': {
      if (state.webhooks.length >= MAX_WEBHOOKS_PER_ACCOUNT) {
        throw new DomainError('webhook_limit_reached', `An account has at most ${MAX_WEBHOOKS_PER_ACCOUNT} webhook endpoints; delete one first`);
      }
      const settings = validSettings(command.settings, command.knownEventTypes);
      const { endpointId, at } = command;
      return [{ type: 'WebhookEndpointRegistered', data: { accountId, endpointId, ...settings, secretVersion: 1, registeredAt: at } }];
    }
    case 'ChangeWebhook': {
      const endpoint = requireEndpoint(state, command.endpointId);
      const { endpointId, at } = command;
      const events: AccountIntegrationEvent[] = [];
      const settings = validSettings({ ...endpoint, ...command.settings }, command.knownEventTypes);
      if (settings.url !== endpoint.url || settings.description !== endpoint.description || !sameTypes(settings.eventTypes, endpoint.eventTypes)) {
        events.push({ type: 'WebhookEndpointChanged', data: { accountId, endpointId, ...settings, changedAt: at } });
      }
      if (command.enabled === true && !endpoint.enabled) events.push({ type: 'WebhookEndpointEnabled', data: { accountId, endpointId, enabledAt: at } });
      if (command.enabled === false && endpoint.enabled) {
        events.push({ type: 'WebhookEndpointDisabled', data: { accountId, endpointId, reason: 'by-administrator', disabledAt: at } });
      }
      return events;
    }
    case 'RotateWebhookSecret': {
      const endpoint = requireEndpoint(state, command.endpointId);
      return [{ type: 'WebhookSecretRotated', data: { accountId, endpointId: endpoint.endpointId, secretVersion: endpoint.secretVersion + 1, rotatedAt: command.at } }];
    }
    case 'DisableFailingWebhook': {
      // The delivery worker may race an administrator's change: a gone or disabled endpoint needs nothing.
      const endpoint = state.webhooks.find((w) => w.endpointId === command.endpointId);
      if (!endpoint?.enabled) return [];
      const { endpointId, detail, at } = command;
      return [{ type: 'WebhookEndpointDisabled', data: { accountId, endpointId, reason: 'deliveries-failing', detail: detail.slice(0, 500), disabledAt: at } }];
    }
    case 'DeleteWebhook': {
      requireEndpoint(state, command.endpointId);
      return [{ type: 'WebhookEndpointDeleted', data: { accountId, endpointId: command.endpointId, deletedAt: command.at } }];
    }
    default: {
      const _exhaustive: never = command;
      return [];
    }
  }
}

function requireEndpoint(state: AccountIntegrations, endpointId: string): WebhookEndpointState {
  const endpoint = state.webhooks.find((w) => w.endpointId === endpointId);
  if (!endpoint) throw new DomainError('webhook_not_found', 'Webhook endpoint not found');
  return endpoint;
}

/**
 * The URL's syntax only; whether its host is a private address needs DNS, which the edge checks
 * at registration and the delivery worker again before each connection.
 */
function validSettings(settings: WebhookSettings, knownEventTypes: readonly string[]): WebhookSettings {
  const url = settings.url.trim();
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DomainError('invalid_webhook', `Not an absolute URL: "${url.slice(0, 100)}"`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new DomainError('invalid_webhook', 'A webhook URL must be http or https');
  // Credentials in the URL would be recorded in the event log and shown in every listing.
  if (parsed.username || parsed.password) throw new DomainError('invalid_webhook', 'A webhook URL must not carry credentials; verify the signature instead');
  if (url.length > MAX_URL_LENGTH) throw new DomainError('invalid_webhook', `A webhook URL has at most ${MAX_URL_LENGTH} characters`);
  if (settings.description.length > MAX_DESCRIPTION_LENGTH) {
    throw new DomainError('invalid_webhook', `A description has at most ${MAX_DESCRIPTION_LENGTH} characters`);
  }
  let eventTypes: string[] | null = null;
  if (settings.eventTypes !== null) {
    const unknown = settings.eventTypes.filter((type) => !knownEventTypes.includes(type));
    if (unknown.length > 0) throw new DomainError('invalid_webhook', `Unknown event types: ${unknown.join(', ')}`, { eventTypes: unknown });
    if (settings.eventTypes.length === 0) throw new DomainError('invalid_webhook', 'events must name at least one type; omit it for every type');
    eventTypes = [...new Set(settings.eventTypes)].sort();
  }
  return { url, eventTypes, description: settings.description };
}

function sameTypes(a: readonly string[] | null, b: readonly string[] | null): boolean {
  return a === null || b === null ? a === b : a.join('\n') === b.join('\n');
}
