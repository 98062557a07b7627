import { DelegatingEventStore } from '../delegating-event-store';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllMatchingOptions,
  ReadAllOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
  SubscriptionHandler,
} from '../event-store.port';
import type { PersonalDataPolicy } from './personal-data-policy';
import { KeyCache } from './key-pool';
import { erasedFields, openFields, SEALED_FIELD, type SealedFields, sealedFieldsOf, sealFields } from './sealed-fields';
import type { SubjectKeyStore } from './subject-key-store.port';

const RECENTLY_SEALED = 2_000;

/** An event this process sealed: where, the box and the JSON in it, and its data once opened. */
interface SealedHere {
  readonly streamId: string;
  readonly box: string;
  readonly plainJson: string;
  opened?: Record<string, unknown>;
}

/**
 * Crypto-shredding (docs/PRIVACY.md): seals the personal fields of each appended event with its
 * subject's data key, and opens them again on every read. Once a subject's key is destroyed its
 * fields read as the policy's erased values, the rest of the event unchanged.
 *
 * Wrap it around the hash chain, not inside it: the chain then covers the sealed bytes, so
 * destroying a key changes nothing stored and `verify` still passes (docs/TAMPER-EVIDENCE.md).
 * Events without a sealed value (written before this existed) are read as they are.
 */
export class EncryptingEventStore extends DelegatingEventStore {
  /**
   * What this process sealed lately, by event id: the in-process projections open each event just
   * after it is appended, and need not decrypt what was in hand a moment ago. Used only for the
   * very box it was sealed into, in its own stream, and only while the key lives (an erased key wins).
   * Opened once for all the subscriptions that receive it (projections, processes, webhooks).
   */
  private readonly recentlySealed = new KeyCache<SealedHere>(RECENTLY_SEALED);

  constructor(
    inner: EventStore,
    private readonly keys: SubjectKeyStore,
    private readonly policy: PersonalDataPolicy,
  ) {
    super(inner);
  }

  override async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const sealed: NewEvent[] = [];
    for (const event of events) sealed.push(await this.seal(streamId, event));
    return this.inner.append(streamId, sealed, expected);
  }

  override async readStream(streamId: string, options?: { readonly fromRevision?: number }): Promise<RecordedEvent[]> {
    return this.openAll(await this.inner.readStream(streamId, options));
  }

  override readAll(options?: ReadAllOptions): AsyncIterable<readonly RecordedEvent[]> {
    return this.opened(this.inner.readAll(options));
  }

  override readAllMatching(options: ReadAllMatchingOptions): AsyncIterable<readonly RecordedEvent[]> {
    return this.opened(this.inner.readAllMatching(options));
  }

  override subscribeToAll(options: SubscribeOptions, handler: SubscriptionHandler, onError?: (error: unknown) => void): Subscription {
    return this.inner.subscribeToAll(options, async (events) => handler(await this.openAll(events)), onError);
  }

  private async seal(streamId: string, event: NewEvent): Promise<NewEvent> {
    // Already sealed (an upgrade copying a log): stored as it is.
    if (Object.hasOwn(event.data, SEALED_FIELD)) return event;
    const personal = this.policy.personalDataOf(event);
    // No personal field in this event (a reservation names no userName): no key needed.
    if (!personal?.fields.some((field) => Object.hasOwn(event.data, field))) return event;
    const dataKey = await this.keys.keyFor(personal.subject);
    const remember = (value: SealedFields, plainJson: string) => this.recentlySealed.set(event.id, { streamId, box: value.box, plainJson });
    return { ...event, data: sealFields(event.data, personal.fields, dataKey, { streamId, eventId: event.id }, remember) };
  }

  private async *opened(batches: AsyncIterable<readonly RecordedEvent[]>): AsyncIterable<readonly RecordedEvent[]> {
    for await (const batch of batches) yield await this.openAll(batch);
  }

  /** Opens every sealed event; a batch without one is handed on as it is. */
  async openAll(events: readonly RecordedEvent[]): Promise<RecordedEvent[]> {
    const opened: RecordedEvent[] = new Array<RecordedEvent>(events.length);
    for (let index = 0; index < events.length; index++) opened[index] = await this.open(events[index]);
    return opened;
  }

  private async open(event: RecordedEvent): Promise<RecordedEvent> {
    if (!Object.hasOwn(event.data, SEALED_FIELD)) return event;
    const sealed = sealedFieldsOf(event.data);
    if (!sealed) return event;
    // The event's subject: a key whose binding a crash lost is bound to it again (the port's doc).
    const key = await this.keys.keyById(sealed.keyId, this.policy.personalDataOf(event)?.subject);
    const place = { streamId: event.streamId, eventId: event.id };
    if (key) {
      try {
        const recent = this.recentlySealed.get(event.id);
        if (recent?.box !== sealed.box || recent.streamId !== event.streamId) return { ...event, data: openFields(event.data, sealed, key, place) };
        // Shared by every reader: no reader of the port changes an event's data.
        recent.opened ??= openFields(event.data, sealed, key, place, recent.plainJson);
        return { ...event, data: recent.opened };
      } catch {
        // Bytes that do not open under their own key were altered; `verify` names the event.
        // Readers (projections) get it without personal values rather than a failure.
      }
    }
    return { ...event, data: erasedFields(event.data, sealed, (field) => this.policy.erasedValue(event.type, field)) };
  }
}
