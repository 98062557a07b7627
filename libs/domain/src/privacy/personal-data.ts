import type { DomainEvent } from '../decider';

/** What a personal value reads as once its subject was erased. */
export const ERASED = '[erased]';

/**
 * The personal fields of each event type (docs/PRIVACY.md): sealed per subject (the user) when
 * appended. Everything else — ids, roles, group ids, times, actors — stays clear, so the access
 * history remains explainable after an erasure. A profile is sealed whole, custom schema
 * extensions included.
 */
const personalFields: ReadonlyMap<string, readonly string[]> = new Map([
  ['UserProvisioned', ['profile']],
  ['ManualUserCreated', ['profile']],
  ['UserConvertedToScim', ['profile']],
  ['UserAttributesUpdated', ['changed']],
  ['UserDeprovisioned', ['userName']],
  ['UserNameReserved', ['userNameKey', 'userName']],
  ['UserNameReleased', ['userNameKey']],
]);

/** An erased field keeps its shape, so every reader of the event goes on working. */
const erasedValues: ReadonlyMap<string, unknown> = new Map<string, unknown>([
  ['profile', Object.freeze({ userName: ERASED })],
  // Which attributes changed is gone with their values.
  ['changed', Object.freeze({})],
  ['userName', ERASED],
  ['userNameKey', ERASED],
]);

interface PolicyEvent {
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** The event store's `PersonalDataPolicy` for this domain: the subject is the user the event is about. */
export const personalDataPolicy = {
  personalDataOf(event: PolicyEvent): { subject: { accountId: string; subjectId: string }; fields: readonly string[] } | undefined {
    const fields = personalFields.get(event.type);
    if (!fields) return undefined;
    const subjectId = event.data.userId;
    const accountId = event.data.accountId ?? event.metadata.accountId;
    // Every event listed carries both; one that does not is stored as it is rather than refused.
    if (typeof subjectId !== 'string' || typeof accountId !== 'string') return undefined;
    return { subject: { accountId, subjectId }, fields };
  },
  erasedValue(_type: string, field: string): unknown {
    return erasedValues.has(field) ? erasedValues.get(field) : ERASED;
  },
};

/** True when the event holds personal data under the policy (for tests and tools). */
export const holdsPersonalData = (event: Pick<DomainEvent, 'type'>): boolean => personalFields.has(event.type);
