import { Inject, Injectable, Logger } from '@nestjs/common';
import { currentSchemaVersion, provisioningStream, type DomainEvent, type EventMetadata, type ProvisioningRejected } from '@scim/domain';
import { AppendTooLargeError, EventStore, MAX_APPEND_BYTES, newEventId, type NewEvent } from '@scim/event-store';
import type { CommandContext } from '../shared/request-context';
import { ReadModelFreshness } from './read-model-freshness';

// What an event adds to the data it carries (metadata, type, the decider's own fields), kept free
// when a resource is measured before its first append.
const EVENT_OVERHEAD_BYTES = 16_384;

/** Turns domain events into stored events with the request's metadata (shared/DESIGN.md §3). */
@Injectable()
export class EventWriter {
  private readonly logger = new Logger(EventWriter.name);

  constructor(
    readonly store: EventStore,
    @Inject(ReadModelFreshness) private readonly freshness: ReadModelFreshness,
  ) {}

  metadataFor(context: CommandContext, normalizations: readonly string[] = []): (event: DomainEvent) => EventMetadata {
    return (event) => ({
      accountId: context.accountId,
      actor: context.actor,
      occurredAt: context.at,
      correlationId: context.requestId,
      causationId: context.causationId ?? context.requestId,
      schemaVersion: currentSchemaVersion(event.type),
      ...(normalizations.length > 0 ? { normalizations } : {}),
    });
  }

  toNewEvents(events: readonly DomainEvent[], context: CommandContext, normalizations?: readonly string[]): NewEvent[] {
    const metadata = this.metadataFor(context, normalizations);
    return events.map((event) => ({
      id: newEventId(),
      type: event.type,
      data: event.data as Record<string, unknown>,
      metadata: metadata(event),
    }));
  }

  /**
   * Refuses a resource too large for the one append that will carry it, before the request writes
   * anything (a userName reservation comes first): the store would refuse the append only after.
   */
  assertFitsOneAppend(streamId: string, resource: unknown): void {
    const bytes = Buffer.byteLength(JSON.stringify(resource));
    const maxBytes = MAX_APPEND_BYTES - EVENT_OVERHEAD_BYTES;
    if (bytes > maxBytes) throw new AppendTooLargeError(streamId, bytes, maxBytes);
  }

  /** Also mints new users' ids: time-ordered, their streams grow the log's stream index at its end. */
  readonly newEventId = (): string => newEventId();

  /**
   * Records an IdP request refused without touching any aggregate in the account's provisioning
   * log. A log with no invariant to protect: any order of concurrent rejections is correct.
   */
  async recordRejection(context: CommandContext, rejected: ProvisioningRejected): Promise<void> {
    await this.store.append(provisioningStream(context.accountId), this.toNewEvents([rejected], context), 'any');
  }

  /** Waits (bounded) until the read models include `position`. */
  async settle(position: number): Promise<void> {
    if (position <= 0) return;
    if (!(await this.freshness.waitFor(position))) {
      this.logger.warn(`Read models did not reach position ${position} in time; the response is sent anyway`);
    }
  }
}
