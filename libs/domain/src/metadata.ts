/** Who caused an event: an IdP through one of the account's SCIM tokens, an administrator, or the platform. */
export type Actor =
  | { readonly kind: 'scim-token'; readonly tokenId: string }
  | { readonly kind: 'account-admin'; readonly adminId: string }
  | { readonly kind: 'operator' }
  | { readonly kind: 'system'; readonly process: string };

/**
 * Metadata every event carries (shared/DESIGN.md §3). `schemaVersion` is the version of the
 * event's data shape, so old history can be upcast when a shape evolves.
 */
export interface EventMetadata {
  readonly accountId: string;
  readonly actor: Actor;
  readonly occurredAt: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly schemaVersion: number;
  /** IdP quirks the edge accepted and normalised for this request (e.g. 'boolean-from-string:active'). */
  readonly normalizations?: readonly string[];
  readonly [key: string]: unknown;
}
