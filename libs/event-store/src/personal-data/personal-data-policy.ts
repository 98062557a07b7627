import type { EventMetadata } from '../event-store.port';

/** Whose personal data an event holds: one person (a user), within one account. */
export interface DataSubject {
  readonly accountId: string;
  readonly subjectId: string;
}

/** An event as the policy sees it: its type, data and metadata. */
export interface PolicyEvent {
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly metadata: EventMetadata;
}

/**
 * Which fields of an event's data are personal, and whose. The domain knows its events; the store
 * only applies the answer, so a new event type or a custom schema inside a profile is covered by
 * naming the field here.
 */
export interface PersonalDataPolicy {
  /** The subject and the top-level data fields to seal; undefined when the event holds no personal data. */
  personalDataOf(event: PolicyEvent): { readonly subject: DataSubject; readonly fields: readonly string[] } | undefined;
  /** What a sealed field reads as once its subject's key is destroyed (no personal value, shape kept). */
  erasedValue(type: string, field: string): unknown;
}
